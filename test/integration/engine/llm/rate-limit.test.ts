/**
 * Our own limits on a model provider (issue 12, S6-003), against the local OpenAI and Anthropic wire
 * servers: a provider's 429 with Retry-After stops further requests until that time, and requests and
 * tokens per minute set in Settings are refused before they leave the machine, each with RATE_LIMITED
 * and the wait in `retryAfterMs`. The clock is the limiter's own, moved by the test.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createProvider, ProviderRateLimiter, type ProviderLimits } from '../../../../engine/llm/index';
import { startFakeAnthropic, startFakeOpenAi } from '../../../support/fake-llm/index';
import { GOOD_ANSWER, rejection, request } from './support';

const KEY = 'sk-proj-TESTKEY1234567890abcdefXYZ';

function limiter(limits: Partial<ProviderLimits> = {}) {
  let now = 1_750_000_000_000;
  const current: ProviderLimits = { requestsPerMinute: 0, tokensPerMinute: 0, ...limits };
  return { limiter: new ProviderRateLimiter({ limits: () => current, now: () => now }), advance: (ms: number) => (now += ms) };
}

test("OpenAI-compatible: after the provider's 429 with Retry-After, nothing is sent until then, and the user is told when", async () => {
  const fake = await startFakeOpenAi();
  const { limiter: limits, advance } = limiter();
  try {
    const provider = createProvider({ kind: 'openai', baseUrl: fake.baseUrl, model: 'gpt-4o' }, KEY, { limiter: limits });
    fake.replyError(429, 'Rate limit reached for requests', { type: 'requests', code: 'rate_limit_exceeded', headers: { 'retry-after': '12' } });
    const fromProvider = await rejection(() => provider.complete(request()));
    assert.is(fromProvider.code, 'RATE_LIMITED');
    assert.is(fromProvider.details?.retryAfterMs, 12_000);

    advance(2_000);
    const held = await rejection(() => provider.complete(request()));
    assert.is(held.code, 'RATE_LIMITED');
    assert.is(held.details?.retryAfterMs, 10_000);
    assert.match(held.message, /Try again in 10 s\./);
    assert.is(fake.requests.length, 1, 'the request waiting out Retry-After never left the machine');

    advance(10_000);
    fake.replyJson(GOOD_ANSWER);
    assert.equal((await provider.complete(request())).structured, GOOD_ANSWER);
    assert.is(fake.requests.length, 2);
  } finally {
    await fake.close();
  }
});

test('Anthropic: Retry-After is honoured the same way', async () => {
  const fake = await startFakeAnthropic();
  const { limiter: limits, advance } = limiter();
  try {
    const provider = createProvider({ kind: 'anthropic', baseUrl: fake.baseUrl, model: 'claude-sonnet-4-5' }, 'key', { limiter: limits });
    fake.replyError(429, 'rate_limit_error', 'Number of requests has exceeded your per-minute rate limit', { headers: { 'retry-after': '30' } });
    assert.is((await rejection(() => provider.complete(request()))).details?.retryAfterMs, 30_000);
    const held = await rejection(() => provider.complete(request()));
    assert.equal([held.code, held.details?.retryAfterMs], ['RATE_LIMITED', 30_000]);
    assert.is(fake.requests.length, 1);
    advance(30_000);
    fake.replyToolUse(GOOD_ANSWER);
    assert.equal((await provider.complete(request())).structured, GOOD_ANSWER);
  } finally {
    await fake.close();
  }
});

test('requests per minute: the one past the limit is refused locally with the time until the window frees one', async () => {
  const fake = await startFakeOpenAi();
  const { limiter: limits, advance } = limiter({ requestsPerMinute: 2 });
  try {
    const provider = createProvider({ kind: 'openai', baseUrl: fake.baseUrl, model: 'gpt-4o' }, KEY, { limiter: limits });
    for (let i = 0; i < 2; i++) {
      fake.replyJson(GOOD_ANSWER);
      await provider.complete(request());
      advance(5_000);
    }
    const refused = await rejection(() => provider.complete(request()));
    assert.equal([refused.code, refused.details?.reason, refused.details?.retryAfterMs], ['RATE_LIMITED', 'PROVIDER_REQUESTS', 50_000]);
    assert.match(refused.message, /2 requests a minute.*Try again in 50 s\./);
    assert.is(fake.requests.length, 2);
    advance(50_000);
    fake.replyJson(GOOD_ANSWER);
    await provider.complete(request());
    assert.is(fake.requests.length, 3);
  } finally {
    await fake.close();
  }
});

test("tokens per minute count what the provider reports it used; a request that would pass the limit waits for the window", async () => {
  const fake = await startFakeOpenAi();
  const { limiter: limits, advance } = limiter({ tokensPerMinute: 300 });
  try {
    const provider = createProvider({ kind: 'openai', baseUrl: fake.baseUrl, model: 'gpt-4o' }, KEY, { limiter: limits });
    const ask = () => provider.complete(request({ maxTokens: 50 }));
    fake.replyJson(GOOD_ANSWER, { usage: { prompt_tokens: 120, completion_tokens: 17 } });
    await ask();
    advance(1_000);
    fake.replyJson(GOOD_ANSWER, { usage: { prompt_tokens: 120, completion_tokens: 17 } });
    await ask();
    // 274 tokens spent; this one needs about 85 (its text and its 50-token answer cap).
    const refused = await rejection(ask);
    assert.equal([refused.code, refused.details?.reason, refused.details?.retryAfterMs], ['RATE_LIMITED', 'PROVIDER_TOKENS', 59_000]);
    assert.is(fake.requests.length, 2);
    const tooBig = await rejection(() => provider.complete(request({ maxTokens: 1_000 })));
    assert.equal([tooBig.code, tooBig.details?.retryAfterMs], ['RATE_LIMITED', undefined], 'a request bigger than the whole limit is not told to wait');
    advance(59_000);
    fake.replyJson(GOOD_ANSWER);
    await ask();
    assert.is(fake.requests.length, 3);
  } finally {
    await fake.close();
  }
});

test('a locally refused primary hands the question to the fallback provider', async () => {
  const primary = await startFakeOpenAi();
  const fallback = await startFakeAnthropic();
  const { limiter: limits } = limiter({ requestsPerMinute: 1 });
  try {
    const provider = createProvider(
      { kind: 'openai', baseUrl: primary.baseUrl, model: 'gpt-4o', fallback: { kind: 'anthropic', baseUrl: fallback.baseUrl, model: 'claude-sonnet-4-5' } },
      KEY,
      { limiter: limits, fallbackApiKey: 'key' },
    );
    primary.replyJson(GOOD_ANSWER);
    await provider.complete(request());
    fallback.replyToolUse(GOOD_ANSWER);
    const answered = await provider.complete(request());
    assert.is(answered.provider, 'anthropic');
    assert.is(answered.fallbackFrom?.error.code, 'RATE_LIMITED');
    assert.is(primary.requests.length, 1);
  } finally {
    await primary.close();
    await fallback.close();
  }
});

test.run();
