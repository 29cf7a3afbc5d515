import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../../../engine/store/db';
import { migrations } from '../../../../../engine/store/migrations/index';
import { tempDir } from '../../../../support/tmp';

test('0070 migrates a 0040 database: a login an earlier test found could write carries that risk, unconfirmed', () => {
  const dir = tempDir();
  const file = `${dir.path}/app.db`;
  const old = openDatabase(file, { migrations: migrations.filter((m) => m.id < 70) });
  old
    .prepare(
      `INSERT INTO sources (id, name, type, connection_json, settings_json, status, can_write, created_at, updated_at)
       VALUES ('src1', 'Prod', 'postgres', '{}', '{}', 'CONNECTED', 1, 't', 't'), ('src2', 'Reader', 'postgres', '{}', '{}', 'CONNECTED', 0, 't', 't')`,
    )
    .run();
  old.close();

  const db = openDatabase(file);
  const rows = db.prepare('SELECT name, risks_json, risks_confirmed_codes, risks_confirmed_at FROM sources ORDER BY name').all() as Array<Record<string, string | null>>;
  assert.equal(rows.map((r) => [r.name, JSON.parse(r.risks_json!).map((x: { code: string }) => x.code), r.risks_confirmed_codes, r.risks_confirmed_at]), [
    ['Prod', ['CAN_WRITE'], null, null],
    ['Reader', [], null, null],
  ]);
  db.close();
  dir.remove();
});

test.run();
