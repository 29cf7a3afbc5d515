import fs from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMysqlDatabase, createPgDatabase, type TestDatabase } from '../../../support/databases';
import { openTestEngine, type TestEngine } from '../../../support/engine';
import { startFakeOpenAi, type FakeOpenAi } from '../../../support/fake-llm/index';

// Issue 10: a query the database rejects at EXPLAIN gets no approval token, from
// whichever path it comes (a model, the offline planner, query.prepare), and the
// user is told the database's reason. Real PostgreSQL and MariaDB; the model is a
// local server speaking the OpenAI wire format (no LLM is reachable from here).
const API_KEY = 'sk-test-Explain-Gate-5566778899';
const TICKETS = [
  'CREATE TABLE ticket (ticket_id INT PRIMARY KEY, category VARCHAR(20) NOT NULL, price DECIMAL(8,2) NOT NULL)',
  "INSERT INTO ticket VALUES (1, 'concert', 40.00), (2, 'concert', 55.50), (3, 'theatre', 30.00), (4, 'opera', 90.00)",
];

interface Store {
  label: 'PostgreSQL' | 'MariaDB';
  dialect: 'postgres' | 'mysql';
  db: TestDatabase;
  sourceId: string;
}

let te: TestEngine;
let llm: FakeOpenAi;
const stores: Store[] = [];

const answer = (query: string, dialect: Store['dialect']) => ({ query, dialect, explanation: 'Reads the tickets.', confidence: 0.9 });
/** A schema change that fails rather than waits when something holds the table. */
const renameColumn = (label: Store['label'], from: string, to: string) =>
  `${label === 'PostgreSQL' ? "SET lock_timeout = '5s';" : 'SET SESSION lock_wait_timeout = 5;'} ALTER TABLE ticket RENAME COLUMN ${from} TO ${to}`;
const runCount = () => (te.engine.db.prepare('SELECT count(*) AS n FROM query_runs').get() as { n: number }).n;
const useModel = () => te.ok('providers.set', { config: { kind: 'openai-compatible', preset: 'vllm', baseUrl: llm.baseUrl, model: 'sql-writer-1' }, apiKey: API_KEY });

test.before(async () => {
  llm = await startFakeOpenAi({ apiKey: API_KEY });
  te = await openTestEngine({ unlocked: true, keepDataDir: true });
  const pg = createPgDatabase('empty');
  const maria = createMysqlDatabase('empty');
  for (const db of [pg, maria]) for (const statement of TICKETS) db.sql(statement);
  const pgId = (await te.ok('sources.create', { name: 'Tickets PG', type: 'postgres', url: `${pg.url}?sslmode=disable` })).id;
  const mariaId = (await te.ok('sources.create', { name: 'Tickets MariaDB', type: 'mysql', url: maria.url })).id;
  stores.push({ label: 'PostgreSQL', dialect: 'postgres', db: pg, sourceId: pgId }, { label: 'MariaDB', dialect: 'mysql', db: maria, sourceId: mariaId });
});
test.after(async () => {
  await te?.close();
  await llm?.close();
  for (const s of stores) s.db.drop();
  if (te) fs.rmSync(te.dataDir, { recursive: true, force: true });
});

test('query.prepare: a column the database does not have gets no token, the reason, and an audited refusal; a good query still gets one', async () => {
  for (const { label, sourceId } of stores) {
    const rejected = await te.ok('query.prepare', { sourceId, query: 'SELECT no_such_column FROM ticket' });
    assert.is(rejected.verdict.allowed, true, `${label}: the guardrail has nothing against it`);
    assert.is(rejected.approval, null, `${label}: no token for SQL that cannot run`);
    assert.match(rejected.explainError ?? '', /no_such_column/, label);
    const audit = te.engine.audit.list({ action: 'query.refused', sourceId }).events;
    assert.ok(audit.some((e) => e.details.reason === 'EXPLAIN_FAILED'), `${label}: ${JSON.stringify(audit)}`);
    const fine = await te.ok('query.prepare', { sourceId, query: 'SELECT category, count(*) FROM ticket GROUP BY category' });
    assert.ok(fine.approval, label);
    assert.is(fine.explainError, null, label);
  }
  assert.is(runCount(), 0);
});

