import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hashSecret, secretProblem, verifySecret } from '../../../../engine/auth/secret-hash';

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
  assert.ok(a.params.N >= 2 ** 14);
});

test.run();
