import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EvalRecord, EvalSummary } from '../../../../engine/contract/index';
import {
  calibrationLines,
  countByOutcome,
  describeMatches,
  describeRun,
  filterRecords,
  formatConfidence,
  formatLatency,
  mergeRecord,
  outcomeTiles,
  parseThreshold,
  recordsToJsonLines,
} from '../../../../renderer/src/lib/eval-records';

const record = (line: number, outcome: EvalRecord['outcome'], extra: Partial<EvalRecord> = {}): EvalRecord => ({
  line,
  id: `q${line}`,
  question: `Question ${line}?`,
  query: outcome === 'declined' ? null : 'SELECT 1',
  confidence: outcome === 'declined' ? null : 0.9,
  outcome,
  answer: outcome === 'declined' ? null : outcome,
  match: outcome === 'correct' ? 'exact' : null,
  detail: '',
  error: null,
  latencyMs: 12,
  ...extra,
});

const summary = (over: Partial<EvalSummary> = {}): EvalSummary => ({
  questions: 3,
  badLines: 1,
  counts: { correct: 1, wrong: 1, declined: 1, error: 1 },
  accuracy: 1 / 3,
  exact: 1,
  superset: 0,
  threshold: null,
  calibration: [
    { threshold: 0.5, answered: 2, coverage: 2 / 3, correct: 1, precision: 0.5 },
    { threshold: 0.95, answered: 0, coverage: 0, correct: 0, precision: null },
  ],
  elapsedMs: 4_250,
  ...over,
});

test('records arriving out of order are listed by line, and the final report replaces what progress showed', () => {
  let list: EvalRecord[] = [];
  list = mergeRecord(list, record(3, 'wrong'));
  list = mergeRecord(list, record(1, 'correct'));
  list = mergeRecord(list, record(2, 'error'));
  assert.equal(list.map((r) => r.line), [1, 2, 3]);
  list = mergeRecord(list, record(2, 'declined'));
  assert.equal(list.map((r) => [r.line, r.outcome]), [[1, 'correct'], [2, 'declined'], [3, 'wrong']]);
});

test('the outcome filter shows only that outcome; all shows every record; the counts cover every outcome', () => {
  const list = [record(1, 'correct'), record(2, 'wrong'), record(3, 'correct'), record(4, 'error')];
  assert.equal(filterRecords(list, 'correct').map((r) => r.line), [1, 3]);
  assert.equal(filterRecords(list, 'declined'), []);
  assert.equal(filterRecords(list, 'all').map((r) => r.line), [1, 2, 3, 4]);
  assert.equal(countByOutcome(list), { correct: 2, wrong: 1, declined: 0, error: 1 });
});

test('the summary in words: what ran, the four counts with their share of the questions, how the correct ones matched', () => {
  assert.is(describeRun(summary()), '3 questions (1 bad line) in 4.25 s');
  assert.is(describeRun(summary({ questions: 1, badLines: 0, threshold: 0.8, elapsedMs: 900 })), '1 question in 900 ms, confidence threshold 0.8');
  assert.equal(
    outcomeTiles(summary()).map((t) => [t.label, t.count, t.share]),
    [['Correct', 1, '33.3%'], ['Wrong', 1, '33.3%'], ['Declined', 1, '33.3%'], ['Error', 1, '33.3%']],
  );
  assert.equal(outcomeTiles(summary({ questions: 0, counts: { correct: 0, wrong: 0, declined: 0, error: 2 } })).map((t) => t.share), ['–', '–', '–', '–']);
  assert.is(describeMatches(summary()), '1 exact');
  assert.is(describeMatches(summary({ counts: { correct: 3, wrong: 0, declined: 0, error: 0 }, exact: 2, superset: 1 })), '2 exact, 1 with extra columns');
  assert.is(describeMatches(summary({ counts: { correct: 0, wrong: 3, declined: 0, error: 0 }, exact: 0 })), 'No correct answers');
});

test('the calibration table: coverage and precision as percentages, a threshold nothing cleared has no precision', () => {
  assert.equal(calibrationLines(summary().calibration), [
    { threshold: '≥ 0.5', answered: 2, coverage: '66.7%', correct: 1, precision: '50.0%' },
    { threshold: '≥ 0.95', answered: 0, coverage: '0.0%', correct: 0, precision: '–' },
  ]);
});

test('latency and confidence as shown in the table', () => {
  assert.equal([formatLatency(3.4), formatLatency(999), formatLatency(1_234), formatLatency(65_000)], ['3 ms', '999 ms', '1.23 s', '65.0 s']);
  assert.equal([formatConfidence(null), formatConfidence(0.8), formatConfidence(1)], ['–', '0.80', '1.00']);
});

test('the export is one JSON record a line, in line order, that reads back to the same records', () => {
  const list = [record(2, 'wrong'), record(1, 'error', { question: null, id: null, error: { code: 'VALIDATION', message: 'Line 1 is not JSON', details: { line: 1 } } })];
  const text = recordsToJsonLines(list);
  assert.ok(text.endsWith('\n'));
  const back = text.trimEnd().split('\n').map((l) => JSON.parse(l) as EvalRecord);
  assert.equal(back.map((r) => r.line), [1, 2]);
  assert.equal(back[0], list[1]);
  assert.is(recordsToJsonLines([]), '');
});

test('the threshold field: empty is none, a number from 0 to 1 is kept, anything else is refused', () => {
  assert.equal(parseThreshold('  '), { ok: true, value: null });
  assert.equal(parseThreshold('0.8'), { ok: true, value: 0.8 });
  assert.equal(parseThreshold('1'), { ok: true, value: 1 });
  for (const bad of ['1.5', '-0.1', 'high', 'NaN']) assert.is(parseThreshold(bad).ok, false, bad);
});

test.run();
