import fs from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { currentSchemaVersion, openDatabase, SchemaTooNewError } from '../../../../engine/store/db';
import type { Migration } from '../../../../engine/store/migration';
import { migrations } from '../../../../engine/store/migrations/index';
import { tempDir } from '../../../support/tmp';

test('the database runs in WAL mode with foreign keys and a busy timeout, and only its owner can read it', () => {
  const dir = tempDir();
  const db = openDatabase(`${dir.path}/app.db`);
  assert.is(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.is(db.pragma('foreign_keys', { simple: true }), 1);
  assert.ok((db.pragma('busy_timeout', { simple: true }) as number) >= 1000);
  assert.is(fs.statSync(`${dir.path}/app.db`).mode & 0o077, 0);
  db.close();
  dir.remove();
});

test('migrations are ordered with gaps and have unique ids', () => {
  const ids = migrations.map((m) => m.id);
  assert.equal([...ids].sort((a, b) => a - b), ids);
  assert.is(new Set(ids).size, ids.length);
  assert.ok(ids.every((id) => id % 10 === 0));
});

test('a failing migration is rolled back whole and recorded nowhere', () => {
  const dir = tempDir();
  const file = `${dir.path}/app.db`;
  openDatabase(file).close();
  const broken: Migration = {
    id: 99990,
    name: 'broken',
    up(db) {
      db.exec('CREATE TABLE half_done (x INTEGER)');
      throw new Error('boom');
    },
  };
  assert.throws(() => openDatabase(file, { migrations: [...migrations, broken] }), /boom/);
  const db = openDatabase(file);
  assert.is((db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'half_done'`).get() as { n: number }).n, 0);
  assert.is(currentSchemaVersion(db), migrations.at(-1)!.id);
  db.close();
  dir.remove();
});

test('a database written by a newer version is refused with a clear message and left untouched', () => {
  const dir = tempDir();
  const file = `${dir.path}/app.db`;
  const db = openDatabase(file);
  db.prepare(`INSERT INTO schema_migrations (id, name, applied_at) VALUES (999999, 'from-the-future', 'now')`).run();
  db.close();
  const before = fs.readFileSync(file);
  try {
    openDatabase(file);
    assert.unreachable('should refuse');
  } catch (error) {
    assert.instance(error, SchemaTooNewError);
    assert.match((error as Error).message, /newer version of PolyStoreIQ/);
    assert.match((error as Error).message, /Nothing was changed/);
  }
  assert.ok(fs.readFileSync(file).equals(before));
  dir.remove();
});

test.run();
