import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KeychainSecretStore } from '../../../../engine/secrets/keychain';
import { repoRoot } from '../../../support/tmp';

// These tests talk to the real Secret Service: the test runner starts each file
// inside a private D-Bus session with an unlocked gnome-keyring.
const store = new KeychainSecretStore({ service: `PolyStoreIQ-test-${process.pid}`, timeoutMs: 10_000 });

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

test('a keychain that never answers times out with an actionable message', async () => {
  // A locked keyring waiting for a prompt nobody sees cannot be produced on demand here,
  // so the native module is replaced by one whose calls never settle.
  const never = () => new Promise<never>(() => {});
  const hanging = new KeychainSecretStore({ timeoutMs: 200, keytar: { getPassword: never, setPassword: never, deletePassword: never } });
  const started = Date.now();
  const outcome = await hanging.get('anything').then(
    () => 'resolved',
    (e: Error & { code?: string }) => `${e.code}: ${e.message}`,
  );
  assert.ok(Date.now() - started < 5_000);
  assert.match(outcome, /^UNAVAILABLE: The OS keychain did not answer within 200 ms while trying to read a password\. It may be locked\./);
  const probe = await hanging.probe();
  assert.is(probe.ok, false);
});

test.run();
