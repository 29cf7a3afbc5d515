import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import type { Database } from '../store/migration';
import type { SecretStore } from './secret-store';

/** The keychain account of the installation's integrity key (never stored anywhere else). */
export const INTEGRITY_KEY_ACCOUNT = 'integrity-key';

/** What a MAC is for; each purpose has its own subkey, so a MAC made for one never verifies as another. */
export type IntegrityPurpose = 'audit-chain' | 'audit-anchor' | 'audit-head' | 'profile-lock';

const inFlight = new WeakMap<SecretStore, Promise<IntegrityKey>>();

/**
 * The key behind everything that must not be rewritable by editing the
 * SQLite file: the audit chain, its start and head, and the PIN attempt
 * state. It is created once per installation and lives only in the OS
 * keychain; the engine holds the derived subkeys in memory.
 */
export class IntegrityKey {
  readonly #subkeys: ReadonlyMap<IntegrityPurpose, Buffer>;
  /** True when this call created the key: anything sealed before was sealed with a key this keychain does not hold. */
  readonly created: boolean;

  private constructor(master: Buffer, created: boolean) {
    const purposes: IntegrityPurpose[] = ['audit-chain', 'audit-anchor', 'audit-head', 'profile-lock'];
    this.#subkeys = new Map(purposes.map((p) => [p, Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `polystore ${p} v1`, 32))]));
    this.created = created;
  }

  /** Reads the key, creating it on first use; loads running at the same time share one read, so they cannot create two keys. */
  static load(secrets: SecretStore): Promise<IntegrityKey> {
    let loading = inFlight.get(secrets);
    if (!loading) {
      loading = IntegrityKey.#read(secrets);
      inFlight.set(secrets, loading);
      void loading.finally(() => inFlight.delete(secrets)).catch(() => {});
    }
    return loading;
  }

  static async #read(secrets: SecretStore): Promise<IntegrityKey> {
    const stored = await secrets.get(INTEGRITY_KEY_ACCOUNT);
    const master = stored ? Buffer.from(stored, 'base64') : null;
    if (master?.length === 32) return new IntegrityKey(master, false);
    const fresh = randomBytes(32);
    await secrets.set(INTEGRITY_KEY_ACCOUNT, fresh.toString('base64'));
    return new IntegrityKey(fresh, true);
  }

  /** HMAC-SHA256 over the parts, encoded unambiguously (a JSON array), as base64url. */
  mac(purpose: IntegrityPurpose, parts: ReadonlyArray<string | number | null>): string {
    return createHmac('sha256', this.#subkeys.get(purpose)!).update(JSON.stringify(parts)).digest('base64url');
  }

  /** Constant-time check of a stored MAC against the parts it should cover. */
  verify(purpose: IntegrityPurpose, parts: ReadonlyArray<string | number | null>, stored: unknown): boolean {
    if (typeof stored !== 'string') return false;
    const expected = Buffer.from(this.mac(purpose, parts));
    const given = Buffer.from(stored);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}

/**
 * Which database a keychain entry belongs to: a hash of the file's real path.
 * It is not stored in the file, so editing or replacing the file cannot point
 * it at another entry (or at none).
 */
export function databaseIdentity(db: Database): string {
  const where = db.name === ':memory:' || db.name === '' ? `memory:${randomBytes(16).toString('hex')}` : fs.realpathSync(db.name);
  return createHash('sha256').update(where).digest('hex').slice(0, 32);
}
