import { appendOnly } from './0010-initial';
import type { Migration } from '../migration';

/**
 * A use of an approval may be given back once, by a run that failed before
 * its statement could reach the server: the next use is the next attempt,
 * allowed only when every earlier use of the nonce was given back that way.
 * Put back at every open with the append-only guards (see engine/approval/approvals.ts).
 */
export function singleUseGuard(): string {
  return `
    CREATE TRIGGER approval_uses_single_use BEFORE INSERT ON approval_uses
    WHEN NEW.attempt > 1 AND (
      NEW.attempt <> 1 + (SELECT COUNT(*) FROM approval_uses WHERE nonce = NEW.nonce)
      OR EXISTS (
        SELECT 1 FROM approval_uses u WHERE u.nonce = NEW.nonce AND NOT EXISTS (
          SELECT 1 FROM query_run_starts s JOIN query_runs r ON r.id = s.id
          WHERE s.nonce = u.nonce AND s.attempt = u.attempt AND r.status = 'failed' AND r.statement_started = 0
        )
      )
    )
    BEGIN SELECT RAISE(ABORT, 'approval_uses: this approval was used already'); END;
  `;
}

/**
 * Runs are recorded when they start, not only when they end: consuming an
 * approval, the run's start (`query_run_starts`) and its audit event are
 * written in one transaction before anything reaches the database, and the
 * outcome (`query_runs`, as before) after. A start without an outcome is a run
 * whose outcome is unknown (the process ended while it ran).
 *
 * `approval_uses` is rebuilt keyed by (nonce, attempt): a run that failed
 * before its statement was sent (`query_runs.statement_started = 0`) gives its
 * approval back, and the next use is attempt 2. Existing uses become attempt 1.
 */
export const migration: Migration = {
  id: 110,
  name: 'run-starts',
  up(db) {
    db.exec(`
      CREATE TABLE approval_uses_v2 (
        nonce TEXT NOT NULL REFERENCES approvals (nonce),
        attempt INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1),
        outcome TEXT NOT NULL CHECK (outcome IN ('consumed', 'denied')),
        at TEXT NOT NULL,
        PRIMARY KEY (nonce, attempt)
      ) WITHOUT ROWID;
      INSERT INTO approval_uses_v2 (nonce, attempt, outcome, at) SELECT nonce, 1, outcome, at FROM approval_uses;
      DROP TABLE approval_uses;
      ALTER TABLE approval_uses_v2 RENAME TO approval_uses;
      ${appendOnly('approval_uses')}

      CREATE TABLE query_run_starts (
        id TEXT PRIMARY KEY,
        nonce TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        source_id TEXT NOT NULL,
        session_id TEXT,
        message_id TEXT,
        trace_id TEXT,
        started_at TEXT NOT NULL,
        -- After this the run cannot still be going (its timeout and transfer budget have passed).
        deadline_at TEXT NOT NULL,
        -- Which engine (one per open) and process started it: another window tells a live run from a dead one.
        instance_id TEXT NOT NULL,
        pid INTEGER NOT NULL,
        UNIQUE (nonce, attempt),
        FOREIGN KEY (nonce, attempt) REFERENCES approval_uses (nonce, attempt)
      );
      CREATE INDEX query_run_starts_session ON query_run_starts (session_id, started_at);
      ${appendOnly('query_run_starts')}

      -- 1: the statement may have reached the server; 0: it failed before (the approval was given back); NULL: recorded before this column.
      ALTER TABLE query_runs ADD COLUMN statement_started INTEGER CHECK (statement_started IN (0, 1));
      CREATE INDEX approvals_session ON approvals (session_id, message_id);
      CREATE INDEX query_runs_session ON query_runs (session_id, message_id);
      ${singleUseGuard()}
    `);
  },
};
