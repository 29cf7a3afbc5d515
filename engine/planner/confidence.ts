/**
 * How sure the offline planner is, as a probability that its query answers
 * the question. The planner measures a few signals of its own reading (words
 * it could not place, choices it had to guess, how close the runner-up
 * reading was, how far it had to join); a logistic model turns them into the
 * probability shown in the app and compared with the decline threshold.
 *
 * The weights are an L2-regularised logistic regression fitted on the public
 * spider-dev11 development set (409 questions on 11 schemas the planner was
 * not written for), the penalty picked by leave-one-schema-out cross-validation
 * (test/bench/calibration.bench.ts): fitted without it, the model was more
 * confident than right on the schema left out.
 * BENCHMARKS.md has the precision/coverage table on schemas left out of the
 * fit; the weights are about the planner's own signals, never a schema's names.
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

/**
 * Logistic weights; a signal's weight multiplies its value as confidenceFeatures
 * reads it. Refit with test/bench/calibration.bench.ts (it prints the weights
 * fitted on all 11 schemas next to these), and keep the two priors as they are.
 */
export const CONFIDENCE_WEIGHTS = {
  intercept: 0.41,
  unknownWords: -0.92,
  unknownVerbs: -0.33,
  unknownShare: -0.4,
  guesses: -0.64,
  tiedReading: -0.31,
  joins: -0.6,
  /** Not fitted (every development-set join is declared): a prior, since a join found by naming is a guess. */
  inferredJoin: -0.3,
  /** Not fitted: a prior, so a name matched through a synonym counts as less sure than the name itself. */
  linkQuality: 1.5,
  ignoredMentions: -0.61,
  shapeList: -0.17,
  shapeAggregate: 0.34,
  shapeDistinct: -0.02,
  conditions: 0.27,
  unreadLogic: -0.3,
  /** Per ten content words: long questions hide more than the planner reads. */
  contentWords: -0.17,
} as const;

/**
 * Below this the planner declines instead of answering: on schemas left out
 * of the fit, 1 in 28 such readings was right (1 in 7 when the penalty too is
 * picked without the left-out schema). Between it and
 * CONFIDENT_AT the app shows the answer as unsure, to be checked.
 */
export const DECLINE_BELOW = 0.15;
/**
 * From here the answer is shown as confident: on schemas left out of the fit,
 * about 9 in 10 of these answers were right (BENCHMARKS.md, calibration.bench.ts).
 */
export const CONFIDENT_AT = 0.8;

/** A reading this close to the runner-up is a coin toss between two queries. */
const TIED_MARGIN = 0.05;
/** Never claim certainty: the planner reads words, not minds. */
const MAX_CONFIDENCE = 0.98;
const MIN_CONFIDENCE = 0.02;

/** The model's inputs: one number per weight (the intercept aside). */
export type ConfidenceFeature = Exclude<keyof typeof CONFIDENCE_WEIGHTS, 'intercept'>;
export type ConfidenceWeights = Record<'intercept' | ConfidenceFeature, number>;
/** Weights set by hand rather than fitted (see CONFIDENCE_WEIGHTS): a refit keeps them as they are. */
export const PRIOR_FEATURES: readonly ConfidenceFeature[] = ['inferredJoin', 'linkQuality'];

/**
 * The signals as the model reads them: counts capped where more of the same
 * says little more, flags as 0 or 1. The one definition the app's confidence
 * and the calibration bench (test/bench/calibration.bench.ts) both use.
 */
export function confidenceFeatures(s: PlanSignals): Record<ConfidenceFeature, number> {
  return {
    unknownWords: Math.min(4, s.unknownWords),
    unknownVerbs: Math.min(4, s.unknownVerbs),
    unknownShare: s.contentWords > 0 ? (s.unknownWords + s.unknownVerbs) / s.contentWords : 0,
    guesses: Math.min(4, s.guesses),
    tiedReading: s.margin < TIED_MARGIN ? 1 : 0,
    joins: Math.min(2, s.joins),
    inferredJoin: s.inferredJoin ? 1 : 0,
    linkQuality: s.linkQuality,
    ignoredMentions: Math.min(4, s.ignoredMentions),
    shapeList: s.shape === 'list' ? 1 : 0,
    shapeAggregate: s.shape === 'aggregate' ? 1 : 0,
    shapeDistinct: s.shape === 'distinct' ? 1 : 0,
    conditions: Math.min(4, s.conditions),
    unreadLogic: Math.min(4, s.unreadLogic),
    contentWords: Math.min(30, s.contentWords) / 10,
  };
}

/** The model's probability, unbounded and unrounded. */
export function confidenceProbability(s: PlanSignals, weights: ConfidenceWeights = CONFIDENCE_WEIGHTS): number {
  const features = confidenceFeatures(s);
  let z = weights.intercept;
  for (const name of Object.keys(features) as ConfidenceFeature[]) z += weights[name] * features[name];
  return 1 / (1 + Math.exp(-z));
}

/** The confidence the app shows and compares with its thresholds: the probability, bounded and to two decimals. */
export function calibrate(s: PlanSignals, weights: ConfidenceWeights = CONFIDENCE_WEIGHTS): number {
  const p = confidenceProbability(s, weights);
  return Math.round(Math.max(MIN_CONFIDENCE, Math.min(MAX_CONFIDENCE, p)) * 100) / 100;
}
