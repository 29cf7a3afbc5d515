import type { Migration } from '../migration';

/**
 * Each source's circuit breaker (engine/sources/source-circuits.ts), kept
 * here rather than only in memory so every process on the profile sees it:
 * `polystore sources list` shows the app's open circuit, and a CLI run does
 * not wait out the connect timeouts the app already paid for. Times are epoch
 * ms. No row means closed with no failures.
 */
export const migration: Migration = {
  id: 140,
  name: 'source-circuits',
  up(db) {
    db.exec(`
      CREATE TABLE source_circuits (
        source_id TEXT PRIMARY KEY REFERENCES sources (id) ON DELETE CASCADE,
        state TEXT NOT NULL CHECK (state IN ('closed', 'open', 'half-open')),
        failures INTEGER NOT NULL CHECK (failures >= 0),
        failing_since INTEGER,
        retry_at INTEGER,
        opens INTEGER NOT NULL CHECK (opens >= 0),
        updated_at TEXT NOT NULL,
        CHECK (state = 'closed' OR retry_at IS NOT NULL)
      );
    `);
  },
};
