import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ProviderError, RateLimitedError, toApiError } from '../../../../engine/errors';
import { createProvider } from '../../../../engine/llm/index';
import { type MessagesRequest, startFakeAnthropic } from '../../../support/fake-llm/index';
import { ANSWER_SCHEMA, GOOD_ANSWER, rejection, request } from './support';

// Not shaped like any known key format, so only its registration can redact it.
const KEY = 'anthropic-test-Q2w9Ee7Rr5Tt3Yy1';
const MODEL = 'claude-sonnet-4-5';

test('request shape: x-api-key, anthropic-version, a forced tool whose input_schema is the output schema', async () => {
  const fake = await startFakeAnthropic({ apiKey: KEY, models: [MODEL] });
  try {
    const provider = createProvider({ kind: 'anthropic', baseUrl: fake.baseUrl, model: MODEL }, KEY);
    fake.replyToolUse(GOOD_ANSWER, { usage: { input_tokens: 210, output_tokens: 31 } });
    const response = await provider.complete(
      request({
        messages: [
          { role: 'user', content: 'How many albums?' },
          { role: 'assistant', content: '{"query":"SELECT count(*) FROM album"}' },
          { role: 'user', content: 'And tracks?' },
        ],
        temperature: 0.2,
        maxTokens: 700,
      }),
    );

    const [sent] = fake.requests;
    assert.is(sent!.method, 'POST');
    assert.is(sent!.path, '/v1/messages');
    assert.is(sent!.headers['x-api-key'], KEY);
    assert.is(sent!.headers['anthropic-version'], '2023-06-01');
    assert.is(sent!.headers.authorization, undefined);
    const body = sent!.body as MessagesRequest;
    assert.is(body.model, MODEL);
    assert.is(body.max_tokens, 700);
    assert.is(body.temperature, 0.2);
    assert.type(body.system, 'string');
    assert.match(body.system!, /^You turn questions into one read-only SQL query\.\n\n<context title="Schema">/);
    assert.not.match(body.system!, /JSON Schema/, 'the tool carries the schema');
    assert.equal(body.messages, [
      { role: 'user', content: 'How many albums?' },
      { role: 'assistant', content: '{"query":"SELECT count(*) FROM album"}' },
      { role: 'user', content: 'And tracks?' },
    ]);
    assert.equal(body.tools, [{ name: 'query_answer', description: 'One read-only query answering the question.', input_schema: ANSWER_SCHEMA }]);
    assert.equal(body.tool_choice, { type: 'tool', name: 'query_answer' });

    assert.equal(response.structured, GOOD_ANSWER);
    assert.equal(JSON.parse(response.text), GOOD_ANSWER);
    assert.equal(response.usage, { inputTokens: 210, outputTokens: 31 });
    assert.is(response.provider, 'anthropic');
    assert.is(response.model, MODEL);
    assert.match(response.responseId ?? '', /^msg_/);
    assert.is(response.requestText, sent!.bodyText);
    assert.not.match(response.requestText, KEY);
  } finally {
    await fake.close();
  }
});

test('a text block before the tool_use block is ignored; the tool input is the answer', async () => {
  const fake = await startFakeAnthropic();
  try {
    const provider = createProvider({ kind: 'anthropic', baseUrl: fake.baseUrl, model: MODEL }, KEY);
    fake.replyToolUse({ ...GOOD_ANSWER, assumptions: ['albums without tracks count'] }, { preamble: 'Let me look at the schema.' });
    const response = await provider.complete(request());
    assert.equal(response.structured, { ...GOOD_ANSWER, assumptions: ['albums without tracks count'] });
  } finally {
    await fake.close();
  }
});

