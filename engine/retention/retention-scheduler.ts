import type { AppSettings } from '../contract/index';
import type { Logger } from '../log/logger';
import type { PruneOutcome, ResultRetention } from './result-retention';

/** How often retention runs after the one at open: results and audit events age by days, so a few times a day is enough. */
export const RETENTION_INTERVAL_MS = 6 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const MB = 1024 * 1024;

/** The audit log's part: whether anything is old enough, and the prune itself (which records an event, so it runs only when there is something to drop). */
export interface AuditRetention {
  hasEventsBefore(before: Date): boolean;
  prune(before: Date, options?: { by?: 'retention' }): number;
}

export interface Timers {
  setInterval(run: () => void, ms: number): { unref?: () => unknown };
  clearInterval(handle: unknown): void;
}

export interface RetentionOptions {
  results: ResultRetention;
  audit: AuditRetention;
  settings: () => AppSettings;
  logger: Logger;
  now?: () => number;
  timers?: Timers;
  intervalMs?: number;
}

export interface RetentionRun {
  results: PruneOutcome | null;
  /** Audit events deleted; null when nothing was old enough, or pruning was refused (logged). */
  auditPruned: number | null;
}

/**
 * Applies the retention settings at open and then on a schedule: stored
 * results by age and total size, the audit log by age. The timer is unref'd
 * (it never keeps a host alive) and stopped by the engine's close. A failure
 * of one part is logged and retried at the next run; it never stops the other.
 */
export class RetentionScheduler {
  readonly #o: RetentionOptions;
  readonly #now: () => number;
  readonly #timers: Timers;
  #handle: unknown = null;

  constructor(options: RetentionOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#timers = options.timers ?? { setInterval: (run, ms) => setInterval(run, ms), clearInterval: (h) => clearInterval(h as NodeJS.Timeout) };
  }

  runOnce(): RetentionRun {
    const settings = this.#o.settings();
    const now = this.#now();
    let results: PruneOutcome | null = null;
    try {
      results = this.#o.results.prune({ maxAgeDays: settings.resultRetentionDays, maxBytes: settings.resultStorageLimitMb * MB }, now);
      if (results.expiredByAge + results.expiredBySize > 0) this.#o.logger.info('stored results expired by the retention policy', { ...results });
    } catch (error) {
      this.#o.logger.warn('stored results could not be pruned; retrying at the next run', { error });
    }
    let auditPruned: number | null = null;
    if (settings.auditRetentionDays > 0) {
      const before = new Date(now - settings.auditRetentionDays * DAY_MS);
      try {
        if (this.#o.audit.hasEventsBefore(before)) auditPruned = this.#o.audit.prune(before, { by: 'retention' });
      } catch (error) {
        // An altered log is not pruned (the evidence stays); a locked keychain cannot sign the new start.
        this.#o.logger.warn('the audit log could not be pruned; retrying at the next run', { error });
      }
    }
    return { results, auditPruned };
  }

  /** Runs now, then every interval. */
  start(): RetentionRun {
    this.stop();
    const run = this.runOnce();
    const handle = this.#timers.setInterval(() => void this.runOnce(), this.#o.intervalMs ?? RETENTION_INTERVAL_MS);
    handle.unref?.();
    this.#handle = handle;
    return run;
  }

  stop(): void {
    if (this.#handle !== null) this.#timers.clearInterval(this.#handle);
    this.#handle = null;
  }
}
