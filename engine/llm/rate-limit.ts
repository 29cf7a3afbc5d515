import { EngineError, RateLimitedError } from '../errors';
import type { LlmProvider, LlmRequest, LlmResponse } from './types';

/** Our own limits on one provider, per minute; 0 for none. */
export interface ProviderLimits {
  requestsPerMinute: number;
  tokensPerMinute: number;
}

export interface ProviderRateLimiterOptions {
  limits: () => ProviderLimits;
  now?: () => number;
}

const WINDOW_MS = 60_000;
/** About four characters a token in English text and SQL: good enough to stay under a limit, not to bill. */
const CHARS_PER_TOKEN = 4;

interface Spent {
  at: number;
  tokens: number;
}

interface ProviderState {
  spent: Spent[];
  /** The provider asked us (429 with Retry-After) to send nothing before this time. */
  blockedUntil: number;
}

/**
 * Our side of a provider's rate limits: requests and tokens per minute set in
 * Settings, and the wait a provider asked for in its own 429 answer, after
 * which nothing is sent to it until that time. A request over a limit is
 * refused before it leaves the machine, with RATE_LIMITED and `retryAfterMs`,
 * so the user is told when to ask again (and a fallback provider may answer).
 * One limiter per engine; providers are told apart by kind, base URL and model.
 */
export class ProviderRateLimiter {
  readonly #limits: () => ProviderLimits;
  readonly #now: () => number;
  readonly #providers = new Map<string, ProviderState>();

  constructor(options: ProviderRateLimiterOptions) {
    this.#limits = options.limits;
    this.#now = options.now ?? Date.now;
  }

  /** The provider with our limits in front of it. */
  wrap(provider: LlmProvider, key: string): LlmProvider {
    return {
      id: provider.id,
      label: provider.label,
      model: provider.model,
      hosted: provider.hosted,
      complete: async (request: LlmRequest): Promise<LlmResponse> => {
        const spent = this.#admit(key, provider.label, estimateTokens(request));
        try {
          const response = await provider.complete(request);
          spent.tokens = response.usage.inputTokens + response.usage.outputTokens;
          return response;
        } catch (error) {
          this.#heard(key, error);
          throw error;
        }
      },
    };
  }

  #admit(key: string, label: string, tokens: number): Spent {
    const now = this.#now();
    const state = this.#state(key, now);
    const limits = this.#limits();
    if (state.blockedUntil > now) {
      throw refusal(`${label} asked for a pause in its last answer.`, state.blockedUntil - now, { reason: 'PROVIDER_RETRY_AFTER' });
    }
    const { requestsPerMinute: requests, tokensPerMinute: perMinute } = limits;
    if (requests > 0 && state.spent.length >= requests) {
      const freesAt = state.spent[state.spent.length - requests]!.at + WINDOW_MS;
      throw refusal(`The limit of ${requests} requests a minute to ${label} is reached (Settings, Limits).`, freesAt - now, { reason: 'PROVIDER_REQUESTS', requestsPerMinute: requests });
    }
    if (perMinute > 0) {
      if (tokens > perMinute) {
        throw new RateLimitedError(`This request needs about ${tokens} tokens, more than the limit of ${perMinute} tokens a minute to ${label} (Settings, Limits). Raise the limit or ask with less context.`, {
          reason: 'PROVIDER_TOKENS',
          tokensPerMinute: perMinute,
        });
      }
      const freesAt = whenTokensFree(state.spent, perMinute - tokens);
      if (freesAt !== null) {
        throw refusal(`The limit of ${perMinute} tokens a minute to ${label} is reached (Settings, Limits).`, freesAt + WINDOW_MS - now, { reason: 'PROVIDER_TOKENS', tokensPerMinute: perMinute });
      }
    }
    const spent = { at: now, tokens };
    state.spent.push(spent);
    return spent;
  }

  /** A provider's own 429 with a wait: nothing more is sent to it until then. */
  #heard(key: string, error: unknown): void {
    if (!(error instanceof EngineError) || error.code !== 'RATE_LIMITED' || error.details?.reason !== undefined) return;
    const wait = error.details?.retryAfterMs;
    if (typeof wait !== 'number' || wait <= 0) return;
    const state = this.#state(key, this.#now());
    state.blockedUntil = Math.max(state.blockedUntil, this.#now() + wait);
  }

  #state(key: string, now: number): ProviderState {
    let state = this.#providers.get(key);
    if (!state) {
      state = { spent: [], blockedUntil: 0 };
      this.#providers.set(key, state);
    }
    state.spent = state.spent.filter((s) => s.at > now - WINDOW_MS);
    return state;
  }
}

/** Prompt and context by their length, plus the answer's cap (which providers count against the limit too). */
export function estimateTokens(request: LlmRequest): number {
  const chars = request.system.length + request.messages.reduce((n, m) => n + m.content.length, 0) + request.contextBlocks.reduce((n, b) => n + b.title.length + b.text.length, 0);
  return Math.ceil(chars / CHARS_PER_TOKEN) + (request.maxTokens ?? 0);
}

/** When enough of the window's spending has aged out to leave `room` tokens; null when there is room now. */
function whenTokensFree(spent: Spent[], room: number): number | null {
  let total = spent.reduce((n, s) => n + s.tokens, 0);
  if (total <= room) return null;
  for (const s of spent) {
    total -= s.tokens;
    if (total <= room) return s.at;
  }
  return spent[spent.length - 1]?.at ?? null;
}

function refusal(why: string, retryAfterMs: number, details: Record<string, unknown>): RateLimitedError {
  const wait = Math.max(1, Math.ceil(retryAfterMs));
  return new RateLimitedError(`${why} Try again in ${Math.max(1, Math.ceil(wait / 1000))} s.`, { ...details, retryAfterMs: wait });
}
