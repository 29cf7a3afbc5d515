import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../../../engine/store/db';
import { migrations } from '../../../../../engine/store/migrations/index';
import { sqliteCircuitStore } from '../../../../../engine/sources/source-circuits';
import { tempDir } from '../../../../support/tmp';

test('0140 migrates a 0130 database: existing sources start closed, an open circuit is kept and read back, goes with its source, and a damaged row reads as closed', () => {
  const dir = tempDir();
  const file = `${dir.path}/app.db`;
  const old = openDatabase(file, { migrations: migrations.filter((m) => m.id < 140) });
  const addSource = (db: typeof old, id: string) =>
    db
      .prepare(`INSERT INTO sources (id, name, type, connection_json, settings_json, status, created_at, updated_at) VALUES (?, ?, 'postgres', '{}', '{}', 'UNTESTED', 't', 't')`)
      .run(id, id);
  addSource(old, 'src_old');
  old.close();

  const db = openDatabase(file);
  const store = sqliteCircuitStore(db);
  assert.is(store.load('src_old'), null, 'no row: closed with no failures');
  const open = { state: 'open' as const, consecutiveFailures: 5, failingSince: 1_000, retryAt: 11_000, opens: 1 };
  store.save('src_old', open);
  assert.equal(store.load('src_old'), open);
  assert.throws(() => db.prepare(`UPDATE source_circuits SET retry_at = NULL WHERE source_id = 'src_old'`).run(), /CHECK/, 'an open circuit says when it retries');
  assert.throws(() => db.prepare(`UPDATE source_circuits SET state = 'ajar' WHERE source_id = 'src_old'`).run(), /CHECK/);

  db.prepare(`UPDATE source_circuits SET failures = 'many' WHERE source_id = 'src_old'`).run();
  assert.is(store.load('src_old'), null, 'a damaged row is forgotten, not an error');

  store.save('src_gone', open);
  assert.is(store.load('src_gone'), null, 'nothing is kept for a source that does not exist');
  db.prepare(`DELETE FROM sources WHERE id = 'src_old'`).run();
  assert.equal(db.prepare('SELECT count(*) AS n FROM source_circuits').get(), { n: 0 }, 'the circuit goes with its source');
  db.close();
  dir.remove();
});

test.run();
