import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isHostedUrl, isLoopbackHost, ProviderConfig, providerId, providerLabel } from '../../../../engine/llm/config';

test('presets fill their local default base URLs and are not hosted', () => {
  const expected = {
    ollama: 'http://127.0.0.1:11434/v1',
    lmstudio: 'http://127.0.0.1:1234/v1',
    llamacpp: 'http://127.0.0.1:8080/v1',
    vllm: 'http://127.0.0.1:8000/v1',
  } as const;
  for (const [preset, baseUrl] of Object.entries(expected)) {
    const config = ProviderConfig.parse({ kind: 'openai-compatible', preset, model: 'm' });
    assert.is(config.baseUrl, baseUrl, preset);
    assert.is(config.hosted, false, preset);
    assert.is(providerId(config), preset);
  }
});

test('hosted defaults: OpenAI and Anthropic, with the anthropic-version pinned', () => {
  const openai = ProviderConfig.parse({ kind: 'openai', model: 'gpt-4o-mini' });
  assert.is(openai.baseUrl, 'https://api.openai.com/v1');
  assert.is(openai.hosted, true);
  assert.is(openai.timeoutMs, 60_000);
  const anthropic = ProviderConfig.parse({ kind: 'anthropic', model: 'claude-sonnet-4-5' });
  assert.is(anthropic.baseUrl, 'https://api.anthropic.com');
  assert.is(anthropic.kind === 'anthropic' && anthropic.anthropicVersion, '2023-06-01');
  assert.is(anthropic.hosted, true);
  assert.is(providerLabel(anthropic), 'Anthropic');
});

test('structured-output mode per preset, overridable', () => {
  const mode = (input: object) => {
    const c = ProviderConfig.parse({ kind: 'openai-compatible', model: 'm', ...input });
    return c.kind === 'openai-compatible' ? c.structuredOutput : null;
  };
  assert.is(mode({ preset: 'ollama' }), 'json_schema');
  assert.is(mode({ preset: 'lmstudio' }), 'json_schema');
  assert.is(mode({ preset: 'llamacpp' }), 'json_object');
  assert.is(mode({ preset: 'vllm' }), 'json_schema');
  assert.is(mode({ baseUrl: 'http://localhost:9999/v1' }), 'json_object');
  assert.is(mode({ preset: 'ollama', structuredOutput: 'tool' }), 'tool');
});

test('hosted is derived from the base URL; a stored value cannot override it', () => {
  const lan = ProviderConfig.parse({ kind: 'openai-compatible', preset: 'ollama', baseUrl: 'http://192.168.1.20:11434/v1', model: 'm', hosted: false });
  assert.is(lan.hosted, true, 'another machine on the LAN is not this machine');
  const local = ProviderConfig.parse({ kind: 'openai', baseUrl: 'http://localhost:4000/v1', model: 'm', hosted: true });
  assert.is(local.hosted, false);
  for (const host of ['localhost', 'LOCALHOST', 'ollama.localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1', '[::ffff:7f00:1]']) {
    assert.ok(isLoopbackHost(host), host);
  }
  for (const host of ['0.0.0.0', '10.0.0.1', 'api.openai.com', 'localhost.evil.com', '128.0.0.1', '[::ffff:a00:1]']) {
    assert.not.ok(isLoopbackHost(host), host);
  }
  assert.is(isHostedUrl('http://[::1]:8080/v1'), false);
  assert.is(isHostedUrl('http://127.0.0.1.nip.io/v1'), true);
});

test('parsing is idempotent, so a stored parsed config parses again to the same value', () => {
  const once = ProviderConfig.parse({
    kind: 'openai-compatible',
    preset: 'lmstudio',
    model: 'qwen',
    fallback: { kind: 'openai', model: 'gpt-4o-mini', timeoutMs: 20_000 },
  });
  assert.equal(ProviderConfig.parse(JSON.parse(JSON.stringify(once))), once);
  assert.is(once.fallback?.hosted, true);
  assert.is(once.fallback?.baseUrl, 'https://api.openai.com/v1');
});

test('invalid configs are rejected with the field named', () => {
  const issuePaths = (input: unknown) => {
    const result = ProviderConfig.safeParse(input);
    return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
  };
  assert.equal(issuePaths({ kind: 'openai-compatible', model: 'm' }), ['baseUrl'], 'custom needs a base URL');
  assert.equal(issuePaths({ kind: 'openai', model: 'm', baseUrl: 'https://user:secret@api.example.com/v1' }), ['baseUrl']);
  assert.equal(issuePaths({ kind: 'openai', model: 'm', baseUrl: 'ftp://example.com' }), ['baseUrl']);
  assert.equal(issuePaths({ kind: 'openai', model: 'm', baseUrl: 'https://x.example/v1?key=abc' }), ['baseUrl']);
  assert.equal(issuePaths({ kind: 'openai', model: '' }), ['model']);
  assert.equal(issuePaths({ kind: 'openai', model: 'm', apiKey: 'sk-123' }), [''], 'the key is never part of the config');
  assert.equal(issuePaths({ kind: 'openai', model: 'm', timeoutMs: 10 }), ['timeoutMs']);
  assert.equal(issuePaths({ kind: 'gemini', model: 'm' }), ['kind']);
  assert.equal(
    issuePaths({ kind: 'openai', model: 'm', fallback: { kind: 'openai-compatible', model: 'x' } }),
    ['fallback.baseUrl'],
  );
  assert.ok(issuePaths({ kind: 'openai', model: 'm', fallback: { kind: 'openai', model: 'x', fallback: { kind: 'openai', model: 'y' } } }).length > 0, 'one level of fallback only');
});

test('a trailing slash on the base URL is dropped', () => {
  assert.is(ProviderConfig.parse({ kind: 'openai', model: 'm', baseUrl: 'http://127.0.0.1:4000/v1/' }).baseUrl, 'http://127.0.0.1:4000/v1');
});

test.run();
