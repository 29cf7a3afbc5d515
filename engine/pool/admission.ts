import { CancelledError, RateLimitedError, UnavailableError } from '../errors';
import { memoryRateWindows, type RateWindows } from '../limits/rate-windows';
import type { Lane } from './policy';

/** What the pool lets in; read again for every job, so a change in Settings applies to the next one. */
export interface AdmissionLimits {
  /** Jobs of one source running at once, per lane: a source that hangs holds at most these. */
  sourceSlots: Record<Lane, number>;
  /** The same for a store isolated in a child process, whose jobs share that process's threads, not the lane's. */
  isolatedSourceSlots: Record<Lane, number>;
  /** Jobs of one source waiting for one of its slots, per lane. */
  sourceQueue: number;
  /** Jobs a lane holds at once (running and waiting, every source and work with none). */
  laneCapacity: Record<Lane, number>;
  /** Jobs one source may start in any minute; 0 for no limit. */
  sourceJobsPerMinute: number;
}

export interface AdmissionOptions {
  limits: () => AdmissionLimits;
  now?: () => number;
  /** How long a job may wait for one of its source's slots before it is given up. */
  waitDeadlineMs?: number;
  /** Where the per-minute windows are counted; the profile's database shares them between processes. */
  rateWindows?: RateWindows;
}

/** Gives a slot back; called once the job has really ended (a thread still running it holds its slot). */
export type Release = () => void;

export interface EntryOptions {
  signal?: AbortSignal | undefined;
  /** The job's store runs in a child process (see isolatedSourceSlots). */
  isolated?: boolean;
}

export const RATE_WINDOW_MS = 60_000;
/** As long as dispatch.ts lets a job wait for a thread: only a wedged source reaches it. */
const WAIT_DEADLINE_MS = 120_000;
/** Retry guidance before a source has finished any job: about one short query. */
const FIRST_GUESS_MS = 1_000;
const MIN_RETRY_MS = 250;
/** Past this a guess says little; the user is better told to try again in a minute. */
const MAX_RETRY_MS = RATE_WINDOW_MS;

interface Waiter {
  admit(): void;
}

interface SourceLane {
  running: number;
  waiting: Waiter[];
  /** Recent job durations (exponential average), for the retry guidance. */
  averageMs: number | null;
}

/**
 * Bounded admission in front of the pool's lanes. Each source has its own
 * slots and its own short queue in each lane, so work on a source that hangs
 * fills only its own slots and queue while other sources' work still finds a
 * thread; each lane's total is bounded too; a source may have a rate limit.
 * Over a bound, work is refused at once with RATE_LIMITED and `retryAfterMs`,
 * never queued without limit.
 */
export class Admission {
  readonly #limits: () => AdmissionLimits;
  readonly #now: () => number;
  readonly #waitDeadlineMs: number;
  readonly #held: Record<Lane, number> = { control: 0, execute: 0 };
  readonly #sources = new Map<string, SourceLane>();
  readonly #windows: RateWindows;

  constructor(options: AdmissionOptions) {
    this.#limits = options.limits;
    this.#now = options.now ?? Date.now;
    this.#waitDeadlineMs = options.waitDeadlineMs ?? WAIT_DEADLINE_MS;
    this.#windows = options.rateWindows ?? memoryRateWindows();
  }

  /**
   * Resolves with the job's release once it may be dispatched; throws RATE_LIMITED at once
   * when a bound is reached, CANCELLED when `signal` aborts while it waits.
   */
  async enter(lane: Lane, sourceId: string | null, options: EntryOptions = {}): Promise<Release> {
    const limits = this.#limits();
    if (this.#held[lane] >= limits.laneCapacity[lane]) {
      const retryAfterMs = this.#guess(this.#sourceLane(lane, sourceId), 1);
      throw refusal(`PolyStoreIQ has too much work waiting (${limits.laneCapacity[lane]} jobs).`, retryAfterMs, { reason: 'LANE_FULL', lane });
    }
    if (sourceId === null) return this.#hold(lane, null);
    const state = this.#sourceLane(lane, sourceId)!;
    const slots = Math.max(1, (options.isolated ? limits.isolatedSourceSlots : limits.sourceSlots)[lane]);
    if (state.running >= slots && state.waiting.length >= limits.sourceQueue) {
      const retryAfterMs = this.#guess(state, Math.ceil((state.waiting.length + 1) / slots));
      throw refusal(`Too much work is waiting for this source (${state.running} running, ${state.waiting.length} waiting).`, retryAfterMs, { reason: 'SOURCE_QUEUE_FULL', lane, sourceId });
    }
    // Counted once it is let in (to run or to wait), in a window every process on the profile shares.
    this.#spendRate(sourceId, limits.sourceJobsPerMinute);
    if (state.running < slots) return this.#hold(lane, state);
    this.#held[lane]++;
    return this.#wait(lane, state, options.signal);
  }

