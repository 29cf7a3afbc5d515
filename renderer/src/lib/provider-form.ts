import type { ApiError, ChannelInput, ChannelOutput, ProviderInfo } from '../../../engine/contract/index';

export type Preset = ChannelOutput<'providers.presets'>[number];
export type ProviderSummary = NonNullable<ProviderInfo['primary']>;
export type ProviderTest = ChannelOutput<'providers.test'>;
export type SetProviderInput = ChannelInput<'providers.set'>;

/** One endpoint (the primary or the fallback) as the form edits it. */
export interface EndpointForm {
  presetId: string;
  baseUrl: string;
  model: string;
  timeoutSeconds: number;
  /** A new key typed by the user; empty keeps the stored one. The stored key is never shown. */
  apiKey: string;
  removeKey: boolean;
  /** What is saved now, so a switch of provider does not hand the old key to the new one. */
  storedPresetId: string | null;
  hasStoredKey: boolean;
}

export interface ProviderForm {
  primary: EndpointForm;
  useFallback: boolean;
  fallback: EndpointForm;
}

export const DEFAULT_TIMEOUT_SECONDS = 60;
const DEFAULT_PRESET = 'ollama';

export const presetIdOf = (summary: ProviderSummary): string => summary.preset ?? summary.kind;

export function findPreset(presets: readonly Preset[], id: string): Preset | undefined {
  return presets.find((p) => p.id === id);
}

export function emptyEndpoint(presets: readonly Preset[], presetId = DEFAULT_PRESET): EndpointForm {
  const preset = findPreset(presets, presetId) ?? presets[0];
  return {
    presetId: preset?.id ?? presetId,
    baseUrl: preset?.baseUrl ?? '',
    model: '',
    timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
    apiKey: '',
    removeKey: false,
    storedPresetId: null,
    hasStoredKey: false,
  };
}

function endpointFrom(summary: ProviderSummary | null, presets: readonly Preset[]): EndpointForm {
  if (!summary) return emptyEndpoint(presets);
  const presetId = presetIdOf(summary);
  return {
    presetId,
    baseUrl: summary.baseUrl,
    model: summary.model,
    timeoutSeconds: Math.round(summary.timeoutMs / 1000),
    apiKey: '',
    removeKey: false,
    storedPresetId: presetId,
    hasStoredKey: summary.hasApiKey,
  };
}

/** The form for what is configured now (a fresh one, on Ollama's defaults, when offline). */
export function formFromInfo(info: ProviderInfo, presets: readonly Preset[]): ProviderForm {
  return {
    primary: endpointFrom(info.primary, presets),
    useFallback: info.fallback !== null,
    fallback: info.fallback ? endpointFrom(info.fallback, presets) : emptyEndpoint(presets, 'openai'),
  };
}

/**
 * Picks another provider. The base URL follows the preset unless the user
 * had typed one of their own (anything but the old preset's default).
 */
export function choosePreset(endpoint: EndpointForm, presetId: string, presets: readonly Preset[]): EndpointForm {
  const before = findPreset(presets, endpoint.presetId);
  const after = findPreset(presets, presetId);
  const custom = endpoint.baseUrl.trim() !== '' && endpoint.baseUrl !== (before?.baseUrl ?? '');
  return { ...endpoint, presetId, baseUrl: custom && !after?.baseUrl ? endpoint.baseUrl : (after?.baseUrl ?? '') };
}

/** Loopback addresses stay on this machine; anything else counts as hosted (the engine decides for real). */
export function looksHosted(baseUrl: string): boolean {
  try {
    const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, '');
    return !(host === 'localhost' || host === '::1' || /^127\./.test(host));
  } catch {
    return false;
  }
}

function endpointConfig(endpoint: EndpointForm, presets: readonly Preset[]): Record<string, unknown> {
  const preset = findPreset(presets, endpoint.presetId);
  const kind = preset?.kind ?? 'openai-compatible';
  return {
    kind,
    ...(kind === 'openai-compatible' ? { preset: endpoint.presetId } : {}),
    ...(endpoint.baseUrl.trim() ? { baseUrl: endpoint.baseUrl.trim() } : {}),
    model: endpoint.model.trim(),
    timeoutMs: Math.round(endpoint.timeoutSeconds * 1000),
  };
}

/** What happens to the stored key: a new one, removed (null), or kept (undefined). */
function keyChange(endpoint: EndpointForm): string | null | undefined {
  if (endpoint.apiKey.trim()) return endpoint.apiKey.trim();
  if (endpoint.removeKey) return null;
  // A key saved for another provider must not be sent to this one.
  if (endpoint.hasStoredKey && endpoint.storedPresetId !== endpoint.presetId) return null;
  return undefined;
}

/** providers.set's input: `{ kind, preset?, baseUrl?, model, timeoutMs?, fallback? }`, keys separate. */
export function toSetInput(form: ProviderForm, presets: readonly Preset[]): SetProviderInput {
  const config = endpointConfig(form.primary, presets);
  if (form.useFallback) config.fallback = endpointConfig(form.fallback, presets);
  const input: SetProviderInput = { config };
  const apiKey = keyChange(form.primary);
  if (apiKey !== undefined) input.apiKey = apiKey;
  const fallbackApiKey = form.useFallback ? keyChange(form.fallback) : undefined;
  if (fallbackApiKey !== undefined) input.fallbackApiKey = fallbackApiKey;
  return input;
}

export interface GeneratorDescription {
  /** "Offline planner" or the model id. */
  name: string;
  /** Where it runs, in a few words. */
  detail: string;
  hosted: boolean;
}

/** Who answers questions, for the composer and the Model card. */
export function describeGenerator(info: ProviderInfo | null): GeneratorDescription {
  const p = info?.mode === 'model' ? info.primary : null;
  if (!p) return { name: 'Offline planner', detail: 'built in; nothing leaves this computer', hosted: false };
  const hosted = p.hosted || (info?.fallback?.hosted ?? false);
  return { name: p.model, detail: `${p.label}${p.hosted ? ', hosted' : ', on this machine'}`, hosted };
}

/** A test result in plain words. */
export function describeTest(test: ProviderTest): { ok: boolean; text: string } {
  if (test.ok) return { ok: true, text: `${test.model} answered in ${Math.round(test.latencyMs)} ms.` };
  return { ok: false, text: test.error ? plainError(test.error) : `${test.model} did not answer.` };
}

function plainError(error: ApiError): string {
  switch (error.code) {
    case 'TIMEOUT':
      return `No answer in time. ${error.message}`;
    case 'RATE_LIMITED':
      return `Rate limited. ${error.message}`;
    default:
      return error.message;
  }
}
