import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AuthStatus, SecretKind } from '../contract/index';
import { ConflictError, EngineError, ForbiddenError, RateLimitedError, ValidationError } from '../errors';
import { newId, nowIso } from '../ids';
import type { AuditLog } from '../audit/audit-log';
import { databaseIdentity, IntegrityKey } from '../secrets/integrity-key';
import type { SecretStore } from '../secrets/secret-store';
import type { Database } from '../store/migration';
import { hashSecret, isWeakerThanDefault, KdfParams, secretProblem, verifySecret } from './secret-hash';

interface ProfileRow {
  id: string;
  name: string;
  secret_kind: SecretKind;
  secret_hash: Buffer;
  secret_salt: Buffer;
  kdf_params: string;
  /** Only read once, to carry an older version's count into the keychain. */
  failed_attempts: number;
  blocked_until: string | null;
}

/** Failures allowed before attempts are throttled, and the first delay after that. */
export const FREE_ATTEMPTS = 5;
const FIRST_DELAY_MS = 30_000;
const MAX_DELAY_MS = 60 * 60_000;

/** Delay imposed after the n-th consecutive failure: none for the first four, then 30 s, 60 s, 2 min, … capped at 1 h. */
export function throttleDelayMs(failures: number): number {
  if (failures < FREE_ATTEMPTS) return 0;
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (failures - FREE_ATTEMPTS));
}

export type LockReason = 'startup' | 'manual' | 'idle' | 'system-lock' | 'suspend' | 'menu' | 'secret-changed';

export interface ProfileLockOptions {
  audit: AuditLog;
  /** The OS keychain: the attempt counter, the lockout and the verifier's fingerprint live there. */
  secrets: SecretStore;
  autoLockMinutes: () => number;
  onChange: (status: AuthStatus) => void;
  now?: () => number;
}

/**
 * What the keychain remembers about the profile: which profile and which
 * stored verifier are genuine (`next` is the verifier being written during a
 * change), and the failed attempts. MAC'd with a key from the keychain and
 * bound to this database file.
 */
const StoredLockState = z.strictObject({
  v: z.literal(1),
  profile: z.string(),
  verifier: z.string(),
  next: z.string().nullable(),
  failures: z.number().int().nonnegative(),
  blockedUntil: z.number().int().nonnegative().nullable(),
  mac: z.string(),
});
type LockState = Omit<z.infer<typeof StoredLockState>, 'mac'>;
type ReadState = { kind: 'none' } | { kind: 'valid'; state: LockState } | { kind: 'invalid' };

/** A fingerprint of the verifier exactly as SQLite stores it: replacing the hash, salt, parameters or kind changes it. */
function verifierDigest(p: Pick<ProfileRow, 'secret_kind' | 'secret_hash' | 'secret_salt' | 'kdf_params'>): string {
  return createHash('sha256')
    .update(JSON.stringify([p.secret_kind, p.secret_hash.toString('base64'), p.secret_salt.toString('base64'), p.kdf_params]))
    .digest('base64url');
}

/**
 * The local profile's lock. The app starts locked; the router consults
 * `isLocked()` for every call. Failed attempts and the lockout are kept in
 * the OS keychain, counted before each guess is checked, so neither a restart
 * nor editing or replacing the SQLite file resets them; the keychain entry
 * also pins the stored verifier, so swapping in a hash of a known PIN (or
 * deleting the profile to set up a new one) is refused.
 */
