import type { Database } from '../store/migration';

export type ExpiryReason = 'age' | 'size';

export interface ResultPolicy {
  /** Results older than this give their rows back; 0 keeps them by age. */
  maxAgeDays: number;
  /** The most the kept results may take together. */
  maxBytes: number;
}

export interface PruneOutcome {
  expiredByAge: number;
  expiredBySize: number;
  /** Bytes of rows given back (SQLite reuses the pages; the file does not shrink until VACUUM). */
  freedBytes: number;
  /** What the kept results take now. */
  keptBytes: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Stored results under the retention policy. Expiring a result empties its
 * rows and marks it (`result_retention.expired_at`); the result row, the run
 * that refers to it and the chat message (question, query, first rows) stay,
 * so the thread still reads and says the rest expired. Sizes come from
 * `result_retention` (filled by a trigger), so pruning never reads rows.
 */
export class ResultRetention {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  prune(policy: ResultPolicy, now: number): PruneOutcome {
    return this.#db.transaction((): PruneOutcome => {
      const at = new Date(now).toISOString();
      let expiredByAge = 0;
      let freedBytes = 0;
      if (policy.maxAgeDays > 0) {
        const cutoff = new Date(now - policy.maxAgeDays * DAY_MS).toISOString();
        const old = this.#db.prepare('SELECT result_id, bytes FROM result_retention WHERE expired_at IS NULL AND created_at < ?').all(cutoff) as Kept[];
        for (const r of old) this.#expire(r.result_id, 'age', at);
        expiredByAge = old.length;
        freedBytes += old.reduce((sum, r) => sum + r.bytes, 0);
      }
      // Newest first: the newest result is always kept, even alone over the limit (it was just asked for).
      const kept = this.#db.prepare('SELECT result_id, bytes FROM result_retention WHERE expired_at IS NULL ORDER BY created_at DESC, result_id DESC').all() as Kept[];
      let keptBytes = 0;
      let expiredBySize = 0;
      kept.forEach((r, i) => {
        if (i === 0 || keptBytes + r.bytes <= policy.maxBytes) {
          keptBytes += r.bytes;
          return;
        }
        this.#expire(r.result_id, 'size', at);
        expiredBySize++;
        freedBytes += r.bytes;
      });
      return { expiredByAge, expiredBySize, freedBytes, keptBytes };
    }).immediate();
  }

  #expire(resultId: string, reason: ExpiryReason, at: string): void {
    this.#db.prepare(`UPDATE query_results SET rows_json = '[]', columns_blob = NULL WHERE id = ?`).run(resultId);
    this.#db.prepare('UPDATE result_retention SET expired_at = ?, expired_reason = ? WHERE result_id = ?').run(at, reason, resultId);
  }

  /** When and why a result's rows were given back; null while they are kept. */
  expiry(resultId: string): { expiredAt: string; reason: ExpiryReason } | null {
    const row = this.#db.prepare('SELECT expired_at, expired_reason FROM result_retention WHERE result_id = ? AND expired_at IS NOT NULL').get(resultId) as
      | { expired_at: string; expired_reason: ExpiryReason }
      | undefined;
    return row ? { expiredAt: row.expired_at, reason: row.expired_reason } : null;
  }
}

interface Kept {
  result_id: string;
  bytes: number;
}
