import type { Database } from '../store/migration';

/** One use counted against a limit: when, and how much (1 per request; tokens for a token limit). */
export interface RateEntry {
  at: number;
  amount: number;
}

/**
 * The sliding windows behind the per-minute limits (a source's jobs, a provider's requests and
 * tokens, a provider's own "wait until"). Kept in the profile's SQLite by the engine, so the app,
 * a second window's host and every CLI command share one count: a script that starts a CLI command
 * per query cannot step around a limit by starting each with an empty window.
 */
export interface RateWindows {
  /**
   * Reads the entries of `key` later than `since` (oldest first) and, in the same transaction,
   * records the entry `decide` returns (none for null); a `decide` that throws records nothing.
   * Returns the recorded entry's id, for `adjust`, or null.
   */
  spend(key: string, since: number, decide: (recent: readonly RateEntry[]) => RateEntry | null): number | null;
  /** Corrects a recorded entry's amount (a request's actual token count, once its answer came). */
  adjust(key: string, id: number, amount: number): void;
}

/** Windows only this process sees: for engines without a profile database and for unit tests. */
export function memoryRateWindows(): RateWindows {
  const entries = new Map<string, Array<RateEntry & { id: number }>>();
  let nextId = 1;
  return {
    spend(key, since, decide) {
      const recent = (entries.get(key) ?? []).filter((e) => e.at > since);
      entries.set(key, recent);
      const entry = decide(recent.map(({ at, amount }) => ({ at, amount })));
      if (!entry) return null;
      const id = nextId++;
      recent.push({ ...entry, id });
      recent.sort((a, b) => a.at - b.at);
      return id;
    },
    adjust(key, id, amount) {
      const entry = entries.get(key)?.find((e) => e.id === id);
      if (entry) entry.amount = amount;
    },
  };
}

/**
 * Windows in the profile database (migration 0190's `rate_entries`). Each spend is one IMMEDIATE
 * transaction, so two processes deciding at once are serialised by SQLite instead of both seeing
 * room for one more; entries that left the window are deleted as the key is read.
 */
export function sqliteRateWindows(db: Database): RateWindows {
  const prune = db.prepare('DELETE FROM rate_entries WHERE key = ? AND at <= ?');
  const select = db.prepare('SELECT at, amount FROM rate_entries WHERE key = ? ORDER BY at, id');
  const insert = db.prepare('INSERT INTO rate_entries (key, at, amount) VALUES (?, ?, ?)');
  const update = db.prepare('UPDATE rate_entries SET amount = ? WHERE key = ? AND id = ?');
  const spend = db.transaction((key: string, since: number, decide: (recent: readonly RateEntry[]) => RateEntry | null): number | null => {
    prune.run(key, since);
    const recent = (select.all(key) as Array<{ at: unknown; amount: unknown }>).flatMap((row) =>
      // A damaged row is not a reason to refuse or to let everything through: it is left out.
      Number.isFinite(row.at) && Number.isFinite(row.amount) ? [{ at: Number(row.at), amount: Number(row.amount) }] : [],
    );
    const entry = decide(recent);
    if (!entry) return null;
    return Number(insert.run(key, Math.round(entry.at), Math.max(0, Math.round(entry.amount))).lastInsertRowid);
  });
  return {
    spend: (key, since, decide) => spend.immediate(key, since, decide),
    adjust(key, id, amount) {
      update.run(Math.max(0, Math.round(amount)), key, id);
    },
  };
}
