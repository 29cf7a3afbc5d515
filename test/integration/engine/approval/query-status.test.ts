import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openEngineWithPgSource, type EngineWithSource } from '../../../support/engine';

let env: EngineWithSource;
test.before(async () => {
  env = await openEngineWithPgSource();
});
test.after(() => env.close());

const refusal = (r: { ok: boolean; error?: { code: string; details?: Record<string, unknown> } }) => (r.ok ? 'ok' : `${r.error!.code}:${String(r.error!.details?.reason ?? '')}`);
const statuses = async (sessionId: string) => {
  const s = await env.te.ok('chat.getSession', { sessionId });
  return { byId: new Map(s.queries.map((q) => [q.messageId, q.status])), pending: s.pendingQueryId, messages: s.messages };
};

test('a replaced query cannot be approved through the router, as the CLI or a second window would try: chat.approve and query.run both refuse it, and nothing runs', async () => {
  const { te, sourceId } = env;
  const asked = await te.ok('chat.ask', { sourceId, question: 'how many albums are there' });
  const edited = await te.ok('chat.editQuery', { sessionId: asked.sessionId, messageId: asked.messageId, query: 'SELECT count(*) AS n FROM album WHERE album_id < 10' });
  let s = await statuses(asked.sessionId);
  assert.equal([s.byId.get(asked.messageId), s.byId.get(edited.messageId), s.pending], ['replaced', 'pending', edited.messageId]);
  const messagesBefore = s.messages.length;

  assert.is(refusal(await te.call('chat.approve', { sessionId: asked.sessionId, messageId: asked.messageId, token: asked.approval!.token })), 'APPROVAL:REPLACED');
  assert.is(refusal(await te.call('query.run', { token: asked.approval!.token })), 'APPROVAL:REPLACED');
  s = await statuses(asked.sessionId);
  assert.is(s.messages.length, messagesBefore, 'a refusal of a replaced query adds nothing to the thread');
  assert.equal(te.engine.audit.list({ action: 'query.refused' }).events.slice(0, 2).map((e) => e.details.reason), ['REPLACED', 'REPLACED']);

  // The edit runs; from "the CLI" (query.run with its token), the run is recorded in the conversation all the same.
  const ran = await te.ok('query.run', { token: edited.approval!.token });
  assert.equal(ran.result.rows, [[9]]);
  s = await statuses(asked.sessionId);
  assert.is(s.byId.get(edited.messageId), 'done');
  const recorded = s.messages.filter((m) => (m.payload.kind === 'decision' && m.payload.queryMessageId === edited.messageId) || (m.payload.kind === 'result' && m.payload.runId === ran.runId));
  assert.equal(recorded.map((m) => m.payload.kind), ['decision', 'result']);
});

test('a skipped query (the conversation moved on) is refused too; a denial from outside the thread is recorded in it', async () => {
  const { te, sourceId } = env;
  const first = await te.ok('chat.ask', { sourceId, question: 'how many artists are there' });
  const second = await te.ok('chat.ask', { sessionId: first.sessionId, question: 'how many genres are there' });
  const s = await statuses(first.sessionId);
  assert.equal([s.byId.get(first.messageId), s.byId.get(second.messageId), s.pending], ['skipped', 'pending', second.messageId]);
  assert.is(refusal(await te.call('query.run', { token: first.approval!.token })), 'APPROVAL:SKIPPED');
  assert.is(refusal(await te.call('chat.approve', { sessionId: first.sessionId, messageId: first.messageId, token: first.approval!.token })), 'APPROVAL:SKIPPED');

  await te.ok('query.deny', { token: second.approval!.token });
  const after = await statuses(first.sessionId);
  assert.is(after.byId.get(second.messageId), 'denied');
  assert.ok(after.messages.some((m) => m.payload.kind === 'decision' && m.payload.queryMessageId === second.messageId && m.payload.decision === 'denied'));
  assert.is(after.pending, null);
});

test.run();
