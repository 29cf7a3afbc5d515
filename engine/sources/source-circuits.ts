import { z } from 'zod';
import { descriptors } from '../connectors/descriptors';
import {
  BREAKER_POLICY,
  CircuitBreaker,
  countsAsUnreachable,
  testCountsAsUnreachable,
  unreachableError,
  type BreakerPolicy,
  type BreakerRecord,
} from '../connectors/shared/circuit-breaker';
import type { ConnectionTestResult } from '../connectors/types';
import { CLOSED_CIRCUIT, type SourceCircuit, type SourceType } from '../contract/index';
import type { UnavailableError } from '../errors';
import type { Database } from '../store/migration';

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

/** Where circuits are kept between calls, so every process on the profile shares them. */
export interface CircuitStore {
  load(sourceId: string): BreakerRecord | null;
  save(sourceId: string, record: BreakerRecord): void;
  delete(sourceId: string): void;
}

const StoredCircuit = z.object({
  state: z.enum(['closed', 'open', 'half-open']),
  failures: z.number().int().nonnegative(),
  failing_since: z.number().nullable(),
  retry_at: z.number().nullable(),
  opens: z.number().int().nonnegative(),
});

/**
 * Circuits in the profile's database (migration 0140). A row that does not parse is read as
 * closed: the breaker only saves time, so forgetting a damaged one is safe.
 */
export function sqliteCircuitStore(db: Database): CircuitStore {
  const select = db.prepare('SELECT state, failures, failing_since, retry_at, opens FROM source_circuits WHERE source_id = ?');
  const upsert = db.prepare(
    `INSERT INTO source_circuits (source_id, state, failures, failing_since, retry_at, opens, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (source_id) DO UPDATE SET state = excluded.state, failures = excluded.failures, failing_since = excluded.failing_since,
       retry_at = excluded.retry_at, opens = excluded.opens, updated_at = excluded.updated_at`,
  );
  const remove = db.prepare('DELETE FROM source_circuits WHERE source_id = ?');
  return {
    load(sourceId) {
      const row = StoredCircuit.safeParse(select.get(sourceId));
      if (!row.success) return null;
      const r = row.data;
      return { state: r.state, consecutiveFailures: r.failures, failingSince: r.failing_since, retryAt: r.retry_at, opens: r.opens };
    },
    save(sourceId, r) {
      // A source removed meanwhile (by another process) has nothing left to keep.
      if (!db.prepare('SELECT 1 FROM sources WHERE id = ?').get(sourceId)) return;
      upsert.run(sourceId, r.state, r.consecutiveFailures, r.failingSince, r.retryAt, r.opens, new Date().toISOString());
    },
    delete(sourceId) {
      remove.run(sourceId);
    },
  };
}

export interface SourceCircuitsOptions {
  /** Where circuits are kept; only in this process's memory when not given. */
  store?: CircuitStore;
  now?: () => number;
  /** A function is read at each decision (the user's Settings). */
  policy?: BreakerPolicy | (() => BreakerPolicy);
  /** Told when a source's circuit opens, closes or goes half-open after a call (for sources.changed). */
  onChange?: (sourceId: string) => void;
  /** "10:42:05" for a time: the local time of day by default. */
  timeOfDay?: (epochMs: number) => string;
}

const CLOSED_RECORD: BreakerRecord = { state: 'closed', consecutiveFailures: 0, failingSince: null, retryAt: null, opens: 0 };

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
  readonly #policy: BreakerPolicy | (() => BreakerPolicy);
  readonly #onChange: (sourceId: string) => void;
  readonly #timeOfDay: (epochMs: number) => string;
  readonly #store: CircuitStore | null;

  constructor(options: SourceCircuitsOptions = {}) {
    this.#store = options.store ?? null;
    this.#now = options.now ?? Date.now;
    this.#policy = options.policy ?? BREAKER_POLICY;
    this.#onChange = options.onChange ?? (() => {});
    this.#timeOfDay = options.timeOfDay ?? localTimeOfDay;
  }

  /** The source's breaker, brought up to date with the store (another process may have reported to it). */
  #breaker(sourceId: string): CircuitBreaker {
    let breaker = this.#breakers.get(sourceId);
    if (!breaker) this.#breakers.set(sourceId, (breaker = new CircuitBreaker(this.#now, this.#policy)));
    if (this.#store) breaker.restore(this.#store.load(sourceId) ?? CLOSED_RECORD);
    return breaker;
  }

  /** The source's circuit for the contract (sources.list, sources.get). */
  state(target: CircuitTarget): SourceCircuit {
    if (!this.#store && !this.#breakers.has(target.id)) return CLOSED_CIRCUIT;
    const s = this.#breaker(target.id).snapshot;
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
    // A connection test always goes through (see tested), so it is the way to try again sooner.
    const more = ['Test the connection to try it now.', note].filter(Boolean).join(' ');
    return unreachableError(descriptors[target.type].label, target.name, snapshot, this.#now(), this.#timeOfDay, { note: more, details: { sourceId: target.id } });
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
        this.#report(target.id, (b) => {
          if (error === undefined) b.onSuccess();
          else if (countsAsUnreachable(error)) b.onTransientFailure();
          else b.onNeutral();
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
    this.#report(sourceId, (b) => {
      if (result.ok) b.onSuccess();
      else if (result.error && testCountsAsUnreachable(result.error.kind)) b.onTransientFailure();
    });
  }

  /** Forgets a removed or edited source's circuit: new details deserve a fresh start. */
  forget(sourceId: string): void {
    this.#breakers.delete(sourceId);
    this.#store?.delete(sourceId);
  }

  /** Applies an outcome to the breaker as stored now, keeps the result, and says when the state changed. */
  #report(sourceId: string, apply: (breaker: CircuitBreaker) => void): void {
    const breaker = this.#breaker(sourceId);
    const before = breaker.record;
    apply(breaker);
    const after = breaker.record;
    if (this.#store && JSON.stringify(after) !== JSON.stringify(before)) this.#store.save(sourceId, after);
    if (after.state !== before.state) this.#onChange(sourceId);
  }
}
