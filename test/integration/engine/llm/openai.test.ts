import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CancelledError, ProviderError, RateLimitedError, TimeoutError, toApiError } from '../../../../engine/errors';
import { createProvider, type LedgerEntry } from '../../../../engine/llm/index';
import { type ChatCompletionRequest, closedPort, startFakeOpenAi } from '../../../support/fake-llm/index';
import { ANSWER_SCHEMA, GOOD_ANSWER, rejection, request } from './support';

const KEY = 'sk-proj-TESTKEY1234567890abcdefXYZ';

test('hosted OpenAI: request shape, strict json_schema, and the answer normalized', async () => {
  const fake = await startFakeOpenAi({ apiKey: KEY, models: ['gpt-4o-mini'] });
  try {
    const provider = createProvider({ kind: 'openai', baseUrl: fake.baseUrl, model: 'gpt-4o-mini' }, KEY);
    // Strict mode answers optional fields with null; callers must see them absent.
    fake.replyJson({ ...GOOD_ANSWER, assumptions: null }, { model: 'gpt-4o-mini-2024-07-18', usage: { prompt_tokens: 120, completion_tokens: 17 } });
    const response = await provider.complete(request({ temperature: 0 }));

    const [sent] = fake.requests;
    assert.is(sent!.method, 'POST');
    assert.is(sent!.path, '/v1/chat/completions');
    assert.is(sent!.headers.authorization, `Bearer ${KEY}`);
    assert.is(sent!.headers['content-type'], 'application/json');
    const body = sent!.body as ChatCompletionRequest;
    assert.is(body.model, 'gpt-4o-mini');
    assert.is(body.messages[0]!.role, 'system');
    assert.match(body.messages[0]!.content, /^You turn questions into one read-only SQL query\./);
    assert.match(body.messages[0]!.content, /<context title="Schema">\nCREATE TABLE album/);
    assert.equal(body.messages[1], { role: 'user', content: 'How many albums are there?' });
    assert.is(body.max_completion_tokens, 1024);
    assert.is(body.max_tokens, undefined);
    assert.is(body.temperature, 0);
    assert.is(body.stream, false);
    assert.is(body.response_format!.type, 'json_schema');
    assert.is(body.response_format!.json_schema!.name, 'query_answer');
    assert.is(body.response_format!.json_schema!.strict, true);
    const strict = body.response_format!.json_schema!.schema;
    assert.equal(strict.required, ['query', 'confidence', 'assumptions']);
    assert.equal(strict.properties!.assumptions!.type, ['array', 'null']);
    assert.is(strict.additionalProperties, false);

    assert.equal(response.structured, GOOD_ANSWER);
    assert.is(response.text, JSON.stringify({ ...GOOD_ANSWER, assumptions: null }));
    assert.equal(response.usage, { inputTokens: 120, outputTokens: 17 });
    assert.is(response.model, 'gpt-4o-mini-2024-07-18');
    assert.is(response.provider, 'openai');
    assert.match(response.responseId ?? '', /^chatcmpl-/);
    assert.is(response.requestText, sent!.bodyText, 'the ledger text is exactly what was sent');
    assert.ok(response.latencyMs >= 0);
    assert.not.match(response.requestText, KEY);
  } finally {
    await fake.close();
  }
});

test('Ollama preset: json_schema without strict, max_tokens, no Authorization without a key', async () => {
  const fake = await startFakeOpenAi({ flavor: 'ollama' });
  try {
    const provider = createProvider({ kind: 'openai-compatible', preset: 'ollama', baseUrl: fake.baseUrl, model: 'qwen2.5-coder:7b' }, null);
    assert.is(provider.hosted, false);
    fake.replyJson(GOOD_ANSWER);
    const response = await provider.complete(request({ maxTokens: 300 }));
    const body = fake.lastBody();
    assert.is(fake.requests[0]!.headers.authorization, undefined);
    assert.equal(body.response_format, { type: 'json_schema', json_schema: { name: 'query_answer', schema: ANSWER_SCHEMA } });
    assert.is(body.max_tokens, 300);
    assert.is(body.max_completion_tokens, undefined);
    assert.not.match(body.messages[0]!.content, /JSON Schema/, 'the schema is enforced by the API, not repeated in the prompt');
    assert.equal(response.structured, GOOD_ANSWER);
    assert.is(response.provider, 'ollama');
  } finally {
    await fake.close();
  }
});

