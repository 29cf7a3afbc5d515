import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EXIT_CODES } from '../../../../main/cli/context';
import { DATABASE_FILE } from '../../../../engine/engine';
import { cli } from '../../../support/cli';
import { TEST_PIN } from '../../../support/engine';
import { tempDir } from '../../../support/tmp';

const dir = tempDir();
const env = { POLYSTORE_PIN: TEST_PIN };
test.after(() => dir.remove());

test('audit verify prints OK with the number of events and exits 0', async () => {
  assert.is((await cli(['init', '--pin-stdin', '--data-dir', dir.path], { stdin: `${TEST_PIN}\n` })).code, 0);
  const run = await cli(['audit', 'verify', '--data-dir', dir.path], { env });
  assert.is(run.code, 0, run.stderr);
  // profile.created, auth.unlocked (init), auth.unlocked (this run)
  assert.match(run.stdout, /^OK: 3 events verified \(\d+ ms\)\.\n$/);
  const json = await cli(['audit', 'verify', '--data-dir', dir.path, '--json'], { env });
  assert.equal(JSON.parse(json.stdout).status, 'ok');
  assert.is(JSON.parse(json.stdout).events, 4);
});

test('after the file was edited, audit verify says where and exits non-zero; the plain audit listing still works', async () => {
  const db = new Sqlite(path.join(dir.path, DATABASE_FILE));
  db.exec(`DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor = 'nobody' WHERE seq = 2;`);
  db.close();
  const run = await cli(['audit', 'verify', '--data-dir', dir.path], { env });
  assert.is(run.code, EXIT_CODES.CONFLICT);
  assert.is(run.stdout, '');
  assert.match(run.stderr, /Audit log altered at event 2: it was changed or added outside PolyStoreIQ/);
  const json = await cli(['audit', 'verify', '--data-dir', dir.path, '--json'], { env });
  assert.is(json.code, EXIT_CODES.CONFLICT);
  assert.equal([JSON.parse(json.stdout).status, JSON.parse(json.stdout).alteredAt], ['altered', 2]);
  assert.equal(JSON.parse(json.stderr).error.code, 'CONFLICT');
  const list = await cli(['audit', '--data-dir', dir.path, '--json', '--action', 'profile.created'], { env });
  assert.is(list.code, 0, list.stderr);
  assert.is(JSON.parse(list.stdout).length, 1);
});

test.run();