export class ProfileLock {
  readonly #db: Database;
  readonly #options: ProfileLockOptions;
  readonly #now: () => number;
  readonly #dbIdentity: string;
  readonly #account: string;
  #unlocked = false;
  #lastActivity = 0;
  #timer: NodeJS.Timeout | undefined;
  /** The last state read from or written to the keychain, for status(). */
  #state: LockState | null = null;
  #key: IntegrityKey | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(db: Database, options: ProfileLockOptions) {
    this.#db = db;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#dbIdentity = databaseIdentity(db);
    this.#account = `profile-lock:${this.#dbIdentity}`;
  }

  /** Loads the attempt state (and carries an older version's over); a keychain failure here is retried by unlock. */
  async open(): Promise<void> {
    const p = this.#profile();
    const read = await this.#readState();
    if (read.kind === 'valid') this.#state = read.state;
    else if (read.kind === 'none' && p) await this.#writeState(this.#adopted(p));
  }

  #profile(): ProfileRow | null {
    return (this.#db.prepare('SELECT * FROM profiles ORDER BY created_at LIMIT 1').get() as ProfileRow | undefined) ?? null;
  }

  get profileName(): string | null {
    return this.#profile()?.name ?? null;
  }

  isLocked(): boolean {
    return !this.#unlocked;
  }

  status(): AuthStatus {
    const p = this.#profile();
    const blockedUntil = this.#state?.blockedUntil ?? 0;
    return {
      state: !p ? 'setup-required' : this.#unlocked ? 'unlocked' : 'locked',
      profileName: p?.name ?? null,
      secretKind: p?.secret_kind ?? null,
      failedAttempts: this.#state?.failures ?? 0,
      retryAfterMs: Math.max(0, blockedUntil - this.#now()),
      autoLockMinutes: this.#options.autoLockMinutes(),
    };
  }

  /** One unlock, setup or change at a time in this process, so no attempt is counted over another. */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => {});
    return run;
  }

  setup(input: { kind: SecretKind; secret: string; profileName?: string | undefined }): Promise<AuthStatus> {
    return this.#exclusive(async () => {
      if (this.#profile()) throw new ConflictError('A profile already exists. Unlock it instead.');
      const problem = secretProblem(input.kind, input.secret);
      if (problem) throw new ValidationError(problem, { field: 'secret' });
      await this.#options.audit.open();
      if ((await this.#readState()).kind !== 'none') throw this.#altered('PROFILE_ALTERED', 'A profile was set up in this folder before, and its record is gone from the database.');
      const { hash, salt, params } = await hashSecret(input.secret);
      const row = { id: newId('prf'), secret_kind: input.kind, secret_hash: hash, secret_salt: salt, kdf_params: JSON.stringify(params) };
      this.#db
        .prepare(`INSERT INTO profiles (id, name, secret_kind, secret_hash, secret_salt, kdf_params, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(row.id, input.profileName?.trim() || 'Owner', row.secret_kind, row.secret_hash, row.secret_salt, row.kdf_params, nowIso(), nowIso());
      try {
        await this.#writeState({ v: 1, profile: row.id, verifier: verifierDigest(row), next: null, failures: 0, blockedUntil: null });
      } catch (error) {
        // Without its keychain entry the profile would be adopted unprotected later: take it back.
        this.#db.prepare('DELETE FROM profiles WHERE id = ?').run(row.id);
        throw error;
      }
      this.#options.audit.record({ action: 'profile.created', details: { secretKind: input.kind } });
      this.#setUnlocked(true);
      this.#options.audit.record({ action: 'auth.unlocked', details: { via: 'setup' } });
      return this.status();
    });
  }

  unlock(secret: string): Promise<AuthStatus> {
    return this.#exclusive(async () => {
      const p = this.#profile();
      if (!p) throw new EngineError('LOCKED', 'No profile exists yet. Create one with a PIN or passphrase first.', { reason: 'SETUP_REQUIRED' });
      await this.#options.audit.open();
      const state = await this.#attempt(p, secret, 'unlock');
      // Rehash with current parameters if they were raised since this profile was created.
      if (isWeakerThanDefault(KdfParams.parse(JSON.parse(p.kdf_params)))) await this.#storeSecret(p.id, state, p.secret_kind, secret);
      this.#setUnlocked(true);
      this.#options.audit.record({ action: 'auth.unlocked' });
      return this.status();
    });
  }

  lock(reason: LockReason = 'manual'): AuthStatus {
    if (this.#unlocked) {
      this.#options.audit.record({ action: 'auth.locked', details: { reason } });
      this.#setUnlocked(false);
    }
    return this.status();
  }

  changeSecret(current: string, next: { kind: SecretKind; secret: string }): Promise<AuthStatus> {
    return this.#exclusive(async () => {
      const p = this.#profile();
      if (!p) throw new EngineError('LOCKED', 'No profile exists yet.', { reason: 'SETUP_REQUIRED' });
      const problem = secretProblem(next.kind, next.secret);
      if (problem) throw new ValidationError(problem, { field: 'next.secret' });
      // Counted like an unlock: the change form must not be a way around the throttle.
      const state = await this.#attempt(p, current, 'change-secret');
      await this.#storeSecret(p.id, state, next.kind, next.secret);
      this.#options.audit.record({ action: 'auth.secret_changed', details: { secretKind: next.kind } });
      this.#options.onChange(this.status());
      return this.status();
    });
  }

  /**
   * One guess: the keychain state must vouch for this profile and verifier,
   * the lockout must be over, and the attempt is counted as a failure before
   * the secret is checked (so stopping the process mid-check does not save a
   * guess). Resolves with the reset state on success; throws on failure.
   */
  async #attempt(p: ProfileRow, secret: string, during: 'unlock' | 'change-secret'): Promise<LockState> {
    const state = await this.#genuineState(p);
    const retryAfterMs = Math.max(0, (state.blockedUntil ?? 0) - this.#now());
    if (retryAfterMs > 0) {
      throw new RateLimitedError(`Too many wrong attempts. Try again in ${Math.ceil(retryAfterMs / 1000)} s.`, { retryAfterMs, failedAttempts: state.failures });
    }
    const failures = state.failures + 1;
    const delay = throttleDelayMs(failures);
    await this.#writeState({ ...state, failures, blockedUntil: delay ? this.#now() + delay : null });
    const ok = await verifySecret(secret, { hash: p.secret_hash, salt: p.secret_salt, params: KdfParams.parse(JSON.parse(p.kdf_params)) });
    if (ok) {
      const reset = { ...state, failures: 0, blockedUntil: null };
      await this.#writeState(reset);
      return reset;
    }
    this.#options.audit.record({ action: 'auth.unlock_failed', details: { failedAttempts: failures, delayMs: delay, ...(during === 'unlock' ? {} : { during }) } });
    this.#options.onChange(this.status());
    const what = p.secret_kind === 'pin' ? 'PIN' : 'passphrase';
    const left = FREE_ATTEMPTS - failures;
    const wrong = during === 'unlock' ? `Wrong ${what}.` : `The current ${what} is wrong.`;
    const message = delay ? `${wrong} Too many wrong attempts: try again in ${Math.ceil(delay / 1000)} s.` : `${wrong} ${left} attempt${left === 1 ? '' : 's'} left before a delay.`;
    throw new ForbiddenError('WRONG_SECRET', message, { failedAttempts: failures, retryAfterMs: delay });
  }

  /** The keychain state, checked against the profile SQLite holds now; anything that does not match keeps the profile locked. */
  async #genuineState(p: ProfileRow): Promise<LockState> {
    const read = await this.#readState();
    if (read.kind === 'invalid') throw this.#altered('LOCK_STATE_ALTERED', 'The PIN attempt record in the OS keychain was changed outside PolyStoreIQ.');
    if (read.kind === 'none') {
      // Written by a version that kept the count in SQLite, or a setup cut short: adopt what is there once.
      const adopted = this.#adopted(p);
      await this.#writeState(adopted);
      return adopted;
    }
    const { state } = read;
    const digest = verifierDigest(p);
    if (state.profile !== p.id || (digest !== state.verifier && digest !== state.next)) {
      throw this.#altered('PROFILE_ALTERED', "The profile's PIN record in the database was changed or replaced outside PolyStoreIQ.");
    }
    // A change that was written to SQLite but not yet confirmed in the keychain: it is the verifier now.
    return digest === state.next ? { ...state, verifier: digest, next: null } : state;
  }

  #adopted(p: ProfileRow): LockState {
    const blockedUntil = p.blocked_until ? Date.parse(p.blocked_until) : NaN;
    return { v: 1, profile: p.id, verifier: verifierDigest(p), next: null, failures: p.failed_attempts, blockedUntil: Number.isFinite(blockedUntil) ? blockedUntil : null };
  }

  #altered(reason: 'PROFILE_ALTERED' | 'LOCK_STATE_ALTERED', what: string): ForbiddenError {
    this.#options.audit.record({ action: 'auth.unlock_failed', details: { reason } });
    return new ForbiddenError(
      reason,
      `${what} The profile stays locked. Restore the profile folder from a backup. To start over instead, delete the folder and the OS keychain entries ` +
        `“PolyStoreIQ / profile-lock:${this.#dbIdentity}” and “PolyStoreIQ / audit-head:${this.#dbIdentity}”.`,
    );
  }

  /** Stores a new verifier: the keychain learns it first (as `next`), so a crash between the two writes leaves either one accepted. */
  async #storeSecret(id: string, state: LockState, kind: SecretKind, secret: string): Promise<void> {
    const { hash, salt, params } = await hashSecret(secret);
    const row = { secret_kind: kind, secret_hash: hash, secret_salt: salt, kdf_params: JSON.stringify(params) };
    const verifier = verifierDigest(row);
    await this.#writeState({ ...state, next: verifier });
    this.#db
      .prepare('UPDATE profiles SET secret_kind = ?, secret_hash = ?, secret_salt = ?, kdf_params = ?, updated_at = ? WHERE id = ?')
      .run(row.secret_kind, row.secret_hash, row.secret_salt, row.kdf_params, nowIso(), id);
    await this.#writeState({ ...state, verifier, next: null });
  }

  #macParts(s: LockState): Array<string | number | null> {
    return [this.#dbIdentity, s.v, s.profile, s.verifier, s.next, s.failures, s.blockedUntil];
  }

  async #integrityKey(): Promise<IntegrityKey> {
    this.#key ??= await IntegrityKey.load(this.#options.secrets);
    return this.#key;
  }

  async #readState(): Promise<ReadState> {
    const stored = await this.#options.secrets.get(this.#account);
    if (stored === null) return { kind: 'none' };
    const key = await this.#integrityKey();
    let parsed: z.infer<typeof StoredLockState>;
    try {
      parsed = StoredLockState.parse(JSON.parse(stored));
    } catch {
      return { kind: 'invalid' };
    }
    const { mac, ...state } = parsed;
    if (!key.verify('profile-lock', this.#macParts(state), mac)) return { kind: 'invalid' };
    this.#state = state;
    return { kind: 'valid', state };
  }

  async #writeState(state: LockState): Promise<void> {
    const key = await this.#integrityKey();
    await this.#options.secrets.set(this.#account, JSON.stringify({ ...state, mac: key.mac('profile-lock', this.#macParts(state)) }));
    this.#state = state;
  }

  /** Records activity; the idle timer measures from the last call. */
  touch(): void {
    this.#lastActivity = this.#now();
  }

  /** Checks idleness every `checkMs`; locks when idle longer than the setting (0 disables). */
  startAutoLock(checkMs = 15_000): void {
    this.stopAutoLock();
    this.#timer = setInterval(() => this.checkIdle(), checkMs);
    this.#timer.unref();
  }

  checkIdle(): void {
    const minutes = this.#options.autoLockMinutes();
    if (this.#unlocked && minutes > 0 && this.#now() - this.#lastActivity >= minutes * 60_000) this.lock('idle');
  }

  stopAutoLock(): void {
    clearInterval(this.#timer);
  }

  #setUnlocked(value: boolean): void {
    this.#unlocked = value;
    this.#lastActivity = this.#now();
    this.#options.onChange(this.status());
  }
}
