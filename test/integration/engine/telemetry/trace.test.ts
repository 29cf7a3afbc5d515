import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openEngineWithPgSource, type EngineWithSource, type TestEngine } from '../../../support/engine';

// `telemetry.trace` through the router, after a real approved run on PostgreSQL (Chinook).
let env: EngineWithSource;
let te: TestEngine;
let sourceId = '';

test.before(async () => {
  env = await openEngineWithPgSource('chinook');
  ({ te, sourceId } = env);
});
test.after(async () => {
  await env?.close();
});

test('an approved question has a trace listing generation, validation, approval and execution, each timed', async () => {
  const asked = await te.ok('chat.ask', { sourceId, question: 'how many customers are there' });
  const { message } = await te.ok('chat.approve', { sessionId: asked.sessionId, messageId: asked.messageId, token: asked.approval!.token });
  assert.is(message.payload.kind, 'result');

  const trace = await te.ok('telemetry.trace', { traceId: asked.traceId });
  assert.is(trace.traceId, asked.traceId);
  const names = trace.stages.map((s) => s.stage);
  for (const stage of ['generation', 'validation', 'approval', 'execution']) assert.ok(names.includes(stage), `${stage} in ${names.join(', ')}`);
  assert.ok(names.indexOf('approval') < names.indexOf('execution'), 'approval comes before execution');
  assert.is(names.at(-1), 'execution');
  assert.ok(trace.stages.every((s) => s.status === 'ok' && s.durationMs !== null && s.durationMs >= 0));
  const starts = trace.stages.map((s) => Date.parse(s.startedAt));
  assert.equal(starts, [...starts].sort((a, b) => a - b), 'stages are listed in the order they started');
});

test('a denied question shows its approval as not passed and no execution', async () => {
  const asked = await te.ok('chat.ask', { sourceId, question: 'how many customers are there' });
  await te.ok('chat.deny', { sessionId: asked.sessionId, messageId: asked.messageId, token: asked.approval!.token });
  const trace = await te.ok('telemetry.trace', { traceId: asked.traceId });
  const approval = trace.stages.find((s) => s.stage === 'approval');
  assert.is(approval?.status, 'error', 'a denied approval is recorded as not passed');
  assert.not.ok(trace.stages.some((s) => s.stage === 'execution'), 'nothing ran');
});

test('an unknown trace id is NOT_FOUND; a malformed one is VALIDATION', async () => {
  const unknown = await te.call('telemetry.trace', { traceId: 'trc_does_not_exist' });
  assert.ok(!unknown.ok && unknown.error.code === 'NOT_FOUND');
  const malformed = await te.call('telemetry.trace', { traceId: "x' OR 1=1 --" });
  assert.ok(!malformed.ok && malformed.error.code === 'VALIDATION');
});

test.run();
