import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../../../engine/store/db';
import { migration as initial } from '../../../../../engine/store/migrations/0010-initial';
import { migration as connectors } from '../../../../../engine/store/migrations/0020-connectors';
import { tempDir } from '../../../../support/tmp';

test('0020 migrates a 0010 database with data: sources, audit and settings survive; the new tables work', () => {
  const dir = tempDir();
  const file = `${dir.path}/app.db`;
  const old = openDatabase(file, { migrations: [initial] });
  old.prepare(`INSERT INTO sources (id, name, type, connection_json, settings_json, secret_ref, created_at, updated_at) VALUES ('src_1', 'Sales', 'file', '{"paths":["/a.csv"]}', '{}', NULL, 't', 't')`).run();
  old.prepare(`INSERT INTO audit_events (id, at, actor, action, source_id, details_json) VALUES ('a1', 't', 'Owner', 'source.created', 'src_1', '{}')`).run();
  old.prepare(`INSERT INTO settings (key, value_json, updated_at) VALUES ('autoLockMinutes', '5', 't')`).run();
  old.close();

  const db = openDatabase(file, { migrations: [initial, connectors] });
  assert.equal(db.prepare('SELECT id, name FROM sources').all(), [{ id: 'src_1', name: 'Sales' }]);
  assert.equal(db.prepare('SELECT id, action FROM audit_events').all(), [{ id: 'a1', action: 'source.created' }]);
  assert.equal(db.prepare('SELECT value_json FROM settings').all(), [{ value_json: '5' }]);
  db.prepare(`INSERT INTO metadata_cache (source_id, fetched_at, document_json) VALUES ('src_1', 't', '{}')`).run();
  db.prepare(`INSERT INTO source_files (source_id, path, status, updated_at) VALUES ('src_1', '/a.csv', 'failed', 't')`).run();
  // Cached metadata and file provenance go with their source.
  db.prepare(`DELETE FROM sources WHERE id = 'src_1'`).run();
  assert.is((db.prepare('SELECT count(*) AS n FROM metadata_cache').get() as { n: number }).n, 0);
  assert.is((db.prepare('SELECT count(*) AS n FROM source_files').get() as { n: number }).n, 0);
  db.close();
  dir.remove();
});

test.run();