test('llama.cpp preset: json_object with its schema extension, schema described in the prompt; a fenced answer is read', async () => {
  const fake = await startFakeOpenAi();
  try {
    const provider = createProvider({ kind: 'openai-compatible', preset: 'llamacpp', baseUrl: fake.baseUrl, model: 'local' }, null);
    fake.replyText('Sure! Here is the query:\n\n```json\n{\n  "query": "SELECT count(*)\nFROM album",\n  "confidence": 0.8,\n}\n```\nLet me know if you need more.');
    const response = await provider.complete(request());
    const body = fake.lastBody();
    assert.is(body.response_format!.type, 'json_object');
    assert.equal(body.response_format!.schema, ANSWER_SCHEMA);
    assert.match(body.messages[0]!.content, /matches this JSON Schema/);
    assert.equal(response.structured, { query: 'SELECT count(*)\nFROM album', confidence: 0.8 });
  } finally {
    await fake.close();
  }
});

test('custom server: plain JSON mode; single quotes and prose around the object are tolerated', async () => {
  const fake = await startFakeOpenAi();
  try {
    const provider = createProvider({ kind: 'openai-compatible', baseUrl: fake.baseUrl, model: 'any' }, 'local-token-123');
    fake.replyText("The answer is {'query': 'SELECT title FROM album WHERE title = \\'Facelift\\'', 'confidence': 0.7} as requested.");
    const response = await provider.complete(request());
    const sent = fake.requests[0]!;
    assert.equal((sent.body as ChatCompletionRequest).response_format, { type: 'json_object' });
    assert.is(sent.headers.authorization, 'Bearer local-token-123');
    assert.is(response.provider, 'custom');
    assert.equal(response.structured, { query: "SELECT title FROM album WHERE title = 'Facelift'", confidence: 0.7 });
  } finally {
    await fake.close();
  }
});

test('tool mode: a forced function call whose arguments are the answer', async () => {
  const fake = await startFakeOpenAi();
  try {
    const provider = createProvider({ kind: 'openai-compatible', preset: 'vllm', baseUrl: fake.baseUrl, model: 'm', structuredOutput: 'tool' }, null);
    fake.replyToolCall(GOOD_ANSWER);
    const response = await provider.complete(request());
    const body = fake.lastBody();
    assert.is(body.response_format, undefined);
    assert.equal(body.tools, [{ type: 'function', function: { name: 'query_answer', description: 'One read-only query answering the question.', parameters: ANSWER_SCHEMA } }]);
    assert.equal(body.tool_choice, { type: 'function', function: { name: 'query_answer' } });
    assert.equal(response.structured, GOOD_ANSWER);
    assert.is(response.text, JSON.stringify(GOOD_ANSWER));
  } finally {
    await fake.close();
  }
});

