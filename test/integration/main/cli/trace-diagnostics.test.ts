import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EXIT_CODES } from '../../../../main/cli/context';
import { cli } from '../../../support/cli';
import { createPgDatabase, type TestDatabase } from '../../../support/databases';
import { TEST_PIN } from '../../../support/engine';
import { tempDir } from '../../../support/tmp';

// `polystore trace` and `polystore diagnostics` after a real approved run on PostgreSQL (Chinook).
const dir = tempDir();
const env = { POLYSTORE_PIN: TEST_PIN };
const base = ['--data-dir', dir.path];
let db: TestDatabase;
let traceId = '';
let runId = '';
const run = (...args: string[]) => cli([...args, ...base], { env });

test.before(async () => {
  db = createPgDatabase('chinook');
  await cli(['init', ...base], { env });
  const sourceId = (await run('sources', 'add', 'postgres', '--name', 'pg', '--url', `${db.url}?sslmode=disable`, '--json')).json<{ id: string }>().id;
  // The test server's login is a superuser: the owner tests the connection and confirms its risks once.
  await run('sources', 'test', sourceId, '--json');
  await run('sources', 'confirm-risks', sourceId, '--json');
  const asked = (await run('ask', sourceId, 'how many customers are there', '--json')).json<{ traceId: string; approval: { token: string } }>();
  traceId = asked.traceId;
  const ran = await run('run', asked.approval.token, '--json');
  assert.is(ran.code, 0, ran.stderr);
  runId = ran.json<{ runId: string }>().runId;
});
test.after(() => {
  db.drop();
  dir.remove();
});

test('trace --json lists the stages of the approved question in order, each timed and ok', async () => {
  const shown = await run('trace', traceId, '--json');
  assert.is(shown.code, 0, shown.stderr);
  const trace = shown.json<{ traceId: string; stages: Array<{ stage: string; startedAt: string; durationMs: number | null; status: string }> }>();
  assert.is(trace.traceId, traceId);
  const names = trace.stages.map((s) => s.stage);
  for (const stage of ['generation', 'validation', 'approval', 'execution']) assert.ok(names.includes(stage), `${stage} in ${names.join(', ')}`);
  assert.is(names.at(-1), 'execution');
  assert.ok(trace.stages.every((s) => s.status === 'ok' && s.durationMs !== null && s.durationMs >= 0 && !Number.isNaN(Date.parse(s.startedAt))));
});

test('trace without --json prints a table of the stages', async () => {
  const shown = await run('trace', traceId);
  assert.is(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /^stage\s+started\s+duration\s+status/m);
  assert.match(shown.stdout, /^execution\s+\S+\s+\d+ ms\s+ok/m);
});

test('trace takes the id of a run too: the same question, with that run listed', async () => {
  const byRun = await run('trace', runId, '--json');
  assert.is(byRun.code, 0, byRun.stderr);
  const trace = byRun.json<{ traceId: string; runs: Array<{ runId: string; status: string; rowCount: number | null }> }>();
  assert.is(trace.traceId, traceId, 'the question the run answered');
  assert.equal(
    trace.runs.map((r) => [r.runId, r.status, r.rowCount]),
    [[runId, 'succeeded', 1]],
  );
});

test('an unknown trace id exits with the NOT_FOUND code and says so', async () => {
  const missing = await run('trace', 'trc_does_not_exist', '--json');
  assert.is(missing.code, EXIT_CODES.NOT_FOUND);
  assert.is(JSON.parse(missing.stderr).error.code, 'NOT_FOUND');
  assert.is(missing.stdout, '');
});

test('diagnostics --json has the versions and p50 <= p95 for every recorded stage', async () => {
  const shown = await run('diagnostics', '--json');
  assert.is(shown.code, 0, shown.stderr);
  const d = shown.json<{ name: string; version: string; versions: Record<string, string>; stages: Array<{ stage: string; count: number; p50Ms: number | null; p95Ms: number | null }> }>();
  assert.match(d.version, /^\d+\.\d+\.\d+/);
  assert.is(d.versions.node, process.versions.node);
  const byStage = new Map(d.stages.map((s) => [s.stage, s]));
  for (const stage of ['generation', 'validation', 'approval', 'execution']) {
    const s = byStage.get(stage);
    assert.ok(s && s.count >= 1 && s.p50Ms !== null && s.p95Ms !== null && s.p50Ms <= s.p95Ms, stage);
  }
  // Each stage is shown against the engine's target; the wait for a person has none.
  const full = shown.json<{ stages: Array<{ stage: string; slaMs: number | null; overSla: boolean; p95Ms: number | null }>; slowRuns: Array<{ traceId: string; over: Array<{ stage: string }> }> }>();
  assert.is(full.stages.find((s) => s.stage === 'execution')!.slaMs, 2000);
  assert.is(full.stages.find((s) => s.stage === 'approval')!.slaMs, null);
  for (const s of full.stages) assert.is(s.overSla, s.slaMs !== null && s.p95Ms !== null && s.p95Ms > s.slaMs, s.stage);
  assert.ok(Array.isArray(full.slowRuns) && full.slowRuns.every((r) => r.over.length > 0), 'a slow question names the stage over its target');
  const human = await run('diagnostics');
  assert.match(human.stdout, /^stage\s+runs\s+errors\s+p50\s+p95\s+target/m);
  assert.match(human.stdout, /^execution\s+\d+\s+\d+\s+\d+ ms\s+\d+ ms\s+<= 2000 ms/m);
});

test.run();
