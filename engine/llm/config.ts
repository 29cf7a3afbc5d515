import { z } from 'zod';
import type { ProviderId } from './types';

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
export const ANTHROPIC_VERSION = '2023-06-01';

/**
 * How an adapter asks for structured output:
 * - `json_schema`: `response_format: {type: 'json_schema', ...}`, constrained decoding where the runtime has it;
 * - `json_object`: JSON mode; the schema is also described in the system prompt;
 * - `tool`: a forced function call whose parameters are the schema;
 * - `prompt`: no API feature at all; the schema is described in the system prompt and the answer parsed leniently.
 */
export const StructuredOutputMode = z.enum(['json_schema', 'json_object', 'tool', 'prompt']);
export type StructuredOutputMode = z.infer<typeof StructuredOutputMode>;

export const OpenAiCompatiblePreset = z.enum(['ollama', 'lmstudio', 'llamacpp', 'vllm', 'custom']);
export type OpenAiCompatiblePreset = z.infer<typeof OpenAiCompatiblePreset>;

interface PresetInfo {
  label: string;
  baseUrl: string | null;
  structuredOutput: StructuredOutputMode;
  /** llama.cpp reads a `schema` next to `{type: 'json_object'}` and compiles it to a grammar. */
  schemaInJsonObject: boolean;
}

/**
 * Local runtimes and what each does with structured output (checked against
 * their documentation):
 * - Ollama >= 0.5 constrains `json_schema` with a grammar; older versions reject it and are downgraded to JSON mode.
 * - LM Studio supports `json_schema` and rejects `json_object` outright.
 * - llama.cpp's server has long accepted `{type: 'json_object', schema}`; its `json_schema` handling differed between builds.
 * - vLLM constrains `json_schema` through guided decoding.
 * - An unknown server gets JSON mode, the most widely implemented.
 * Whatever the mode, a 400 that names response_format steps down once more
 * (json_schema -> json_object -> prompt), so an older runtime still answers.
 */
export const OPENAI_COMPATIBLE_PRESETS: Record<OpenAiCompatiblePreset, PresetInfo> = {
  ollama: { label: 'Ollama', baseUrl: 'http://127.0.0.1:11434/v1', structuredOutput: 'json_schema', schemaInJsonObject: false },
  lmstudio: { label: 'LM Studio', baseUrl: 'http://127.0.0.1:1234/v1', structuredOutput: 'json_schema', schemaInJsonObject: false },
  llamacpp: { label: 'llama.cpp server', baseUrl: 'http://127.0.0.1:8080/v1', structuredOutput: 'json_object', schemaInJsonObject: true },
  vllm: { label: 'vLLM', baseUrl: 'http://127.0.0.1:8000/v1', structuredOutput: 'json_schema', schemaInJsonObject: false },
  custom: { label: 'OpenAI-compatible server', baseUrl: null, structuredOutput: 'json_object', schemaInJsonObject: false },
};

/** http(s) only; no credentials in the URL (API keys live in the keychain), no query or fragment. */
const BaseUrl = z
  .string()
  .trim()
  .min(1)
  .max(2048)
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a URL such as http://127.0.0.1:11434/v1' });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'must start with http:// or https://' });
    if (url.username || url.password) ctx.addIssue({ code: 'custom', message: 'must not contain a user name or password; the API key is stored in the keychain' });
    if (url.search || url.hash) ctx.addIssue({ code: 'custom', message: 'must not contain a query or fragment' });
  })
  .transform((value) => value.replace(/\/+$/, ''));

const common = {
  model: z.string().trim().min(1, 'is required').max(256),
  timeoutMs: z.number().int().min(1_000).max(600_000).default(60_000),
  maxTokens: z.number().int().min(16).max(200_000).default(1_024),
  /** Derived from the base URL whenever the config is parsed; a stored value is ignored. */
  hosted: z.boolean().optional(),
};

