import { redactor } from '../log/redact';
import { createAnthropicProvider } from './anthropic';
import { ProviderConfig, type ProviderConfigInput, type SingleProviderConfig } from './config';
import { withFallback } from './fallback';
import type { HttpProviderOptions } from './http-provider';
import { createOpenAiProvider } from './openai';
import type { ProviderRateLimiter } from './rate-limit';
import type { LlmProvider } from './types';

export * from './config';
export * from './types';
export { isFallbackWorthy, withFallback } from './fallback';
export { parseStructuredAnswer } from './parse';
export { testProvider, type ProviderTestResult } from './test-provider';
export { ProviderRateLimiter, type ProviderLimits } from './rate-limit';

export interface CreateProviderOptions extends HttpProviderOptions {
  /** The fallback provider's key, from the keychain like the primary's. */
  fallbackApiKey?: string | null;
  /** Our own per-minute limits and the provider's last Retry-After, kept across requests (one per engine). */
  limiter?: ProviderRateLimiter;
}

/**
 * The provider a config describes, with its fallback when it has one. Keys
 * are registered with the redactor first, so no error, log line or ledger
 * entry derived from a request can carry them. Throws ZodError (VALIDATION)
 * for an invalid config.
 */
export function createProvider(config: ProviderConfigInput | ProviderConfig, apiKey: string | null, options: CreateProviderOptions = {}): LlmProvider {
  const parsed = ProviderConfig.parse(config);
  const { fallbackApiKey = null, limiter, ...http } = options;
  redactor.register(apiKey);
  redactor.register(fallbackApiKey);
  const single = (config: SingleProviderConfig, key: string | null) => {
    const provider = createSingle(config, key, http);
    return limiter ? limiter.wrap(provider, `${config.kind} ${config.baseUrl ?? ''} ${config.model}`) : provider;
  };
  const primary = single(parsed, apiKey);
  return parsed.fallback ? withFallback(primary, single(parsed.fallback, fallbackApiKey)) : primary;
}

function createSingle(config: SingleProviderConfig, apiKey: string | null, options: HttpProviderOptions): LlmProvider {
  switch (config.kind) {
    case 'openai':
    case 'openai-compatible':
      return createOpenAiProvider(config, apiKey, options);
    case 'anthropic':
      return createAnthropicProvider(config, apiKey, options);
    default: {
      const unhandled: never = config;
      throw new Error(`unknown provider kind ${JSON.stringify(unhandled)}`);
    }
  }
}
