import fs from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openEngineWithPgSource, type EngineWithSource, type TestEngine } from '../../../support/engine';

// A plan stored with a query is read back for follow-ups and chart hints. One
// that this engine cannot read (another version, a damaged row) must not break
// the next question: real PostgreSQL (Chinook), through the router.
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

const SALES = 'total sales per country';
const FOLLOW_UP = 'now only the top 3';

/**
 * Rewrites the stored plan of a query message in SQLite, as a damaged row or
 * one written by another version would have it. Messages are append-only, so
 * the guard is lifted for this one update and put back as it was.
 */
function corruptPlan(messageId: string, jsonPath: string, jsonValue: string): void {
  const db = te.engine.db;
  const guard = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'chat_messages' AND name LIKE '%no_update'").get() as { name: string; sql: string };
  db.transaction(() => {
    db.exec(`DROP TRIGGER ${guard.name}`);
    const changed = db.prepare('UPDATE chat_messages SET payload_json = json_set(payload_json, ?, json(?)) WHERE id = ?').run(jsonPath, jsonValue, messageId);
    assert.is(changed.changes, 1);
    db.exec(guard.sql);
  })();
}

const logText = () => fs.readFileSync(`${te.dataDir}/logs/engine.log`, 'utf8');

test('with its plan intact, the follow-up refines the sales question (the control for the tests below)', async () => {
  const first = await te.ok('chat.ask', { sourceId, question: SALES });
  const follow = await te.ok('chat.ask', { sessionId: first.sessionId, question: FOLLOW_UP });
  assert.match(follow.query ?? '', /billing_country/);
  assert.match(follow.query ?? '', /LIMIT 3/);
});

test('a stored plan of another version: the next ask answers without it and the log says why', async () => {
  const first = await te.ok('chat.ask', { sourceId, question: SALES });
  corruptPlan(first.messageId, '$.plan.version', '2');
  const follow = await te.call('chat.ask', { sessionId: first.sessionId, question: FOLLOW_UP });
  assert.ok(follow.ok, follow.ok ? '' : `${follow.error.code}: ${follow.error.message}`);
  if (follow.ok) assert.not.match(follow.value.query ?? '', /billing_country/, 'the unreadable plan was used');
  const line = logText()
    .split('\n')
    .find((l) => l.includes('a stored plan could not be read') && l.includes(first.messageId));
  assert.ok(line, 'no log line for the unreadable plan');
  assert.match(line!, /PLAN_VERSION/);
});

test('a damaged plan is skipped, an older plan is not taken in its place, and the log holds no stored value', async () => {
  const older = await te.ok('chat.ask', { sourceId, question: 'top 5 artists by number of tracks' });
  const latest = await te.ok('chat.ask', { sessionId: older.sessionId, question: SALES });
  corruptPlan(latest.messageId, '$.plan.filters', JSON.stringify([{ kind: 'raw_sql', sql: 'SELECT pg_sleep(1) -- s3cr3t-sentinel' }]));
  const follow = await te.call('chat.ask', { sessionId: older.sessionId, question: FOLLOW_UP });
  assert.ok(follow.ok, follow.ok ? '' : `${follow.error.code}: ${follow.error.message}`);
  if (follow.ok) {
    assert.not.match(follow.value.query ?? '', /billing_country/, 'the damaged plan was used');
    assert.not.match(follow.value.query ?? '', /artist/i, 'the follow-up was applied to an older question');
  }
  const log = logText();
  assert.match(log, /PLAN_SHAPE/);
  assert.not.match(log, /s3cr3t-sentinel/);
});

test('a result whose query has a damaged plan still opens, charted from its rows alone', async () => {
  const asked = await te.ok('chat.ask', { sourceId, question: SALES });
  const { message } = await te.ok('chat.approve', { sessionId: asked.sessionId, messageId: asked.messageId, token: asked.approval!.token });
  if (message.payload.kind !== 'result') return assert.unreachable('the approved query should have run');
  corruptPlan(asked.messageId, '$.plan', '{"version":1,"shape":"sideways"}');
  const result = await te.ok('chat.result', { resultId: message.payload.resultId });
  assert.is(result.rowCount, message.payload.rowCount);
  assert.ok(result.chart, 'the rows alone still get a chart recommendation');
});

test('a result opened again reuses the chart worked out at its first open (the plan and rows of a stored result do not change)', async () => {
  const asked = await te.ok('chat.ask', { sourceId, question: SALES });
  const { message } = await te.ok('chat.approve', { sessionId: asked.sessionId, messageId: asked.messageId, token: asked.approval!.token });
  if (message.payload.kind !== 'result') return assert.unreachable('the approved query should have run');
  const first = te.engine.chat.result(message.payload.resultId);
  const again = te.engine.chat.result(message.payload.resultId);
  assert.ok(first.chart, 'the sales per country get a chart');
  assert.is(again.chart, first.chart, 'the same recommendation, not worked out from the rows again');
  const routed = await te.ok('chat.result', { resultId: message.payload.resultId });
  assert.equal(routed.chart, first.chart);
});

test.run();
