import { appendOnly } from './0010-initial';
import type { Migration } from '../migration';

/**
 * Single use of an approval is a row, not a flag: using (or denying) a token
 * inserts its nonce here, and the primary key refuses a second insert. Setting
 * `approvals.status` back to 'issued' no longer makes a used token run again.
 * Nonces already used are carried over, including any whose status was edited
 * back but which a recorded run proves were consumed.
 */
export const migration: Migration = {
  id: 80,
  name: 'approval-uses',
  up(db) {
    db.exec(`
      CREATE TABLE approval_uses (
        nonce TEXT PRIMARY KEY REFERENCES approvals (nonce),
        outcome TEXT NOT NULL CHECK (outcome IN ('consumed', 'denied')),
        at TEXT NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO approval_uses (nonce, outcome, at)
        SELECT nonce, status, COALESCE(decided_at, issued_at) FROM approvals WHERE status IN ('consumed', 'denied');
      INSERT OR IGNORE INTO approval_uses (nonce, outcome, at)
        SELECT nonce, 'consumed', MIN(started_at) FROM query_runs GROUP BY nonce;
      ${appendOnly('approval_uses')}
    `);
  },
};
