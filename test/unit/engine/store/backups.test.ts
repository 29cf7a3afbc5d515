import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BACKUPS_KEPT, listBackups, restoreBackup } from '../../../../engine/store/backups';
import { currentSchemaVersion, openDatabase, ProfileFileError, SchemaTooNewError } from '../../../../engine/store/db';
import type { Migration } from '../../../../engine/store/migration';
import { migrations } from '../../../../engine/store/migrations/index';
import { tempDir } from '../../../support/tmp';

const latest = migrations.at(-1)!.id;
const older = migrations.filter((m) => m.id < 90);
const olderSchema = older.at(-1)!.id;
// better-sqlite3 directly, as another program would write its own file.
const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
const future: Migration = { id: latest + 100000, name: 'from-a-newer-release', up: (db) => db.exec('CREATE TABLE newer_things (x INTEGER)') };

function refused(file: string): Error {
  try {
    openDatabase(file).close();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the profile to be refused');
}

function settingsCount(file: string): number {
  const db = openDatabase(file);
  try {
    return (db.prepare('SELECT count(*) AS n FROM settings').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

test('an empty file at the profile path is refused, not taken for a new profile, and left as it was', () => {
  const dir = tempDir();
  const file = path.join(dir.path, 'polystore.db');
  fs.writeFileSync(file, '');
  const error = refused(file);
  assert.instance(error, ProfileFileError);
  assert.match(error.message, /empty \(0 bytes\)/);
  assert.match(error.message, /did not open or change it/);
  assert.is(fs.statSync(file).size, 0);
  dir.remove();
});

test('a file that is not SQLite, or a SQLite database of another program, is refused untouched', () => {
  const dir = tempDir();
  const text = path.join(dir.path, 'text.db');
  fs.writeFileSync(text, 'name,age\nAda,36\n');
  assert.match(refused(text).message, /is not a SQLite database/);
  assert.is(fs.readFileSync(text, 'utf8'), 'name,age\nAda,36\n');

  const foreign = path.join(dir.path, 'foreign.db');
  // Written by "another program": a table, no schema_migrations.
  const db = new Sqlite(foreign);
  db.exec('CREATE TABLE contacts (name TEXT)');
  db.close();
  const before = fs.readFileSync(foreign);
  const error = refused(foreign);
  assert.instance(error, ProfileFileError);
  assert.match(error.message, /another program/);
  assert.ok(fs.readFileSync(foreign).equals(before));

  const folder = path.join(dir.path, 'folder.db');
  fs.mkdirSync(folder);
  assert.match(refused(folder).message, /not a regular file/);
  dir.remove();
});

test('an existing profile is copied before a migration changes it; the copy opens and holds the data', () => {
  const dir = tempDir();
  const file = path.join(dir.path, 'polystore.db');
  const old = openDatabase(file, { migrations: older, appVersion: '0.0.9' });
  old.prepare(`INSERT INTO settings (key, value_json, updated_at) VALUES ('theme', '"dark"', 'now')`).run();
  old.close();
  assert.equal(listBackups(file), [], 'a new profile has nothing to back up');

  openDatabase(file, { appVersion: '0.1.0' }).close();
  const [backup, ...more] = listBackups(file);
  assert.is(more.length, 0);
  assert.is(backup!.schema, olderSchema);
  assert.is(backup!.appVersion, '0.1.0', 'named after the version that upgraded it');
  assert.is(fs.statSync(backup!.file).mode & 0o077, 0, 'only the owner can read a backup');
  const copy = openDatabase(backup!.file, { migrations: older });
  assert.is(currentSchemaVersion(copy), olderSchema);
  assert.is((copy.prepare(`SELECT value_json FROM settings WHERE key = 'theme'`).get() as { value_json: string }).value_json, '"dark"');
  copy.close();

  openDatabase(file).close();
  assert.is(listBackups(file).length, 1, 'opening with nothing to migrate takes no backup');
  dir.remove();
});

test(`only the newest ${BACKUPS_KEPT} backups are kept`, () => {
  const dir = tempDir();
  const file = path.join(dir.path, 'polystore.db');
  openDatabase(file, { migrations: migrations.filter((m) => m.id <= 10) }).close();
  const steps = migrations.filter((m) => m.id > 10).slice(0, BACKUPS_KEPT + 2);
  let day = 1;
  for (const step of steps) {
    const upTo = migrations.filter((m) => m.id <= step.id);
    openDatabase(file, { migrations: upTo, now: () => new Date(Date.UTC(2026, 0, day++)) }).close();
  }
  const kept = listBackups(file);
  assert.is(kept.length, BACKUPS_KEPT);
  assert.is(kept[0]!.schema, steps.at(-2)!.id, 'the newest backup is the schema before the last step');
  dir.remove();
});

test('a downgraded app meets a newer schema: it is offered the matching backup, and restoring keeps the newer database aside', () => {
  const dir = tempDir();
  const file = path.join(dir.path, 'polystore.db');
  const db = openDatabase(file, { appVersion: '0.1.0' });
  db.prepare(`INSERT INTO settings (key, value_json, updated_at) VALUES ('theme', '"dark"', 'now')`).run();
  db.close();
  // The newer release migrates (backing up the schema this version knows), then writes more.
  const newer = openDatabase(file, { migrations: [...migrations, future], appVersion: '0.2.0', now: () => new Date(Date.UTC(2026, 11, 7, 10, 42)) });
  newer.prepare(`INSERT INTO settings (key, value_json, updated_at) VALUES ('autoLockMinutes', '5', 'now')`).run();
  newer.close();

  const error = refused(file);
  assert.instance(error, SchemaTooNewError);
  const offer = (error as SchemaTooNewError).backup;
  assert.ok(offer, 'a backup is offered');
  assert.is(offer!.schema, latest);
  assert.match(error.message, /backup from 2026-12-07T10:42:00Z, taken before version 0\.2\.0 upgraded it, can be restored/);
  assert.equal((error as SchemaTooNewError).details?.backup, { schema: latest, appVersion: '0.2.0', takenAt: '2026-12-07T10:42:00Z' });

  const { keptAside } = restoreBackup(file, offer!, { foundSchema: future.id });
  assert.ok(fs.existsSync(keptAside), 'the newer database is kept, not deleted');
  assert.is(settingsCount(file), 1, 'the restored profile opens and holds what it held at the backup');
  const aside = openDatabase(keptAside, { migrations: [...migrations, future] });
  assert.is((aside.prepare('SELECT count(*) AS n FROM settings').get() as { n: number }).n, 2, 'nothing written by the newer release is lost');
  aside.close();
  dir.remove();
});

test('a newer schema with no backup this version understands still says to update, and changes nothing', () => {
  const dir = tempDir();
  const file = path.join(dir.path, 'polystore.db');
  openDatabase(file, { migrations: [...migrations, future] }).close();
  const before = fs.readFileSync(file);
  const error = refused(file);
  assert.instance(error, SchemaTooNewError);
  assert.is((error as SchemaTooNewError).backup, null);
  assert.match(error.message, /Update PolyStoreIQ to open it/);
  assert.ok(fs.readFileSync(file).equals(before));
  dir.remove();
});

test.run();
