import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sqliteRateWindows } from '../../../../../engine/limits/rate-windows';
import { openDatabase } from '../../../../../engine/store/db';
import { migrations } from '../../../../../engine/store/migrations/index';
import { tempDir } from '../../../../support/tmp';

test('0190 migrates a 0150 database: its data stays, the limits start with empty windows, and a negative amount is refused', () => {
  const dir = tempDir();
  const file = `${dir.path}/app.db`;
  const old = openDatabase(file, { migrations: migrations.filter((m) => m.id < 190) });
  old.prepare(`INSERT INTO sources (id, name, type, connection_json, settings_json, status, created_at, updated_at) VALUES ('src_old', 'Old', 'postgres', '{}', '{}', 'UNTESTED', 't', 't')`).run();
  old.close();

  const db = openDatabase(file);
  assert.equal(db.prepare('SELECT id, name FROM sources').all(), [{ id: 'src_old', name: 'Old' }]);
  const windows = sqliteRateWindows(db);
  let seen = -1;
  assert.is.not(windows.spend('source-jobs:src_old', 0, (recent) => ((seen = recent.length), { at: 1_000, amount: 1 })), null);
  assert.is(seen, 0);
  assert.throws(() => db.prepare("INSERT INTO rate_entries (key, at, amount) VALUES ('k', 1, -5)").run(), /CHECK/);
  db.close();
  dir.remove();
});

test.run();
