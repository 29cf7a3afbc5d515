import fs from 'node:fs';
import path from 'node:path';
import type { Database } from './migration';

/**
 * Versioned copies of the app database, taken before any migration runs, so
 * that an app rolled back to an older release can restore the profile it
 * understands instead of refusing to start.
 *
 * A backup's name carries what a restore needs to decide without opening it:
 * `polystore.s<schema>.v<app version>.<timestamp>.db` in `<dataDir>/backups/`.
 */
export const BACKUP_DIR = 'backups';
/** Enough to step back over a few releases without a profile's folder growing without bound. */
export const BACKUPS_KEPT = 5;

export interface BackupInfo {
  file: string;
  schema: number;
  appVersion: string;
  takenAt: string;
}

const NAME = /^polystore\.s(\d+)\.v([0-9A-Za-z.+-]+?)\.(\d{8}T\d{6}Z)\.db$/;

function stamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

function fromStamp(value: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value)!;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`;
}

export function backupsDir(databaseFile: string): string {
  return path.join(path.dirname(databaseFile), BACKUP_DIR);
}

/** The backups next to a database, newest first. Files not named by us are ignored. */
export function listBackups(databaseFile: string): BackupInfo[] {
  const dir = backupsDir(databaseFile);
  if (!fs.existsSync(dir)) return [];
  const found: BackupInfo[] = [];
  for (const name of fs.readdirSync(dir)) {
    const m = NAME.exec(name);
    if (m) found.push({ file: path.join(dir, name), schema: Number(m[1]), appVersion: m[2]!, takenAt: fromStamp(m[3]!) });
  }
  return found.sort((a, b) => b.takenAt.localeCompare(a.takenAt) || b.schema - a.schema);
}

/**
 * Copies the open database to a new backup with `VACUUM INTO` (a consistent
 * snapshot, WAL included, written by SQLite itself) and keeps the newest
 * BACKUPS_KEPT. Returns the backup taken.
 */
export function takeBackup(db: Database, databaseFile: string, info: { schema: number; appVersion: string; now?: Date }): BackupInfo {
  const dir = backupsDir(databaseFile);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const at = info.now ?? new Date();
  const version = info.appVersion.replace(/[^0-9A-Za-z.+-]/g, '_');
  const file = path.join(dir, `polystore.s${info.schema}.v${version}.${stamp(at)}.db`);
  if (fs.existsSync(file)) fs.rmSync(file);
  db.prepare('VACUUM INTO ?').run(file);
  fs.chmodSync(file, 0o600);
  for (const old of listBackups(databaseFile).slice(BACKUPS_KEPT)) fs.rmSync(old.file, { force: true });
  return { file, schema: info.schema, appVersion: info.appVersion, takenAt: fromStamp(stamp(at)) };
}

/** The newest backup whose schema this app understands: what a downgraded app can restore. */
export function restorableBackup(databaseFile: string, supportedSchema: number): BackupInfo | null {
  return listBackups(databaseFile).find((b) => b.schema <= supportedSchema && b.schema > 0) ?? null;
}

/**
 * Puts a backup in place of the database. The newer database is not deleted:
 * it is moved aside (with its WAL and shared-memory files) to
 * `polystore.db.newer-s<schema>.<timestamp>`, so upgrading again and moving it
 * back recovers everything written since the backup. The caller must have
 * closed every connection to the database first.
 */
export function restoreBackup(databaseFile: string, backup: BackupInfo, info: { foundSchema: number; now?: Date }): { keptAside: string } {
  const aside = `${databaseFile}.newer-s${info.foundSchema}.${stamp(info.now ?? new Date())}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (fs.existsSync(databaseFile + suffix)) fs.renameSync(databaseFile + suffix, aside + suffix);
  }
  const partial = `${databaseFile}.restoring`;
  fs.copyFileSync(backup.file, partial);
  fs.chmodSync(partial, 0o600);
  // A rename is atomic: a crash leaves either the old state (moved aside) or the restored file, never half a copy.
  fs.renameSync(partial, databaseFile);
  return { keptAside: aside };
}
