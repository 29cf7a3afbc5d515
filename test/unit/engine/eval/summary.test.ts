import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { calibrate, countOutcomes, type Scored } from '../../../../engine/eval/summary';

const scored = (answer: Scored['answer'], confidence: number | null, outcome: Scored['outcome'] = answer ?? 'declined'): Scored => ({ outcome, answer, confidence });

test('calibration: answered at or above each threshold, their share of all questions, and the share correct', () => {
  const records = [scored('correct', 0.95), scored('wrong', 0.9), scored('correct', 0.7), scored('error', 0.55), scored(null, null), scored('correct', 0.4)];
  const rows = calibrate(records, records.length, [0.5, 0.9, 0.96]);
  assert.equal(rows[0], { threshold: 0.5, answered: 4, coverage: 4 / 6, correct: 2, precision: 0.5 });
  assert.equal(rows[1], { threshold: 0.9, answered: 2, coverage: 2 / 6, correct: 1, precision: 0.5 });
  assert.equal(rows[2], { threshold: 0.96, answered: 0, coverage: 0, correct: 0, precision: null });
});

test('calibration scores an answer declined by a threshold by how it would have scored', () => {
  const [row] = calibrate([scored('correct', 0.6, 'declined')], 1, [0.5]);
  assert.equal([row!.answered, row!.correct], [1, 1]);
});

test('an answer without a confidence clears no threshold', () => {
  assert.is(calibrate([scored('correct', null)], 1, [0.5])[0]!.answered, 0);
});

test('outcome counts include every outcome, zero when absent', () => {
  assert.equal(countOutcomes([scored('correct', 1), scored('correct', 1), scored(null, null)]), { correct: 2, wrong: 0, declined: 1, error: 0 });
});

test.run();
