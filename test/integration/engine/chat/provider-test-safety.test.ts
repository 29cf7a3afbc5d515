import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openEngineWithPgSource, type EngineWithSource } from '../../../support/engine';
import { closedPort, startFakeOpenAi, type FakeOpenAi } from '../../../support/fake-llm/index';

// Issue 14: pressing Test for a model server that was not running made it the
// active provider, and every later question failed. Real engine, real
// PostgreSQL (Chinook); the model is a local server speaking OpenAI's wire format.
let env: EngineWithSource;
let llm: FakeOpenAi;
let downUrl = '';

const down = () => ({ kind: 'openai-compatible', preset: 'ollama', baseUrl: downUrl, model: 'not-running' });

test.before(async () => {
  env = await openEngineWithPgSource('chinook');
  llm = await startFakeOpenAi({ flavor: 'ollama', models: ['up-model'] });
  downUrl = `http://127.0.0.1:${await closedPort()}/v1`;
});
test.after(async () => {
  await env?.close();
  await llm?.close();
});

test('testing a provider that is not running reports the error and leaves the active provider as it was', async () => {
  const tested = await env.te.ok('providers.test', { config: down() });
  assert.is(tested.ok, false);
  assert.is(tested.error?.code, 'PROVIDER');
  assert.is((await env.te.ok('providers.get')).mode, 'offline');
});

test('activating a provider whose last test failed is refused until confirmed', async () => {
  const refused = await env.te.call('providers.set', { config: down() });
  assert.is(refused.ok, false);
  if (!refused.ok) {
    assert.is(refused.error.code, 'CONFLICT');
    assert.is(refused.error.details?.reason, 'LAST_TEST_FAILED');
    assert.match(refused.error.message, /last test of not-running failed/);
  }
  assert.is((await env.te.ok('providers.get')).mode, 'offline');
  const confirmed = await env.te.ok('providers.set', { config: down(), confirmFailedTest: true });
  assert.is(confirmed.primary?.model, 'not-running');
});

test('a provider that answered its test is activated without a question; testing the active one changes nothing', async () => {
  const up = { kind: 'openai-compatible', preset: 'ollama', baseUrl: llm.baseUrl, model: 'up-model' };
  llm.replyJson({ ok: true });
  assert.is((await env.te.ok('providers.test', { config: up })).ok, true);
  assert.is((await env.te.ok('providers.get')).primary?.model, 'not-running', 'the candidate was only tested');
  assert.is((await env.te.ok('providers.set', { config: up })).primary?.model, 'up-model');
  llm.replyError(500, 'out of memory');
  assert.is((await env.te.ok('providers.test')).ok, false);
  assert.is((await env.te.ok('providers.get')).primary?.model, 'up-model');
  await env.te.ok('providers.set', { config: down(), confirmFailedTest: true });
});

test('when the active model fails, the error offers the offline planner, which answers that one question', async () => {
  const failed = await env.te.call('chat.ask', { sourceId: env.sourceId, question: 'how many artists are there' });
  assert.is(failed.ok ? null : failed.error.code, 'PROVIDER');
  const sessionId = failed.ok ? '' : String(failed.error.details?.sessionId);
  const { messages } = await env.te.ok('chat.getSession', { sessionId });
  const error = messages.at(-1)!.payload;
  assert.is(error.kind, 'error');
  if (error.kind === 'error') assert.is(error.offlineRetry, true);

  const answered = await env.te.ok('chat.ask', { sessionId, question: 'how many artists are there', useOfflinePlanner: true });
  assert.is(answered.provider, 'offline planner');
  assert.match(answered.query ?? '', /count/i);
  assert.match(answered.query ?? '', /artist/i);
  assert.is((await env.te.ok('providers.get')).primary?.model, 'not-running', 'the model stays configured for later questions');

  // The audit log names what the query was about: the question, the source and the conversation.
  const { events } = await env.te.ok('audit.list', { sessionId, action: 'query.generated' });
  assert.equal(events[0]?.context, { sourceName: 'Chinook', sessionTitle: 'how many artists are there', question: 'how many artists are there', runId: null });
});

test.run();
