import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { useConnector } from '../../../../engine/connectors/registry';
import { createInlinePool } from '../../../../engine/pool/inline';
import { MemorySecretStore } from '../../../../engine/secrets/secret-store';
import { STAGE_TARGETS } from '../../../../engine/telemetry/sla';
import { openTestEngine, type TestEngine } from '../../../support/engine';
import { FakeConnector } from '../../../support/fake-connector';

// Diagnostics over a store of known latency: every execute of the fake connector sleeps SLEEP_MS.
const SLEEP_MS = 250;
const RUNS = 3;
/** Start times are stored to the millisecond and durations are not, so each stage boundary may seem to overlap by under 1 ms. */
const CLOCK_GRAIN_MS = 1;

let te: TestEngine;
let fake: FakeConnector;
let sourceId = '';
const asked: Array<{ traceId: string; runId: string }> = [];

async function askAndRun(): Promise<{ traceId: string; runId: string }> {
  const a = await te.ok('chat.ask', { sourceId, question: 'how many numbers are there' });
  assert.ok(a.approval, `the planner proposed a query (${a.declined?.reason ?? 'no approval'})`);
  const { message } = await te.ok('chat.approve', { sessionId: a.sessionId, messageId: a.messageId, token: a.approval!.token });
  assert.is(message.payload.kind, 'result');
  return { traceId: a.traceId, runId: message.payload.kind === 'result' ? message.payload.runId : '' };
}

test.before(async () => {
  fake = new FakeConnector();
  fake.executeDelayMs = SLEEP_MS;
  useConnector('postgres', fake);
  te = await openTestEngine({ secrets: new MemorySecretStore(), unlocked: true, pool: createInlinePool() });
  sourceId = (await te.ok('sources.create', { name: 'Fake', type: 'postgres', connection: { host: 'fake', port: 5432, database: 'fake', user: 'reader' }, password: 'pw' })).id;
  for (let i = 0; i < RUNS; i++) asked.push(await askAndRun());
});
test.after(() => te?.close());

test('a store that sleeps a known time shows at least that time as the execution p50 and p95, with its target', async () => {
  const stages = await te.ok('telemetry.stages');
  const execution = stages.find((s) => s.stage === 'execution');
  assert.ok(execution, 'execution is measured');
  assert.is(execution!.count, RUNS);
  assert.ok(execution!.p50Ms !== null && execution!.p50Ms >= SLEEP_MS, `p50 ${execution!.p50Ms} >= ${SLEEP_MS}`);
  assert.ok(execution!.p95Ms !== null && execution!.p95Ms >= SLEEP_MS, `p95 ${execution!.p95Ms} >= ${SLEEP_MS}`);
  assert.is(execution!.slaMs, STAGE_TARGETS.execution.slaMs);
  assert.is(execution!.label, 'Running the query');
  const names = stages.map((s) => s.stage);
  assert.equal(names, ['generation', 'validation', 'approval', 'execution'], 'listed in the order a question travels');
});

test('every trace starts with generation and ends with its execution, which holds the sleep', async () => {
  for (const { traceId } of asked) {
    const trace = await te.ok('telemetry.trace', { traceId });
    const names = trace.stages.map((s) => s.stage);
    assert.is(names[0], 'generation');
    assert.is(names.at(-1), 'execution');
    assert.ok(names.indexOf('approval') < names.indexOf('execution'));
    assert.ok(trace.stages.at(-1)!.durationMs! >= SLEEP_MS);
  }
});

test('integrity: the stages of a trace add up to no more than its total, and its run exists', async () => {
  for (const { traceId, runId } of asked) {
    const trace = await te.ok('telemetry.trace', { traceId });
    // The guardrail checks each draft the planner writes: those run within generation and are not counted twice.
    const validation = trace.stages.filter((s) => s.stage === 'validation');
    assert.ok(validation.length >= 1 && validation.every((s) => s.within === 'generation'), JSON.stringify(validation));
    const topLevel = trace.stages.filter((s) => s.within === null);
    const sum = topLevel.reduce((n, s) => n + (s.durationMs ?? 0), 0);
    assert.ok(sum <= trace.totalMs + CLOCK_GRAIN_MS * topLevel.length, `stages ${sum} ms within total ${trace.totalMs} ms`);
    assert.ok(Math.abs(trace.stagesMs - sum) < 0.1, 'the engine’s own sum is the same');

    assert.is(trace.runs.length, 1);
    const run = trace.runs[0]!;
    assert.is(run.runId, runId, 'the trace names the run the chat result came from');
    const stored = te.engine.db.prepare('SELECT trace_id, status, row_count FROM query_runs WHERE id = ?').get(runId);
    assert.equal(stored, { trace_id: traceId, status: 'succeeded', row_count: run.rowCount });
    assert.is(run.rowCount, 1);
    assert.is(run.errorCode, null);

    // Open by run id, or by either id in one box: the same trace.
    assert.is((await te.ok('telemetry.trace', { runId })).traceId, traceId);
    assert.is((await te.ok('telemetry.trace', { id: runId })).traceId, traceId);
    assert.is((await te.ok('telemetry.trace', { id: traceId })).traceId, traceId);
  }
  const unknown = await te.call('telemetry.trace', { id: 'run_nothing_here' });
  assert.ok(!unknown.ok && unknown.error.code === 'NOT_FOUND');
});

test('a run over the execution target is flagged slow and listed first among slow runs, with its run id', async () => {
  fake.executeDelayMs = STAGE_TARGETS.execution.slaMs! + 100;
  const slow = await askAndRun();
  fake.executeDelayMs = SLEEP_MS;
  const trace = await te.ok('telemetry.trace', { traceId: slow.traceId });
  assert.is(trace.slow, true);
  assert.is(trace.stages.find((s) => s.stage === 'execution')!.overSla, true);
  const listed = await te.ok('telemetry.slowRuns');
  assert.is(listed[0]?.traceId, slow.traceId, 'newest first');
  assert.is(listed[0]!.runId, slow.runId);
  assert.is(listed[0]!.sourceId, sourceId);
  const over = listed[0]!.over.find((o) => o.stage === 'execution');
  assert.ok(over && over.durationMs > over.slaMs && over.label === 'Running the query');
  const stages = await te.ok('telemetry.stages');
  assert.ok(stages.find((s) => s.stage === 'execution')!.p95Ms! > STAGE_TARGETS.execution.slaMs!, 'the slow run is the p95 of four');
  assert.is(stages.find((s) => s.stage === 'execution')!.overSla, true);
});

test('the targets are one table: every stage has a label and a reason, and only the wait for a person has no number', async () => {
  const slas = await te.ok('telemetry.slas');
  assert.equal(slas.map((s) => s.stage), ['generation', 'validation', 'approval', 'execution', 'transfer', 'rendering', 'rendering.chart']);
  assert.equal(slas.filter((s) => s.slaMs === null).map((s) => s.stage), ['approval']);
  assert.ok(slas.every((s) => s.label.length > 0 && s.why.length > 20));
});

test.run();
