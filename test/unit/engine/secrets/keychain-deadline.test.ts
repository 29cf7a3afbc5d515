import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KeychainSecretStore, type Keytar } from '../../../../engine/secrets/keychain';
import type { EngineError } from '../../../../engine/errors';

/**
 * A keychain call that misses its deadline keeps running inside keytar (it cannot be cancelled), so
 * the store tells a keytar that can end it (engine/secrets/child-keytar.ts, the CLI's: it kills its
 * process). The native module is replaced here only to hold a call open at will; the real frozen
 * keyring daemon is in test/integration/main/cli/keychain-exit.test.ts.
 */
function fakeKeytar(getPassword: Keytar['getPassword']) {
  const told = { abandon: 0 };
  const keytar: Keytar = { getPassword, setPassword: async () => {}, deletePassword: async () => true, abandon: () => void told.abandon++ };
  return { keytar, told };
}

test('a call given up at its deadline is abandoned: the keytar is told, and its late answer is ignored', async () => {
  let answer!: (value: string | null) => void;
  const { keytar, told } = fakeKeytar(() => new Promise((resolve) => (answer = resolve)));
  const store = new KeychainSecretStore({ keytar, timeoutMs: 20 });
  const error = (await store.get('a').catch((e: unknown) => e)) as EngineError;
  assert.is(error.code, 'KEYCHAIN_LOCKED');
  assert.is(error.details?.reason, 'KEYCHAIN_TIMEOUT');
  assert.is(told.abandon, 1);
  answer('late');
});

test('calls that answer or fail in time are not abandoned', async () => {
  const fine = fakeKeytar(async () => 'x');
  assert.is(await new KeychainSecretStore({ keytar: fine.keytar, timeoutMs: 1_000 }).get('a'), 'x');
  const failing = fakeKeytar(async () => Promise.reject(new Error('Cannot autolaunch D-Bus')));
  const error = (await new KeychainSecretStore({ keytar: failing.keytar, timeoutMs: 1_000 }).get('a').catch((e: unknown) => e)) as EngineError;
  assert.is(error.code, 'UNAVAILABLE');
  assert.is(fine.told.abandon + failing.told.abandon, 0);
});

test.run();
