import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../../../engine/store/db';
import { migrations } from '../../../../../engine/store/migrations/index';
import { tempDir } from '../../../../support/tmp';

test('0150 migrates a 0140 database: approvals issued before it name no profile (they stay the owner\'s), new ones name theirs, and a result finds its run', () => {
  const dir = tempDir();
  const file = `${dir.path}/app.db`;
  const old = openDatabase(file, { migrations: migrations.filter((m) => m.id < 150) });
  old.prepare(`INSERT INTO approvals (nonce, source_id, query_hash, query_text, issued_at, expires_at) VALUES ('n_old', 'src_1', 'h', 'SELECT 1', 't', 't')`).run();
  old.close();

  const db = openDatabase(file);
  assert.equal(db.prepare('SELECT nonce, profile_id FROM approvals').all(), [{ nonce: 'n_old', profile_id: null }]);
  db.prepare(`INSERT INTO approvals (nonce, source_id, query_hash, query_text, issued_at, expires_at, profile_id) VALUES ('n_new', 'src_1', 'h', 'SELECT 1', 't', 't', 'prf_v')`).run();
  assert.equal(db.prepare(`SELECT profile_id FROM approvals WHERE nonce = 'n_new'`).get(), { profile_id: 'prf_v' });
  const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM query_runs WHERE result_id = 'res_1'`).all() as Array<{ detail: string }>;
  assert.ok(plan.some((p) => p.detail.includes('query_runs_result')), JSON.stringify(plan));
  db.close();
  dir.remove();
});

test.run();
