import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ColumnReader } from '../../../../engine/contract/result-columns';
import { createPgDatabase, type TestDatabase } from '../../../support/databases';
import { openTestEngine, TEST_PIN, type TestEngine } from '../../../support/engine';
import { tempDir } from '../../../support/tmp';

// The whole flow with the built-in offline planner against real PostgreSQL (Chinook).
let db: TestDatabase;
let te: TestEngine;
const dir = tempDir();
let sourceId = '';
// The engine's clock, moved forward to expire approvals without waiting.
let skew = 0;
const now = () => Date.now() + skew;

test.before(async () => {
  db = createPgDatabase('chinook');
  te = await openTestEngine({ unlocked: true, dataDir: dir.path, keepDataDir: true, now });
  sourceId = (await te.ok('sources.create', { name: 'Chinook', type: 'postgres', url: `${db.url}?sslmode=disable` })).id;
  // A superuser login (the test server's): the owner confirms its risks once, as in the app.
  await te.ok('sources.test', { id: sourceId });
  await te.ok('sources.confirmRisks', { id: sourceId });
});
test.after(async () => {
  await te.close();
  db.drop();
  dir.remove();
});

const runs = () => (te.engine.db.prepare('SELECT count(*) AS n FROM query_runs').get() as { n: number }).n;

test('a question becomes a previewed query with a token; nothing runs before approval; deny runs nothing', async () => {
  const asked = await te.ok('chat.ask', { sourceId, question: 'how many customers are there' });
  assert.is(asked.provider, 'offline planner');
  assert.match(asked.query ?? '', /count/i);
  assert.is(asked.verdict?.allowed, true);
  assert.ok(asked.approval && asked.explain);
  assert.is(runs(), 0);
  await te.ok('chat.deny', { sessionId: asked.sessionId, messageId: asked.messageId, token: asked.approval!.token });
  assert.is(runs(), 0);
  const again = await te.call('chat.approve', { sessionId: asked.sessionId, messageId: asked.messageId, token: asked.approval!.token });
  assert.ok(again.ok && again.value.message.payload.kind === 'error' && again.value.message.payload.stage === 'approval');
  assert.is(runs(), 0, 'a denied query must never reach the store');
  const kinds = (await te.ok('chat.getSession', { sessionId: asked.sessionId })).messages.map((m) => m.payload.kind);
  assert.equal(kinds, ['question', 'query', 'decision', 'error']);
});

let sessionId = '';
test('approve runs it and stores the result in the thread; the rows are right', async () => {
  const asked = await te.ok('chat.ask', { sourceId, question: 'how many customers are there' });
  sessionId = asked.sessionId;
  const { message } = await te.ok('chat.approve', { sessionId, messageId: asked.messageId, token: asked.approval!.token });
  assert.is(message.payload.kind, 'result');
  if (message.payload.kind === 'result') {
    assert.equal(message.payload.preview, [[59]]);
    const stored = await te.ok('chat.result', { resultId: message.payload.resultId });
    assert.equal(new ColumnReader(stored.data).rows(), [[59]]);
  }
  assert.is(runs(), 1);
});

test('follow-ups use the conversation: "top 5 artists by number of tracks", then "only the top 3"', async () => {
  const first = await te.ok('chat.ask', { sessionId, question: 'top 5 artists by number of tracks' });
  const r1 = await te.ok('chat.approve', { sessionId, messageId: first.messageId, token: first.approval!.token });
  const follow = await te.ok('chat.ask', { sessionId, question: 'now only the top 3' });
  assert.match(follow.query ?? '', /LIMIT 3/);
  const r2 = await te.ok('chat.approve', { sessionId, messageId: follow.messageId, token: follow.approval!.token });
  if (r1.message.payload.kind === 'result' && r2.message.payload.kind === 'result') {
    assert.equal(r2.message.payload.preview, r1.message.payload.preview.slice(0, 3));
    assert.equal(r2.message.payload.preview[0], ['Iron Maiden', 213]);
  } else assert.unreachable('both should be results');
});