const variants = <T extends z.ZodRawShape>(extra: T) =>
  z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('openai'), baseUrl: BaseUrl.default(OPENAI_BASE_URL), ...common, ...extra }),
    z.strictObject({
      kind: z.literal('openai-compatible'),
      preset: OpenAiCompatiblePreset.default('custom'),
      /** Defaults to the preset's; required for `custom`. */
      baseUrl: BaseUrl.optional(),
      /** Defaults to the preset's choice. */
      structuredOutput: StructuredOutputMode.optional(),
      ...common,
      ...extra,
    }),
    z.strictObject({
      kind: z.literal('anthropic'),
      baseUrl: BaseUrl.default(ANTHROPIC_BASE_URL),
      anthropicVersion: z.string().trim().min(1).max(32).default(ANTHROPIC_VERSION),
      ...common,
      ...extra,
    }),
  ]);

const SingleProviderInput = variants({});
type Raw = z.output<typeof SingleProviderInput>;

/** A parsed provider: base URL filled in from the kind or preset, `hosted` derived from it. */
export type SingleProviderConfig = Resolved<Raw>;
/** Distributes over the union, so `kind` still narrows the other fields. */
type Resolved<T> = T extends unknown ? Omit<T, 'baseUrl' | 'hosted'> & { baseUrl: string; hosted: boolean } : never;

/** Fills what the preset implies and derives `hosted`; rejects a custom server without a base URL. */
function resolve(config: Raw, ctx: z.RefinementCtx, path: Array<string | number> = []): SingleProviderConfig {
  if (config.kind === 'openai-compatible') {
    const preset = OPENAI_COMPATIBLE_PRESETS[config.preset];
    const baseUrl = config.baseUrl ?? preset.baseUrl;
    if (!baseUrl) ctx.addIssue({ code: 'custom', message: 'is required for a custom OpenAI-compatible server', path: [...path, 'baseUrl'] });
    return { ...config, baseUrl: baseUrl ?? '', structuredOutput: config.structuredOutput ?? preset.structuredOutput, hosted: isHostedUrl(baseUrl ?? '') };
  }
  return { ...config, hosted: isHostedUrl(config.baseUrl) };
}

/** One provider without a fallback (the shape of `fallback`). */
export const SingleProviderConfig = SingleProviderInput.transform((config, ctx): SingleProviderConfig => resolve(config, ctx));

export type ProviderConfig = SingleProviderConfig & { fallback?: SingleProviderConfig };

/**
 * Which model answers questions. Selecting another adapter is a config change
 * only. The API key is not part of it: it comes from the OS keychain and is
 * handed to createProvider in memory.
 */
export const ProviderConfig = variants({ fallback: SingleProviderInput.optional() }).transform((config, ctx): ProviderConfig => {
  const { fallback, ...primary } = config;
  const resolved = resolve(primary, ctx);
  return fallback === undefined ? resolved : { ...resolved, fallback: resolve(fallback, ctx, ['fallback']) };
});
export type ProviderConfigInput = z.input<typeof ProviderConfig>;

export function providerId(config: SingleProviderConfig): ProviderId {
  return config.kind === 'openai-compatible' ? config.preset : config.kind;
}

export function providerLabel(config: SingleProviderConfig): string {
  if (config.kind === 'openai-compatible') return OPENAI_COMPATIBLE_PRESETS[config.preset].label;
  return config.kind === 'openai' ? 'OpenAI' : 'Anthropic';
}

/**
 * Loopback means the request never leaves this machine. Anything else, a LAN
 * address included, counts as hosted: sample values may only go there when the
 * user allowed it. 0.0.0.0 is treated as hosted too, to stay on the safe side.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  // IPv4-mapped loopback, as the URL parser normalizes it (::ffff:7f00:1) or as typed.
  return /^::ffff:(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|7f[0-9a-f]{2}:[0-9a-f]{1,4})$/.test(host);
}

export function isHostedUrl(baseUrl: string): boolean {
  try {
    return !isLoopbackHost(new URL(baseUrl).hostname);
  } catch {
    return true;
  }
}
