import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../../../engine/store/db';
import { migration as initial } from '../../../../../engine/store/migrations/0010-initial';
import { migration as connectors } from '../../../../../engine/store/migrations/0020-connectors';
import { migration as approvals } from '../../../../../engine/store/migrations/0030-approvals';
import { tempDir } from '../../../../support/tmp';

test('0030 migrates a 0020 database with data; runs are append-only; a nonce is unique', () => {
  const dir = tempDir();
  const file = `${dir.path}/app.db`;
  const old = openDatabase(file, { migrations: [initial, connectors] });
  old.prepare(`INSERT INTO sources (id, name, type, connection_json, settings_json, created_at, updated_at) VALUES ('src_1', 'PG', 'postgres', '{}', '{}', 't', 't')`).run();
  old.prepare(`INSERT INTO metadata_cache (source_id, fetched_at, document_json) VALUES ('src_1', 't', '{"x":1}')`).run();
  old.prepare(`INSERT INTO chat_sessions (id, source_id, title, created_at, updated_at) VALUES ('s1', 'src_1', 'Q', 't', 't')`).run();
  old.close();

  const db = openDatabase(file, { migrations: [initial, connectors, approvals] });
  assert.equal(db.prepare('SELECT document_json FROM metadata_cache').get(), { document_json: '{"x":1}' });
  assert.equal(db.prepare('SELECT title FROM chat_sessions').get(), { title: 'Q' });
  const issue = db.prepare(`INSERT INTO approvals (nonce, source_id, query_hash, query_text, issued_at, expires_at) VALUES (?, 'src_1', 'h', 'SELECT 1', 't', 't')`);
  issue.run('n1');
  assert.throws(() => issue.run('n1'), /UNIQUE|PRIMARY/);
  db.prepare(`INSERT INTO query_runs (id, nonce, source_id, started_at, finished_at, status, latency_ms) VALUES ('r1', 'n1', 'src_1', 't', 't', 'succeeded', 3)`).run();
  assert.throws(() => db.prepare(`UPDATE query_runs SET status = 'failed'`).run(), /append-only/);
  assert.throws(() => db.prepare(`DELETE FROM query_runs`).run(), /append-only/);
  db.close();
  dir.remove();
});

test.run();
