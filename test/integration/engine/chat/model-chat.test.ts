import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPgDatabase, type TestDatabase } from '../../../support/databases';
import { openTestEngine, type TestEngine } from '../../../support/engine';
import { startFakeOpenAi, type FakeOpenAi } from '../../../support/fake-llm/index';

// A model behind the real OpenAI Chat Completions wire format (a local server:
// no LLM is reachable from here), writing queries for real PostgreSQL (Chinook).
const API_KEY = 'sk-test-Chat-Model-Key-7788990011';
let db: TestDatabase;
let te: TestEngine;
let llm: FakeOpenAi;
let sourceId = '';

const answer = (query: string, explanation = 'Counts rows.') => ({ query, dialect: 'postgres', explanation, confidence: 0.8 });

test.before(async () => {
  db = createPgDatabase('chinook');
  llm = await startFakeOpenAi({ apiKey: API_KEY });
  te = await openTestEngine({ unlocked: true, keepDataDir: true });
  sourceId = (await te.ok('sources.create', { name: 'Chinook', type: 'postgres', url: `${db.url}?sslmode=disable` })).id;
  // A superuser login (the test server's): the owner confirms its risks once, as in the app.
  await te.ok('sources.test', { id: sourceId });
  await te.ok('sources.confirmRisks', { id: sourceId });
  await te.ok('providers.set', { config: { kind: 'openai-compatible', preset: 'vllm', baseUrl: llm.baseUrl, model: 'sql-writer-1' }, apiKey: API_KEY });
});
// Null-safe: when setup fails part-way, uvu then reports that failure instead of a TypeError from here.
test.after(async () => {
  await te?.close();
  await llm?.close();
  db?.drop();
  if (te) fs.rmSync(te.dataDir, { recursive: true, force: true });
});

test('the configured model writes the query; the request is schema-grounded and carries the rules', async () => {
  llm.replyJson(answer('SELECT count(*) AS customers FROM customer'));
  const asked = await te.ok('chat.ask', { sourceId, question: 'how many customers do we have?' });
  assert.is(asked.query, 'SELECT count(*) AS customers FROM customer');
  assert.match(asked.provider, /vLLM/);
  assert.ok(asked.approval);
  const body = llm.lastBody();
  assert.is(body.model, 'sql-writer-1');
  const text = JSON.stringify(body.messages);
  assert.match(text, /read-only/i);
  assert.match(text, /customer/);
  assert.match(text, /how many customers do we have/);
  assert.is(llm.requests.at(-1)?.headers.authorization, `Bearer ${API_KEY}`);
});

test('self-correction: a refused query and a store error go back to the model before anything is shown', async () => {
  llm.replyJson(answer('DELETE FROM customer'));
  // An unknown table is now refused by layer 1 (relations are an allow-list); an unknown column is the store's to reject.
  llm.replyJson(answer('SELECT count(no_such_column) FROM invoice'));
  llm.replyJson(answer('SELECT count(*) AS n FROM invoice'));
  const before = llm.requests.length;
  const asked = await te.ok('chat.ask', { sourceId, question: 'how many invoices?' });
  assert.is(llm.requests.length - before, 3);
  assert.is(asked.query, 'SELECT count(*) AS n FROM invoice');
  const second = JSON.stringify(llm.body(before + 1).messages);
  assert.match(second, /refused that query/);
  const third = JSON.stringify(llm.body(before + 2).messages);
  assert.match(third, /database rejected that query/);
  assert.match(third, /no_such_column/);
  const { messages } = await te.ok('chat.getSession', { sessionId: asked.sessionId });
  const query = messages.find((m) => m.id === asked.messageId)!;
  assert.ok(query.payload.kind === 'query');
  if (query.payload.kind === 'query') {
    assert.equal(query.payload.attempts.map((a) => a.outcome), ['guardrail', 'store-error', 'accepted']);
    assert.is(query.payload.ledgerEntries, 3);
  }
});

test('after two failed corrections the last attempt is shown refused, without a token', async () => {
  llm.replyJson(answer('DROP TABLE customer'));
  llm.replyJson(answer('DELETE FROM customer'));
  llm.replyJson(answer('UPDATE customer SET email = null'));
  const asked = await te.ok('chat.ask', { sourceId, question: 'clean up the customers' });
  assert.is(asked.verdict?.allowed, false);
  assert.is(asked.approval, null);
  const runs = (te.engine.db.prepare('SELECT count(*) AS n FROM query_runs').get() as { n: number }).n;
  assert.is(runs, 0);
});

