import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_KDF, hashSecret, isWeakerThanDefault, KdfParams, secretProblem, verifySecret } from '../../../../engine/auth/secret-hash';

test('PIN rules: digits only, at least 6, not trivially guessable', () => {
  assert.match(secretProblem('pin', '12345') ?? '', /at least 6/);
  assert.match(secretProblem('pin', '12a456') ?? '', /digits only/);
  assert.match(secretProblem('pin', '000000') ?? '', /repeated/);
  assert.match(secretProblem('pin', '123456') ?? '', /consecutive/);
  assert.match(secretProblem('pin', '987654') ?? '', /consecutive/);
  assert.is(secretProblem('pin', '480613'), null);
  assert.is(secretProblem('pin', '12345678901'), null);
});

test('passphrase rules: at least 8 characters', () => {
  assert.match(secretProblem('passphrase', 'short') ?? '', /at least 8/);
  assert.match(secretProblem('passphrase', 'aaaaaaaaaa') ?? '', /too easy/);
  assert.is(secretProblem('passphrase', 'correct horse battery'), null);
});

test('hashes are salted: the same secret hashes differently and only the right one verifies', async () => {
  const a = await hashSecret('480613');
  const b = await hashSecret('480613');
  assert.not.ok(a.hash.equals(b.hash));
  assert.not.ok(a.salt.equals(b.salt));
  assert.ok(await verifySecret('480613', a));
  assert.not.ok(await verifySecret('480614', a));
  assert.not.ok(await verifySecret('', a));
  assert.is(a.params.algorithm, 'scrypt');
  assert.ok(a.params.N >= 2 ** 17 && a.params.r >= 8, 'an offline search of 6-digit PINs must cost days of CPU (see test/bench/pin.bench.ts)');
});

test('older, cheaper parameters are recognised for upgrade; absurd stored parameters are refused before scrypt runs', () => {
  assert.is(isWeakerThanDefault(DEFAULT_KDF), false);
  assert.is(isWeakerThanDefault({ ...DEFAULT_KDF, N: 2 ** 15 }), true);
  assert.is(isWeakerThanDefault({ ...DEFAULT_KDF, keyLength: 16 }), true);
  for (const bad of [{ N: 2 ** 40 }, { N: 3000 }, { r: 1000 }, { p: 64 }, { keyLength: 4 }]) {
    assert.is(KdfParams.safeParse({ ...DEFAULT_KDF, ...bad }).success, false, JSON.stringify(bad));
  }
});

test.run();
