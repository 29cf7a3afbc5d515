/**
 * How sure the offline planner is, as a probability that its query answers
 * the question. The planner measures a few signals of its own reading (words
 * it could not place, choices it had to guess, how close the runner-up
 * reading was, how far it had to join); a logistic model turns them into the
 * probability shown in the app and compared with the decline threshold.
 *
 * The weights were fitted on the public spider-dev11 development set (409
 * questions on 11 schemas the planner was not written for) and are checked by
 * the precision/coverage table in BENCHMARKS.md; they are about the planner's
 * own signals, never about a schema's names.
 */
export interface PlanSignals {
  /** Content words that linked to nothing and steer nothing (verbs not included). */
  unknownWords: number;
  /** Verbs that linked to nothing ("living", "performed"). */
  unknownVerbs: number;
  /** Content words in the question (linked or not). */
  contentWords: number;
  /** Decisions the planner had to guess (which date, which table, ...). */
  guesses: number;
  /** Score gap to the second-best reading (0 when tied). */
  margin: number;
  /** Joins in the query. */
  joins: number;
  /** A join path not declared by foreign keys. */
  inferredJoin: boolean;
  /** How well, on average, the chosen tables and columns match the words (0..1). */
  linkQuality: number;
  /** Tables or columns the question named that the query does not use. */
  ignoredMentions: number;
  shape: 'count' | 'list' | 'aggregate' | 'distinct';
  /** Conditions: filters plus HAVING. */
  conditions: number;
  /** Logic words (not, both, than, each, who ...) that no rule read. */
  unreadLogic: number;
}

/** Logistic weights; a signal's weight multiplies its value (flags count 1). */
export const CONFIDENCE_WEIGHTS = {
  intercept: 0.19,
  unknownWords: -0.87,
  unknownVerbs: -0.08,
  unknownShare: -2.6,
  guesses: -1.13,
  tiedReading: -0.8,
  joins: -1.06,
  /** Not fitted (every development-set join is declared): a prior, since a join found by naming is a guess. */
  inferredJoin: -0.3,
  /** Not fitted: a prior, so a name matched through a synonym counts as less sure than the name itself. */
  linkQuality: 1.5,
  ignoredMentions: -0.57,
  shapeList: 0.33,
  shapeAggregate: 1.01,
  shapeDistinct: -0.25,
  conditions: 0.49,
  unreadLogic: -0.42,
  /** Per ten content words: long questions hide more than the planner reads. */
  contentWords: -0.5,
} as const;

/**
 * Below this the planner declines instead of answering (about one answer in
 * ten is right there on the development set). Between it and
 * CONFIDENT_AT the app shows the answer as unsure, to be checked.
 */
export const DECLINE_BELOW = 0.15;
/** From here the answer is shown as confident: on the development set, 9 in 10 or more are right. */
export const CONFIDENT_AT = 0.8;

/** A reading this close to the runner-up is a coin toss between two queries. */
const TIED_MARGIN = 0.05;
/** Never claim certainty: the planner reads words, not minds. */
const MAX_CONFIDENCE = 0.98;
const MIN_CONFIDENCE = 0.02;

export function calibrate(s: PlanSignals): number {
  const w = CONFIDENCE_WEIGHTS;
  const z =
    w.intercept +
    w.unknownWords * Math.min(4, s.unknownWords) +
    w.unknownVerbs * Math.min(4, s.unknownVerbs) +
    w.unknownShare * (s.contentWords > 0 ? (s.unknownWords + s.unknownVerbs) / s.contentWords : 0) +
    w.guesses * Math.min(4, s.guesses) +
    (s.margin < TIED_MARGIN ? w.tiedReading : 0) +
    w.joins * Math.min(2, s.joins) +
    (s.inferredJoin ? w.inferredJoin : 0) +
    w.linkQuality * s.linkQuality +
    w.ignoredMentions * Math.min(4, s.ignoredMentions) +
    (s.shape === 'list' ? w.shapeList : s.shape === 'aggregate' ? w.shapeAggregate : s.shape === 'distinct' ? w.shapeDistinct : 0) +
    w.conditions * Math.min(4, s.conditions) +
    w.unreadLogic * Math.min(4, s.unreadLogic) +
    (w.contentWords * Math.min(30, s.contentWords)) / 10;
  const p = 1 / (1 + Math.exp(-z));
  return Math.round(Math.max(MIN_CONFIDENCE, Math.min(MAX_CONFIDENCE, p)) * 100) / 100;
}