test('a runtime that rejects json_schema gets JSON mode instead, and keeps getting it', async () => {
  const fake = await startFakeOpenAi();
  const ledger: LedgerEntry[] = [];
  try {
    const provider = createProvider({ kind: 'openai-compatible', preset: 'lmstudio', baseUrl: fake.baseUrl, model: 'm' }, null, { ledger: (e) => ledger.push(e) });
    fake.replyError(400, "'response_format.type' must be 'json_object' or 'text'");
    fake.replyJson(GOOD_ANSWER);
    const first = await provider.complete(request());
    assert.equal(first.structured, GOOD_ANSWER);
    assert.is(fake.body(0).response_format?.type, 'json_schema');
    assert.is(fake.body(1).response_format?.type, 'json_object');
    assert.is(first.requestText, fake.requests[1]!.bodyText, 'the ledger text is the request that was answered');
    assert.equal(ledger.map((e) => e.requestText), [fake.requests[0]!.bodyText, fake.requests[1]!.bodyText], 'failed attempts are in the ledger too');
    assert.ok(ledger.every((e) => e.provider === 'lmstudio' && e.url === `${fake.baseUrl}/chat/completions` && e.hosted === false));

    fake.replyJson(GOOD_ANSWER);
    await provider.complete(request());
    assert.is(fake.requests.length, 3);
    assert.is(fake.body(2).response_format?.type, 'json_object');
  } finally {
    await fake.close();
  }
});

test('a 400 unrelated to structured output is BAD_REQUEST with the server message, not retried', async () => {
  const fake = await startFakeOpenAi();
  try {
    const provider = createProvider({ kind: 'openai-compatible', preset: 'vllm', baseUrl: fake.baseUrl, model: 'm' }, null);
    fake.replyError(400, "This model's maximum context length is 8192 tokens. However, you requested 9100 tokens.");
    const error = await rejection(() => provider.complete(request()));
    assert.instance(error, ProviderError);
    assert.is(error.details?.kind, 'BAD_REQUEST');
    assert.match(error.message, /maximum context length is 8192/);
    assert.is(fake.requests.length, 1);
  } finally {
    await fake.close();
  }
});

test('401: AUTH asking to check the key, and the key (echoed by the server) appears nowhere', async () => {
  const fake = await startFakeOpenAi({ apiKey: 'the-right-one' });
  // A key no redaction pattern recognizes: only registering it can keep it out.
  const key = 'Zq7uN2pLk9Ws4Xc8Rv1TgatewayKey';
  try {
    const provider = createProvider({ kind: 'openai-compatible', baseUrl: fake.baseUrl, model: 'gpt-4o' }, key);
    const error = await rejection(() => provider.complete(request()));
    assert.instance(error, ProviderError);
    assert.is(error.details?.kind, 'AUTH');
    assert.is(error.details?.status, 401);
    assert.match(error.message, /check the API key/);
    assert.match(error.message, /Incorrect API key provided/, 'the server message is kept, minus the key');
    assert.is(fake.requests[0]!.headers.authorization, `Bearer ${key}`);
    assert.not.match(JSON.stringify(toApiError(error)), key);
    assert.not.match(error.message, key);
    assert.is(fake.requests.length, 1, 'auth failures are not retried');
  } finally {
    await fake.close();
  }
});

test('unknown model: MODEL_NOT_FOUND, with a pull hint for Ollama', async () => {
  const openai = await startFakeOpenAi({ models: ['gpt-4o'] });
  const ollama = await startFakeOpenAi({ flavor: 'ollama', models: ['llama3.1'] });
  try {
    const a = await rejection(() => createProvider({ kind: 'openai', baseUrl: openai.baseUrl, model: 'gpt-9' }, KEY).complete(request()));
    assert.is(a.details?.kind, 'MODEL_NOT_FOUND');
    assert.match(a.message, /has no model "gpt-9"/);
    const b = await rejection(() =>
      createProvider({ kind: 'openai-compatible', preset: 'ollama', baseUrl: ollama.baseUrl, model: 'qwen3:8b' }, null).complete(request()),
    );
    assert.is(b.details?.kind, 'MODEL_NOT_FOUND');
    assert.match(b.message, /ollama pull qwen3:8b/);
  } finally {
    await openai.close();
    await ollama.close();
  }
});

