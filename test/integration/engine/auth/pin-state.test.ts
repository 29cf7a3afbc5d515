import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_KDF, hashSecret } from '../../../../engine/auth/secret-hash';
import { DATABASE_FILE } from '../../../../engine/engine';
import { KeychainSecretStore } from '../../../../engine/secrets/keychain';
import { databaseIdentity } from '../../../../engine/secrets/integrity-key';
import { openDatabase } from '../../../../engine/store/db';
import { migrations } from '../../../../engine/store/migrations/index';
import { openTestEngine, TEST_PIN, type TestEngine } from '../../../support/engine';
import { tempDir } from '../../../support/tmp';

// The real OS keychain (a private gnome-keyring under scripts/test.mjs) and real SQLite files edited directly.

const dirs: Array<{ remove(): void }> = [];
test.after(() => dirs.forEach((d) => d.remove()));

let clock = Date.parse('2026-03-01T09:00:00Z');
const now = () => clock;

function folder(): string {
  const dir = tempDir();
  dirs.push(dir);
  return dir.path;
}

const open = (dataDir: string, unlocked = false) => openTestEngine({ dataDir, keepDataDir: true, now, unlocked });

function edit(dataDir: string, work: (db: Sqlite.Database) => void): void {
  const db = new Sqlite(path.join(dataDir, DATABASE_FILE));
  try {
    work(db);
  } finally {
    db.close();
  }
}

const outcome = (r: { ok: boolean; error?: { code: string; details?: Record<string, unknown> } }) =>
  r.ok ? 'ok' : `${r.error!.code}${r.error!.details?.reason ? `:${String(r.error!.details.reason)}` : ''}`;

async function failTimes(te: TestEngine, n: number): Promise<void> {
  for (let i = 0; i < n; i++) assert.is(outcome(await te.call('auth.unlock', { secret: '999999' })), 'FORBIDDEN:WRONG_SECRET');
}

test('the attempt counter and lockout survive resetting the SQLite columns and re-creating the profile row', async () => {
  const dataDir = folder();
  let te = await open(dataDir, true);
  await te.ok('auth.lock');
  await failTimes(te, 5);
  await te.close();
  edit(dataDir, (db) => {
    db.exec(`UPDATE profiles SET failed_attempts = 0, blocked_until = NULL`);
    const row = db.prepare('SELECT * FROM profiles').get() as Record<string, unknown>;
    db.exec('DELETE FROM profiles');
    db.prepare(`INSERT INTO profiles (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row).map(() => '?').join(', ')})`).run(...Object.values(row));
  });
  te = await open(dataDir);
  const status = await te.ok('auth.status');
  assert.equal([status.failedAttempts, status.retryAfterMs], [5, 30_000]);
  const blocked = await te.call('auth.unlock', { secret: TEST_PIN });
  assert.is(outcome(blocked), 'RATE_LIMITED');
  clock += 30_001;
  await te.ok('auth.unlock', { secret: TEST_PIN });
  assert.is((await te.ok('auth.status')).failedAttempts, 0);
  await te.close();
});

test('a verifier swapped in SQLite for the hash of a PIN the attacker knows is refused, before any secret is checked', async () => {
  const dataDir = folder();
  let te = await open(dataDir, true);
  await te.close();
  const known = await hashSecret('135792');
  edit(dataDir, (db) => db.prepare('UPDATE profiles SET secret_hash = ?, secret_salt = ?, kdf_params = ?').run(known.hash, known.salt, JSON.stringify(known.params)));
  te = await open(dataDir);
  const r = await te.call('auth.unlock', { secret: '135792' });
  assert.is(outcome(r), 'FORBIDDEN:PROFILE_ALTERED');
  if (!r.ok) assert.match(r.error.message, /changed or replaced outside PolyStoreIQ.*stays locked/);
  assert.is(te.engine.lock.isLocked(), true);
  assert.is(te.engine.audit.list({ action: 'auth.unlock_failed' }).events[0]?.details.reason, 'PROFILE_ALTERED');
  // Tried with the old weak parameters too: a cheap verifier is no way in either.
  const cheap = await hashSecret('135792', { ...DEFAULT_KDF, N: 2 ** 10 });
  await te.close();
  edit(dataDir, (db) => db.prepare('UPDATE profiles SET secret_hash = ?, secret_salt = ?, kdf_params = ?').run(cheap.hash, cheap.salt, JSON.stringify(cheap.params)));
  te = await open(dataDir);
  assert.is(outcome(await te.call('auth.unlock', { secret: '135792' })), 'FORBIDDEN:PROFILE_ALTERED');
  await te.close();
});

