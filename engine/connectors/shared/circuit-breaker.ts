import { EngineError, UnavailableError } from '../../errors';
import { isTransient } from './retry';

/**
 * A per-source circuit breaker (issue 12, S6-004). After `failureThreshold` consecutive transient
 * failures the circuit opens: calls fail fast with a clear message instead of each waiting out a
 * connect timeout. After a cool-down it is half-open and lets one probe through: success closes it,
 * failure opens it again with a longer cool-down (doubling up to maxCoolDownMs). Pure: the clock is
 * injected, and callers report outcomes.
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface BreakerPolicy {
  failureThreshold: number;
  coolDownMs: number;
  maxCoolDownMs: number;
}

export const BREAKER_POLICY: BreakerPolicy = { failureThreshold: 5, coolDownMs: 10_000, maxCoolDownMs: 5 * 60_000 };

/** The policy the user set in Settings (Limits): the longest cool-down stays 5 minutes, or the first one if that is longer. */
export function breakerPolicyOf(settings: { circuitFailureThreshold: number; circuitCoolDownSeconds: number }): BreakerPolicy {
  const coolDownMs = settings.circuitCoolDownSeconds * 1000;
  return { failureThreshold: settings.circuitFailureThreshold, coolDownMs, maxCoolDownMs: Math.max(BREAKER_POLICY.maxCoolDownMs, coolDownMs) };
}

export interface BreakerSnapshot {
  state: CircuitState;
  consecutiveFailures: number;
  /** When the first of the consecutive failures happened (epoch ms), or null. */
  failingSince: number | null;
  /** Open: when a probe will be let through (epoch ms). */
  retryAt: number | null;
}

/** What survives the process (engine/sources/source-circuits.ts keeps it in SQLite): all but the probe in flight. */
export interface BreakerRecord extends BreakerSnapshot {
  /** How many times it opened since it last closed: the next cool-down doubles that many times. */
  opens: number;
}

export class CircuitBreaker {
  /** Read at each decision, so a changed setting applies to circuits already open. */
  readonly #policy: () => BreakerPolicy;
  readonly #now: () => number;
  #state: CircuitState = 'closed';
  #failures = 0;
  #failingSince: number | null = null;
  #retryAt: number | null = null;
  #opens = 0;
  #probeInFlight = false;

  constructor(now: () => number, policy: BreakerPolicy | (() => BreakerPolicy) = BREAKER_POLICY) {
    this.#now = now;
    this.#policy = typeof policy === 'function' ? policy : () => policy;
  }

