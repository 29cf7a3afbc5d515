import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { abandonedKeychainCalls, KeychainSecretStore, type Keytar } from '../../../../engine/secrets/keychain';
import type { EngineError } from '../../../../engine/errors';

/**
 * A keychain call that misses its deadline keeps running on a libuv thread (keytar cannot cancel it),
 * which keeps a finished CLI command alive; the store counts such calls so the host can exit instead.
 * The native module is replaced here only to hold a call open at will; the real frozen daemon is in
 * test/integration/main/cli/keychain-exit.test.ts.
 */
function heldKeytar() {
  const held: Array<(value: string | null) => void> = [];
  const keytar: Keytar = {
    getPassword: () => new Promise((resolve) => held.push(resolve)),
    setPassword: async () => {},
    deletePassword: async () => true,
  };
  return { keytar, held };
}

test('a call given up at its deadline counts as abandoned until it really ends', async () => {
  const { keytar, held } = heldKeytar();
  const store = new KeychainSecretStore({ keytar, timeoutMs: 20 });
  const before = abandonedKeychainCalls();
  const error = (await store.get('a').catch((e: unknown) => e)) as EngineError;
  assert.is(error.code, 'KEYCHAIN_LOCKED');
  assert.is(error.details?.reason, 'KEYCHAIN_TIMEOUT');
  assert.is(abandonedKeychainCalls(), before + 1, 'the call still runs');
  held[0]!('late answer');
  await new Promise((resolve) => setImmediate(resolve));
  assert.is(abandonedKeychainCalls(), before, 'it ended: nothing keeps the process any more');
});

test('calls that answer in time, or fail in time, are never counted', async () => {
  const before = abandonedKeychainCalls();
  const fine = new KeychainSecretStore({ keytar: { getPassword: async () => 'x', setPassword: async () => {}, deletePassword: async () => true }, timeoutMs: 1_000 });
  assert.is(await fine.get('a'), 'x');
  const failing = new KeychainSecretStore({ keytar: { getPassword: async () => Promise.reject(new Error('Cannot autolaunch D-Bus')), setPassword: async () => {}, deletePassword: async () => true }, timeoutMs: 1_000 });
  const error = (await failing.get('a').catch((e: unknown) => e)) as EngineError;
  assert.is(error.code, 'UNAVAILABLE');
  assert.is(abandonedKeychainCalls(), before);
});

test.run();
