/**
 * The model provider limits set in Settings reach the questions a user asks (issue 12, S6-003): past the
 * requests-per-minute limit a question is refused with RATE_LIMITED and the wait, before any request
 * leaves the machine, and once the window has passed (on the engine's clock) questions go through again.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPgDatabase, type TestDatabase } from '../../../support/databases';
import { openTestEngine, type TestEngine } from '../../../support/engine';
import { startFakeOpenAi, type FakeOpenAi } from '../../../support/fake-llm/index';

const API_KEY = 'sk-test-Provider-Limits-Key-11223344';
let clock = Date.now();
let db: TestDatabase;
let te: TestEngine;
let llm: FakeOpenAi;
let sourceId = '';

const answer = (query: string) => ({ query, dialect: 'postgres', explanation: 'Counts rows.', confidence: 0.8 });

test.before(async () => {
  db = createPgDatabase('chinook');
  llm = await startFakeOpenAi({ apiKey: API_KEY });
  te = await openTestEngine({ unlocked: true, now: () => clock });
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

test('past the requests-per-minute limit a question is refused with the wait, and answered again after the window', async () => {
  await te.ok('settings.update', { providerRequestsPerMinute: 1 });
  llm.replyJson(answer('SELECT count(*) AS n FROM customer'));
  await te.ok('chat.ask', { sourceId, question: 'how many customers?' });
  const sent = llm.requests.length;

  clock += 15_000;
  const refused = await te.call('chat.ask', { sourceId, question: 'how many invoices?' });
  assert.ok(!refused.ok, 'refused');
  assert.is(refused.error.code, 'RATE_LIMITED');
  assert.is(refused.error.details?.retryAfterMs, 45_000);
  assert.match(refused.error.message, /Try again in 45 s/);
  assert.is(llm.requests.length, sent, 'nothing was sent to the provider');
  // What the thread's error card shows (ErrorCard.svelte renders the payload's message and hint).
  const session = (await te.ok('chat.listSessions')).find((s) => s.title.includes('invoices')) ?? (await te.ok('chat.listSessions'))[0]!;
  const last = (await te.ok('chat.getSession', { sessionId: session.id })).messages.at(-1)!;
  assert.ok(last.payload.kind === 'error', JSON.stringify(last.payload));
  assert.match(last.payload.message, /Try again in 45 s/);
  assert.match(last.payload.hint ?? '', /model requests .*Settings, Limits/);

  clock += 45_000;
  llm.replyJson(answer('SELECT count(*) AS n FROM invoice'));
  assert.is((await te.ok('chat.ask', { sourceId, question: 'how many invoices?' })).query, 'SELECT count(*) AS n FROM invoice');
});

test.run();
