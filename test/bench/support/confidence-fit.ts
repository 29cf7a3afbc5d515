/**
 * Fitting and scoring the offline planner's confidence model on spider-dev11
 * records (confidence-records.ts), schema by schema: leave-one-schema-out
 * cross-validation fits the weights on ten schemas and scores the eleventh,
 * so the pooled held-out confidences say how the model does on a schema it
 * was not fitted on, which is what a user's own database is.
 */
import { calibrate, CONFIDENCE_WEIGHTS, confidenceFeatures, DECLINE_BELOW, PRIOR_FEATURES, type ConfidenceFeature, type ConfidenceWeights } from '../../../engine/planner/confidence';
import { percent } from '../../../engine/eval/summary';
import type { SpiderDatabase } from '../../support/databases';
import type { ConfidenceRecord } from './confidence-records';
import { fitLogistic } from './logistic';

/** Two readings joined are less sure than either alone (planner.ts, COMBINED_READING_FACTOR). */
const COMBINED_READING_FACTOR = 0.9;

/** The model's features, in the weights' order (confidence.test.ts checks that confidenceFeatures() returns exactly these). */
export const FEATURES = Object.keys(CONFIDENCE_WEIGHTS).filter((name): name is ConfidenceFeature => name !== 'intercept');
export const FITTED_FEATURES = FEATURES.filter((f) => !PRIOR_FEATURES.includes(f));

type Reading = Extract<ConfidenceRecord, { kind: 'reading' }>;
const readings = (records: readonly ConfidenceRecord[]) => records.filter((r): r is Reading => r.kind === 'reading');

/** Weights fitted on these records' readings, the hand-set priors kept as they are. */
export function fitConfidenceWeights(records: readonly ConfidenceRecord[], l2: number): ConfidenceWeights {
  const rows = readings(records).map((r) => confidenceFeatures(r.signals));
  const fit = fitLogistic(
    {
      x: rows.map((f) => FITTED_FEATURES.map((name) => f[name])),
      y: readings(records).map((r) => (r.correct ? 1 : 0)),
      offset: rows.map((f) => PRIOR_FEATURES.reduce((sum, name) => sum + CONFIDENCE_WEIGHTS[name] * f[name], 0)),
    },
    { l2 },
  );
  const weights = { ...CONFIDENCE_WEIGHTS, intercept: fit.intercept } as ConfidenceWeights;
  FITTED_FEATURES.forEach((name, j) => (weights[name] = fit.coefficients[j]!));
  return weights;
}

/** The confidence these weights give a question's reading (null: the planner declines it whatever the weights). */
export function readingConfidence(record: ConfidenceRecord, weights: ConfidenceWeights): number | null {
  if (record.kind === 'declined') return null;
  if (record.kind === 'reading') return calibrate(record.signals, weights);
  return Math.round(Math.min(...record.halves.map((half) => calibrate(half, weights))) * COMBINED_READING_FACTOR * 100) / 100;
}

/** A question scored with some weights, and whether its reading was right. */
export interface Scored {
  db: SpiderDatabase;
  /** The reading's confidence, declined or not (null: declined whatever the weights). */
  probability: number | null;
  /** The confidence shown with the answer (null: declined, by the weights below DECLINE_BELOW or otherwise). */
  confidence: number | null;
  correct: boolean;
}

export const scoredWith = (records: readonly ConfidenceRecord[], weights: ConfidenceWeights): Scored[] =>
  records.map((r) => {
    const probability = readingConfidence(r, weights);
    return { db: r.db, probability, confidence: probability !== null && probability >= DECLINE_BELOW ? probability : null, correct: r.kind !== 'declined' && r.correct };
  });

export const schemasOf = (records: readonly ConfidenceRecord[]): SpiderDatabase[] => [...new Set(records.map((r) => r.db))];

/** Each schema's questions scored with weights fitted on the other schemas, pooled in record order. */
export function leaveOneSchemaOut(records: readonly ConfidenceRecord[], fit: (training: readonly ConfidenceRecord[]) => ConfidenceWeights): Scored[] {
  const heldOut = new Map<ConfidenceRecord, Scored>();
  for (const db of schemasOf(records)) {
    const weights = fit(records.filter((r) => r.db !== db));
    for (const r of records.filter((x) => x.db === db)) heldOut.set(r, scoredWith([r], weights)[0]!);
  }
  return records.map((r) => heldOut.get(r)!);
}

/** Mean log-loss of held-out readings over a leave-one-schema-out split: lower is better. */
function heldOutLogLoss(records: readonly ConfidenceRecord[], l2: number): number {
  let loss = 0;
  let n = 0;
  for (const db of schemasOf(records)) {
    const weights = fitConfidenceWeights(
      records.filter((r) => r.db !== db),
      l2,
    );
    for (const r of readings(records.filter((x) => x.db === db))) {
      const p = calibrate(r.signals, weights);
      loss -= r.correct ? Math.log(p) : Math.log(1 - p);
      n++;
    }
  }
  return loss / Math.max(1, n);
}

/** The penalties tried; the smallest is there to keep a fold whose data separates a feature finite. */
export const L2_GRID = [0.01, 0.1, 0.3, 1, 3, 10, 30] as const;

/** The penalty with the lowest held-out log-loss when each schema in turn is left out (ties: the larger penalty). */
export function pickL2(records: readonly ConfidenceRecord[]): { l2: number; losses: { l2: number; logLoss: number }[] } {
  const losses = L2_GRID.map((l2) => ({ l2, logLoss: heldOutLogLoss(records, l2) }));
  const best = losses.reduce((a, b) => (b.logLoss <= a.logLoss ? b : a));
  return { l2: best.l2, losses };
}