test('a base URL without the API path: ENDPOINT_NOT_FOUND naming the URL', async () => {
  const fake = await startFakeOpenAi();
  try {
    const provider = createProvider({ kind: 'openai-compatible', preset: 'ollama', baseUrl: fake.origin, model: 'm' }, null);
    const error = await rejection(() => provider.complete(request()));
    assert.is(error.details?.kind, 'ENDPOINT_NOT_FOUND');
    assert.match(error.message, new RegExp(`${fake.origin}/chat/completions.*Check the base URL`));
  } finally {
    await fake.close();
  }
});

test('429: RateLimitedError with retryAfterMs from Retry-After seconds, an HTTP date, or x-ratelimit-reset-*', async () => {
  const fake = await startFakeOpenAi();
  try {
    const provider = createProvider({ kind: 'openai', baseUrl: fake.baseUrl, model: 'gpt-4o' }, KEY);
    fake.replyError(429, 'Rate limit reached for requests', { type: 'requests', code: 'rate_limit_exceeded', headers: { 'retry-after': '7' } });
    const seconds = await rejection(() => provider.complete(request()));
    assert.instance(seconds, RateLimitedError);
    assert.is(seconds.details?.retryAfterMs, 7000);
    assert.match(seconds.message, /Try again in 7 s/);

    fake.replyError(429, 'slow down', { headers: { 'retry-after': new Date(Date.now() + 30_000).toUTCString() } });
    const date = await rejection(() => provider.complete(request()));
    const ms = date.details?.retryAfterMs as number;
    assert.ok(ms > 27_000 && ms <= 30_000, `retryAfterMs ${ms}`);

    fake.replyError(429, 'tokens', {
      headers: { 'x-ratelimit-remaining-requests': '10', 'x-ratelimit-reset-requests': '2s', 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '1m30s' },
    });
    const reset = await rejection(() => provider.complete(request()));
    assert.is(reset.details?.retryAfterMs, 90_000);
    assert.is(fake.requests.length, 3, '429 is not retried by the adapter');
  } finally {
    await fake.close();
  }
});

test('5xx: retried once after a backoff; a second failure is SERVER', async () => {
  const fake = await startFakeOpenAi();
  try {
    const provider = createProvider({ kind: 'openai', baseUrl: fake.baseUrl, model: 'gpt-4o' }, KEY, { retryBackoffMs: 150 });
    fake.replyError(503, 'The server is overloaded');
    fake.replyJson(GOOD_ANSWER);
    const started = Date.now();
    const response = await provider.complete(request());
    assert.ok(Date.now() - started >= 140, 'waited before retrying');
    assert.equal(response.structured, GOOD_ANSWER);
    assert.is(fake.requests.length, 2);

    fake.replyError(500, 'boom');
    fake.replyError(502, 'bad gateway');
    const error = await rejection(() => provider.complete(request()));
    assert.is(error.details?.kind, 'SERVER');
    assert.is(error.details?.status, 502);
    assert.is(fake.requests.length, 4);
  } finally {
    await fake.close();
  }
});

test('timeout: TimeoutError after timeoutMs, the request is abandoned', async () => {
  const fake = await startFakeOpenAi();
  try {
    const provider = createProvider({ kind: 'openai-compatible', preset: 'ollama', baseUrl: fake.baseUrl, model: 'm', timeoutMs: 1000 }, null);
    fake.replyJson(GOOD_ANSWER, { delayMs: 5000 });
    const started = Date.now();
    const error = await rejection(() => provider.complete(request()));
    const elapsed = Date.now() - started;
    assert.instance(error, TimeoutError);
    // Abandoned: it returned before the server's answer (due at 5 s) ever came.
    assert.ok(elapsed >= 950 && elapsed < 4_500, `elapsed ${elapsed}`);
    assert.match(error.message, /did not answer within 1 s/);
  } finally {
    await fake.close();
  }
});

