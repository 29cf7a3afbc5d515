import type { ApiError } from '../contract/errors';
import { toApiError } from '../errors';
import type { JsonSchema, LlmProvider, ProviderId } from './types';

export interface ProviderTestResult {
  ok: boolean;
  /** The provider that answered (the fallback's, when it stood in). */
  provider: ProviderId;
  /** The model id the server reported, which may be more specific than the configured one. */
  model: string;
  latencyMs: number;
  error?: ApiError;
}

const PING_SCHEMA: JsonSchema = {
  title: 'connection_check',
  type: 'object',
  properties: { ok: { type: 'boolean' } },
  required: ['ok'],
  additionalProperties: false,
};

/**
 * Sends the smallest useful request (a structured answer, so a runtime that
 * cannot produce one shows up here rather than on the first question) and
 * reports the latency and model, or the typed error.
 */
export async function testProvider(provider: LlmProvider, signal: AbortSignal = new AbortController().signal): Promise<ProviderTestResult> {
  const started = performance.now();
  try {
    const response = await provider.complete({
      system: 'You check that a connection works. Answer only with the JSON requested.',
      messages: [{ role: 'user', content: 'Reply with {"ok": true}.' }],
      contextBlocks: [],
      outputSchema: PING_SCHEMA,
      // Reasoning models spend part of this on thinking before they answer.
      maxTokens: 256,
      signal,
    });
    return { ok: true, provider: response.provider, model: response.model, latencyMs: response.latencyMs };
  } catch (error) {
    return { ok: false, provider: provider.id, model: provider.model, latencyMs: Math.round(performance.now() - started), error: toApiError(error) };
  }
}