export const THRESHOLDS = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95] as const;

export interface PrecisionRow {
  threshold: number;
  answered: number;
  coverage: number;
  correct: number;
  precision: number | null;
}

export function precisionTable(scored: readonly Scored[], thresholds: readonly number[] = THRESHOLDS): PrecisionRow[] {
  return thresholds.map((threshold) => {
    const answered = scored.filter((s) => s.confidence !== null && s.confidence >= threshold);
    const correct = answered.filter((s) => s.correct).length;
    return { threshold, answered: answered.length, coverage: answered.length / Math.max(1, scored.length), correct, precision: answered.length === 0 ? null : correct / answered.length };
  });
}

/** Mean squared error of the reading's confidence against right (1) or wrong (0), declined readings included. */
export function brier(scored: readonly Scored[]): number {
  const given = scored.filter((s) => s.probability !== null);
  return given.reduce((sum, s) => sum + (s.probability! - (s.correct ? 1 : 0)) ** 2, 0) / Math.max(1, given.length);
}

export const RELIABILITY_BINS = [0, 0.15, 0.3, 0.5, 0.7, 0.8, 0.9, 1.01] as const;

export interface ReliabilityBin {
  from: number;
  to: number;
  count: number;
  meanConfidence: number | null;
  observed: number | null;
}

/** Mean confidence against the share right, in confidence bins [from, to). */
export function reliability(scored: readonly Scored[], edges: readonly number[] = RELIABILITY_BINS): ReliabilityBin[] {
  return edges.slice(1).map((to, i) => {
    const from = edges[i]!;
    const inBin = scored.filter((s) => s.probability !== null && s.probability >= from && s.probability < to);
    const mean = (values: number[]) => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length);
    return { from, to: Math.min(1, to), count: inBin.length, meanConfidence: mean(inBin.map((s) => s.probability!)), observed: mean(inBin.map((s) => (s.correct ? 1 : 0))) };
  });
}

/** The lowest threshold whose precision is at least `floor`, checked from the lowest up (null: none is). */
export function lowestThresholdAt(rows: readonly PrecisionRow[], floor: number, minAnswered = 1): number | null {
  return rows.find((r) => r.precision !== null && r.precision >= floor && r.answered >= minAnswered)?.threshold ?? null;
}

const fixed = (value: number | null, digits = 2) => (value === null ? '-' : value.toFixed(digits));

/** Precision and coverage side by side for several ways of scoring, in markdown. */
export function comparisonTable(columns: readonly { name: string; scored: readonly Scored[] }[], thresholds: readonly number[] = THRESHOLDS): string {
  const tables = columns.map((c) => precisionTable(c.scored, thresholds));
  return [
    `| confidence >= | ${columns.map((c) => `${c.name}: answered (coverage) | precision`).join(' | ')} |`,
    `|---:|${columns.map(() => '---:|---:').join('|')}|`,
    ...thresholds.map((t, i) => `| ${t} | ${tables.map((rows) => `${rows[i]!.answered} (${percent(rows[i]!.coverage)}) | ${percent(rows[i]!.precision)} (${rows[i]!.correct}/${rows[i]!.answered})`).join(' | ')} |`),
  ].join('\n');
}

export function reliabilityTable(columns: readonly { name: string; scored: readonly Scored[] }[]): string {
  const bins = columns.map((c) => reliability(c.scored));
  return [
    `| confidence in | ${columns.map((c) => `${c.name}: questions | mean confidence | right`).join(' | ')} |`,
    `|---|${columns.map(() => '---:|---:|---:').join('|')}|`,
    ...bins[0]!.map((b, i) => `| [${b.from}, ${b.to}${b.to === 1 ? ']' : ')'} | ${bins.map((col) => `${col[i]!.count} | ${fixed(col[i]!.meanConfidence)} | ${percent(col[i]!.observed)}`).join(' | ')} |`),
    `| Brier score | ${columns.map((c) => ` | | ${brier(c.scored).toFixed(3)}`).join(' | ')} |`,
  ].join('\n');
}

/** Per held-out schema: questions, answered at >= threshold, precision there, Brier score. */
export function perSchemaTable(columns: readonly { name: string; scored: readonly Scored[] }[], threshold: number): string {
  const dbs = [...new Set(columns[0]!.scored.map((s) => s.db))];
  return [
    `| schema | questions | ${columns.map((c) => `${c.name}: >= ${threshold} | precision | Brier`).join(' | ')} |`,
    `|---|---:|${columns.map(() => '---:|---:|---:').join('|')}|`,
    ...dbs.map((db) => {
      const cells = columns.map((c) => {
        const mine = c.scored.filter((s) => s.db === db);
        const [row] = precisionTable(mine, [threshold]);
        return `${row!.answered} | ${row!.precision === null ? '-' : `${percent(row!.precision)} (${row!.correct}/${row!.answered})`} | ${brier(mine).toFixed(3)}`;
      });
      return `| ${db} | ${columns[0]!.scored.filter((s) => s.db === db).length} | ${cells.join(' | ')} |`;
    }),
  ].join('\n');
}

export function weightsTable(columns: readonly { name: string; weights: ConfidenceWeights }[]): string {
  const names = ['intercept', ...FEATURES] as const;
  return [
    `| weight | ${columns.map((c) => c.name).join(' | ')} |`,
    `|---|${columns.map(() => '---:').join('|')}|`,
    ...names.map((n) => `| ${n}${PRIOR_FEATURES.includes(n as ConfidenceFeature) ? ' (prior)' : ''} | ${columns.map((c) => c.weights[n].toFixed(2)).join(' | ')} |`),
  ].join('\n');
}
