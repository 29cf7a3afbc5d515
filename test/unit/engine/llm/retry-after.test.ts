import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDuration, retryAfterMs } from '../../../../engine/llm/retry-after';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const h = (init: Record<string, string>) => new Headers(init);

test('Retry-After in seconds or as an HTTP date; retry-after-ms first', () => {
  assert.is(retryAfterMs(h({ 'retry-after': '12' }), NOW), 12_000);
  assert.is(retryAfterMs(h({ 'retry-after': '0.5' }), NOW), 500);
  assert.is(retryAfterMs(h({ 'retry-after': 'Sun, 01 Jun 2025 12:00:45 GMT' }), NOW), 45_000);
  assert.is(retryAfterMs(h({ 'retry-after': 'Sun, 01 Jun 2025 11:00:00 GMT' }), NOW), 0, 'a date in the past means now');
  assert.is(retryAfterMs(h({ 'retry-after-ms': '1500', 'retry-after': '2' }), NOW), 1500);
  assert.is(retryAfterMs(h({ 'retry-after': 'soon' }), NOW), undefined);
  assert.is(retryAfterMs(h({}), NOW), undefined);
});

test('Anthropic reset times: the exhausted limit decides', () => {
  const headers = h({
    'anthropic-ratelimit-requests-remaining': '0',
    'anthropic-ratelimit-requests-reset': '2025-06-01T12:00:05Z',
    'anthropic-ratelimit-tokens-remaining': '5000',
    'anthropic-ratelimit-tokens-reset': '2025-06-01T12:00:40Z',
  });
  assert.is(retryAfterMs(headers, NOW), 5_000);
  assert.is(retryAfterMs(h({ 'anthropic-ratelimit-tokens-reset': '2025-06-01T12:00:40Z', 'anthropic-ratelimit-requests-reset': '2025-06-01T12:00:05Z' }), NOW), 40_000);
});

test('OpenAI x-ratelimit-reset-* durations', () => {
  assert.is(retryAfterMs(h({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '6m0s', 'x-ratelimit-reset-tokens': '20ms' }), NOW), 360_000);
  assert.is(parseDuration('1h2m3.5s'), 3_723_500);
  assert.is(parseDuration('20ms'), 20);
  assert.is(parseDuration('7'), 7_000);
  assert.is(parseDuration('7 minutes'), undefined);
});

test.run();