test('a model that answers in text instead of the tool is still read when the JSON is there', async () => {
  const fake = await startFakeAnthropic();
  try {
    const provider = createProvider({ kind: 'anthropic', baseUrl: fake.baseUrl, model: MODEL }, KEY);
    fake.replyText('Here you go:\n```json\n{"query": "SELECT 1", "confidence": 1,}\n```');
    const response = await provider.complete(request());
    assert.equal(response.structured, { query: 'SELECT 1', confidence: 1 });
  } finally {
    await fake.close();
  }
});

test('a tool input of the wrong shape is MALFORMED_OUTPUT; max_tokens says the answer was cut off', async () => {
  const fake = await startFakeAnthropic();
  try {
    const provider = createProvider({ kind: 'anthropic', baseUrl: fake.baseUrl, model: MODEL }, KEY);
    fake.replyToolUse({ sql: 'SELECT 1' });
    const shape = await rejection(() => provider.complete(request()));
    assert.instance(shape, ProviderError);
    assert.is(shape.details?.kind, 'MALFORMED_OUTPUT');
    assert.ok((shape.details?.issues as string[]).includes('$.query: is required'));

    fake.replyToolUse({ query: 'SELECT' }, { stopReason: 'max_tokens' });
    const cut = await rejection(() => provider.complete(request()));
    assert.is(cut.details?.kind, 'MALFORMED_OUTPUT');
    assert.match(cut.message, /cut off/);
  } finally {
    await fake.close();
  }
});

test('errors: 401/403 AUTH without the key, 404 model, 429 with anthropic-ratelimit headers, 529 retried then SERVER', async () => {
  const fake = await startFakeAnthropic({ apiKey: 'the-right-key', models: [MODEL] });
  try {
    const wrongKey = createProvider({ kind: 'anthropic', baseUrl: fake.baseUrl, model: MODEL }, KEY);
    const auth = await rejection(() => wrongKey.complete(request()));
    assert.is(auth.details?.kind, 'AUTH');
    assert.match(auth.message, /invalid x-api-key/);
    assert.not.match(JSON.stringify(toApiError(auth)), KEY);

    const provider = createProvider({ kind: 'anthropic', baseUrl: fake.baseUrl, model: MODEL }, 'the-right-key', { retryBackoffMs: 10 });
    const missing = await rejection(() => createProvider({ kind: 'anthropic', baseUrl: fake.baseUrl, model: 'claude-0' }, 'the-right-key').complete(request()));
    assert.is(missing.details?.kind, 'MODEL_NOT_FOUND');
    assert.match(missing.message, /no model "claude-0"/);

    const reset = new Date(Date.now() + 20_000).toISOString();
    fake.replyError(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', {
      headers: {
        'anthropic-ratelimit-requests-remaining': '40',
        'anthropic-ratelimit-requests-reset': new Date(Date.now() + 2_000).toISOString(),
        'anthropic-ratelimit-input-tokens-remaining': '0',
        'anthropic-ratelimit-input-tokens-reset': reset,
      },
    });
    const limited = await rejection(() => provider.complete(request()));
    assert.instance(limited, RateLimitedError);
    const wait = limited.details?.retryAfterMs as number;
    assert.ok(wait > 17_000 && wait <= 20_000, `retryAfterMs ${wait}`);
    assert.is(limited.details?.providerCode, 'rate_limit_error');

    const before = fake.requests.length;
    fake.replyError(529, 'overloaded_error', 'Overloaded');
    fake.replyError(529, 'overloaded_error', 'Overloaded');
    const overloaded = await rejection(() => provider.complete(request()));
    assert.is(overloaded.details?.kind, 'SERVER');
    assert.match(overloaded.message, /HTTP 529.*Overloaded/);
    assert.is(fake.requests.length - before, 2);

    fake.replyError(403, 'permission_error', 'Your API key does not have permission to use the specified resource.');
    const forbidden = await rejection(() => provider.complete(request()));
    assert.is(forbidden.details?.kind, 'AUTH');
    assert.is(forbidden.details?.status, 403);
  } finally {
    await fake.close();
  }
});

test.run();
