import { redactor } from '../log/redact';
import { createAnthropicProvider } from './anthropic';
import { ProviderConfig, type ProviderConfigInput, type SingleProviderConfig } from './config';
import { withFallback } from './fallback';
import type { HttpProviderOptions } from './http-provider';
import { createOpenAiProvider } from './openai';
import type { LlmProvider } from './types';

export * from './config';
export * from './types';
export { isFallbackWorthy, withFallback } from './fallback';
export { parseStructuredAnswer } from './parse';
export { testProvider, type ProviderTestResult } from './test-provider';

export interface CreateProviderOptions extends HttpProviderOptions {
  /** The fallback provider's key, from the keychain like the primary's. */
  fallbackApiKey?: string | null;
}

/**
 * The provider a config describes, with its fallback when it has one. Keys
 * are registered with the redactor first, so no error, log line or ledger
 * entry derived from a request can carry them. Throws ZodError (VALIDATION)
 * for an invalid config.
 */
export function createProvider(config: ProviderConfigInput | ProviderConfig, apiKey: string | null, options: CreateProviderOptions = {}): LlmProvider {
  const parsed = ProviderConfig.parse(config);
  const { fallbackApiKey = null, ...http } = options;
  redactor.register(apiKey);
  redactor.register(fallbackApiKey);
  const primary = createSingle(parsed, apiKey, http);
  return parsed.fallback ? withFallback(primary, createSingle(parsed.fallback, fallbackApiKey, http)) : primary;
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
