import type { Migration } from '../migration';

/**
 * A tamper-evident audit log: every event carries `hash`, an HMAC (keyed from
 * the OS keychain) over the event and the previous event's hash, and
 * `audit_anchor` says where the retained chain starts (the first kept event
 * and the hash before it, MAC'd the same way), so pruning old events stays
 * verifiable. Events written before this migration have no hash yet; the
 * first open seals them (see engine/audit/audit-log.ts).
 */
export const migration: Migration = {
  id: 90,
  name: 'audit-chain',
  up(db) {
    db.exec(`
      ALTER TABLE audit_events ADD COLUMN hash TEXT;
      CREATE TABLE audit_anchor (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        log_id TEXT NOT NULL,
        first_seq INTEGER NOT NULL,
        prev_hash TEXT NOT NULL,
        -- Events up to here were sealed as found (older logs may have gaps); after it, sequence numbers must be consecutive.
        sealed_through INTEGER NOT NULL,
        mac TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `);
  },
};
