import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { EngineError } from '../errors';
import type { Database, Migration } from './migration';
import { migrations as allMigrations } from './migrations/index';

const require = createRequire(import.meta.url);

export class SchemaTooNewError extends EngineError {
  constructor(found: number, supported: number) {
    super(
      'UNAVAILABLE',
      `This profile was last opened by a newer version of PolyStoreIQ (database schema ${found}; this version understands up to ${supported}). ` +
        'Update PolyStoreIQ to open it. Nothing was changed.',
      { found, supported },
    );
  }
}

/**
 * Opens the app's SQLite database: one writer connection, WAL, foreign keys,
 * a busy timeout, and every pending migration applied in order.
 */
export function openDatabase(file: string, options: { migrations?: readonly Migration[] } = {}): Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const Sqlite = require('better-sqlite3') as typeof BetterSqlite3;
  const db = new Sqlite(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    migrate(db, options.migrations ?? allMigrations);
  } catch (error) {
    db.close();
    throw error;
  }
  if (file !== ':memory:') {
    for (const f of [file, `${file}-wal`, `${file}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
  }
  return db;
}

export function currentSchemaVersion(db: Database): number {
  const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).get();
  if (!exists) return 0;
  return (db.prepare('SELECT COALESCE(MAX(id), 0) AS v FROM schema_migrations').get() as { v: number }).v;
}

/** Applies pending migrations; refuses a database written by a newer app version. */
export function migrate(db: Database, migrations: readonly Migration[]): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const latest = migrations.at(-1)?.id ?? 0;
  const current = currentSchemaVersion(db);
  if (current > latest) throw new SchemaTooNewError(current, latest);
  const applied = new Set((db.prepare('SELECT id FROM schema_migrations').all() as Array<{ id: number }>).map((r) => r.id));
  const done: number[] = [];
  for (const m of migrations) {
    if (applied.has(m.id)) continue;
    db.transaction(() => {
      m.up(db);
      db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)').run(m.id, m.name, new Date().toISOString());
    })();
    done.push(m.id);
  }
  return done;
}
