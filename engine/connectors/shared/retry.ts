import { EngineError } from '../../errors';

/**
 * Retrying transient failures (issue 12, S6-004): connection refused or lost before the statement
 * was sent, a DNS server that did not answer, a server restarting (PostgreSQL 57P01 / 57P03, MySQL
 * 2006 / 2013 before results). A query's own error, a timeout, a cancel and anything after rows
 * arrived never retry. Pure: the clock, the sleep and the random source are injected.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** The first back-off's ceiling; each next one doubles, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 2_000 };

/** PostgreSQL: admin_shutdown (the server is restarting), cannot_connect_now (still starting). */
const PG_RESTARTING = new Set(['57P01', '57P03']);
/** MySQL / MariaDB: server has gone away, lost connection during query. */
const MYSQL_GONE = new Set([2006, 2013]);

/**
 * Whether `error` is worth another attempt. Connectors mark what happened before the user's
 * statement was sent (`beforeStatement`) and what happened after rows arrived (`rowsReceived`).
 */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof EngineError) || error.code !== 'CONNECTOR') return false;
  const d = error.details ?? {};
  if (d.rowsReceived === true) return false;
  const kind = d.kind;
  if (kind === 'PORT_CLOSED' || d.connectionKind === 'PORT_CLOSED') return true;
  if ((kind === 'HOST_UNREACHABLE' || d.connectionKind === 'HOST_UNREACHABLE') && d.dns === 'NO_ANSWER') return true;
  if (typeof d.sqlState === 'string' && PG_RESTARTING.has(d.sqlState)) return true;
  if (d.beforeStatement !== true) return false;
  return kind === 'CONNECTION_LOST' || (typeof d.errno === 'number' && MYSQL_GONE.has(d.errno));
}

/** "Full jitter": a random wait between 0 and the doubled ceiling, so clients that failed together do not retry together. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

export interface RetryEnvironment {
  now: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  random: () => number;
}

export interface RetryOptions {
  policy?: RetryPolicy;
  signal: AbortSignal;
  /** No attempt starts after this (epoch ms, from env.now): the retries stay inside the action's deadline. */
  deadlineAt: number;
  isTransient?: (error: unknown) => boolean;
  /** Told about each failed attempt that will be retried (for the circuit breaker and the log). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Runs `action` until it succeeds, fails for good, runs out of attempts, or the next attempt would start past the deadline. */
export async function withRetry<T>(action: (attempt: number) => Promise<T>, options: RetryOptions, env: RetryEnvironment): Promise<T> {
  const policy = options.policy ?? RETRY_POLICY;
  const transient = options.isTransient ?? isTransient;
  for (let attempt = 1; ; attempt++) {
    try {
      return await action(attempt);
    } catch (error) {
      if (attempt >= policy.maxAttempts || options.signal.aborted || !transient(error)) throw error;
      const delay = backoffMs(attempt, policy, env.random);
      if (env.now() + delay >= options.deadlineAt) throw error;
      options.onRetry?.(error, attempt, delay);
      await env.sleep(delay, options.signal);
      if (options.signal.aborted) throw error;
    }
  }
}

/** The real clock, sleep and randomness. */
export const SYSTEM_RETRY_ENV: RetryEnvironment = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    }),
};

/** The same error, marked as having happened before the user's statement was sent (so a lost connection may retry). */
export function beforeStatement(error: unknown): unknown {
  if (!(error instanceof EngineError) || error.code !== 'CONNECTOR') return error;
  return new EngineError(error.code, error.message, { ...error.details, beforeStatement: true }, { cause: error });
}

/**
 * A connector call, retried on transient failures with the real clock: the retries may add at most
 * `windowMs` (the connect timeout: about one more connection attempt) to the action.
 */
export function retryingCall<T>(signal: AbortSignal, windowMs: number, call: () => Promise<T>): Promise<T> {
  return withRetry(() => call(), { signal, deadlineAt: SYSTEM_RETRY_ENV.now() + windowMs }, SYSTEM_RETRY_ENV);
}
