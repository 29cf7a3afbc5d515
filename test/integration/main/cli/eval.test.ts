import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EvalRecord, EvalSummary } from '../../../../engine/contract/index';
import { cli } from '../../../support/cli';
import { createPgDatabase, type TestDatabase } from '../../../support/databases';
import { TEST_PIN } from '../../../support/engine';
import { tempDir, testdataDir } from '../../../support/tmp';

// `polystore eval --source ID FILE.jsonl [--json] [--threshold C]` against real PostgreSQL (spider-dev11's course_teach).
const dir = tempDir();
const env = { POLYSTORE_PIN: TEST_PIN };
const base = ['--data-dir', dir.path];
let db: TestDatabase;
let sourceId = '';
const run = (...args: string[]) => cli([...args, ...base], { env });

/** "How many teachers are there?" with its gold rows [[7]], from the development set. */
const howMany = fs
  .readFileSync(path.join(testdataDir, 'nl2sql/spider-dev11/questions.jsonl'), 'utf8')
  .split('\n')
  .find((l) => l.includes('"id": "course_teach-1"'))!;
const golden = path.join(dir.path, 'golden.jsonl');

test.before(async () => {
  db = createPgDatabase('spider_course_teach');
  await cli(['init', ...base], { env });
  sourceId = (await run('sources', 'add', 'postgres', '--name', 'course_teach', '--url', `${db.url}?sslmode=disable`, '--json')).json<{ id: string }>().id;
  await run('sources', 'test', sourceId, '--json');
  await run('sources', 'confirm-risks', sourceId, '--json');
  const wrong = { ...JSON.parse(howMany), id: 'wrong-rows', rows: [[8]] };
  fs.writeFileSync(golden, [howMany, JSON.stringify(wrong), '{"question": "no gold"}', JSON.stringify({ id: 'nonsense', question: 'Purple zebras vibrate quietly under which moon?', rows: [[1]] }), ''].join('\n'));
});
test.after(() => {
  db.drop();
  dir.remove();
});

test('--json: one JSON line per question, then a summary line; exit 0 although answers were wrong', async () => {
  const r = await run('eval', '--source', sourceId, golden, '--json');
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as EvalRecord & { summary?: EvalSummary });
  assert.is(lines.length, 5);
  const records = lines.slice(0, 4) as EvalRecord[];
  assert.equal(records.map((l) => [l.line, l.outcome]), [[1, 'correct'], [2, 'wrong'], [3, 'error'], [4, 'declined']]);
  const first = records[0]!;
  assert.equal([first.id, first.question], ['course_teach-1', 'How many teachers are there?']);
  assert.match(first.query ?? '', /count/i);
  assert.is(typeof first.confidence, 'number');
  assert.is(typeof first.latencyMs, 'number');
  assert.is(records[2]!.error?.code, 'VALIDATION');
  const summary = lines[4]!.summary!;
  assert.equal(summary.counts, { correct: 1, wrong: 1, declined: 1, error: 1 });
  assert.equal([summary.questions, summary.badLines], [3, 1]);
  assert.is(summary.calibration.length, 6);
});

test('without --json: a readable summary with outcomes, accuracy and calibration', async () => {
  const r = await run('eval', '--source', sourceId, golden);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Evaluated 3 questions .* \(1 bad line\)/);
  assert.match(r.stdout, /correct\s+1\s+33\.3%/);
  assert.match(r.stdout, /Accuracy: 33\.3%/);
  assert.match(r.stdout, /\| confidence >= \| answered \| coverage \| correct \| precision \|/);
  assert.match(r.stdout, /line 2 wrong wrong-rows: How many teachers are there\?/);
});

test('--threshold: answers below it count as declined', async () => {
  const r = await run('eval', '--source', sourceId, golden, '--threshold', '1', '--json');
  assert.is(r.code, 0, r.stderr);
  const summary = (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { summary: EvalSummary }).summary;
  assert.equal(summary.counts, { correct: 0, wrong: 0, declined: 3, error: 1 });
  const bad = await run('eval', '--source', sourceId, golden, '--threshold', '1.5');
  assert.is(bad.code, 2);
});

test('the run itself failing exits non-zero: an unreadable file, an unknown source', async () => {
  const missing = await run('eval', '--source', sourceId, path.join(dir.path, 'nope.jsonl'), '--json');
  assert.is(missing.code, 3);
  assert.is(JSON.parse(missing.stderr).error.code, 'NOT_FOUND');
  const unknown = await run('eval', '--source', 'src_nope', golden, '--json');
  assert.is(unknown.code, 3);
  assert.match(JSON.parse(unknown.stderr).error.message, /src_nope/);
  assert.is(unknown.stdout, '');
});

test.run();
