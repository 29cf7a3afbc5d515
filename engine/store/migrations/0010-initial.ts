import type { Migration } from '../migration';

/** Append-only tables refuse UPDATE and DELETE in SQLite itself, whatever the caller. */
export function appendOnly(table: string, options: { deleteGuard?: string } = {}): string {
  const deleteCondition = options.deleteGuard ? ` WHEN NOT EXISTS (SELECT 1 FROM ${options.deleteGuard})` : '';
  return `
    CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
    BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END;
    CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}${deleteCondition}
    BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END;
  `;
}

export const migration: Migration = {
  id: 10,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE profiles (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        secret_kind TEXT NOT NULL CHECK (secret_kind IN ('pin', 'passphrase')),
        secret_hash BLOB NOT NULL,
        secret_salt BLOB NOT NULL,
        kdf_params TEXT NOT NULL,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        blocked_until TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value_json TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE sources (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('postgres', 'mysql', 'mongodb', 'file')),
        connection_json TEXT NOT NULL,
        settings_json TEXT NOT NULL,
        -- The keychain account that holds this source's password; never the password itself.
        secret_ref TEXT,
        disabled INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'UNTESTED' CHECK (status IN ('UNTESTED', 'CONNECTED', 'FAILED')),
        last_checked_at TEXT,
        last_error TEXT,
        can_write INTEGER,
        server_version TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX sources_name_unique ON sources (name COLLATE NOCASE);

      CREATE TABLE chat_sessions (
        id TEXT PRIMARY KEY,
        source_id TEXT REFERENCES sources (id) ON DELETE SET NULL,
        title TEXT NOT NULL,
        archived INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE chat_messages (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES chat_sessions (id),
        seq INTEGER NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'event')),
        kind TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (session_id, seq)
      );
      ${appendOnly('chat_messages')}

      -- Retention pruning is the one way to delete audit events: it inserts a row
      -- here inside its transaction, deletes, removes the row and records the prune.
      CREATE TABLE audit_prune_guard (active INTEGER NOT NULL);
      CREATE TABLE audit_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        source_id TEXT,
        session_id TEXT,
        details_json TEXT NOT NULL
      );
      CREATE INDEX audit_events_at ON audit_events (at);
      CREATE INDEX audit_events_source ON audit_events (source_id, seq);
      CREATE INDEX audit_events_session ON audit_events (session_id, seq);
      CREATE INDEX audit_events_action ON audit_events (action, seq);
      ${appendOnly('audit_events', { deleteGuard: 'audit_prune_guard' })}

      CREATE TABLE telemetry_runs (
        id TEXT PRIMARY KEY,
        trace_id TEXT NOT NULL,
        stage TEXT NOT NULL,
        started_at TEXT NOT NULL,
        duration_ms REAL,
        status TEXT NOT NULL,
        model TEXT,
        tokens_in INTEGER,
        tokens_out INTEGER,
        source_id TEXT,
        session_id TEXT,
        details_json TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX telemetry_runs_trace ON telemetry_runs (trace_id);
      CREATE INDEX telemetry_runs_stage ON telemetry_runs (stage, started_at);
    `);
  },
};
