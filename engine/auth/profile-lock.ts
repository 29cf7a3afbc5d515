import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AuthStatus, ProfileChoice, Role, SecretKind } from '../contract/index';
import { ConflictError, EngineError, ForbiddenError, NotFoundError, RateLimitedError, ValidationError } from '../errors';
import { newId, nowIso } from '../ids';
import type { AuditLog } from '../audit/audit-log';
import { databaseIdentity, IntegrityKey } from '../secrets/integrity-key';
import type { SecretStore } from '../secrets/secret-store';
import type { Database } from '../store/migration';
import { hashSecret, isWeakerThanDefault, KdfParams, secretProblem, verifySecret } from './secret-hash';

export interface ProfileRow {
  id: string;
  name: string;
  role: Role;
  secret_kind: SecretKind;
  secret_hash: Buffer;
  secret_salt: Buffer;
  kdf_params: string;
  /** Only read once, to carry an older version's count into the keychain. */
  failed_attempts: number;
  blocked_until: string | null;
  created_at: string;
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

/** Who acted, as the audit log names it: the unlocked profile (or the one being unlocked). */
export interface Actor {
  name: string;
  profileId: string;
}

/** The owner's keychain entry is named without its id (see #account), so it can be read before the owner's row is known. */
const OWNER_ENTRY = { id: '', role: 'owner' } as const;

/** What an unlock rests on: see ProfileLock.unlockStamp. */
export interface UnlockStamp {
  profileId: string;
  /** A fingerprint of the stored verifier (not the verifier itself). */
  verifier: string;
  /** The audit sequence number of the app's last deliberate lock of this profile; 0 when there was none. */
  lastAppLock: number;
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
  /** The unlocked profile's id; null while locked. */
  #unlocked: string | null = null;
  /** The profile an unlock or setup is working on, so its audit events name it. */
  #attempting: ProfileRow | null = null;
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
  }

