import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AuditLog } from '../../../../../engine/audit/audit-log';
import { openDatabase } from '../../../../../engine/store/db';
import { migrations } from '../../../../../engine/store/migrations/index';
import { MemorySecretStore } from '../../../../../engine/secrets/secret-store';
import { tempDir } from '../../../../support/tmp';

test('0090 migrates a 0080 database: old events are kept, then sealed into the chain at the first open (gaps from old pruning included)', async () => {
  const dir = tempDir();
  const file = `${dir.path}/app.db`;
  const old = openDatabase(file, { migrations: migrations.filter((m) => m.id < 90) });
  const insert = old.prepare(`INSERT INTO audit_events (id, at, actor, action, source_id, details_json) VALUES (?, ?, 'Owner', ?, ?, ?)`);
  for (let i = 1; i <= 6; i++) insert.run(`aud_${i}`, `2026-01-0${i}T00:00:00.000Z`, 'source.created', `src_${i}`, JSON.stringify({ i }));
  // An older build's retention pruning deleted by time, which could leave a gap.
  old.exec(`INSERT INTO audit_prune_guard (active) VALUES (1); DELETE FROM audit_events WHERE seq IN (1, 4); DELETE FROM audit_prune_guard;`);
  old.close();

  const db = openDatabase(file);
  assert.equal(db.prepare('SELECT seq, id, hash FROM audit_events ORDER BY seq').all(), [
    { seq: 2, id: 'aud_2', hash: null },
    { seq: 3, id: 'aud_3', hash: null },
    { seq: 5, id: 'aud_5', hash: null },
    { seq: 6, id: 'aud_6', hash: null },
  ]);
  assert.is(db.prepare('SELECT COUNT(*) FROM audit_anchor').pluck().get(), 0);

  const secrets = new MemorySecretStore();
  const log = new AuditLog(db, { actor: () => 'Owner', host: 'test', secrets });
  const opened = await log.open();
  assert.equal([opened.status, opened.events, opened.firstSeq, opened.lastSeq], ['ok', 4, 2, 6], opened.message);
  assert.ok((db.prepare('SELECT hash FROM audit_events').pluck().all() as Array<string | null>).every((h) => typeof h === 'string' && h.length === 43));
  assert.equal(db.prepare('SELECT first_seq, sealed_through FROM audit_anchor').get(), { first_seq: 2, sealed_through: 6 });
  const next = log.record({ action: 'audit.pruned' });
  assert.is(next.seq, 7);
  await log.flush();
  assert.is((await log.verify()).events, 5);
  // Sealed once: an old event changed afterwards is found like any other.
  db.exec(`DROP TRIGGER audit_events_no_update; UPDATE audit_events SET source_id = 'src_x' WHERE seq = 3;`);
  const altered = await log.verify();
  assert.equal([altered.status, altered.alteredAt], ['altered', 3]);
  db.close();
  dir.remove();
});

test.run();