test('a model that keeps naming a missing column: no token after its last correction, and the reason is in the message and the answer', async () => {
  await useModel();
  for (const { label, dialect, sourceId } of stores) {
    for (let i = 0; i < 3; i++) llm.replyJson(answer('SELECT category, avg(ticket_price) AS average FROM ticket GROUP BY category', dialect));
    const before = llm.requests.length;
    const asked = await te.ok('chat.ask', { sourceId, question: 'average ticket price per category' });
    assert.is(llm.requests.length - before, 3, `${label}: the store's error went back to the model twice`);
    assert.match(JSON.stringify(llm.body(before + 2).messages), /database rejected that query.*ticket_price/s, label);
    assert.is(asked.approval, null, label);
    assert.match(asked.explainError ?? '', /ticket_price/, label);
    const message = (await te.ok('chat.getSession', { sessionId: asked.sessionId })).messages.find((m) => m.id === asked.messageId)!;
    assert.ok(message.payload.kind === 'query', label);
    if (message.payload.kind === 'query') {
      assert.match(message.payload.explainError ?? '', /ticket_price/, label);
      assert.is(message.payload.approvalExpiresAt, null, label);
      assert.equal(message.payload.attempts.map((a) => a.outcome), ['store-error', 'store-error', 'store-error'], label);
    }
  }
  assert.is(runCount(), 0);
  await te.ok('providers.clear');
});

test('a model that corrects itself after the store said no gets its token for the corrected query', async () => {
  await useModel();
  const { sourceId, dialect } = stores[1]!;
  llm.replyJson(answer('SELECT avg(ticket_price) FROM ticket', dialect));
  llm.replyJson(answer('SELECT avg(price) AS average_price FROM ticket', dialect));
  const asked = await te.ok('chat.ask', { sourceId, question: 'average ticket price' });
  assert.is(asked.query, 'SELECT avg(price) AS average_price FROM ticket');
  assert.ok(asked.approval);
  assert.is(asked.explainError, null);
  await te.ok('providers.clear');
});

test('PostgreSQL: a type error (a sum of text) is rejected at EXPLAIN too', async () => {
  const { sourceId } = stores[0]!;
  const prepared = await te.ok('query.prepare', { sourceId, query: 'SELECT sum(category) FROM ticket' });
  assert.is(prepared.verdict.allowed, true);
  assert.is(prepared.approval, null);
  assert.match(prepared.explainError ?? '', /sum\(character varying\)|does not exist/);
});

test('the offline planner, on metadata older than the table: declines with the database reason and rephrasings it can answer', async () => {
  for (const { label, db, sourceId } of stores) {
    await te.ok('metadata.get', { sourceId, refresh: true });
    const before = await te.ok('chat.ask', { sourceId, question: 'average price per category' });
    assert.ok(before.approval, `${label}: answered while the column exists: ${JSON.stringify(before.declined)}`);
    // The cached metadata still lists the column after it is renamed (inside the cache's TTL). Last in this file, and
    // not renamed back: the synchronous mysql client would block this process while a pooled connection's reset (which
    // ends its read-only transaction and so its metadata lock) still waits on the event loop.
    db.sql(renameColumn(label, 'category', 'kind'));
    const asked = await te.ok('chat.ask', { sourceId, question: 'average price per category' });
    assert.is(asked.approval, null, label);
    assert.is(asked.query, null, label);
    assert.match(asked.explainError ?? '', /category/, label);
    assert.match(asked.declined?.reason ?? '', /database rejected the query I wrote for it \(.*category.*\)/, label);
    assert.ok((asked.declined?.suggestions ?? []).length >= 1, `${label}: ${JSON.stringify(asked.declined)}`);
    const message = (await te.ok('chat.getSession', { sessionId: asked.sessionId })).messages.find((m) => m.id === asked.messageId)!;
    assert.ok(message.payload.kind === 'declined' && /category/.test(message.payload.reason), label);
  }
  assert.is(runCount(), 0);
});

test.run();
