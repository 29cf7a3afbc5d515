import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EngineError } from '../../../../engine/errors';
import { KeychainSecretStore } from '../../../../engine/secrets/keychain';
import { lockKeyring, unlockKeyring, withFrozenKeyring } from '../../../support/keyring';
import { repoRoot } from '../../../support/tmp';

// These tests talk to the real Secret Service: the test runner starts each file
// inside a private D-Bus session with an unlocked gnome-keyring.
const store = new KeychainSecretStore({ service: `PolyStoreIQ-test-${process.pid}` });

test('the keychain is reachable in the test session', async () => {
  assert.ok(process.env.DBUS_SESSION_BUS_ADDRESS, 'run through scripts/test.mjs (it provides the keyring)');
  const probe = await store.probe();
  assert.ok(probe.ok, probe.message);
});

test('set, get, overwrite and delete a secret in the real OS keychain', async () => {
  const account = 'source:src_test';
  assert.is(await store.get(account), null);
  await store.set(account, 'pä$$wörd with spaces & ünïcode');
  assert.is(await store.get(account), 'pä$$wörd with spaces & ünïcode');
  await store.set(account, 'second');
  assert.is(await store.get(account), 'second');
  assert.is(await store.delete(account), true);
  assert.is(await store.get(account), null);
  assert.is(await store.delete(account), false);
});

test('entries of different accounts and services are independent', async () => {
  const other = new KeychainSecretStore({ service: `PolyStoreIQ-other-${process.pid}` });
  await store.set('a', '1');
  await other.set('a', '2');
  assert.is(await store.get('a'), '1');
  assert.is(await other.get('a'), '2');
  await store.delete('a');
  await other.delete('a');
});

test('without a usable keychain: a clear, actionable error and nothing written anywhere else', () => {
  // A child process with no session bus, as on a headless machine without a keyring.
  const script = `
    import { KeychainSecretStore } from './engine/secrets/keychain.ts';
    const s = new KeychainSecretStore({ timeoutMs: 5000 });
    try { await s.set('x', 'y'); console.log('STORED'); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }
  `;
  const env = { ...process.env };
  delete env.DBUS_SESSION_BUS_ADDRESS;
  delete env.DISPLAY;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, env, encoding: 'utf8', timeout: 60_000 });
  const line = result.stdout.trim().split('\n').pop() ?? '';
  assert.not.match(line, /STORED/);
  const error = JSON.parse(line) as { code: string; message: string };
  assert.is(error.code, 'UNAVAILABLE');
  assert.match(error.message, /keychain is not available/i);
  assert.match(error.message, /gnome-keyring/);
});

test('a keyring daemon that hangs gives KEYCHAIN_LOCKED after the call deadline instead of waiting for D-Bus', async () => {
  const quick = new KeychainSecretStore({ service: `PolyStoreIQ-test-${process.pid}`, timeoutMs: 500 });
  await quick.set('a', 'b');
  const started = performance.now();
  const outcome = await withFrozenKeyring(() =>
    quick.get('a').then(
      () => 'resolved',
      (e: EngineError) => `${e.code} ${e.details?.reason}: ${e.message}`,
    ),
  );
  console.log(`  time to error with a frozen keyring daemon: ${Math.round(performance.now() - started)} ms (deadline 500 ms)`);
  assert.match(outcome, /^KEYCHAIN_LOCKED KEYCHAIN_TIMEOUT: The OS keychain is locked \(it did not answer within 500 ms while trying to read a password/);
  // The daemon answers the calls that waited once it runs again; the store works as before.
  assert.is(await quick.get('a'), 'b');
  await quick.delete('a');
});

// Last in this file: unlocking replaces the keyring daemon (a session without a display cannot show the
// unlock prompt), and libsecret in this process keeps talking to the old one, so what follows runs in a new process.
test('a locked keyring is never taken for "no secret": reads fail with KEYCHAIN_LOCKED; unlocked, the same secrets are there', async () => {
  await store.set('source:src_locked', 'kept');
  lockKeyring();
  try {
    for (const account of ['source:src_locked', 'source:never_stored']) {
      const outcome = await store.get(account).then(
        (value) => `resolved ${value}`,
        (e: EngineError) => `${e.code} ${e.details?.reason}: ${e.message}`,
      );
      assert.match(outcome, /^KEYCHAIN_LOCKED KEYCHAIN_LOCKED: The OS keychain is locked/, account);
      assert.match(outcome, /Nothing was changed\. Unlock the login keyring/);
    }
    assert.is((await store.state()).state, 'locked');
    const write = await store.set('source:new', 'x').then(
      () => 'stored',
      (e: EngineError) => e.code,
    );
    assert.is(write, 'KEYCHAIN_LOCKED', 'nothing is written to a locked keyring');
  } finally {
    unlockKeyring();
  }
  const script = `
    import { KeychainSecretStore } from './engine/secrets/keychain.ts';
    const s = new KeychainSecretStore({ service: ${JSON.stringify(`PolyStoreIQ-test-${process.pid}`)} });
    console.log(JSON.stringify([await s.get('source:src_locked'), await s.get('source:never_stored'), (await s.state()).state]));
  `;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  assert.equal(JSON.parse(result.stdout.trim().split('\n').pop() ?? 'null'), ['kept', null, 'available'], result.stderr);
});

test.run();
