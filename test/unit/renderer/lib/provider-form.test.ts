import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ProviderInfo } from '../../../../engine/contract/index';
import { choosePreset, describeGenerator, describeTest, emptyEndpoint, formFromInfo, looksHosted, toSetInput, type Preset } from '../../../../renderer/src/lib/provider-form';

const presets: Preset[] = [
  { id: 'openai', kind: 'openai', label: 'OpenAI', baseUrl: 'https://api.openai.com/v1', needsApiKey: true, hosted: true },
  { id: 'anthropic', kind: 'anthropic', label: 'Anthropic', baseUrl: 'https://api.anthropic.com', needsApiKey: true, hosted: true },
  { id: 'ollama', kind: 'openai-compatible', label: 'Ollama', baseUrl: 'http://127.0.0.1:11434/v1', needsApiKey: false, hosted: false },
  { id: 'lmstudio', kind: 'openai-compatible', label: 'LM Studio', baseUrl: 'http://127.0.0.1:1234/v1', needsApiKey: false, hosted: false },
  { id: 'custom', kind: 'openai-compatible', label: 'OpenAI-compatible server', baseUrl: null, needsApiKey: true, hosted: false },
];

const offline: ProviderInfo = { mode: 'offline', primary: null, fallback: null };
const openai: ProviderInfo = {
  mode: 'model',
  primary: { kind: 'openai', preset: null, label: 'OpenAI', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4.1-mini', hosted: true, hasApiKey: true, timeoutMs: 30_000 },
  fallback: null,
};

test('offline: the form starts on Ollama with its base URL; the composer names the offline planner', () => {
  const form = formFromInfo(offline, presets);
  assert.is(form.primary.presetId, 'ollama');
  assert.is(form.primary.baseUrl, 'http://127.0.0.1:11434/v1');
  assert.is(form.useFallback, false);
  assert.equal(describeGenerator(offline), { name: 'Offline planner', detail: 'built in; nothing leaves this computer', hosted: false });
});

test('a configured provider fills the form, never with a key', () => {
  const form = formFromInfo(openai, presets);
  assert.equal({ ...form.primary }, { presetId: 'openai', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4.1-mini', timeoutSeconds: 30, apiKey: '', removeKey: false, storedPresetId: 'openai', hasStoredKey: true });
  assert.equal(describeGenerator(openai), { name: 'gpt-4.1-mini', detail: 'OpenAI, hosted', hosted: true });
});

test('saving: the config shape the engine takes; an untouched key is kept (absent)', () => {
  const form = formFromInfo(openai, presets);
  assert.equal(toSetInput(form, presets), { config: { kind: 'openai', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4.1-mini', timeoutMs: 30_000 } });
});

test('saving a local runtime names its preset; a new key and a fallback are sent separately', () => {
  const form = formFromInfo(offline, presets);
  form.primary = { ...form.primary, model: ' qwen2.5-coder ', apiKey: 'sk-local' };
  form.useFallback = true;
  form.fallback = { ...emptyEndpoint(presets, 'anthropic'), model: 'claude-sonnet', apiKey: 'sk-ant-x' };
  assert.equal(toSetInput(form, presets), {
    config: {
      kind: 'openai-compatible',
      preset: 'ollama',
      baseUrl: 'http://127.0.0.1:11434/v1',
      model: 'qwen2.5-coder',
      timeoutMs: 60_000,
      fallback: { kind: 'anthropic', baseUrl: 'https://api.anthropic.com', model: 'claude-sonnet', timeoutMs: 60_000 },
    },
    apiKey: 'sk-local',
    fallbackApiKey: 'sk-ant-x',
  });
});

test('switching provider removes the key stored for the old one instead of sending it to the new one', () => {
  const form = formFromInfo(openai, presets);
  form.primary = { ...choosePreset(form.primary, 'lmstudio', presets), model: 'qwen' };
  assert.is(toSetInput(form, presets).apiKey, null);
  form.primary = { ...form.primary, removeKey: true, presetId: 'openai' };
  assert.is(toSetInput(form, presets).apiKey, null, 'remove on request');
});

test('choosing a preset follows its base URL unless the user typed their own', () => {
  const start = emptyEndpoint(presets, 'ollama');
  assert.is(choosePreset(start, 'lmstudio', presets).baseUrl, 'http://127.0.0.1:1234/v1');
  const typed = { ...start, baseUrl: 'http://gpu-box:8000/v1' };
  assert.is(choosePreset(typed, 'custom', presets).baseUrl, 'http://gpu-box:8000/v1');
  assert.is(choosePreset(start, 'custom', presets).baseUrl, '');
});

test('loopback URLs stay on this machine; anything else is hosted', () => {
  assert.not.ok(looksHosted('http://127.0.0.1:11434/v1'));
  assert.not.ok(looksHosted('http://localhost:1234/v1'));
  assert.not.ok(looksHosted('http://[::1]:8080/v1'));
  assert.ok(looksHosted('http://192.168.1.20:8000/v1'));
  assert.ok(looksHosted('https://api.openai.com/v1'));
});

test('a connection test reads as latency or the error in plain words', () => {
  assert.equal(describeTest({ ok: true, provider: 'ollama', model: 'qwen', latencyMs: 412.6 }), { ok: true, text: 'qwen answered in 413 ms.' });
  const failed = describeTest({ ok: false, provider: 'ollama', model: 'qwen', latencyMs: 3, error: { code: 'PROVIDER', message: 'Could not connect to Ollama at 127.0.0.1:11434 (connection refused). Is Ollama running on 127.0.0.1:11434?' } });
  assert.is(failed.ok, false);
  assert.match(failed.text, /Is Ollama running/);
});

test.run();
