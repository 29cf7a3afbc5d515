import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hintFor } from '../../../../engine/chat/generation';
import { RateLimitedError } from '../../../../engine/errors';

test("a refusal's hint in the thread names what is limited: the source, our model limit, or the provider", () => {
  assert.match(hintFor(new RateLimitedError('x', { reason: 'SOURCE_RATE', retryAfterMs: 12_000 })) ?? '', /This source .*Settings, Limits/);
  assert.match(hintFor(new RateLimitedError('x', { reason: 'SOURCE_QUEUE_FULL', retryAfterMs: 1_000 })) ?? '', /This source/);
  assert.match(hintFor(new RateLimitedError('x', { reason: 'PROVIDER_TOKENS', retryAfterMs: 1_000 })) ?? '', /model requests .*Settings, Limits/);
  assert.match(hintFor(new RateLimitedError('x', { retryAfterMs: 7_000 })) ?? '', /model provider is rate-limiting/);
});

test.run();