test('an edited query is validated again and needs its own approval; a refused edit gets none', async () => {
  const asked = await te.ok('chat.ask', { sessionId, question: 'how many albums are there' });
  const edited = await te.ok('chat.editQuery', { sessionId, messageId: asked.messageId, query: 'SELECT count(*) FROM album WHERE album_id < 10' });
  assert.ok(edited.approval);
  assert.is.not(edited.approval!.token, asked.approval!.token);
  // The old token does not run the edited text, and the edited one runs only itself.
  const { message } = await te.ok('chat.approve', { sessionId, messageId: edited.messageId, token: edited.approval!.token });
  assert.ok(message.payload.kind === 'result' && JSON.stringify(message.payload.preview) === '[[9]]');
  const wrong = await te.ok('chat.approve', { sessionId, messageId: edited.messageId, token: asked.approval!.token });
  assert.is(wrong.message.payload.kind, 'error');
  const refused = await te.ok('chat.editQuery', { sessionId, messageId: asked.messageId, query: 'DELETE FROM album' });
  assert.is(refused.approval, null);
  assert.is(refused.verdict?.allowed, false);
});

test('a question the planner cannot answer is declined plainly, with rephrasings', async () => {
  const asked = await te.ok('chat.ask', { sourceId, question: 'what is the meaning of life' });
  assert.is(asked.query, null);
  assert.match(asked.declined?.reason ?? '', /can't answer that offline/);
  assert.ok((asked.declined?.suggestions.length ?? 0) > 0);
});

test('an expired approval is refused with a clear message in the thread', async () => {
  const asked = await te.ok('chat.ask', { sessionId, question: 'how many genres are there' });
  skew = 121_000;
  const { message } = await te.ok('chat.approve', { sessionId, messageId: asked.messageId, token: asked.approval!.token });
  assert.ok(message.payload.kind === 'error' && message.payload.code === 'APPROVAL');
  if (message.payload.kind === 'error') {
    assert.match(message.payload.message, /expired/);
    assert.is(message.payload.reason, 'EXPIRED');
    assert.match(message.payload.hint ?? '', /Validate again/);
  }
  skew = 0;
});

test('telemetry: every stage of a question is recorded under one trace id, with p50/p95', async () => {
  const stages = await te.ok('telemetry.stages');
  const names = stages.map((s) => s.stage);
  for (const s of ['generation', 'validation', 'approval', 'execution']) assert.ok(names.includes(s), s);
  assert.ok(stages.every((s) => s.p50Ms !== null && s.p95Ms !== null && s.p95Ms >= s.p50Ms));
  const session = await te.ok('chat.getSession', { sessionId });
  const query = session.messages.find((m) => m.payload.kind === 'query');
  const trace = query?.payload.kind === 'query' ? te.engine.telemetry.trace(query.payload.traceId) : [];
  assert.equal([...new Set(trace.map((t) => t.stage))].sort(), ['approval', 'execution', 'generation', 'validation']);
});

test('sessions resume after a restart, in order, and can be renamed and archived', async () => {
  const before = await te.ok('chat.getSession', { sessionId });
  await te.close();
  te = await openTestEngine({ dataDir: dir.path, keepDataDir: true });
  await te.ok('auth.unlock', { secret: TEST_PIN });
  const after = await te.ok('chat.getSession', { sessionId });
  assert.equal(after.messages.map((m) => m.id), before.messages.map((m) => m.id));
  assert.ok(after.messages.every((m, i) => m.seq === i + 1));
  await te.ok('chat.renameSession', { sessionId, title: 'Customer questions' });
  const renamed = await te.ok('chat.getSession', { sessionId });
  assert.is(renamed.session.title, 'Customer questions');
  assert.equal(renamed.messages.at(-1)?.payload, { kind: 'renamed', title: 'Customer questions' });
  await te.ok('chat.archiveSession', { sessionId, archived: true });
  assert.not.ok((await te.ok('chat.listSessions')).some((s) => s.id === sessionId));
  assert.ok((await te.ok('chat.listSessions', { includeArchived: true })).some((s) => s.id === sessionId));
});

test.run();
