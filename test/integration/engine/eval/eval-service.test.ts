import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EvalRecord } from '../../../../engine/contract/index';
import { createPgDatabase, type TestDatabase } from '../../../support/databases';
import { openTestEngine, type TestEngine } from '../../../support/engine';
import { startFakeOpenAi } from '../../../support/fake-llm/index';
import { testdataDir } from '../../../support/tmp';

// `eval.run` against real PostgreSQL (spider-dev11's course_teach), through the router as the CLI calls it.
let db: TestDatabase;
let te: TestEngine;
let sourceId = '';

interface SpiderLine {
  id: string;
  db: string;
  question: string;
  gold_sql: string;
  ordered: boolean;
  rows: unknown[][];
}
const spider = fs
  .readFileSync(path.join(testdataDir, 'nl2sql/spider-dev11/questions.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as SpiderLine)
  .filter((l) => l.db === 'course_teach');
const line = (id: string) => spider.find((l) => l.id === id)!;
/** "How many teachers are there?", gold rows [[7]]. */
const HOW_MANY = line('course_teach-1');
const jsonl = (...lines: object[]) => lines.map((l) => JSON.stringify(l));

const runCount = () => (te.engine.db.prepare('SELECT count(*) AS n FROM query_runs').get() as { n: number }).n;
const byId = (records: EvalRecord[], id: string) => records.find((r) => r.id === id)!;

test.before(async () => {
  db = createPgDatabase('spider_course_teach');
  te = await openTestEngine({ unlocked: true });
  sourceId = (await te.ok('sources.create', { name: 'course_teach', type: 'postgres', url: `${db.url}?sslmode=disable` })).id;
  // The test server's login is a superuser: its owner confirms that once, as in the app.
  await te.ok('sources.test', { id: sourceId });
  await te.ok('sources.confirmRisks', { id: sourceId });
});
test.after(async () => {
  await te.close();
  db.drop();
});

test('gold rows the planned query matches are correct; deliberately wrong rows are wrong', async () => {
  const report = await te.ok('eval.run', { sourceId, lines: jsonl(HOW_MANY, { ...HOW_MANY, id: 'wrong-rows', rows: [[8]] }) });
  const [right, wrong] = report.records;
  assert.equal([right!.outcome, right!.answer, right!.match], ['correct', 'correct', 'exact']);
  assert.match(right!.query ?? '', /count/i);
  assert.ok(right!.confidence !== null && right!.confidence > 0);
  assert.equal([wrong!.id, wrong!.outcome, wrong!.query], ['wrong-rows', 'wrong', right!.query]);
  assert.equal(report.summary.counts, { correct: 1, wrong: 1, declined: 0, error: 0 });
  assert.is(report.summary.accuracy, 0.5);
});

test('a nonsense question is declined and nothing runs for it', async () => {
  const before = runCount();
  const report = await te.ok('eval.run', { sourceId, lines: jsonl({ id: 'nonsense', question: 'Purple zebras vibrate quietly under which moon?', rows: [[1]] }) });
  const record = report.records[0]!;
  assert.equal([record.outcome, record.query, record.answer], ['declined', null, null]);
  assert.ok(record.detail.length > 0);
  assert.is(runCount(), before);
});

test('a malformed line is a typed error naming its line; the other lines still run', async () => {
  const lines = [JSON.stringify(HOW_MANY), '{"question": "how many', '', JSON.stringify({ question: 'how many teachers are there' }), JSON.stringify({ ...HOW_MANY, id: 'last' })];
  const report = await te.ok('eval.run', { sourceId, lines });
  assert.equal(report.records.map((r) => [r.line, r.outcome]), [[1, 'correct'], [2, 'error'], [4, 'error'], [5, 'correct']]);
  const [, notJson, noGold] = report.records;
  assert.equal([notJson!.error?.code, notJson!.error?.details?.line], ['VALIDATION', 2]);
  assert.match(notJson!.detail, /^Line 2 is not JSON/);
  assert.equal([noGold!.error?.code, noGold!.error?.details?.line], ['VALIDATION', 4]);
  assert.match(noGold!.detail, /Line 4: .*needs gold_sql or rows/);
  assert.equal([report.summary.questions, report.summary.badLines, report.summary.counts.error], [2, 2, 2]);
});

test('gold_sql without rows runs read-only with an approval, audited like any run', async () => {
  const before = runCount();
  const { rows: _rows, ...withoutRows } = HOW_MANY;
  const report = await te.ok('eval.run', { sourceId, lines: jsonl(withoutRows) });
  assert.is(report.records[0]!.outcome, 'correct');
  assert.is(runCount(), before + 2, 'the gold SQL and the generated query each ran once');
  const { events: executed } = await te.ok('audit.list', { sourceId, action: 'query.executed', limit: 2 });
  const { events: approved } = await te.ok('audit.list', { sourceId, action: 'query.approved', limit: 2 });
  assert.equal(executed.map((e) => e.actor), approved.map((e) => e.actor));
  assert.is(executed.length, 2);
  assert.is(approved.length, 2);
});

test('a gold_sql that writes is refused, not run, and the question is an error', async () => {
  const before = runCount();
  const report = await te.ok('eval.run', { sourceId, lines: jsonl({ id: 'writes', question: HOW_MANY.question, gold_sql: 'DELETE FROM teacher' }) });
  const record = byId(report.records, 'writes');
  assert.equal([record.outcome, record.error?.code, record.query], ['error', 'FORBIDDEN', null]);
  assert.match(record.detail, /gold SQL was refused.*NOT_A_QUERY/);
  assert.is(runCount(), before);
  assert.is(db.sql('SELECT count(*) FROM teacher').trim(), '7');
  const { events: refused } = await te.ok('audit.list', { sourceId, action: 'query.refused', limit: 1 });
  assert.equal(refused[0]?.details.codes, ['NOT_A_QUERY']);
});

test('--threshold: an answer below it counts as declined, and calibration still scores it', async () => {
  const report = await te.ok('eval.run', { sourceId, lines: jsonl(HOW_MANY), threshold: 1 });
  const record = report.records[0]!;
  assert.equal([record.outcome, record.answer], ['declined', 'correct']);
  assert.match(record.detail, /below the threshold 1; the answer was correct/);
  assert.is(report.summary.threshold, 1);
  assert.equal(report.summary.calibration.map((c) => c.threshold), [0.5, 0.6, 0.7, 0.8, 0.9, 0.95]);
  const atHalf = report.summary.calibration[0]!;
  assert.equal([atHalf.answered, atHalf.correct, atHalf.coverage, atHalf.precision], [1, 1, 1, 1]);
});

test('a question past its deadline is a TIMEOUT error, its query is cancelled, and the next question runs', async () => {
  // 7^10 rows to count: far longer than the 1 s deadline.
  const slow = `SELECT count(*) FROM ${Array.from({ length: 10 }, (_, i) => `teacher t${i}`).join(', ')}`;
  const report = await te.ok('eval.run', { sourceId, lines: jsonl({ id: 'slow', question: HOW_MANY.question, gold_sql: slow }, HOW_MANY), questionDeadlineMs: 1_000 });
  assert.equal([report.records[0]!.outcome, report.records[0]!.error?.code], ['error', 'TIMEOUT']);
  assert.is(report.records[1]!.outcome, 'correct');
  const status = te.engine.db.prepare("SELECT status FROM query_runs WHERE error_code IS NOT NULL ORDER BY started_at DESC LIMIT 1").get() as { status: string };
  assert.is(status.status, 'cancelled');
});

test('eval.cancel stops a running evaluation', async () => {
  const lines = spider.map((l) => JSON.stringify(l));
  let cancelled: Promise<{ cancelled: boolean }> | null = null;
  const unsubscribe = te.engine.events.subscribe((name, payload) => {
    if (name === 'eval.progress' && !cancelled) cancelled = te.ok('eval.cancel', { evalId: (payload as { evalId: string }).evalId });
  });
  try {
    const result = await te.call('eval.run', { sourceId, lines, evalId: 'to-cancel' });
    assert.is(result.ok ? 'ok' : result.error.code, 'CANCELLED');
    assert.equal(await cancelled, { cancelled: true });
  } finally {
    unsubscribe();
  }
  assert.equal(await te.ok('eval.cancel', { evalId: 'to-cancel' }), { cancelled: false });
});

test('with a model configured, the model writes the queries; one that writes is refused and never runs', async () => {
  const apiKey = 'sk-test-Eval-Model-Key-1122334455';
  const llm = await startFakeOpenAi({ apiKey });
  try {
    await te.ok('providers.set', { config: { kind: 'openai-compatible', preset: 'vllm', baseUrl: llm.baseUrl, model: 'sql-writer-1' }, apiKey });
    const answer = (query: string) => ({ query, dialect: 'postgres', explanation: 'Counts teachers.', confidence: 0.85 });
    llm.replyJson(answer('SELECT count(*) AS n FROM teacher'));
    // The first attempt and both corrections write: the model's last word is still a DELETE.
    for (let i = 0; i < 3; i++) llm.replyJson(answer('DELETE FROM teacher'));
    const report = await te.ok('eval.run', { sourceId, lines: jsonl({ ...HOW_MANY, id: 'model' }, { ...HOW_MANY, id: 'model-writes' }) });
    const [right, writes] = report.records;
    assert.equal([right!.outcome, right!.query, right!.confidence], ['correct', 'SELECT count(*) AS n FROM teacher', 0.85]);
    assert.equal([writes!.outcome, writes!.answer, writes!.error?.code], ['error', 'error', 'FORBIDDEN']);
    assert.is(db.sql('SELECT count(*) FROM teacher').trim(), '7');
  } finally {
    await te.ok('providers.clear');
    await llm.close();
  }
});

test('an unknown source fails the run itself', async () => {
  const result = await te.call('eval.run', { sourceId: 'src_nope', lines: jsonl(HOW_MANY) });
  assert.is(result.ok ? 'ok' : result.error.code, 'NOT_FOUND');
});

test.run();
