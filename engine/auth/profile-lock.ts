import type { AuthStatus, SecretKind } from '../contract/index';
import { ConflictError, EngineError, ForbiddenError, RateLimitedError, ValidationError } from '../errors';
import { newId, nowIso } from '../ids';
import type { AuditLog } from '../audit/audit-log';
import type { Database } from '../store/migration';
import { DEFAULT_KDF, hashSecret, KdfParams, secretProblem, verifySecret } from './secret-hash';

interface ProfileRow {
  id: string;
  name: string;
  secret_kind: SecretKind;
  secret_hash: Buffer;
  secret_salt: Buffer;
  kdf_params: string;
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
  autoLockMinutes: () => number;
  onChange: (status: AuthStatus) => void;
  now?: () => number;
}

/**
 * The local profile's lock. The app starts locked; the router consults
 * `isLocked()` for every call. Failed attempts are counted in SQLite, so
 * restarting the app does not reset the throttle.
 */
export class ProfileLock {
  readonly #db: Database;
  readonly #options: ProfileLockOptions;
  readonly #now: () => number;
  #unlocked = false;
  #lastActivity = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(db: Database, options: ProfileLockOptions) {
    this.#db = db;
    this.#options = options;
    this.#now = options.now ?? Date.now;
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
    const blockedUntil = p?.blocked_until ? Date.parse(p.blocked_until) : 0;
    return {
      state: !p ? 'setup-required' : this.#unlocked ? 'unlocked' : 'locked',
      profileName: p?.name ?? null,
      secretKind: p?.secret_kind ?? null,
      failedAttempts: p?.failed_attempts ?? 0,
      retryAfterMs: Math.max(0, blockedUntil - this.#now()),
      autoLockMinutes: this.#options.autoLockMinutes(),
    };
  }

  async setup(input: { kind: SecretKind; secret: string; profileName?: string | undefined }): Promise<AuthStatus> {
    if (this.#profile()) throw new ConflictError('A profile already exists. Unlock it instead.');
    const problem = secretProblem(input.kind, input.secret);
    if (problem) throw new ValidationError(problem, { field: 'secret' });
    const { hash, salt, params } = await hashSecret(input.secret);
    const id = newId('prf');
    const name = input.profileName?.trim() || 'Owner';
    this.#db
      .prepare(
        `INSERT INTO profiles (id, name, secret_kind, secret_hash, secret_salt, kdf_params, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, name, input.kind, hash, salt, JSON.stringify(params), nowIso(), nowIso());
    this.#options.audit.record({ action: 'profile.created', details: { secretKind: input.kind } });
    this.#setUnlocked(true);
    this.#options.audit.record({ action: 'auth.unlocked', details: { via: 'setup' } });
    return this.status();
  }

  async unlock(secret: string): Promise<AuthStatus> {
    const p = this.#profile();
    if (!p) throw new EngineError('LOCKED', 'No profile exists yet. Create one with a PIN or passphrase first.', { reason: 'SETUP_REQUIRED' });
    const retryAfterMs = Math.max(0, (p.blocked_until ? Date.parse(p.blocked_until) : 0) - this.#now());
    if (retryAfterMs > 0) {
      throw new RateLimitedError(`Too many wrong attempts. Try again in ${Math.ceil(retryAfterMs / 1000)} s.`, {
        retryAfterMs,
        failedAttempts: p.failed_attempts,
      });
    }
    const ok = await verifySecret(secret, { hash: p.secret_hash, salt: p.secret_salt, params: KdfParams.parse(JSON.parse(p.kdf_params)) });
    if (!ok) {
      const failures = p.failed_attempts + 1;
      const delay = throttleDelayMs(failures);
      this.#db
        .prepare('UPDATE profiles SET failed_attempts = ?, blocked_until = ?, updated_at = ? WHERE id = ?')
        .run(failures, delay ? new Date(this.#now() + delay).toISOString() : null, nowIso(), p.id);
      this.#options.audit.record({ action: 'auth.unlock_failed', details: { failedAttempts: failures, delayMs: delay } });
      this.#options.onChange(this.status());
      const what = p.secret_kind === 'pin' ? 'PIN' : 'passphrase';
      const left = FREE_ATTEMPTS - failures;
      const message = delay
        ? `Wrong ${what}. Too many wrong attempts: try again in ${Math.ceil(delay / 1000)} s.`
        : `Wrong ${what}. ${left} attempt${left === 1 ? '' : 's'} left before a delay.`;
      throw new ForbiddenError('WRONG_SECRET', message, { failedAttempts: failures, retryAfterMs: delay });
    }
    this.#db.prepare('UPDATE profiles SET failed_attempts = 0, blocked_until = NULL, updated_at = ? WHERE id = ?').run(nowIso(), p.id);
    // Rehash with current parameters if they were raised since this profile was created.
    const params = KdfParams.parse(JSON.parse(p.kdf_params));
    if (params.N < DEFAULT_KDF.N) await this.#storeSecret(p.id, p.secret_kind, secret);
    this.#setUnlocked(true);
    this.#options.audit.record({ action: 'auth.unlocked' });
    return this.status();
  }

  lock(reason: LockReason = 'manual'): AuthStatus {
    if (this.#unlocked) {
      this.#options.audit.record({ action: 'auth.locked', details: { reason } });
      this.#setUnlocked(false);
    }
    return this.status();
  }

  async changeSecret(current: string, next: { kind: SecretKind; secret: string }): Promise<AuthStatus> {
    const p = this.#profile();
    if (!p) throw new EngineError('LOCKED', 'No profile exists yet.', { reason: 'SETUP_REQUIRED' });
    const ok = await verifySecret(current, { hash: p.secret_hash, salt: p.secret_salt, params: KdfParams.parse(JSON.parse(p.kdf_params)) });
    if (!ok) {
      this.#options.audit.record({ action: 'auth.unlock_failed', details: { during: 'change-secret' } });
      throw new ForbiddenError('WRONG_SECRET', `The current ${p.secret_kind === 'pin' ? 'PIN' : 'passphrase'} is wrong.`);
    }
    const problem = secretProblem(next.kind, next.secret);
    if (problem) throw new ValidationError(problem, { field: 'next.secret' });
    await this.#storeSecret(p.id, next.kind, next.secret);
    this.#options.audit.record({ action: 'auth.secret_changed', details: { secretKind: next.kind } });
    this.#options.onChange(this.status());
    return this.status();
  }

  async #storeSecret(id: string, kind: SecretKind, secret: string): Promise<void> {
    const { hash, salt, params } = await hashSecret(secret);
    this.#db
      .prepare('UPDATE profiles SET secret_kind = ?, secret_hash = ?, secret_salt = ?, kdf_params = ?, updated_at = ? WHERE id = ?')
      .run(kind, hash, salt, JSON.stringify(params), nowIso(), id);
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
