import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../../../engine/store/db';
import { migrations } from '../../../../../engine/store/migrations/index';
import { tempDir } from '../../../../support/tmp';

test('0040 migrates a 0030 database with a conversation in it; the ledger is append-only', () => {
  const dir = tempDir();
  const file = `${dir.path}/app.db`;
  const before = migrations.filter((m) => m.id < 40);
  const old = openDatabase(file, { migrations: before });
  old.prepare(`INSERT INTO chat_sessions (id, title, created_at, updated_at) VALUES ('s1', 'Sales', 't', 't')`).run();
  old.prepare(`INSERT INTO chat_messages (id, session_id, seq, role, kind, payload_json, created_at) VALUES ('m1', 's1', 1, 'user', 'question', '{"kind":"question","text":"hi"}', 't')`).run();
  old.prepare(`INSERT INTO approvals (nonce, source_id, query_hash, query_text, session_id, message_id, issued_at, expires_at) VALUES ('n', 'src', 'h', 'SELECT 1', 's1', 'm1', 't', 't')`).run();
  old.close();

  const db = openDatabase(file);
  assert.equal(db.prepare('SELECT payload_json FROM chat_messages').get(), { payload_json: '{"kind":"question","text":"hi"}' });
  assert.equal(db.prepare('SELECT query_text FROM approvals').get(), { query_text: 'SELECT 1' });
  db.prepare(`INSERT INTO chat_ledger (message_id, provider, url, hosted, at, request_text) VALUES ('m1', 'openai', 'https://x', 1, 't', '{}')`).run();
  assert.throws(() => db.prepare(`UPDATE chat_ledger SET request_text = 'forged'`).run(), /append-only/);
  assert.throws(() => db.prepare(`DELETE FROM chat_ledger`).run(), /append-only/);
  assert.throws(() => db.prepare(`INSERT INTO providers (slot, config_json, updated_at) VALUES ('secondary', '{}', 't')`).run(), /CHECK/);
  db.close();
  dir.remove();
});

test.run();