  get snapshot(): BreakerSnapshot {
    this.#refresh();
    return { state: this.#state, consecutiveFailures: this.#failures, failingSince: this.#failingSince, retryAt: this.#retryAt };
  }

  get record(): BreakerRecord {
    return { ...this.snapshot, opens: this.#opens };
  }

  /** Takes up a stored state (another process may have moved it on); a probe this process has out stays out. */
  restore(record: BreakerRecord): void {
    this.#state = record.state;
    this.#failures = record.consecutiveFailures;
    this.#failingSince = record.failingSince;
    this.#retryAt = record.retryAt;
    this.#opens = record.opens;
    if (record.state === 'closed') this.#probeInFlight = false;
  }

  /**
   * Whether a call may go ahead now. Closed: yes. Open: no, until the cool-down ends. Half-open:
   * yes for exactly one probe; others wait for its outcome (refused meanwhile).
   */
  tryAcquire(): boolean {
    this.#refresh();
    if (this.#state === 'closed') return true;
    if (this.#state === 'open' || this.#probeInFlight) return false;
    this.#probeInFlight = true;
    return true;
  }

  onSuccess(): void {
    this.#state = 'closed';
    this.#failures = 0;
    this.#failingSince = null;
    this.#retryAt = null;
    this.#opens = 0;
    this.#probeInFlight = false;
  }

  /** A transient failure (shared/retry.ts isTransient); other failures say nothing about reachability and are not reported. */
  onTransientFailure(): void {
    const now = this.#now();
    this.#refresh();
    this.#failures++;
    this.#failingSince ??= now;
    const probeFailed = this.#state === 'half-open';
    this.#probeInFlight = false;
    // Already open: a call let through before it opened has failed too. It counts, but does not
    // push the retry back (five queries failing together would otherwise lengthen the cool-down five times).
    if (this.#state === 'open') return;
    const policy = this.#policy();
    if (probeFailed || this.#failures >= policy.failureThreshold) {
      const coolDown = Math.min(policy.maxCoolDownMs, policy.coolDownMs * 2 ** this.#opens);
      this.#opens++;
      this.#state = 'open';
      this.#retryAt = now + coolDown;
    }
  }

  /** A call let through that ended without telling anything (cancelled, a query error): frees the probe slot. */
  onNeutral(): void {
    this.#probeInFlight = false;
  }

  #refresh(): void {
    if (this.#state === 'open' && this.#retryAt !== null && this.#now() >= this.#retryAt) this.#state = 'half-open';
  }
}

/** Connection error kinds that say the server could not be reached (a connect timeout included, which retry.ts does not retry). */
const UNREACHABLE_KINDS = new Set(['PORT_CLOSED', 'HOST_UNREACHABLE', 'TIMEOUT']);

/**
 * Whether a failed call says the source is unreachable, so it counts towards opening its circuit.
 * An allow-list: the transient failures retry.ts retries, a connect that timed out, a connection the
 * server closed during the handshake (a server restarting). A query's own error (syntax, permission),
 * a statement timeout, a cancel, a wait for a busy pool and anything after rows arrived never count.
 */
export function countsAsUnreachable(error: unknown): boolean {
  if (isTransient(error)) return true;
  if (!(error instanceof EngineError) || (error.code !== 'CONNECTOR' && error.code !== 'TIMEOUT')) return false;
  const d = error.details ?? {};
  // Waiting for a busy pool's free connection says the source is loaded, not unreachable.
  if (d.rowsReceived === true || d.poolWait === true) return false;
  if (UNREACHABLE_KINDS.has(String(d.kind)) || UNREACHABLE_KINDS.has(String(d.connectionKind))) return true;
  return error.code === 'CONNECTOR' && d.closedDuringHandshake === true;
}

/** The same for a connection test's outcome, which reports only the kind of failure. */
export function testCountsAsUnreachable(kind: string): boolean {
  return UNREACHABLE_KINDS.has(kind);
}

/**
 * "PostgreSQL 'Prod' is unreachable: 5 failures in 30 s; retrying at 10:42:05." `note` follows it
 * (what became of the caller's work); `details` are added to the error's.
 */
export function unreachableError(
  storeLabel: string,
  sourceName: string,
  snapshot: BreakerSnapshot,
  now: number,
  timeOfDay: (epochMs: number) => string,
  more: { note?: string; details?: Record<string, unknown> } = {},
): UnavailableError {
  const span = snapshot.failingSince === null ? 0 : Math.max(1, Math.round((now - snapshot.failingSince) / 1000));
  // Half-open: the cool-down is over and a probe is out now.
  const at = snapshot.state === 'half-open' ? 'now' : snapshot.retryAt === null ? 'soon' : `at ${timeOfDay(snapshot.retryAt)}`;
  const message = `${storeLabel} '${sourceName}' is unreachable: ${snapshot.consecutiveFailures} failures in ${span} s; retrying ${at}.`;
  return new UnavailableError(more.note ? `${message} ${more.note}` : message, {
    ...more.details,
    kind: 'CIRCUIT_OPEN',
    retryAfterMs: snapshot.retryAt === null ? 0 : Math.max(0, snapshot.retryAt - now),
    consecutiveFailures: snapshot.consecutiveFailures,
  });
}
