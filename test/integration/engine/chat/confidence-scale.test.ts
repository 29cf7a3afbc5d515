import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChatMessage } from '../../../../engine/contract/index';
import { PLANNER_CONFIDENCE_SCALE } from '../../../../engine/planner/confidence-scale';
import { openEngineWithPgSource, type EngineWithSource, type TestEngine } from '../../../support/engine';

// The app words a confidence by the scale the engine sends with the query, and
// only a calibrated number gets one: real PostgreSQL (Chinook), through the router.
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

async function queryPayload(sessionId: string, messageId: string) {
  const { messages } = await te.ok('chat.getSession', { sessionId });
  const message = messages.find((m: ChatMessage) => m.id === messageId);
  if (message?.payload.kind !== 'query') throw new Error(`no query message ${messageId}`);
  return message.payload;
}

test("the planner's answer carries its calibrated scale and the signals it was computed from", async () => {
  const asked = await te.ok('chat.ask', { sourceId, question: 'total sales per country' });
  assert.ok(asked.confidence !== null && asked.signals !== null);
  assert.is(typeof asked.signals!.linkQuality, 'number');
  const payload = await queryPayload(asked.sessionId, asked.messageId);
  assert.equal(payload.confidenceScale, PLANNER_CONFIDENCE_SCALE);
  assert.is(payload.confidence, asked.confidence);
});

test('a follow-up\'s confidence is a rule of thumb, not calibrated: it is sent without a scale or signals', async () => {
  const first = await te.ok('chat.ask', { sourceId, question: 'total sales per country' });
  const follow = await te.ok('chat.ask', { sessionId: first.sessionId, question: 'now only the top 3' });
  assert.match(follow.query ?? '', /LIMIT 3/);
  assert.is(follow.signals, null);
  assert.is((await queryPayload(follow.sessionId, follow.messageId)).confidenceScale, null);
});

test('an edited query keeps the scale only when its text is unchanged', async () => {
  const asked = await te.ok('chat.ask', { sourceId, question: 'how many customers are there' });
  const same = await te.ok('chat.editQuery', { sessionId: asked.sessionId, messageId: asked.messageId, query: asked.query! });
  assert.equal((await queryPayload(asked.sessionId, same.messageId)).confidenceScale, PLANNER_CONFIDENCE_SCALE);
  const edited = await te.ok('chat.editQuery', { sessionId: asked.sessionId, messageId: asked.messageId, query: 'SELECT count(*) FROM customer WHERE country = \'Brazil\'' });
  const payload = await queryPayload(asked.sessionId, edited.messageId);
  assert.equal([payload.confidence, payload.confidenceScale], [null, null]);
});

test.run();
