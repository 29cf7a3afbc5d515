import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { calibrate, CONFIDENCE_WEIGHTS, confidenceFeatures, confidenceProbability, type PlanSignals } from '../../../../engine/planner/confidence';
import { answer } from './helpers';

const signals = (over: Partial<PlanSignals> = {}): PlanSignals => ({
  unknownWords: 0,
  unknownVerbs: 0,
  contentWords: 4,
  guesses: 0,
  margin: 1,
  joins: 0,
  inferredJoin: false,
  linkQuality: 1,
  ignoredMentions: 0,
  shape: 'count',
  conditions: 0,
  unreadLogic: 0,
  ...over,
});

const VARIED: PlanSignals[] = [
  signals(),
  signals({ unknownWords: 2, unknownVerbs: 1, contentWords: 7, shape: 'list', conditions: 2 }),
  signals({ guesses: 9, joins: 5, inferredJoin: true, linkQuality: 0.4, margin: 0, shape: 'aggregate' }),
  signals({ ignoredMentions: 3, unreadLogic: 6, contentWords: 45, shape: 'distinct', margin: Number.POSITIVE_INFINITY }),
  signals({ contentWords: 0, unknownWords: 0 }),
];

/** The model written out by hand: what calibrate() must compute from confidenceFeatures(). */
function byHand(s: PlanSignals): number {
  const f = confidenceFeatures(s);
  const w = CONFIDENCE_WEIGHTS;
  let z = w.intercept;
  for (const name of Object.keys(f) as (keyof typeof f)[]) z += w[name] * f[name];
  return Math.round(Math.min(0.98, Math.max(0.02, 1 / (1 + Math.exp(-z)))) * 100) / 100;
}

test('every weight has a feature and every feature a weight, so the bench and the app read the same model', () => {
  assert.equal(Object.keys(confidenceFeatures(signals())).sort(), Object.keys(CONFIDENCE_WEIGHTS).filter((k) => k !== 'intercept').sort());
});

test('calibrate() is the logistic model over confidenceFeatures(), bounded and rounded to two decimals', () => {
  for (const s of VARIED) assert.is(calibrate(s), byHand(s), JSON.stringify(s));
  for (const s of VARIED) assert.ok(Math.abs(calibrate(s) - confidenceProbability(s)) <= 0.005 || calibrate(s) === 0.98 || calibrate(s) === 0.02);
});

test('the planner reports the confidence calibrate() gives its own signals', () => {
  const result = answer('how many customers are from Brazil with fancy hats');
  assert.ok(result.signals);
  assert.is(result.confidence, calibrate(result.signals!));
});

test('features cap counts where more of the same says little more, and read flags as 0 or 1', () => {
  const f = confidenceFeatures(signals({ unknownWords: 9, guesses: 7, joins: 5, contentWords: 45, margin: 0, inferredJoin: true, shape: 'list' }));
  assert.equal([f.unknownWords, f.guesses, f.joins, f.contentWords], [4, 4, 2, 3]);
  assert.equal([f.tiedReading, f.inferredJoin, f.shapeList, f.shapeAggregate, f.shapeDistinct], [1, 1, 1, 0, 0]);
  assert.is(confidenceFeatures(signals({ margin: Number.POSITIVE_INFINITY })).tiedReading, 0);
  assert.is(confidenceFeatures(signals({ unknownWords: 1, unknownVerbs: 1, contentWords: 4 })).unknownShare, 0.5);
});

test('calibrate() takes other weights: all zero reads as a coin toss, and more unknown words never raise the confidence', () => {
  const zero = Object.fromEntries(Object.keys(CONFIDENCE_WEIGHTS).map((k) => [k, 0])) as Record<keyof typeof CONFIDENCE_WEIGHTS, number>;
  assert.is(calibrate(signals({ unknownWords: 3, guesses: 2 }), zero), 0.5);
  const levels = [0, 1, 2, 3].map((n) => calibrate(signals({ unknownWords: n, contentWords: 6 })));
  assert.ok(levels.every((p, i) => i === 0 || p <= levels[i - 1]!), levels.join(' '));
});

test.run();
