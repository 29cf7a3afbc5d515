import type { Migration } from '../migration';

/**
 * Layer 3: what each source's login can do beyond reading (from its last
 * connection test), and which set of those risks the owner confirmed. The
 * confirmation names the exact risk codes, so a login that gains a new power
 * needs a new confirmation.
 */
export const migration: Migration = {
  id: 70,
  name: 'login-risks',
  up(db) {
    db.exec(`
      ALTER TABLE sources ADD COLUMN risks_json TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE sources ADD COLUMN risks_confirmed_codes TEXT;
      ALTER TABLE sources ADD COLUMN risks_confirmed_at TEXT;
    `);
    // What earlier tests found is carried over, so a login known to write still needs a confirmation.
    db.prepare(`UPDATE sources SET risks_json = ? WHERE can_write = 1`).run(
      JSON.stringify([{ code: 'CAN_WRITE', message: 'This login can change data or schema (found by an earlier connection test).' }]),
    );
  },
};