  /**
   * The keychain entry of a profile's attempt state. The owner keeps the entry
   * it had before viewers existed, pinned to its id; each viewer has its own,
   * so a viewer row edited into an owner (or the reverse) matches no entry and
   * stays locked.
   */
  #account(p: Pick<ProfileRow, 'id' | 'role'>): string {
    return p.role === 'owner' ? `profile-lock:${this.#dbIdentity}` : `profile-lock:${this.#dbIdentity}:${p.id}`;
  }

  /** Loads the attempt state (and carries an older version's over); a keychain failure here is retried by unlock. */
  async open(): Promise<void> {
    const p = this.#owner();
    const read = await this.#readState(p ?? OWNER_ENTRY);
    if (read.kind === 'valid') this.#state = read.state;
    else if (read.kind === 'none' && p) await this.#writeState(p, this.#adopted(p));
  }

  /** The profile created at setup: the owner. */
  #owner(): ProfileRow | null {
    return (this.#db.prepare(`SELECT * FROM profiles WHERE role = 'owner' ORDER BY created_at LIMIT 1`).get() as ProfileRow | undefined) ?? null;
  }

  /** Prepared once: the router and the event bus ask for the unlocked profile on every call and event. */
  #byIdStatement: ReturnType<Database['prepare']> | null = null;

  #byId(id: string): ProfileRow | null {
    this.#byIdStatement ??= this.#db.prepare('SELECT * FROM profiles WHERE id = ?');
    return (this.#byIdStatement.get(id) as ProfileRow | undefined) ?? null;
  }

  /** The unlocked profile, read afresh (a profile removed meanwhile by another process counts as locked). */
  current(): ProfileRow | null {
    // A closed database (the engine shutting down, a late event) is locked, not an error.
    return this.#unlocked && this.#db.open ? this.#byId(this.#unlocked) : null;
  }

  /** The unlocked profile's role; null while locked. The router's permission check asks it on every call. */
  role(): Role | null {
    return this.current()?.role ?? null;
  }

  /** Who acts now, for the audit log: the unlocked profile, or the one an unlock or setup is working on. */
  actor(): Actor | null {
    const p = this.#attempting ?? this.current();
    return p ? { name: p.name, profileId: p.id } : null;
  }

  get profileName(): string | null {
    return (this.current() ?? this.#owner())?.name ?? null;
  }

  isLocked(): boolean {
    return this.current() === null;
  }

  /**
   * What the unlock rests on, for a host that serves other processes' calls (the CLI's unlock
   * session): the unlocked profile, a fingerprint of its stored verifier, and the last time the app
   * (another process on this profile) locked it on purpose. It changes when the PIN or passphrase
   * is changed, the profile removed or locked in the app; null while locked. Cheap enough for every
   * call: indexed reads and a SHA-256, no scrypt. The app's idle lock does not count: it measures
   * the app's use, not the terminal's.
   */
  unlockStamp(): UnlockStamp | null {
    const p = this.current();
    if (!p) return null;
    this.#lastAppLockStatement ??= this.#db.prepare(
      `SELECT seq FROM audit_events WHERE action = 'auth.locked' AND actor_profile_id = ?
         AND json_extract(details_json, '$.host') IN ('electron', 'browser') AND json_extract(details_json, '$.reason') <> 'idle'
       ORDER BY seq DESC LIMIT 1`,
    );
    const lastAppLock = (this.#lastAppLockStatement.get(p.id) as { seq: number } | undefined)?.seq ?? 0;
    return { profileId: p.id, verifier: verifierDigest(p), lastAppLock };
  }

  #lastAppLockStatement: ReturnType<Database['prepare']> | null = null;

  #choices(): ProfileChoice[] {
    const rows = this.#db.prepare(`SELECT id, name, role, secret_kind FROM profiles ORDER BY role = 'owner' DESC, created_at`).all() as ProfileRow[];
    return rows.map((r) => ({ id: r.id, name: r.name, role: r.role, secretKind: r.secret_kind }));
  }

  status(): AuthStatus {
    const owner = this.#owner();
    const current = this.current();
    const shown = current ?? owner;
    const blockedUntil = this.#state?.blockedUntil ?? 0;
    return {
      state: !owner ? 'setup-required' : current ? 'unlocked' : 'locked',
      profileName: shown?.name ?? null,
      secretKind: shown?.secret_kind ?? null,
      profileId: current?.id ?? null,
      role: current?.role ?? null,
      profiles: this.#choices(),
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
      if (this.#owner()) throw new ConflictError('A profile already exists. Unlock it instead.');
      const problem = secretProblem(input.kind, input.secret);
      if (problem) throw new ValidationError(problem, { field: 'secret' });
      await this.#options.audit.open();
      if ((await this.#readState(OWNER_ENTRY)).kind !== 'none') throw this.#altered('PROFILE_ALTERED', 'A profile was set up in this folder before, and its record is gone from the database.');
      const row = await this.#insertProfile({ name: input.profileName?.trim() || 'Owner', role: 'owner', kind: input.kind, secret: input.secret });
      this.#options.audit.record({ action: 'profile.created', details: { secretKind: input.kind } });
      this.#setUnlocked(row.id);
      this.#options.audit.record({ action: 'auth.unlocked', details: { via: 'setup' } });
      return this.status();
    });
  }

  /** Writes a new profile and its keychain entry; without the entry it would be adopted unprotected later, so the row is taken back. */
  async #insertProfile(input: { name: string; role: Role; kind: SecretKind; secret: string }): Promise<ProfileRow> {
    const { hash, salt, params } = await hashSecret(input.secret);
    const at = nowIso();
    const row: ProfileRow = {
      id: newId('prf'),
      name: input.name,
      role: input.role,
      secret_kind: input.kind,
      secret_hash: hash,
      secret_salt: salt,
      kdf_params: JSON.stringify(params),
      failed_attempts: 0,
      blocked_until: null,
      created_at: at,
    };
    this.#db
      .prepare(`INSERT INTO profiles (id, name, role, secret_kind, secret_hash, secret_salt, kdf_params, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(row.id, row.name, row.role, row.secret_kind, row.secret_hash, row.secret_salt, row.kdf_params, at, at);
    try {
      await this.#writeState(row, { v: 1, profile: row.id, verifier: verifierDigest(row), next: null, failures: 0, blockedUntil: null });
    } catch (error) {
      this.#db.prepare('DELETE FROM profiles WHERE id = ?').run(row.id);
      throw error;
    }
    return row;
  }

  /** Unlocks the named profile, or the owner when none is named (the CLI's POLYSTORE_PIN, older windows). */
  unlock(secret: string, profileId?: string): Promise<AuthStatus> {
    return this.#exclusive(async () => {
      const p = profileId ? this.#byId(profileId) : this.#owner();
      if (!p && profileId) throw new NotFoundError('Profile', profileId);
      if (!p) throw new EngineError('LOCKED', 'No profile exists yet. Create one with a PIN or passphrase first.', { reason: 'SETUP_REQUIRED' });
      await this.#options.audit.open();
      this.#attempting = p;
      try {
        const state = await this.#attempt(p, secret, 'unlock');
        // Rehash with current parameters if they were raised since this profile was created.
        if (isWeakerThanDefault(KdfParams.parse(JSON.parse(p.kdf_params)))) await this.#storeSecret(p, state, p.secret_kind, secret);
      } finally {
        this.#attempting = null;
      }
      // Unlocking another profile ends the one unlocked before, as a lock would.
      if (this.#unlocked && this.#unlocked !== p.id) this.lock('manual');
      this.#setUnlocked(p.id);
      this.#options.audit.record({ action: 'auth.unlocked', details: { role: p.role } });
      return this.status();
    });
  }

  lock(reason: LockReason = 'manual'): AuthStatus {
    if (this.#unlocked) {
      this.#options.audit.record({ action: 'auth.locked', details: { reason } });
      this.#setUnlocked(null);
    }
    return this.status();
  }

  /** A viewer with its own PIN or passphrase, under the same rules and hashing as the owner's. */
  addViewer(input: { name: string; kind: SecretKind; secret: string }): Promise<ProfileRow> {
    return this.#exclusive(async () => {
      const problem = secretProblem(input.kind, input.secret);
      if (problem) throw new ValidationError(problem, { field: 'secret' });
      const row = await this.#insertProfile({ name: input.name.trim(), role: 'viewer', kind: input.kind, secret: input.secret });
      this.#options.audit.record({ action: 'profile.created', details: { profileId: row.id, name: row.name, role: 'viewer', secretKind: input.kind } });
      this.#options.onChange(this.status());
      return row;
    });
  }

  /** Removes a viewer: its row (its shares and conversation ownership go with it) and its keychain entry. */
  removeProfile(id: string): Promise<boolean> {
    return this.#exclusive(async () => {
      const p = this.#byId(id);
      if (!p) return false;
      if (p.role === 'owner') throw new ConflictError("The owner's profile cannot be removed.");
      this.#db.prepare('DELETE FROM profiles WHERE id = ?').run(id);
      await this.#options.secrets.delete(this.#account(p));
      this.#options.audit.record({ action: 'profile.removed', details: { profileId: id, name: p.name } });
      if (this.#unlocked === id) this.#setUnlocked(null);
      else this.#options.onChange(this.status());
      return true;
    });
  }

  /** Renames a profile; the lock screen and the audit log use the new name from now on. */
  rename(id: string, name: string): void {
    const p = this.#byId(id);
    if (!p) throw new NotFoundError('Profile', id);
    // Recorded first, so the event names the actor as they were called when they acted.
    this.#options.audit.record({ action: 'profile.renamed', details: { profileId: id, from: p.name, to: name.trim() } });
    this.#db.prepare('UPDATE profiles SET name = ?, updated_at = ? WHERE id = ?').run(name.trim(), nowIso(), id);
    this.#options.onChange(this.status());
  }

  /** Changes the unlocked profile's own PIN or passphrase. */
  changeSecret(current: string, next: { kind: SecretKind; secret: string }): Promise<AuthStatus> {
    return this.#exclusive(async () => {
      const p = this.current();
      if (!p) throw new EngineError('LOCKED', 'The profile is locked. Unlock it with your PIN or passphrase.');
      const problem = secretProblem(next.kind, next.secret);
      if (problem) throw new ValidationError(problem, { field: 'next.secret' });
      // Counted like an unlock: the change form must not be a way around the throttle.
      const state = await this.#attempt(p, current, 'change-secret');
      await this.#storeSecret(p, state, next.kind, next.secret);
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
    await this.#writeState(p, { ...state, failures, blockedUntil: delay ? this.#now() + delay : null });
    const ok = await verifySecret(secret, { hash: p.secret_hash, salt: p.secret_salt, params: KdfParams.parse(JSON.parse(p.kdf_params)) });
    if (ok) {
      const reset = { ...state, failures: 0, blockedUntil: null };
      await this.#writeState(p, reset);
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
    const read = await this.#readState(p);
    if (read.kind === 'invalid') throw this.#altered('LOCK_STATE_ALTERED', 'The PIN attempt record in the OS keychain was changed outside PolyStoreIQ.');
    if (read.kind === 'none') {
      // A viewer's entry is written with the viewer, so a viewer without one was added or changed outside PolyStoreIQ.
      if (p.role !== 'owner') throw this.#altered('PROFILE_ALTERED', "The profile's PIN record in the database was changed or replaced outside PolyStoreIQ.");
      // Written by a version that kept the count in SQLite, or a setup cut short: adopt what is there once.
      const adopted = this.#adopted(p);
      await this.#writeState(p, adopted);
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
  async #storeSecret(p: ProfileRow, state: LockState, kind: SecretKind, secret: string): Promise<void> {
    const { hash, salt, params } = await hashSecret(secret);
    const row = { secret_kind: kind, secret_hash: hash, secret_salt: salt, kdf_params: JSON.stringify(params) };
    const verifier = verifierDigest(row);
    await this.#writeState(p, { ...state, next: verifier });
    this.#db
      .prepare('UPDATE profiles SET secret_kind = ?, secret_hash = ?, secret_salt = ?, kdf_params = ?, updated_at = ? WHERE id = ?')
      .run(row.secret_kind, row.secret_hash, row.secret_salt, row.kdf_params, nowIso(), p.id);
    await this.#writeState(p, { ...state, verifier, next: null });
  }

  #macParts(s: LockState): Array<string | number | null> {
    return [this.#dbIdentity, s.v, s.profile, s.verifier, s.next, s.failures, s.blockedUntil];
  }

  async #integrityKey(): Promise<IntegrityKey> {
    this.#key ??= await IntegrityKey.load(this.#options.secrets);
    return this.#key;
  }

  async #readState(p: Pick<ProfileRow, 'id' | 'role'>): Promise<ReadState> {
    const stored = await this.#options.secrets.get(this.#account(p));
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

  async #writeState(p: Pick<ProfileRow, 'id' | 'role'>, state: LockState): Promise<void> {
    const key = await this.#integrityKey();
    await this.#options.secrets.set(this.#account(p), JSON.stringify({ ...state, mac: key.mac('profile-lock', this.#macParts(state)) }));
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

  #setUnlocked(value: string | null): void {
    this.#unlocked = value;
    this.#lastActivity = this.#now();
    this.#options.onChange(this.status());
  }
}
