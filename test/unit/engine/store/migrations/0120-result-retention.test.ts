import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../../../engine/store/db';
import { migrations } from '../../../../../engine/store/migrations/index';
import { tempDir } from '../../../../support/tmp';

test('0120 migrates a 0110 database: every stored result gets its size and age, new results are measured as stored, an expiry needs its reason', () => {
  const dir = tempDir();
  const file = `${dir.path}/app.db`;
  const old = openDatabase(file, { migrations: migrations.filter((m) => m.id < 120) });
  const store = (db: typeof old, id: string, rows: string, at: string) =>
    db.prepare(`INSERT INTO query_results (id, source_id, columns_json, rows_json, row_count, truncated, created_at) VALUES (?, 'src_1', '[{"n":"ü"}]', ?, 1, 0, ?)`).run(id, rows, at);
  store(old, 'res_old', '[["héllo"]]', '2026-01-01T00:00:00.000Z');
  old.close();

  const db = openDatabase(file);
  const bytes = (rows: string) => Buffer.byteLength(rows) + Buffer.byteLength('[{"n":"ü"}]');
  assert.equal(db.prepare('SELECT result_id, bytes, created_at, expired_at FROM result_retention').all(), [
    { result_id: 'res_old', bytes: bytes('[["héllo"]]'), created_at: '2026-01-01T00:00:00.000Z', expired_at: null },
  ]);
  store(db, 'res_new', '[[1],[2]]', '2026-02-01T00:00:00.000Z');
  assert.equal(db.prepare(`SELECT bytes FROM result_retention WHERE result_id = 'res_new'`).get(), { bytes: bytes('[[1],[2]]') });
  assert.throws(() => db.prepare(`UPDATE result_retention SET expired_at = 't' WHERE result_id = 'res_new'`).run(), /CHECK/);
  assert.throws(() => db.prepare(`UPDATE result_retention SET expired_at = 't', expired_reason = 'whim' WHERE result_id = 'res_new'`).run(), /CHECK/);
  db.close();
  dir.remove();
});

test.run();
