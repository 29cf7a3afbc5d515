import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { currentSchemaVersion, openDatabase } from '../../../../../engine/store/db';
import { migration } from '../../../../../engine/store/migrations/0010-initial';
import { tempDir } from '../../../../support/tmp';

const TABLES = ['profiles', 'sources', 'chat_sessions', 'chat_messages', 'audit_events', 'telemetry_runs', 'settings'];

test('0010 initialises an empty database with every table', () => {
  const db = openDatabase(':memory:', { migrations: [migration] });
  const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as Array<{ name: string }>).map((t) => t.name);
  for (const t of TABLES) assert.ok(tables.includes(t), `missing table ${t}`);
  assert.is(currentSchemaVersion(db), 10);
  db.close();
});

test('0010: chat_messages and audit_events refuse UPDATE and DELETE in SQLite itself', () => {
  const db = openDatabase(':memory:', { migrations: [migration] });
  db.prepare(`INSERT INTO chat_sessions (id, title, created_at, updated_at) VALUES ('s1', 't', 'now', 'now')`).run();
  db.prepare(`INSERT INTO chat_messages (id, session_id, seq, role, kind, payload_json, created_at) VALUES ('m1', 's1', 1, 'user', 'question', '{}', 'now')`).run();
  db.prepare(`INSERT INTO audit_events (id, at, actor, action, details_json) VALUES ('a1', 'now', 'me', 'auth.unlocked', '{}')`).run();
  assert.throws(() => db.prepare(`UPDATE chat_messages SET payload_json = '{"x":1}'`).run(), /append-only/);
  assert.throws(() => db.prepare(`DELETE FROM chat_messages`).run(), /append-only/);
  assert.throws(() => db.prepare(`UPDATE audit_events SET actor = 'mallory'`).run(), /append-only/);
  assert.throws(() => db.prepare(`DELETE FROM audit_events`).run(), /append-only/);
  assert.is((db.prepare('SELECT count(*) AS n FROM audit_events').get() as { n: number }).n, 1);
  db.close();
});

test('0010: duplicate source names are refused regardless of case; a message sequence is unique per session', () => {
  const db = openDatabase(':memory:', { migrations: [migration] });
  const insert = db.prepare(`INSERT INTO sources (id, name, type, connection_json, settings_json, created_at, updated_at) VALUES (?, ?, 'file', '{}', '{}', 'now', 'now')`);
  insert.run('a', 'Sales');
  assert.throws(() => insert.run('b', 'sales'), /UNIQUE/);
  db.prepare(`INSERT INTO chat_sessions (id, title, created_at, updated_at) VALUES ('s1', 't', 'now', 'now')`).run();
  const msg = db.prepare(`INSERT INTO chat_messages (id, session_id, seq, role, kind, payload_json, created_at) VALUES (?, 's1', ?, 'user', 'question', '{}', 'now')`);
  msg.run('m1', 1);
  assert.throws(() => msg.run('m2', 1), /UNIQUE/);
  db.close();
});

test('0010 on a file database keeps its data across reopening (nothing is re-applied)', () => {
  const dir = tempDir();
  const file = `${dir.path}/p.db`;
  const db = openDatabase(file, { migrations: [migration] });
  db.prepare(`INSERT INTO settings (key, value_json, updated_at) VALUES ('autoLockMinutes', '5', 'now')`).run();
  db.close();
  const again = openDatabase(file, { migrations: [migration] });
  assert.is((again.prepare(`SELECT value_json FROM settings WHERE key = 'autoLockMinutes'`).get() as { value_json: string }).value_json, '5');
  assert.is((again.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number }).n, 1);
  again.close();
  dir.remove();
});

test.run();
