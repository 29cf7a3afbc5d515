/**
 * The calibration bench's fitting (test/bench/support/): logistic regression
 * on small sets whose answer is known in closed form, and the
 * leave-one-schema-out split never scoring a schema with weights fitted on it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CONFIDENCE_WEIGHTS, type ConfidenceWeights, type PlanSignals } from '../../../../engine/planner/confidence';
import { fitConfidenceWeights, leaveOneSchemaOut, lowestThresholdAt, precisionTable, reliability, brier, type Scored } from '../../../bench/support/confidence-fit';
import type { ConfidenceRecord } from '../../../bench/support/confidence-records';
import { fitLogistic, sigmoid } from '../../../bench/support/logistic';

const close = (actual: number, expected: number, tolerance = 1e-6) => assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not ${expected}`);

test('with no features the intercept is the log-odds of the share of positives', () => {
  const fit = fitLogistic({ x: [[], [], [], []], y: [1, 1, 1, 0] }, { l2: 0 });
  close(fit.intercept, Math.log(3));
});

test('one yes/no feature, no penalty: each group fitted to its own share (1 in 4 without it, 3 in 4 with it)', () => {
  const x = [[0], [0], [0], [0], [1], [1], [1], [1]];
  const y = [1, 0, 0, 0, 1, 1, 1, 0];
  const fit = fitLogistic({ x, y }, { l2: 0 });
  close(fit.intercept, -Math.log(3));
  close(fit.coefficients[0]!, 2 * Math.log(3));
});

test('an offset is taken as given: the intercept makes up the rest', () => {
  const fit = fitLogistic({ x: [[], [], [], []], y: [1, 1, 1, 0], offset: [0.5, 0.5, 0.5, 0.5] }, { l2: 0 });
  close(fit.intercept, Math.log(3) - 0.5);
});

test('with a penalty the fit meets its optimality conditions, shrinks the coefficients and leaves the intercept free', () => {
  const x = [[0, 1], [1, 0], [2, 1], [3, 0], [1, 1], [0, 0], [2, 2], [3, 1]];
  const y = [0, 0, 1, 1, 0, 1, 1, 1];
  const l2 = 2;
  const fit = fitLogistic({ x, y }, { l2 });
  const p = x.map((row) => sigmoid(fit.intercept + row[0]! * fit.coefficients[0]! + row[1]! * fit.coefficients[1]!));
  close(p.reduce((s, pi, i) => s + pi - y[i]!, 0), 0, 1e-7);
  for (const j of [0, 1]) close(p.reduce((s, pi, i) => s + (pi - y[i]!) * x[i]![j]!, 0) + l2 * fit.coefficients[j]!, 0, 1e-7);
  const loose = fitLogistic({ x, y }, { l2: 0.01 });
  assert.ok(Math.abs(fit.coefficients[0]!) < Math.abs(loose.coefficients[0]!));
  assert.equal(fitLogistic({ x, y }, { l2 }), fit, 'the same data gives the same weights');
});

test('data a feature separates perfectly is refused without a penalty and fitted with one', () => {
  const data = { x: [[0], [0], [1], [1]], y: [0, 0, 1, 1] };
  assert.throws(() => fitLogistic(data, { l2: 0 }));
  assert.ok(Number.isFinite(fitLogistic(data, { l2: 1 }).coefficients[0]!));
});

const signals = (guesses: number): PlanSignals => ({
  unknownWords: 0,
  unknownVerbs: 0,
  contentWords: 4,
  guesses,
  margin: 1,
  joins: 0,
  inferredJoin: false,
  linkQuality: 1,
  ignoredMentions: 0,
  shape: 'count',
  conditions: 0,
  unreadLogic: 0,
});

function reading(db: ConfidenceRecord['db'], n: number, guesses: number, correct: boolean): ConfidenceRecord {
  return { id: `${db}-${n}`, db, hardness: 'easy', question: `q${n}`, shipped: null, kind: 'reading', signals: signals(guesses), correct };
}

test('leave one schema out: each schema is scored by weights fitted on the other schemas only, and the hand-set priors stay', () => {
  const dbs = ['singer', 'orchestra', 'voter_1'] as const;
  const records = dbs.flatMap((db, d) => [0, 1, 2, 3, 4, 5].map((n) => reading(db, n, n % 3, (n + d) % 2 === 0)));
  const seen: string[][] = [];
  const scored = leaveOneSchemaOut(records, (training) => {
    seen.push([...new Set(training.map((r) => r.db))]);
    const weights = fitConfidenceWeights(training, 1);
    assert.is(weights.linkQuality, CONFIDENCE_WEIGHTS.linkQuality);
    assert.is(weights.inferredJoin, CONFIDENCE_WEIGHTS.inferredJoin);
    return weights;
  });
  assert.equal(seen, [['orchestra', 'voter_1'], ['singer', 'voter_1'], ['singer', 'orchestra']]);
  assert.equal(scored.map((s) => s.db), records.map((r) => r.db));
  assert.equal(scored.map((s) => s.correct), records.map((r) => r.kind === 'reading' && r.correct));
});

test('a reading the weights put below the decline threshold is declined; a question declined whatever the weights never counts as answered', () => {
  const low: ConfidenceWeights = { ...CONFIDENCE_WEIGHTS, intercept: -10 };
  const records: ConfidenceRecord[] = [reading('singer', 1, 0, true), { id: 'singer-2', db: 'singer', hardness: 'hard', question: 'q', shipped: null, kind: 'declined' }];
  const scored = leaveOneSchemaOut(records, () => low);
  assert.equal(scored.map((s) => s.confidence), [null, null]);
  assert.is(scored[0]!.probability, 0.02);
});

test('precision, coverage, reliability and Brier score of scored questions', () => {
  const s = (confidence: number | null, correct: boolean): Scored => ({ db: 'singer', probability: confidence, confidence, correct });
  const scored = [s(0.95, true), s(0.85, true), s(0.82, false), s(0.6, true), s(null, false)];
  const [at8, at9] = precisionTable(scored, [0.8, 0.9]);
  assert.equal(at8, { threshold: 0.8, answered: 3, coverage: 3 / 5, correct: 2, precision: 2 / 3 });
  assert.equal(at9, { threshold: 0.9, answered: 1, coverage: 1 / 5, correct: 1, precision: 1 });
  assert.is(lowestThresholdAt(precisionTable(scored, [0.5, 0.8, 0.9]), 0.9), 0.9);
  assert.is(lowestThresholdAt(precisionTable(scored, [0.5, 0.8, 0.9]), 0.9, 2), null);
  close(brier(scored), (0.05 ** 2 + 0.15 ** 2 + 0.82 ** 2 + 0.4 ** 2) / 4, 1e-12);
  const bins = reliability(scored, [0, 0.8, 1.01]);
  assert.equal(bins.map((b) => b.count), [1, 3]);
  close(bins[1]!.meanConfidence!, (0.95 + 0.85 + 0.82) / 3, 1e-12);
  close(bins[1]!.observed!, 2 / 3, 1e-12);
});

test.run();
