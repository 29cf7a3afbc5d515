import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { ConflictError, EngineError } from '../errors';
import { APP_VERSION } from '../version';
import { restorableBackup, restoreBackup, takeBackup, type BackupInfo } from './backups';
import type { Database, Migration } from './migration';
import { migrations as allMigrations } from './migrations/index';

const require = createRequire(import.meta.url);

export class SchemaTooNewError extends EngineError {
  constructor(
    readonly found: number,
    readonly supported: number,
    /** The newest backup this version understands, when one exists: a downgraded app offers to restore it. */
    readonly backup: BackupInfo | null = null,
  ) {
    super(
      'UNAVAILABLE',
      `This profile was last opened by a newer version of PolyStoreIQ (database schema ${found}; this version understands up to ${supported}). ` +
        (backup
          ? `A backup from ${backup.takenAt}, taken before version ${backup.appVersion} upgraded it, can be restored (the newer database is kept aside), or update PolyStoreIQ to open it. `
          : 'Update PolyStoreIQ to open it. ') +
        'Nothing was changed.',
      { found, supported, ...(backup ? { backup: { schema: backup.schema, appVersion: backup.appVersion, takenAt: backup.takenAt } } : {}) },
    );
  }
}

/** A file at the profile's database path that is not a PolyStoreIQ database: refused, never taken for a new profile. */
export class ProfileFileError extends EngineError {
  constructor(file: string, problem: string) {
    super(
      'UNAVAILABLE',
      `The profile database ${file} ${problem}. PolyStoreIQ did not open or change it. ` +
        'Move it aside to start a new profile, or point --data-dir (POLYSTORE_HOME) at the right folder.',
      { problem },
    );
  }
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Refuses what SQLite would silently accept: an empty file (SQLite treats it as
 * a new database, so a truncated profile would come back empty) and anything
 * that is not a SQLite file. A missing file is a new profile.
 */
function checkProfileFile(file: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new ProfileFileError(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!stat.isFile()) throw new ProfileFileError(file, 'is not a regular file');
  if (stat.size === 0) throw new ProfileFileError(file, 'is empty (0 bytes), perhaps cut short by a crash or a sync tool');
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (!head.equals(SQLITE_HEADER)) throw new ProfileFileError(file, 'is not a SQLite database');
}

/** A SQLite file holding tables but none of ours belongs to another program. */
function checkOwnSchema(db: BetterSqlite3.Database, file: string): void {
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as Array<{ name: string }>;
  if (tables.length > 0 && !tables.some((t) => t.name === 'schema_migrations')) {
    throw new ProfileFileError(file, 'is a SQLite database of another program');
  }
}

/**
 * Opens the app's SQLite database: one writer connection, WAL, foreign keys,
 * a busy timeout, and every pending migration applied in order.
 */
export function openDatabase(file: string, options: { migrations?: readonly Migration[]; appVersion?: string; now?: () => Date } = {}): Database {
  const onDisk = file !== ':memory:';
  if (onDisk) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    checkProfileFile(file);
  }
  const Sqlite = require('better-sqlite3') as typeof BetterSqlite3;
  const db = new Sqlite(file);
  const migrations = options.migrations ?? allMigrations;
  try {
    if (onDisk) checkOwnSchema(db, file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    migrate(db, migrations, {
      // A profile that exists is copied before its schema changes, so an older app can go back to it.
      beforeChanges: (current) => {
        if (onDisk && current > 0) takeBackup(db, file, { schema: current, appVersion: options.appVersion ?? APP_VERSION, ...(options.now ? { now: options.now() } : {}) });
      },
    });
  } catch (error) {
    db.close();
    if (onDisk && error instanceof SchemaTooNewError) throw new SchemaTooNewError(error.found, error.supported, restorableBackup(file, error.supported));
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
export function migrate(db: Database, migrations: readonly Migration[], hooks: { beforeChanges?: (current: number) => void } = {}): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const latest = migrations.at(-1)?.id ?? 0;
  const current = currentSchemaVersion(db);
  if (current > latest) throw new SchemaTooNewError(current, latest);
  const applied = new Set((db.prepare('SELECT id FROM schema_migrations').all() as Array<{ id: number }>).map((r) => r.id));
  const done: number[] = [];
  if (migrations.some((m) => !applied.has(m.id))) hooks.beforeChanges?.(current);
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

/**
 * What a downgraded app does with a profile a newer release has migrated:
 * puts back the newest backup this version understands, keeping the newer
 * database aside. Refuses when this version can open the profile as it is
 * (nothing to restore) or when no backup fits. Every connection must be closed.
 */
export function restoreForThisVersion(file: string, options: { migrations?: readonly Migration[]; now?: () => Date } = {}): { backup: BackupInfo; keptAside: string } {
  let refusal: SchemaTooNewError;
  try {
    openDatabase(file, options).close();
    throw new ConflictError('This version of PolyStoreIQ opens the profile as it is: there is nothing to restore.');
  } catch (error) {
    if (!(error instanceof SchemaTooNewError)) throw error;
    refusal = error;
  }
  if (!refusal.backup) throw refusal;
  const { keptAside } = restoreBackup(file, refusal.backup, { foundSchema: refusal.found, ...(options.now ? { now: options.now() } : {}) });
  // Prove the restored file opens (and migrates, if the backup is older than this version) before saying so.
  openDatabase(file, options).close();
  return { backup: refusal.backup, keptAside };
}