test('cancelling the signal ends the request with CancelledError', async () => {
  const fake = await startFakeOpenAi();
  try {
    const provider = createProvider({ kind: 'openai-compatible', preset: 'ollama', baseUrl: fake.baseUrl, model: 'm' }, null);
    fake.replyJson(GOOD_ANSWER, { delayMs: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const error = await rejection(() => provider.complete(request({ signal: controller.signal })));
    assert.instance(error, CancelledError);
    assert.ok(Date.now() - started < 4_500, 'ended by the cancel, not by the answer due at 5 s');
  } finally {
    await fake.close();
  }
});

test('nothing listening: NETWORK with an actionable message', async () => {
  const port = await closedPort();
  const provider = createProvider({ kind: 'openai-compatible', preset: 'ollama', baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm' }, null);
  const error = await rejection(() => provider.complete(request()));
  assert.instance(error, ProviderError);
  assert.is(error.details?.kind, 'NETWORK');
  assert.is(error.details?.code, 'ECONNREFUSED');
  assert.match(error.message, new RegExp(`Is Ollama running on 127\\.0\\.0\\.1:${port}\\?`));
});

test('malformed answers: no JSON, the wrong shape, or cut off at the token limit', async () => {
  const fake = await startFakeOpenAi();
  try {
    const provider = createProvider({ kind: 'openai-compatible', preset: 'ollama', baseUrl: fake.baseUrl, model: 'm' }, null);
    fake.replyText('I am sorry, I cannot write that query.');
    const none = await rejection(() => provider.complete(request()));
    assert.is(none.details?.kind, 'MALFORMED_OUTPUT');
    assert.match(none.message, /contained no JSON/);

    fake.replyJson({ query: 42, confidence: 3 });
    const shape = await rejection(() => provider.complete(request()));
    assert.is(shape.details?.kind, 'MALFORMED_OUTPUT');
    assert.match(shape.message, /\$\.query: expected string/);
    assert.ok((shape.details?.issues as string[]).some((i) => i.includes('$.confidence: greater than 1')));

    fake.replyText('{"query": "SELECT a, b, c FROM some_very_long', { finishReason: 'length' });
    const cut = await rejection(() => provider.complete(request()));
    assert.is(cut.details?.kind, 'MALFORMED_OUTPUT');
    assert.is(cut.details?.truncated, true);
    assert.match(cut.message, /cut off at the token limit \(1024\)/);
  } finally {
    await fake.close();
  }
});

test('a refusal is REFUSED; an HTML page instead of the API is PROTOCOL', async () => {
  const fake = await startFakeOpenAi();
  try {
    const provider = createProvider({ kind: 'openai', baseUrl: fake.baseUrl, model: 'gpt-4o' }, KEY);
    fake.replyRefusal("I'm sorry, I can't help with that.");
    const refused = await rejection(() => provider.complete(request()));
    assert.is(refused.details?.kind, 'REFUSED');
    assert.match(refused.message, /declined to answer: I'm sorry/);

    fake.enqueue({ status: 200, rawBody: '<!doctype html><title>Router login</title>', headers: { 'content-type': 'text/html' } });
    const html = await rejection(() => provider.complete(request()));
    assert.is(html.details?.kind, 'PROTOCOL');
    fake.enqueue({ status: 200, body: { hello: 'world' } });
    const wrong = await rejection(() => provider.complete(request()));
    assert.is(wrong.details?.kind, 'PROTOCOL');
    assert.match(wrong.message, /not in the expected format \(no choices\[0\]\.message\)/);
  } finally {
    await fake.close();
  }
});

test('free text: without an output schema, no response_format and structured is null', async () => {
  const fake = await startFakeOpenAi();
  try {
    const provider = createProvider({ kind: 'openai', baseUrl: fake.baseUrl, model: 'gpt-4o' }, KEY);
    fake.replyText('Albums are grouped by artist.');
    const response = await provider.complete(request({ outputSchema: null }));
    assert.is(fake.lastBody().response_format, undefined);
    assert.is(response.structured, null);
    assert.is(response.text, 'Albums are grouped by artist.');
  } finally {
    await fake.close();
  }
});

test.run();
