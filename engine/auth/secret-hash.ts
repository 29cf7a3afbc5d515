import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';

/** scrypt parameters, stored with each hash so they can be raised later without breaking old profiles. */
export const KdfParams = z.object({
  algorithm: z.literal('scrypt'),
  // Bounded: a stored N of 2^40 must not ask for terabytes before anything is compared.
  N: z.number().int().min(2 ** 10).max(2 ** 20).refine((n) => (n & (n - 1)) === 0, 'must be a power of two'),
  r: z.number().int().min(1).max(32),
  p: z.number().int().min(1).max(4),
  keyLength: z.number().int().min(16).max(64),
});
export type KdfParams = z.infer<typeof KdfParams>;

/**
 * 128 MiB and about 0.4 s per guess on one core (test/bench/pin.bench.ts): a
 * search of all 10^6 six-digit PINs costs days of CPU per core and the memory
 * makes GPUs little help. Profiles hashed with weaker parameters are rehashed
 * at their next successful unlock.
 */
export const DEFAULT_KDF: KdfParams = { algorithm: 'scrypt', N: 2 ** 17, r: 8, p: 1, keyLength: 32 };

/** True when a stored hash costs less to guess than DEFAULT_KDF (it is upgraded on the next unlock). */
export function isWeakerThanDefault(params: KdfParams): boolean {
  return params.N * params.r * params.p < DEFAULT_KDF.N * DEFAULT_KDF.r * DEFAULT_KDF.p || params.keyLength < DEFAULT_KDF.keyLength;
}

function derive(secret: string, salt: Buffer, params: KdfParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(secret.normalize('NFKC'), salt, params.keyLength, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export async function hashSecret(secret: string, params: KdfParams = DEFAULT_KDF): Promise<{ hash: Buffer; salt: Buffer; params: KdfParams }> {
  const salt = randomBytes(16);
  return { hash: await derive(secret, salt, params), salt, params };
}

/** Constant-time comparison of a candidate against a stored hash. */
export async function verifySecret(candidate: string, stored: { hash: Buffer; salt: Buffer; params: KdfParams }): Promise<boolean> {
  const key = await derive(candidate, stored.salt, stored.params);
  return key.length === stored.hash.length && timingSafeEqual(key, stored.hash);
}

/** Why a new PIN or passphrase is refused, or null when it is acceptable. */
export function secretProblem(kind: 'pin' | 'passphrase', secret: string): string | null {
  if (kind === 'pin') {
    if (!/^\d+$/.test(secret)) return 'A PIN may contain digits only.';
    if (secret.length < 6) return 'A PIN needs at least 6 digits.';
    if (/^(\d)\1+$/.test(secret)) return 'A PIN of one repeated digit is too easy to guess.';
    const digits = [...secret].map(Number);
    const step = digits[1]! - digits[0]!;
    if (Math.abs(step) === 1 && digits.every((d, i) => i === 0 || d - digits[i - 1]! === step)) return 'A PIN of consecutive digits (like 123456) is too easy to guess.';
    return null;
  }
  if (secret.length < 8) return 'A passphrase needs at least 8 characters.';
  if (secret.trim().length !== secret.length) return 'A passphrase may not start or end with spaces.';
  if (new Set(secret).size < 4) return 'That passphrase is too easy to guess; use more different characters.';
  return null;
}
