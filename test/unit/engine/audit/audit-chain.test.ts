import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AuditLog } from '../../../../engine/audit/audit-log';
import { MemorySecretStore } from '../../../../engine/secrets/secret-store';
import { openDatabase } from '../../../../engine/store/db';
import { migrations } from '../../../../engine/store/migrations/index';
import { tempDir } from '../../../support/tmp';

test('two processes opening an older log at the same time seal it once, and both append to one chain', async () => {
  const dir = tempDir();
  const file = `${dir.path}/app.db`;
  const old = openDatabase(file, { migrations: migrations.filter((m) => m.id < 90) });
  const insert = old.prepare(`INSERT INTO audit_events (id, at, actor, action, details_json) VALUES (?, 't', 'Owner', 'auth.unlocked', '{}')`);
  for (let i = 0; i < 5; i++) insert.run(`aud_${i}`);
  old.close();
  // Two connections stand in for the app and the CLI; one keychain.
  const secrets = new MemorySecretStore();
  const [a, b] = [openDatabase(file), openDatabase(file)];
  const logs = [a, b].map((db) => new AuditLog(db, { actor: () => 'Owner', host: 'test', secrets }));
  const opened = await Promise.all(logs.map((log) => log.open()));
  assert.equal(opened.map((r) => [r.status, r.events]), [['ok', 5], ['ok', 5]]);
  for (let i = 0; i < 6; i++) logs[i % 2]!.record({ action: 'query.executed', details: { i } });
  await Promise.all(logs.map((log) => log.flush()));
  const checked = await Promise.all(logs.map((log) => log.verify()));
  assert.equal(checked.map((r) => [r.status, r.events, r.lastSeq]), [['ok', 11, 11], ['ok', 11, 11]]);
  a.close();
  b.close();
  dir.remove();
});

test('an audit log whose key cannot be read refuses to record, says why, and verifies as unverifiable', async () => {
  const dir = tempDir();
  const db = openDatabase(`${dir.path}/app.db`);
  const locked = new MemorySecretStore();
  locked.get = () => Promise.reject(Object.assign(new Error('keyring locked'), { name: 'UnavailableError' }));
  const log = new AuditLog(db, { actor: () => 'Owner', host: 'test', secrets: locked });
  const opening = await log.open().then(
    () => 'opened',
    () => 'refused',
  );
  assert.is(opening, 'refused');
  assert.throws(() => log.record({ action: 'auth.unlocked' }), /OS keychain/);
  assert.is(db.prepare('SELECT COUNT(*) FROM audit_events').pluck().get(), 0);
  db.close();
  dir.remove();
});

test.run();
