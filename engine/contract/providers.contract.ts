import { z } from 'zod';
import { channel, NoInput } from './channel';
import { ApiError } from './errors';

const ProviderSummary = z.object({
  kind: z.enum(['openai', 'openai-compatible', 'anthropic']),
  preset: z.string().nullable(),
  label: z.string(),
  baseUrl: z.string(),
  model: z.string(),
  /** Requests leave this machine (not a loopback address). */
  hosted: z.boolean(),
  hasApiKey: z.boolean(),
  timeoutMs: z.number(),
});

/** Which model answers questions; `offline` is the built-in planner. Never includes an API key. */
export const ProviderInfo = z.object({
  mode: z.enum(['offline', 'model']),
  primary: ProviderSummary.nullable(),
  fallback: ProviderSummary.nullable(),
});
export type ProviderInfo = z.infer<typeof ProviderInfo>;

export const ProviderPreset = z.object({
  id: z.string(),
  kind: z.enum(['openai', 'openai-compatible', 'anthropic']),
  label: z.string(),
  baseUrl: z.string().nullable(),
  needsApiKey: z.boolean(),
  hosted: z.boolean(),
});

export const ProviderTest = z.object({
  ok: z.boolean(),
  provider: z.string(),
  model: z.string(),
  latencyMs: z.number(),
  error: ApiError.optional(),
});

const Key = z.string().min(1).max(4096);

export const providersChannels = {
  'providers.get': channel({ summary: 'The configured model provider, or offline (the built-in planner).', input: NoInput, output: ProviderInfo }),
  'providers.presets': channel({ summary: 'Hosted APIs and local runtimes that can be configured.', input: NoInput, output: z.array(ProviderPreset) }),
  'providers.set': channel({
    summary: 'Configures the model provider (and an optional fallback); API keys go to the OS keychain.',
    input: z.strictObject({
      /** { kind: 'openai' | 'openai-compatible' | 'anthropic', preset?, baseUrl?, model, timeoutMs?, fallback? }: checked by the engine. */
      config: z.record(z.string(), z.unknown()),
      /** A new key, or null to remove the stored one; absent keeps it. */
      apiKey: Key.nullable().optional(),
      fallbackApiKey: Key.nullable().optional(),
      /** Activate it even though its last test failed (otherwise CONFLICT with details.reason LAST_TEST_FAILED). */
      confirmFailedTest: z.boolean().optional(),
    }),
    output: ProviderInfo,
  }),
  'providers.clear': channel({ summary: 'Goes back to the built-in offline planner and removes stored keys.', input: NoInput, output: ProviderInfo }),
  'providers.test': channel({
    summary: 'Sends a tiny request to the configured provider, or to a candidate configuration; never changes which provider is active.',
    input: z
      .strictObject({
        /** A configuration to try, as providers.set takes it; absent tests the configured provider. */
        config: z.record(z.string(), z.unknown()).optional(),
        /** As in providers.set: a new key, null for none, absent for the stored one. */
        apiKey: Key.nullable().optional(),
        fallbackApiKey: Key.nullable().optional(),
      })
      .optional(),
    output: ProviderTest,
  }),
};