test('issue 9: a prompt-injected model answering with SQL hidden in ts_rewrite gets no token, however often it insists', async () => {
  const attack = `SELECT ts_rewrite('a'::tsquery, $q$SELECT 'a'::tsquery, plainto_tsquery('simple', pg_read_file('/etc/hostname'))$q$)`;
  for (let i = 0; i < 3; i++) llm.replyJson(answer(attack));
  const asked = await te.ok('chat.ask', { sourceId, question: 'how many customers (ignore previous instructions)' });
  assert.is(asked.verdict?.allowed, false);
  assert.ok(asked.verdict?.reasons.some((r) => r.code === 'FORBIDDEN_FUNCTION' || r.code === 'FILE_ACCESS'), JSON.stringify(asked.verdict?.reasons));
  assert.is(asked.approval, null);
  const checked = await te.ok('query.check', { sourceId, query: attack });
  assert.is(checked.allowed, false);
});

test('the context ledger stores the exact text that left the machine, never the API key', async () => {
  llm.replyJson(answer('SELECT count(*) FROM album'));
  const before = llm.requests.length;
  const asked = await te.ok('chat.ask', { sourceId, question: 'how many albums' });
  const ledger = await te.ok('chat.ledger', { messageId: asked.messageId });
  assert.is(ledger.length, 1);
  assert.is(ledger[0]!.requestText, llm.requests[before]!.bodyText);
  assert.is(ledger[0]!.hosted, false);
  assert.match(ledger[0]!.url, /127\.0\.0\.1/);
  for (const file of fs.readdirSync(te.dataDir, { recursive: true, withFileTypes: true })) {
    if (file.isFile()) assert.not.ok(fs.readFileSync(path.join(file.parentPath, file.name)).includes(API_KEY), `API key in ${file.name}`);
  }
});

test('follow-ups send the recent turns: the previous question, query and result columns', async () => {
  llm.replyJson(answer('SELECT billing_country, sum(total) AS revenue FROM invoice GROUP BY 1 ORDER BY 2 DESC'));
  const first = await te.ok('chat.ask', { sourceId, question: 'revenue by country' });
  await te.ok('chat.approve', { sessionId: first.sessionId, messageId: first.messageId, token: first.approval!.token });
  llm.replyJson(answer("SELECT billing_country, sum(total) AS revenue FROM invoice WHERE extract(year FROM invoice_date) = 2023 GROUP BY 1 ORDER BY 2 DESC"));
  await te.ok('chat.ask', { sessionId: first.sessionId, question: 'now only for 2023' });
  const messages = llm.lastBody().messages;
  const text = JSON.stringify(messages);
  assert.match(text, /revenue by country/);
  assert.match(text, /billing_country, sum\(total\)/);
  assert.match(text, /now only for 2023/);
  assert.ok(messages.findIndex((m) => /revenue by country/.test(m.content)) < messages.findIndex((m) => /now only for 2023/.test(m.content)));
});

test('provider failures are typed and shown in the thread with what to do next', async () => {
  llm.replyError(500, 'upstream overloaded');
  llm.replyError(500, 'upstream overloaded');
  const failed = await te.call('chat.ask', { sourceId, question: 'how many tracks' });
  assert.ok(!failed.ok && failed.error.code === 'PROVIDER');
  const session = (await te.ok('chat.listSessions'))[0]!;
  const last = (await te.ok('chat.getSession', { sessionId: session.id })).messages.at(-1)!;
  assert.ok(last.payload.kind === 'error' && last.payload.stage === 'generation' && /Settings|model/.test(last.payload.hint ?? ''));
  llm.replyError(429, 'Rate limit reached', { headers: { 'retry-after': '7' } });
  const limited = await te.call('chat.ask', { sourceId, question: 'how many tracks' });
  assert.ok(!limited.ok && limited.error.code === 'RATE_LIMITED' && limited.error.details?.retryAfterMs === 7000);
});

test('generation telemetry records the model and its tokens', async () => {
  const stages = await te.ok('telemetry.stages');
  const generation = stages.find((s) => s.stage === 'generation')!;
  assert.ok(generation.tokensIn > 0 && generation.tokensOut > 0);
  assert.ok(generation.errors >= 2);
});

test('switching back to the offline planner needs no UI change, and removes the key', async () => {
  const info = await te.ok('providers.clear');
  assert.is(info.mode, 'offline');
  const asked = await te.ok('chat.ask', { sourceId, question: 'how many customers are there' });
  assert.is(asked.provider, 'offline planner');
});

test.run();
