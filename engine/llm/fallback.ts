import { EngineError, toApiError } from '../errors';
import type { LlmProvider, LlmRequest, LlmResponse } from './types';

/** Failures where another provider may well succeed; a wrong key or a bad answer are not among them. */
export function isFallbackWorthy(error: unknown): boolean {
  if (!(error instanceof EngineError)) return false;
  if (error.code === 'TIMEOUT' || error.code === 'RATE_LIMITED') return true;
  const kind = error.details?.kind;
  return error.code === 'PROVIDER' && (kind === 'NETWORK' || kind === 'SERVER');
}

/**
 * Tries `primary`, and `fallback` when the primary is unreachable, failing,
 * slow or rate limited. The response names the provider that answered and
 * why the primary did not. `hosted` is true when either may be: the prompt
 * (sample values included) is decided before knowing who will answer it.
 */
export function withFallback(primary: LlmProvider, fallback: LlmProvider): LlmProvider {
  return {
    id: primary.id,
    label: primary.label,
    model: primary.model,
    hosted: primary.hosted || fallback.hosted,
    async complete(request: LlmRequest): Promise<LlmResponse> {
      try {
        return await primary.complete(request);
      } catch (primaryError) {
        if (!isFallbackWorthy(primaryError) || request.signal.aborted) throw primaryError;
        const fromPrimary = toApiError(primaryError);
        try {
          const response = await fallback.complete(request);
          return { ...response, fallbackFrom: { provider: primary.id, error: fromPrimary } };
        } catch (fallbackError) {
          if (!(fallbackError instanceof EngineError)) throw fallbackError;
          // Both failed: say so, keeping the fallback's code (the last thing tried) and both errors.
          throw new EngineError(
            fallbackError.code,
            `${primary.label} failed (${fromPrimary.message}) and so did the fallback, ${fallback.label}: ${fallbackError.message}`,
            { ...fallbackError.details, provider: fallback.id, primaryError: fromPrimary },
            { cause: fallbackError },
          );
        }
      }
    },
  };
}
