import { EngineError, RateLimitedError } from '../errors';
import { memoryRateWindows, type RateEntry, type RateWindows } from '../limits/rate-windows';
import type { LlmProvider, LlmRequest, LlmResponse } from './types';

/** Our own limits on one provider, per minute; 0 for none. */
export interface ProviderLimits {
  requestsPerMinute: number;
  tokensPerMinute: number;
}

export interface ProviderRateLimiterOptions {
  limits: () => ProviderLimits;
  now?: () => number;
  /** Where the windows are counted; the profile's database shares them with the app's other processes. */
  windows?: RateWindows;
}

const WINDOW_MS = 60_000;
/** About four characters a token in English text and SQL: good enough to stay under a limit, not to bill. */
const CHARS_PER_TOKEN = 4;

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
  readonly #windows: RateWindows;

  constructor(options: ProviderRateLimiterOptions) {
    this.#limits = options.limits;
    this.#now = options.now ?? Date.now;
    this.#windows = options.windows ?? memoryRateWindows();
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
          // The estimate stood in until now; the provider's own count is what its limit saw.
          if (spent !== null) this.#windows.adjust(`provider:${key}`, spent, response.usage.inputTokens + response.usage.outputTokens);
          return response;
        } catch (error) {
          this.#heard(key, error);
          throw error;
        }
      },
    };
  }

  /** Counts one request of about `tokens` against the limits, or refuses it; the entry's id, to correct its tokens later. */
  #admit(key: string, label: string, tokens: number): number | null {
    const now = this.#now();
    this.#windows.spend(`provider-pause:${key}`, now, (pauses) => {
      const until = Math.max(0, ...pauses.map((p) => p.at));
      if (until > now) throw refusal(`${label} asked for a pause in its last answer.`, until - now, { reason: 'PROVIDER_RETRY_AFTER' });
      return null;
    });
    const { requestsPerMinute: requests, tokensPerMinute: perMinute } = this.#limits();
    if (perMinute > 0 && tokens > perMinute) {
      throw new RateLimitedError(`This request needs about ${tokens} tokens, more than the limit of ${perMinute} tokens a minute to ${label} (Settings, Limits). Raise the limit or ask with less context.`, {
        reason: 'PROVIDER_TOKENS',
        tokensPerMinute: perMinute,
      });
    }
    return this.#windows.spend(`provider:${key}`, now - WINDOW_MS, (spent) => {
      if (requests > 0 && spent.length >= requests) {
        const freesAt = spent[spent.length - requests]!.at + WINDOW_MS;
        throw refusal(`The limit of ${requests} requests a minute to ${label} is reached (Settings, Limits).`, freesAt - now, { reason: 'PROVIDER_REQUESTS', requestsPerMinute: requests });
      }
      if (perMinute > 0) {
        const freesAt = whenTokensFree(spent, perMinute - tokens);
        if (freesAt !== null) {
          throw refusal(`The limit of ${perMinute} tokens a minute to ${label} is reached (Settings, Limits).`, freesAt + WINDOW_MS - now, { reason: 'PROVIDER_TOKENS', tokensPerMinute: perMinute });
        }
      }
      return { at: now, amount: tokens };
    });
  }

  /** A provider's own 429 with a wait: nothing more is sent to it until then, by any process on the profile. */
  #heard(key: string, error: unknown): void {
    if (!(error instanceof EngineError) || error.code !== 'RATE_LIMITED' || error.details?.reason !== undefined) return;
    const wait = error.details?.retryAfterMs;
    if (typeof wait !== 'number' || wait <= 0) return;
    const now = this.#now();
    this.#windows.spend(`provider-pause:${key}`, now, () => ({ at: now + wait, amount: 0 }));
  }
}

/** Prompt and context by their length, plus the answer's cap (which providers count against the limit too). */
export function estimateTokens(request: LlmRequest): number {
  const chars = request.system.length + request.messages.reduce((n, m) => n + m.content.length, 0) + request.contextBlocks.reduce((n, b) => n + b.title.length + b.text.length, 0);
  return Math.ceil(chars / CHARS_PER_TOKEN) + (request.maxTokens ?? 0);
}

/** When enough of the window's spending has aged out to leave `room` tokens; null when there is room now. */
function whenTokensFree(spent: readonly RateEntry[], room: number): number | null {
  let total = spent.reduce((n, s) => n + s.amount, 0);
  if (total <= room) return null;
  for (const s of spent) {
    total -= s.amount;
    if (total <= room) return s.at;
  }
  return spent[spent.length - 1]?.at ?? null;
}

function refusal(why: string, retryAfterMs: number, details: Record<string, unknown>): RateLimitedError {
  const wait = Math.max(1, Math.ceil(retryAfterMs));
  return new RateLimitedError(`${why} Try again in ${Math.max(1, Math.ceil(wait / 1000))} s.`, { ...details, retryAfterMs: wait });
}
