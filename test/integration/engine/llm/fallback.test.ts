import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createProvider, testProvider } from '../../../../engine/llm/index';
import { closedPort, startFakeAnthropic, startFakeOpenAi } from '../../../support/fake-llm/index';
import { GOOD_ANSWER, rejection, request } from './support';

test('local model down: the hosted fallback answers and the response says so', async () => {
  const port = await closedPort();
  const hosted = await startFakeAnthropic({ apiKey: 'fallback-key-abc' });
  try {
    const provider = createProvider(
      {
        kind: 'openai-compatible',
        preset: 'ollama',
        baseUrl: `http://127.0.0.1:${port}/v1`,
        model: 'llama3.1',
        fallback: { kind: 'anthropic', baseUrl: hosted.baseUrl, model: 'claude-haiku-4-5' },
      },
      null,
      { fallbackApiKey: 'fallback-key-abc' },
    );
    hosted.replyToolUse(GOOD_ANSWER);
    const response = await provider.complete(request());
    assert.is(response.provider, 'anthropic');
    assert.is(response.model, 'claude-haiku-4-5');
    assert.equal(response.structured, GOOD_ANSWER);
    assert.is(response.fallbackFrom?.provider, 'ollama');
    assert.is(response.fallbackFrom?.error.code, 'PROVIDER');
    assert.is(response.fallbackFrom?.error.details?.kind, 'NETWORK');
    assert.is(response.requestText, hosted.requests[0]!.bodyText);
  } finally {
    await hosted.close();
  }
});

test('rate limited and timed-out primaries fall back; a wrong key does not', async () => {
  const primary = await startFakeOpenAi();
  const backup = await startFakeOpenAi();
  try {
    const provider = createProvider(
      {
        kind: 'openai',
        baseUrl: primary.baseUrl,
        model: 'gpt-4o',
        timeoutMs: 1000,
        fallback: { kind: 'openai-compatible', preset: 'vllm', baseUrl: backup.baseUrl, model: 'qwen' },
      },
      'primary-key',
    );
    primary.replyError(429, 'Rate limit reached', { headers: { 'retry-after': '20' } });
    backup.replyJson(GOOD_ANSWER);
    const limited = await provider.complete(request());
    assert.is(limited.provider, 'vllm');
    assert.is(limited.fallbackFrom?.error.code, 'RATE_LIMITED');
    assert.is(limited.fallbackFrom?.error.details?.retryAfterMs, 20_000);

    primary.replyJson(GOOD_ANSWER, { delayMs: 3000 });
    backup.replyJson(GOOD_ANSWER);
    const slow = await provider.complete(request());
    assert.is(slow.provider, 'vllm');
    assert.is(slow.fallbackFrom?.error.code, 'TIMEOUT');

    primary.replyError(401, 'Incorrect API key provided');
    const auth = await rejection(() => provider.complete(request()));
    assert.is(auth.details?.kind, 'AUTH');
    assert.is(backup.requests.length, 2, 'the fallback was not asked after an auth failure');

    primary.replyJson({ nope: true });
    const malformed = await rejection(() => provider.complete(request()));
    assert.is(malformed.details?.kind, 'MALFORMED_OUTPUT');
    assert.is(backup.requests.length, 2, 'nor after a malformed answer');
  } finally {
    await primary.close();
    await backup.close();
  }
});

test('both failing: one error naming both, with the fallback\u2019s code', async () => {
  const port = await closedPort();
  const backup = await startFakeOpenAi();
  try {
    const provider = createProvider(
      {
        kind: 'openai-compatible',
        preset: 'lmstudio',
        baseUrl: `http://127.0.0.1:${port}/v1`,
        model: 'm',
        fallback: { kind: 'openai-compatible', preset: 'vllm', baseUrl: backup.baseUrl, model: 'm' },
      },
      null,
      { retryBackoffMs: 10 },
    );
    backup.replyError(500, 'CUDA out of memory');
    backup.replyError(500, 'CUDA out of memory');
    const error = await rejection(() => provider.complete(request()));
    assert.is(error.code, 'PROVIDER');
    assert.is(error.details?.kind, 'SERVER');
    assert.match(error.message, /^LM Studio failed \(Could not connect to LM Studio.*\) and so did the fallback, vLLM: vLLM had a server error/);
    assert.is((error.details?.primaryError as { details: { kind: string } }).details.kind, 'NETWORK');
  } finally {
    await backup.close();
  }
});

test('testProvider reports latency and the served model, or the typed error', async () => {
  const fake = await startFakeOpenAi({ models: ['gpt-4o'] });
  try {
    fake.replyJson({ ok: true }, { model: 'gpt-4o-2024-08-06', delayMs: 50 });
    const good = await testProvider(createProvider({ kind: 'openai', baseUrl: fake.baseUrl, model: 'gpt-4o' }, 'k-123'));
    assert.is(good.ok, true);
    assert.is(good.model, 'gpt-4o-2024-08-06');
    assert.is(good.provider, 'openai');
    assert.ok(good.latencyMs >= 45, `latency ${good.latencyMs}`);
    const ping = fake.body(0);
    assert.is(ping.max_completion_tokens, 256);
    assert.is(ping.response_format!.json_schema!.name, 'connection_check');

    const bad = await testProvider(createProvider({ kind: 'openai', baseUrl: fake.baseUrl, model: 'gpt-missing' }, 'k-123'));
    assert.is(bad.ok, false);
    assert.is(bad.error?.code, 'PROVIDER');
    assert.is(bad.error?.details?.kind, 'MODEL_NOT_FOUND');
    assert.is(bad.model, 'gpt-missing');
  } finally {
    await fake.close();
  }
});

test.run();