test('deleting the profile row does not open the way to a new setup over the existing sources', async () => {
  const dataDir = folder();
  let te = await open(dataDir, true);
  await te.close();
  edit(dataDir, (db) => db.exec('DELETE FROM profiles'));
  te = await open(dataDir);
  assert.is((await te.ok('auth.status')).state, 'setup-required');
  const r = await te.call('auth.setup', { kind: 'pin', secret: '135792' });
  assert.is(outcome(r), 'FORBIDDEN:PROFILE_ALTERED');
  if (!r.ok) assert.match(r.error.message, /profile-lock:[0-9a-f]{32}/);
  assert.is(te.engine.lock.isLocked(), true);
  await te.close();
});

test('an attempt record edited in the keychain without the key keeps the profile locked', async () => {
  const dataDir = folder();
  let te = await open(dataDir, true);
  const account = `profile-lock:${databaseIdentity(te.engine.db)}`;
  await te.ok('auth.lock');
  await failTimes(te, 2);
  await te.close();
  const keychain = new KeychainSecretStore();
  const stored = JSON.parse((await keychain.get(account))!);
  assert.is(stored.failures, 2);
  await keychain.set(account, JSON.stringify({ ...stored, failures: 0 }));
  te = await open(dataDir);
  assert.is(outcome(await te.call('auth.unlock', { secret: TEST_PIN })), 'FORBIDDEN:LOCK_STATE_ALTERED');
  await keychain.set(account, 'not json');
  assert.is(outcome(await te.call('auth.unlock', { secret: TEST_PIN })), 'FORBIDDEN:LOCK_STATE_ALTERED');
  await te.close();
});

test('a profile from before (count in SQLite, cheaper scrypt) keeps its count and is upgraded at the next successful unlock', async () => {
  const dataDir = folder();
  const db = openDatabase(path.join(dataDir, DATABASE_FILE), { migrations: migrations.filter((m) => m.id < 90) });
  const old = await hashSecret(TEST_PIN, { ...DEFAULT_KDF, N: 2 ** 15 });
  db.prepare(
    `INSERT INTO profiles (id, name, secret_kind, secret_hash, secret_salt, kdf_params, failed_attempts, blocked_until, created_at, updated_at)
     VALUES ('prf_old', 'Ada', 'pin', ?, ?, ?, 2, NULL, 't', 't')`,
  ).run(old.hash, old.salt, JSON.stringify(old.params));
  db.close();
  let te = await open(dataDir);
  assert.equal([(await te.ok('auth.status')).state, (await te.ok('auth.status')).failedAttempts], ['locked', 2]);
  await failTimes(te, 1);
  assert.is((await te.ok('auth.status')).failedAttempts, 3);
  await te.ok('auth.unlock', { secret: TEST_PIN });
  const params = JSON.parse(te.engine.db.prepare('SELECT kdf_params FROM profiles').pluck().get() as string);
  assert.equal([params.N, params.r, params.p], [DEFAULT_KDF.N, DEFAULT_KDF.r, DEFAULT_KDF.p]);
  await te.close();
  te = await open(dataDir);
  assert.is((await te.ok('auth.unlock', { secret: TEST_PIN })).state, 'unlocked', 'the upgraded verifier is the one the keychain vouches for');
  await te.close();
});

test('every attempt is counted before it is checked: wrong attempts sent together all count, and the change form counts too', async () => {
  const dataDir = folder();
  const te = await open(dataDir, true);
  const changes = await Promise.all([1, 2].map(() => te.call('auth.changeSecret', { current: '999999', next: { kind: 'pin', secret: '135792' } })));
  assert.equal(changes.map(outcome), ['FORBIDDEN:WRONG_SECRET', 'FORBIDDEN:WRONG_SECRET']);
  await te.ok('auth.lock');
  const unlocks = await Promise.all([1, 2, 3].map(() => te.call('auth.unlock', { secret: '999999' })));
  assert.equal(unlocks.map(outcome), ['FORBIDDEN:WRONG_SECRET', 'FORBIDDEN:WRONG_SECRET', 'FORBIDDEN:WRONG_SECRET']);
  const status = await te.ok('auth.status');
  assert.equal([status.failedAttempts, status.retryAfterMs], [5, 30_000]);
  await te.close();
});

test.run();
