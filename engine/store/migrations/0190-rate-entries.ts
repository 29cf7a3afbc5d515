import type { Migration } from '../migration';

/**
 * The per-minute limits' windows (engine/limits/rate-windows.ts), kept here so
 * the app and every CLI command on the profile count against the same limit.
 * `key` names the limit and what it applies to (a source, a provider); `at` is
 * epoch ms; `amount` is 1 per use, or tokens for a token limit. Rows older
 * than a minute are deleted as their key is read, so the table stays small.
 */
export const migration: Migration = {
  id: 190,
  name: 'rate-entries',
  up(db) {
    db.exec(`
      CREATE TABLE rate_entries (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL,
        at INTEGER NOT NULL,
        amount INTEGER NOT NULL CHECK (amount >= 0)
      );
      CREATE INDEX rate_entries_key_at ON rate_entries (key, at);
    `);
  },
};
