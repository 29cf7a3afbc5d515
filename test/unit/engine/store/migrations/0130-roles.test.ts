import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../../../engine/store/db';
import { migrations } from '../../../../../engine/store/migrations/index';
import { tempDir } from '../../../../support/tmp';

test('0130 migrates a 0120 database: the existing profile becomes the owner, shares and session owners follow their source, profile and session, old audit events keep no actor profile', () => {
  const dir = tempDir();
  const file = `${dir.path}/app.db`;
  const old = openDatabase(file, { migrations: migrations.filter((m) => m.id < 130) });
  const at = '2026-01-01T00:00:00.000Z';
  old
    .prepare(`INSERT INTO profiles (id, name, secret_kind, secret_hash, secret_salt, kdf_params, created_at, updated_at) VALUES ('prf_own', 'Owner', 'pin', x'00', x'00', '{}', ?, ?)`)
    .run(at, at);
  old.prepare(`INSERT INTO sources (id, name, type, connection_json, settings_json, created_at, updated_at) VALUES ('src_1', 'Sales', 'postgres', '{}', '{}', ?, ?)`).run(at, at);
  old.prepare(`INSERT INTO chat_sessions (id, source_id, title, created_at, updated_at) VALUES ('ses_1', 'src_1', 'Q', ?, ?)`).run(at, at);
  old.prepare(`INSERT INTO audit_events (seq, id, at, actor, action, details_json) VALUES (1, 'aud_1', ?, 'Owner', 'auth.unlocked', '{}')`).run(at);
  old.close();

  const db = openDatabase(file);
  assert.equal(db.prepare('SELECT id, role FROM profiles').all(), [{ id: 'prf_own', role: 'owner' }]);
  assert.equal(db.prepare('SELECT actor_profile_id FROM audit_events').all(), [{ actor_profile_id: null }]);
  assert.throws(() => db.prepare(`UPDATE profiles SET role = 'admin'`).run(), /CHECK/);
  db.prepare(`INSERT INTO profiles (id, name, role, secret_kind, secret_hash, secret_salt, kdf_params, created_at, updated_at) VALUES ('prf_v', 'Ana', 'viewer', 'pin', x'00', x'00', '{}', ?, ?)`).run(at, at);
  db.prepare(`INSERT INTO source_shares (source_id, profile_id, created_at) VALUES ('src_1', 'prf_v', ?)`).run(at);
  db.prepare(`INSERT INTO session_owners (session_id, profile_id) VALUES ('ses_1', 'prf_v')`).run();
  assert.throws(() => db.prepare(`INSERT INTO source_shares (source_id, profile_id, created_at) VALUES ('src_gone', 'prf_v', ?)`).run(at), /FOREIGN KEY/);
  db.prepare(`DELETE FROM sources WHERE id = 'src_1'`).run();
  assert.equal(db.prepare('SELECT COUNT(*) AS n FROM source_shares').get(), { n: 0 });
  db.prepare(`DELETE FROM profiles WHERE id = 'prf_v'`).run();
  assert.equal(db.prepare('SELECT COUNT(*) AS n FROM session_owners').get(), { n: 0 });
  db.close();
  dir.remove();
});

test.run();
