import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ColumnReader } from '../../../../../engine/contract/result-columns';
import { EngineError } from '../../../../../engine/errors';
import { readStoredColumns, storedColumnsBlob } from '../../../../../engine/query/stored-columns';
import { openDatabase } from '../../../../../engine/store/db';
import { migrations } from '../../../../../engine/store/migrations/index';
import { tempDir } from '../../../../support/tmp';

interface Stored {
  rows_json: string;
  columns_blob: Uint8Array | null;
}

const COLUMNS = '[{"name":"n","type":"integer","nativeType":"int4"},{"name":"s","type":"string","nativeType":"text"}]';

test('0160 migrates a 0150 database: results stored before still open (from their JSON), new ones are stored as columns and measured by their blob', () => {
  const dir = tempDir();
  const file = `${dir.path}/app.db`;
  const old = openDatabase(file, { migrations: migrations.filter((m) => m.id < 160) });
  old
    .prepare(`INSERT INTO query_results (id, source_id, columns_json, rows_json, row_count, truncated, created_at) VALUES ('res_old', 'src_1', ?, ?, 3, 0, '2026-01-01T00:00:00.000Z')`)
    .run(COLUMNS, '[[1,"héllo"],[null,""],[2.5,null]]');
  old.close();

  const db = openDatabase(file);
  const read = (id: string) => db.prepare('SELECT rows_json, columns_blob FROM query_results WHERE id = ?').get(id) as Stored;
  const before = read('res_old');
  assert.is(before.columns_blob, null);
  assert.equal(new ColumnReader(readStoredColumns('res_old', before, 2)).rows(), [[1, 'héllo'], [null, ''], [2.5, null]]);

  const rows = [[7, 'ü'], [null, null]];
  const blob = storedColumnsBlob(rows, 2);
  db.prepare(`INSERT INTO query_results (id, source_id, columns_json, rows_json, columns_blob, row_count, truncated, created_at) VALUES ('res_new', 'src_1', ?, '[]', ?, 2, 0, '2026-02-01T00:00:00.000Z')`).run(COLUMNS, blob);
  assert.equal(new ColumnReader(readStoredColumns('res_new', read('res_new'), 2)).rows(), rows);
  assert.equal(db.prepare(`SELECT bytes FROM result_retention WHERE result_id = 'res_new'`).get(), { bytes: 2 + Buffer.byteLength(COLUMNS) + blob.byteLength });
  db.close();
  dir.remove();
});

test('a damaged stored result is a typed error naming the result, never a crash or its rows', () => {
  const blob = storedColumnsBlob([[1, 'secret text']], 2);
  const damagedCases: Stored[] = [
    { rows_json: '[]', columns_blob: blob.subarray(0, blob.byteLength - 8) },
    { rows_json: '[]', columns_blob: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]) },
    { rows_json: 'not json', columns_blob: null },
    { rows_json: '[[1]]', columns_blob: null },
  ];
  for (const stored of damagedCases) {
    try {
      readStoredColumns('res_1', stored, 2);
      assert.unreachable('a damaged result was read');
    } catch (error) {
      assert.instance(error, EngineError);
      assert.is((error as EngineError).code, 'INTERNAL');
      assert.is((error as EngineError).details?.reason, 'STORED_RESULT_DAMAGED');
      assert.match((error as EngineError).message, /res_1/);
      assert.not.match(JSON.stringify({ m: (error as EngineError).message, d: (error as EngineError).details }), /secret/);
    }
  }
  // The columns of another width are refused too (the blob does not match its result's columns).
  assert.throws(() => readStoredColumns('res_1', { rows_json: '[]', columns_blob: blob }, 3), (e: unknown) => (e as EngineError).details?.problem === 'WRONG_WIDTH');
});

test.run();