  /** Jobs waiting for one of their source's slots, for stats. */
  waiting(): number {
    let total = 0;
    for (const state of this.#sources.values()) total += state.waiting.length;
    return total;
  }

  #wait(lane: Lane, state: SourceLane, signal: AbortSignal | undefined): Promise<Release> {
    return new Promise<Release>((resolve, reject) => {
      const leave = (error: Error) => {
        const at = state.waiting.indexOf(waiter);
        if (at >= 0) state.waiting.splice(at, 1);
        this.#held[lane]--;
        done();
        reject(error);
      };
      const onAbort = () => leave(new CancelledError());
      const timer = setTimeout(
        () => leave(new UnavailableError(`The work waited ${this.#waitDeadlineMs / 1000} s for this source's other work to finish. Try again; if the source is not answering, check it.`, { kind: 'JOB_NOT_STARTED' })),
        this.#waitDeadlineMs,
      );
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        admit: () => {
          done();
          state.running++;
          resolve(this.#release(lane, state));
        },
      };
      if (signal?.aborted) return leave(new CancelledError());
      signal?.addEventListener('abort', onAbort, { once: true });
      state.waiting.push(waiter);
    });
  }

  #hold(lane: Lane, state: SourceLane | null): Release {
    this.#held[lane]++;
    if (state) state.running++;
    return this.#release(lane, state);
  }

  #release(lane: Lane, state: SourceLane | null): Release {
    const startedAt = this.#now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#held[lane]--;
      if (!state) return;
      state.running--;
      const took = Math.max(0, this.#now() - startedAt);
      state.averageMs = state.averageMs === null ? took : state.averageMs * 0.8 + took * 0.2;
      state.waiting.shift()?.admit();
    };
  }

  /** Counts one job of the source against its per-minute limit, or refuses it when the last minute is full. */
  #spendRate(sourceId: string, perMinute: number): void {
    if (perMinute <= 0) return;
    const now = this.#now();
    this.#windows.spend(`source-jobs:${sourceId}`, now - RATE_WINDOW_MS, (starts) => {
      if (starts.length < perMinute) return { at: now, amount: 1 };
      // The window frees when the oldest of the last `perMinute` starts leaves it.
      const retryAfterMs = Math.max(MIN_RETRY_MS, starts[starts.length - perMinute]!.at + RATE_WINDOW_MS - now);
      throw refusal(`This source's limit of ${perMinute} queries a minute is reached (Settings, Limits).`, retryAfterMs, { reason: 'SOURCE_RATE', sourceId, perMinute });
    });
  }

  #sourceLane(lane: Lane, sourceId: string | null): SourceLane | null {
    if (sourceId === null) return null;
    const key = `${lane}\u0000${sourceId}`;
    let state = this.#sources.get(key);
    if (!state) {
      state = { running: 0, waiting: [], averageMs: null };
      this.#sources.set(key, state);
    }
    return state;
  }

  /** About when one of the source's slots frees, after `rounds` of its jobs. */
  #guess(state: SourceLane | null, rounds: number): number {
    const each = state?.averageMs ?? FIRST_GUESS_MS;
    return Math.round(Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, each * rounds)));
  }
}

function refusal(why: string, retryAfterMs: number, details: Record<string, unknown>): RateLimitedError {
  return new RateLimitedError(`${why} Try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s.`, { ...details, retryAfterMs });
}
