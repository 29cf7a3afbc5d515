import { appendOnly } from './0010-initial';
import type { Migration } from '../migration';

/**
 * The context ledger (the exact text of every request that left the machine,
 * stored with the message it produced; append-only like the messages) and the
 * configured model provider (never its API key: that is in the keychain).
 */
export const migration: Migration = {
  id: 40,
  name: 'chat',
  up(db) {
    db.exec(`
      CREATE TABLE chat_ledger (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        message_id TEXT NOT NULL REFERENCES chat_messages (id),
        provider TEXT NOT NULL,
        url TEXT NOT NULL,
        hosted INTEGER NOT NULL,
        at TEXT NOT NULL,
        request_text TEXT NOT NULL
      );
      CREATE INDEX chat_ledger_message ON chat_ledger (message_id);
      ${appendOnly('chat_ledger')}

      CREATE TABLE providers (
        slot TEXT PRIMARY KEY CHECK (slot IN ('primary')),
        config_json TEXT NOT NULL,
        -- The keychain account holding the API key, if any.
        secret_ref TEXT,
        updated_at TEXT NOT NULL
      );

      CREATE INDEX chat_sessions_updated ON chat_sessions (archived, updated_at);
    `);
  },
};
