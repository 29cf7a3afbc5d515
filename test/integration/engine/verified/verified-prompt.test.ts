import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPgDatabase, type TestDatabase } from '../../../support/databases';
import { openTestEngine, type TestEngine } from '../../../support/engine';
import { startFakeOpenAi, type FakeOpenAi } from '../../../support/fake-llm/index';

// With a model configured: verified pairs of the source go into its prompt as examples (scrubbed), and a matching question never reaches it.
const API_KEY = 'sk-test-Verified-Prompt-Key-1234567';
let db: TestDatabase;
let te: TestEngine;
let llm: FakeOpenAi;
let sourceId = '';

test.before(async () => {
  db = createPgDatabase('chinook');
  llm = await startFakeOpenAi({ apiKey: API_KEY });
  te = await openTestEngine({ unlocked: true });
  sourceId = (await te.ok('sources.create', { name: 'Chinook', type: 'postgres', url: `${db.url}?sslmode=disable` })).id;
  await te.ok('sources.test', { id: sourceId });
  await te.ok('sources.confirmRisks', { id: sourceId });
  await te.ok('providers.set', { config: { kind: 'openai-compatible', preset: 'vllm', baseUrl: llm.baseUrl, model: 'sql-writer-1' }, apiKey: API_KEY });
});
test.after(async () => {
  await te?.close();
  await llm?.close();
  db?.drop();
});

test('the closest verified pairs of the source are examples in the request; the closest first, at most three', async () => {
  const pairs: Array<[string, string]> = [
    ['revenue per billing country', 'SELECT billing_country, sum(total) AS revenue FROM invoice GROUP BY billing_country ORDER BY revenue DESC'],
    ['how many tracks per genre', 'SELECT g.name, count(*) AS tracks FROM track t JOIN genre g USING (genre_id) GROUP BY g.name'],
    ['employees hired before 2003', "SELECT first_name, last_name FROM employee WHERE hire_date < '2003-01-01'"],
    ['longest tracks', 'SELECT name, milliseconds FROM track ORDER BY milliseconds DESC LIMIT 10'],
  ];
  for (const [question, query] of pairs) await te.ok('verified.add', { sourceId, question, query });
  llm.replyJson({ query: 'SELECT billing_city, sum(total) AS revenue FROM invoice GROUP BY billing_city', dialect: 'postgres', explanation: 'Sums invoices.', confidence: 0.8 });
  const asked = await te.ok('chat.ask', { sourceId, question: 'revenue per billing city' });
  assert.is(asked.verified, null, 'a city is not a country: no verified match');
  const text = JSON.stringify(llm.lastBody().messages);
  assert.match(text, /Verified answers for this source/);
  assert.match(text, /Question: revenue per billing country\\nQuery:\\nSELECT billing_country, sum\(total\) AS revenue FROM invoice/);
  assert.ok(text.indexOf('revenue per billing country') < text.indexOf('how many tracks per genre') || !text.includes('how many tracks per genre'));
  assert.is((text.match(/Question: /g) ?? []).length, 3);
  const ledger = await te.ok('chat.ledger', { messageId: asked.messageId });
  assert.match(ledger[0]!.requestText, /revenue per billing country/, 'the ledger shows the examples that left the machine');
});

test('a question that matches a verified pair gets it without asking the model', async () => {
  const before = llm.requests.length;
  const asked = await te.ok('chat.ask', { sourceId, question: 'How many tracks are there per genre?' });
  assert.is(asked.provider, 'verified answer');
  assert.match(asked.query ?? '', /JOIN genre g USING \(genre_id\)/);
  assert.is(llm.requests.length, before, 'no request left the machine');
});

test('an example is scrubbed of credentials like the rest of the prompt', async () => {
  const token = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
  // Stored before the rule that refuses credentials in verified pairs, or written to the table by hand: the prompt still masks it.
  te.engine.db
    .prepare(`INSERT INTO verified_answers (id, source_id, question, normalized_question, query_text, dialect, created_at, updated_at) VALUES ('ver_old', ?, 'revenue per billing state', 'revenu per bill state', ?, 'postgres', 't', 'z')`)
    .run(sourceId, `SELECT billing_state, sum(total) FROM invoice WHERE '${token}' <> '' GROUP BY 1`);
  llm.replyJson({ query: 'SELECT billing_state, sum(total) AS revenue FROM invoice GROUP BY 1', dialect: 'postgres', explanation: 'Sums invoices.', confidence: 0.8 });
  await te.ok('chat.ask', { sourceId, question: 'revenue per billing state and city' });
  const body = llm.requests.at(-1)!.bodyText;
  assert.match(body, /billing_state, sum\(total\) FROM invoice WHERE/);
  assert.not.match(body, new RegExp(token));
});

test.run();
