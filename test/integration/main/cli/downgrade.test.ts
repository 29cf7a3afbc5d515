import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DATABASE_FILE } from '../../../../engine/engine';
import { openDatabase } from '../../../../engine/store/db';
import type { Migration } from '../../../../engine/store/migration';
import { migrations } from '../../../../engine/store/migrations/index';
import { cli } from '../../../support/cli';
import { tempDir } from '../../../support/tmp';

const future: Migration = { id: migrations.at(-1)!.id + 100000, name: 'from-a-newer-release', up: (db) => db.exec('CREATE TABLE newer_things (x INTEGER)') };

test('after going back to an older release, the CLI says a backup can be restored, restores it, and the profile opens again', async () => {
  const dir = tempDir();
  const file = path.join(dir.path, DATABASE_FILE);
  openDatabase(file).close();
  // A newer release upgrades the profile: it backs up the schema this version knows first.
  openDatabase(file, { migrations: [...migrations, future], appVersion: '9.0.0' }).close();

  const refused = await cli(['--data-dir', dir.path, 'info']);
  assert.is(refused.code, 13, refused.stderr);
  assert.match(refused.stderr, /newer version of PolyStoreIQ/);
  assert.match(refused.stderr, /taken before version 9\.0\.0 upgraded it, can be restored/);

  const listed = await cli(['--data-dir', dir.path, '--json', 'backups']);
  assert.is(listed.code, 0, listed.stderr);
  assert.is(listed.json<Array<{ appVersion: string }>>()[0]!.appVersion, '9.0.0');

  const unconfirmed = await cli(['--data-dir', dir.path, 'restore-backup']);
  assert.is(unconfirmed.code, 2, 'without a terminal to ask, --yes is required');
  assert.match(unconfirmed.stderr, /--yes/);

  const restored = await cli(['--data-dir', dir.path, '--json', 'restore-backup', '--yes']);
  assert.is(restored.code, 0, restored.stderr);
  const { keptAside } = restored.json<{ keptAside: string }>();
  assert.ok(fs.existsSync(keptAside), 'the newer database is kept aside');

  const status = await cli(['--data-dir', dir.path, '--json', 'auth', 'status']);
  assert.is(status.code, 0, status.stderr);

  const again = await cli(['--data-dir', dir.path, 'restore-backup', '--yes']);
  assert.is(again.code, 6, 'nothing to restore once this version opens the profile');
  assert.match(again.stderr, /nothing to restore/);
  dir.remove();
});

test('an empty profile database is refused with its own message and exit code, and stays as it was', async () => {
  const dir = tempDir();
  const file = path.join(dir.path, DATABASE_FILE);
  fs.writeFileSync(file, '');
  const run = await cli(['--data-dir', dir.path, 'info']);
  assert.is(run.code, 13, run.stderr);
  assert.match(run.stderr, /is empty \(0 bytes\)/);
  assert.is(fs.statSync(file).size, 0);
  dir.remove();
});

test.run();
