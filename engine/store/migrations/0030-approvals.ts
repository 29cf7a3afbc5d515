import { appendOnly } from './0010-initial';
import type { Migration } from '../migration';

/**
 * Approval tokens (one row per issued nonce: single use is enforced by
 * updating `status` from 'issued' exactly once), the record of every run, and
 * stored results that chat messages refer to.
 */
export const migration: Migration = {
  id: 30,
  name: 'approvals',
  up(db) {
    db.exec(`
      CREATE TABLE approvals (
        nonce TEXT PRIMARY KEY,
        source_id TEXT NOT NULL,
        query_hash TEXT NOT NULL,
        query_text TEXT NOT NULL,
        session_id TEXT,
        message_id TEXT,
        issued_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'consumed', 'denied')),
        decided_at TEXT
      );
      CREATE INDEX approvals_source ON approvals (source_id, issued_at);

      CREATE TABLE query_results (
        id TEXT PRIMARY KEY,
        source_id TEXT,
        columns_json TEXT NOT NULL,
        rows_json TEXT NOT NULL,
        row_count INTEGER NOT NULL,
        truncated INTEGER NOT NULL,
        created_at TEXT NOT NULL
      );

      CREATE TABLE query_runs (
        id TEXT PRIMARY KEY,
        nonce TEXT NOT NULL REFERENCES approvals (nonce),
        source_id TEXT NOT NULL,
        session_id TEXT,
        message_id TEXT,
        trace_id TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('succeeded', 'failed', 'cancelled')),
        latency_ms REAL NOT NULL,
        row_count INTEGER,
        truncated INTEGER,
        error_code TEXT,
        error_message TEXT,
        result_id TEXT REFERENCES query_results (id)
      );
      CREATE INDEX query_runs_source ON query_runs (source_id, started_at);
      ${appendOnly('query_runs')}
    `);
  },
};
