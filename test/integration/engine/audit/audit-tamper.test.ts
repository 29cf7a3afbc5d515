import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AuditVerification } from '../../../../engine/contract/index';
import { DATABASE_FILE } from '../../../../engine/engine';
import { KeychainSecretStore } from '../../../../engine/secrets/keychain';
import { INTEGRITY_KEY_ACCOUNT } from '../../../../engine/secrets/integrity-key';
import { openTestEngine, type TestEngine } from '../../../support/engine';
import { tempDir } from '../../../support/tmp';

// The real OS keychain (a private gnome-keyring under scripts/test.mjs) and real SQLite files,
// edited the way someone with the file would: with their own connection, triggers dropped or bypassed.

const dirs: Array<{ remove(): void }> = [];
test.after(() => dirs.forEach((d) => d.remove()));

/** A profile folder whose log holds `count` events (seq 1..count), closed so the keychain knows its head. */
async function logWith(count = 10): Promise<string> {
  const dir = tempDir();
  dirs.push(dir);
  const te = await openTestEngine({ dataDir: dir.path, keepDataDir: true });
  for (let i = 1; i <= count; i++) te.engine.audit.record({ action: 'query.executed', details: { i } });
  await te.close();
  return dir.path;
}

function edit(dataDir: string, sql: string): void {
  const db = new Sqlite(path.join(dataDir, DATABASE_FILE));
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

/** Opens the profile again: what the check at open found, and what `verify()` finds now. */
async function reopen(dataDir: string): Promise<{ atOpen: AuditVerification; now: AuditVerification; te: TestEngine }> {
  const te = await openTestEngine({ dataDir, keepDataDir: true });
  const atOpen = te.engine.audit.lastVerification()!;
  return { atOpen, now: await te.engine.audit.verify(), te };
}

async function expectAltered(dataDir: string, at: number, reason: AuditVerification['reason']): Promise<void> {
  const { atOpen, now, te } = await reopen(dataDir);
  await te.close();
  for (const r of [atOpen, now]) {
    assert.equal([r.status, r.alteredAt, r.reason], ['altered', at, reason], r.message);
    assert.match(r.message, new RegExp(`^Audit log altered at event ${at}: `));
  }
}

test('an untouched log verifies at open and on demand, with its event count', async () => {
  const dataDir = await logWith(10);
  const { atOpen, now, te } = await reopen(dataDir);
  assert.equal([atOpen.status, atOpen.events, atOpen.firstSeq, atOpen.lastSeq], ['ok', 10, 1, 10]);
  te.engine.audit.record({ action: 'query.executed' });
  assert.equal([now.status, now.events], ['ok', 10]);
  assert.equal([(await te.engine.audit.verify()).status, (await te.engine.audit.verify()).events], ['ok', 11]);
  await te.close();
  assert.is((await reopen(dataDir).then(async (r) => (await r.te.close(), r.atOpen))).events, 11);
});

test('inserting into audit_prune_guard and deleting an event in the middle is found at that event', async () => {
  const dataDir = await logWith();
  edit(dataDir, 'INSERT INTO audit_prune_guard (active) VALUES (1); DELETE FROM audit_events WHERE seq = 4; DELETE FROM audit_prune_guard;');
  await expectAltered(dataDir, 4, 'MISSING');
});

test('deleting the oldest events through the prune guard is found at the first one', async () => {
  const dataDir = await logWith();
  edit(dataDir, 'INSERT INTO audit_prune_guard (active) VALUES (1); DELETE FROM audit_events WHERE seq <= 3;');
  await expectAltered(dataDir, 1, 'MISSING');
});

test('dropping the trigger and updating an event is found at that event; the open puts the trigger and the guard back', async () => {
  const dataDir = await logWith();
  edit(
    dataDir,
    `DROP TRIGGER audit_events_no_update; UPDATE audit_events SET details_json = '{"i":999}' WHERE seq = 6;
     INSERT INTO audit_prune_guard (active) VALUES (1);`,
  );
  const { te } = await reopen(dataDir);
  assert.throws(() => te.engine.db.prepare(`UPDATE audit_events SET actor = 'x' WHERE seq = 1`).run(), /append-only/);
  assert.throws(() => te.engine.db.prepare('DELETE FROM audit_events WHERE seq = 1').run(), /append-only/, 'the leftover guard row is cleared');
  await te.close();
  await expectAltered(dataDir, 6, 'CHANGED');
});

test('an event rewritten with a recomputed-looking hash, or reordered, is found', async () => {
  const dataDir = await logWith();
  edit(dataDir, `DROP TRIGGER audit_events_no_update; UPDATE audit_events SET hash = (SELECT hash FROM audit_events WHERE seq = 2), action = 'auth.locked' WHERE seq = 3;`);
  await expectAltered(dataDir, 3, 'CHANGED');
  const swapped = await logWith();
  edit(swapped, `DROP TRIGGER audit_events_no_update; UPDATE audit_events SET at = '2000-01-01T00:00:00.000Z' WHERE seq = 9;`);
  await expectAltered(swapped, 9, 'CHANGED');
});

test('deleting the last event is found (the keychain remembers the head)', async () => {
  const dataDir = await logWith();
  edit(dataDir, 'DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq = 10;');
  await expectAltered(dataDir, 10, 'TRUNCATED');
});

test('deleting every event is found at event 1', async () => {
  const dataDir = await logWith();
  edit(dataDir, 'INSERT INTO audit_prune_guard (active) VALUES (1); DELETE FROM audit_events; DELETE FROM sqlite_sequence;');
  await expectAltered(dataDir, 1, 'TRUNCATED');
});

test('an event added at the end without the key is found at that event', async () => {
  const dataDir = await logWith();
  edit(
    dataDir,
    `INSERT INTO audit_events (seq, id, at, actor, action, details_json, hash)
     SELECT 11, 'aud_forged', at, actor, 'auth.unlocked', '{}', hash FROM audit_events WHERE seq = 10;`,
  );
  await expectAltered(dataDir, 11, 'CHANGED');
});

test('removing or rewriting the anchor, or replacing the whole database, is found', async () => {
  const noAnchor = await logWith();
  edit(noAnchor, 'DELETE FROM audit_anchor;');
  await expectAltered(noAnchor, 1, 'START');
  const moved = await logWith();
  edit(moved, 'INSERT INTO audit_prune_guard (active) VALUES (1); DELETE FROM audit_events WHERE seq <= 4; UPDATE audit_anchor SET first_seq = 5;');
  await expectAltered(moved, 5, 'START');
  const replaced = await logWith();
  const { rmSync } = await import('node:fs');
  for (const suffix of ['', '-wal', '-shm']) rmSync(path.join(replaced, DATABASE_FILE + suffix), { force: true });
  await expectAltered(replaced, 1, 'START');
});

test('events deleted at the end while the app runs are not papered over by the events it writes next', async () => {
  const dataDir = await logWith(10);
  const te = await openTestEngine({ dataDir, keepDataDir: true });
  edit(dataDir, 'DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq >= 8;');
  for (let i = 0; i < 6; i++) te.engine.audit.record({ action: 'query.executed', details: { after: i } });
  await te.engine.audit.flush();
  const now = await te.engine.audit.verify();
  await te.close();
  assert.equal([now.status, now.alteredAt, now.reason], ['altered', 10, 'CHANGED'], now.message);
  await expectAltered(dataDir, 10, 'CHANGED');
});

test('retention pruning stays verifiable (a signed start); removing more of the start afterwards is found', async () => {
  const dataDir = await logWith(5);
  const te = await openTestEngine({ dataDir, keepDataDir: true });
  // The cut is a time: let the clock pass the fifth event's millisecond before the sixth is written.
  const fifth = Date.parse(te.engine.audit.list({ limit: 1 }).events[0]!.at);
  while (Date.now() <= fifth) await new Promise((resolve) => setImmediate(resolve));
  const sixth = te.engine.audit.record({ action: 'query.executed', details: { i: 6 } });
  for (let i = 7; i <= 10; i++) te.engine.audit.record({ action: 'query.executed', details: { i } });
  const older = 5;
  assert.is(te.engine.audit.prune(new Date(sixth.at)), older);
  const after = await te.engine.audit.verify();
  assert.equal([after.status, after.firstSeq, after.events], ['ok', 6, 6]);
  await te.close();
  const { atOpen, te: again } = await reopen(dataDir);
  assert.is(atOpen.status, 'ok', atOpen.message);
  await again.close();
  edit(dataDir, `INSERT INTO audit_prune_guard (active) VALUES (1); DELETE FROM audit_events WHERE seq = ${older + 1};`);
  await expectAltered(dataDir, older + 1, 'MISSING');
});

test('an altered log is not pruned: the evidence stays', async () => {
  const dataDir = await logWith(10);
  edit(dataDir, `DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor = 'someone else' WHERE seq = 2;`);
  const te = await openTestEngine({ dataDir, keepDataDir: true });
  const refused = (() => {
    try {
      te.engine.audit.prune(new Date(Date.now() + 60_000));
      return null;
    } catch (error) {
      return (error as { code?: string }).code;
    }
  })();
  assert.is(refused, 'CONFLICT');
  assert.is(te.engine.db.prepare('SELECT COUNT(*) FROM audit_events').pluck().get(), 10);
  await te.close();
});

// Last: it replaces the installation's key for the rest of this file.
test('a log sealed with a key this keychain does not hold is reported (a copied profile, a reset keychain)', async () => {
  const dataDir = await logWith(3);
  await new KeychainSecretStore().delete(INTEGRITY_KEY_ACCOUNT);
  const { atOpen, now, te } = await reopen(dataDir);
  await te.close();
  for (const r of [atOpen, now]) assert.equal([r.status, r.alteredAt, r.reason], ['altered', 1, 'KEY_MISSING'], r.message);
});

test.run();
