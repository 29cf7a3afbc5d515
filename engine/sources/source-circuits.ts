import { descriptors } from '../connectors/descriptors';
import {
  BREAKER_POLICY,
  CircuitBreaker,
  countsAsUnreachable,
  testCountsAsUnreachable,
  unreachableError,
  type BreakerPolicy,
  type CircuitState,
} from '../connectors/shared/circuit-breaker';
import type { ConnectionTestResult } from '../connectors/types';
import { CLOSED_CIRCUIT, type SourceCircuit, type SourceType } from '../contract/index';
import type { UnavailableError } from '../errors';

/** What the fail-fast message names: the store's label and the source's name. */
export interface CircuitTarget {
  id: string;
  type: SourceType;
  name: string;
}

/** A call let through the circuit; settle it exactly once with how it ended. */
export interface CircuitPermit {
  /** `undefined` for success; an error is judged by countsAsUnreachable (anything else says nothing about reachability). */
  settle(error?: unknown): void;
}

export interface SourceCircuitsOptions {
  now?: () => number;
  policy?: BreakerPolicy;
  /** Told when a source's circuit opens, closes or goes half-open after a call (for sources.changed). */
  onChange?: (sourceId: string) => void;
  /** "10:42:05" for a time: the local time of day by default. */
  timeOfDay?: (epochMs: number) => string;
}

function localTimeOfDay(epochMs: number): string {
  const d = new Date(epochMs);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/**
 * One circuit breaker per source (issue 12, S6-004), kept by this engine: every call that reaches a
 * store asks for a permit first, so a source that keeps failing to connect fails fast (UNAVAILABLE,
 * CIRCUIT_OPEN, with when it retries) instead of each call waiting out a connect timeout. Other
 * sources have circuits of their own.
 */
export class SourceCircuits {
  readonly #breakers = new Map<string, CircuitBreaker>();
  readonly #now: () => number;
  readonly #policy: BreakerPolicy;
  readonly #onChange: (sourceId: string) => void;
  readonly #timeOfDay: (epochMs: number) => string;

  constructor(options: SourceCircuitsOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#policy = options.policy ?? BREAKER_POLICY;
    this.#onChange = options.onChange ?? (() => {});
    this.#timeOfDay = options.timeOfDay ?? localTimeOfDay;
  }

  #breaker(sourceId: string): CircuitBreaker {
    let breaker = this.#breakers.get(sourceId);
    if (!breaker) this.#breakers.set(sourceId, (breaker = new CircuitBreaker(this.#now, this.#policy)));
    return breaker;
  }

  /** The source's circuit for the contract (sources.list, sources.get). */
  state(target: CircuitTarget): SourceCircuit {
    const breaker = this.#breakers.get(target.id);
    if (!breaker) return CLOSED_CIRCUIT;
    const s = breaker.snapshot;
    if (s.state === 'closed') return { ...CLOSED_CIRCUIT, consecutiveFailures: s.consecutiveFailures };
    return {
      state: s.state,
      consecutiveFailures: s.consecutiveFailures,
      retryAt: s.retryAt === null ? null : new Date(s.retryAt).toISOString(),
      message: s.state === 'open' ? this.#refusal(target).message : null,
    };
  }

  #refusal(target: CircuitTarget, note = ''): UnavailableError {
    const snapshot = this.#breaker(target.id).snapshot;
    return unreachableError(descriptors[target.type].label, target.name, snapshot, this.#now(), this.#timeOfDay, { note, details: { sourceId: target.id } });
  }

  /**
   * A permit for one call to the source, or the fail-fast error when its circuit is open (or
   * half-open with its probe already out). `note` is added to the refusal's message.
   */
  admit(target: CircuitTarget, note = ''): CircuitPermit {
    const breaker = this.#breaker(target.id);
    if (!breaker.tryAcquire()) throw this.#refusal(target, note);
    let settled = false;
    return {
      settle: (error?: unknown) => {
        if (settled) return;
        settled = true;
        this.#report(target.id, () => {
          if (error === undefined) breaker.onSuccess();
          else if (countsAsUnreachable(error)) breaker.onTransientFailure();
          else breaker.onNeutral();
        });
      },
    };
  }

  /** Runs `call` with a permit, settled with its outcome. */
  async guard<T>(target: CircuitTarget, call: () => Promise<T>): Promise<T> {
    const permit = this.admit(target);
    try {
      const value = await call();
      permit.settle();
      return value;
    } catch (error) {
      permit.settle(error);
      throw error;
    }
  }

  /**
   * A connection test is let through whatever the circuit says (it is the user asking whether the
   * source is back): one that connects closes the circuit, one that cannot reach the server counts.
   */
  tested(sourceId: string, result: Pick<ConnectionTestResult, 'ok' | 'error'>): void {
    const breaker = this.#breaker(sourceId);
    this.#report(sourceId, () => {
      if (result.ok) breaker.onSuccess();
      else if (result.error && testCountsAsUnreachable(result.error.kind)) breaker.onTransientFailure();
    });
  }

  /** Forgets a removed or edited source's circuit: new details deserve a fresh start. */
  forget(sourceId: string): void {
    this.#breakers.delete(sourceId);
  }

  #report(sourceId: string, apply: () => void): void {
    const breaker = this.#breaker(sourceId);
    const before: CircuitState = breaker.snapshot.state;
    apply();
    if (breaker.snapshot.state !== before) this.#onChange(sourceId);
  }
}
