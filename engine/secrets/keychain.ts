import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { KeychainLockedError, UnavailableError } from '../errors';
import { redactor } from '../log/redact';
import type { SecretStore } from './secret-store';

const require = createRequire(import.meta.url);

export type Keytar = {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  /** Told when a call was given up at its deadline: a keytar that can stop it (child-keytar.ts) does. */
  abandon?(): void;
};

export const KEYCHAIN_SERVICE = 'PolyStoreIQ';
/**
 * The deadline of every keychain call. A working keychain answers in
 * milliseconds, and starting the keyring daemon on first use (D-Bus
 * activation) takes a second or two on a busy machine. Without it, a locked
 * keyring waiting on a prompt nobody sees, or a frozen daemon, holds the call
 * for D-Bus's own 25 s timeout (33 s were measured) or for ever.
 */
export const KEYCHAIN_CALL_TIMEOUT_MS = 4_000;
/**
 * An entry of our own whose only job is to be readable: keytar answers null
 * both for "no such entry" and for a locked keyring (libsecret does not unlock
 * on lookup), so a null only means "absent" once this entry could be read, or
 * written and read back.
 */
export const KEYCHAIN_PROBE_ACCOUNT = 'keychain-probe';

export type KeychainState = { state: 'available'; message: string } | { state: 'locked' | 'unavailable'; message: string; reason: string };

function howToFix(): string {
  switch (process.platform) {
    case 'darwin':
      return 'Open Keychain Access, unlock the login keychain, and try again.';
    case 'win32':
      return 'Make sure Windows Credential Manager is available for your account, and try again.';
    default:
      return (
        'PolyStoreIQ keeps its keys and saved passwords in the Secret Service (GNOME Keyring or KWallet). ' +
        'Install one (e.g. `apt-get install gnome-keyring`), make sure it runs and is unlocked in your session ' +
        '(DBUS_SESSION_BUS_ADDRESS must be set), and try again.'
      );
  }
}

function howToUnlock(): string {
  switch (process.platform) {
    case 'darwin':
      return 'Unlock the login keychain in Keychain Access, then try again.';
    case 'win32':
      return 'Sign in to Windows again so Credential Manager is available, then try again.';
    default:
      return 'Unlock the login keyring (GNOME: Passwords and Keys, right-click "Login", Unlock; or log out and in again), then try again.';
  }
}

/** What a locked keychain message says the user should know: nothing was changed, and how to go on. */
export function keychainLockedMessage(detail: string): string {
  return `The OS keychain is locked${detail ? ` (${detail})` : ''}, so PolyStoreIQ cannot read its keys or saved passwords. Nothing was changed. ${howToUnlock()}`;
}

/** libsecret's words for an operation refused because the collection is locked. */
const LOCKED_ERROR = /\blocked\b/i;

/**
 * The OS keychain through keytar: macOS Keychain, Windows Credential Manager,
 * the Secret Service on Linux. Every call has a timeout, because a locked
 * keyring can wait forever for a prompt nobody sees. When the keychain is not
 * usable, calls fail with an actionable message; secrets are never written
 * anywhere else instead.
 */
export class KeychainSecretStore implements SecretStore {
  readonly kind = 'keychain' as const;
  readonly #service: string;
  readonly #timeoutMs: number;
  #keytar: Keytar | null = null;

  /** `keytar` replaces the native module (tests of a module that cannot load). */
  constructor(options: { service?: string; timeoutMs?: number; keytar?: Keytar } = {}) {
    this.#service = options.service ?? KEYCHAIN_SERVICE;
    this.#timeoutMs = options.timeoutMs ?? KEYCHAIN_CALL_TIMEOUT_MS;
    this.#keytar = options.keytar ?? null;
  }

  #load(): Keytar {
    if (this.#keytar) return this.#keytar;
    try {
      this.#keytar = require('keytar') as Keytar;
      return this.#keytar;
    } catch (error) {
      throw new UnavailableError(`The OS keychain module could not be loaded (${error instanceof Error ? error.message.split('\n')[0] : String(error)}). ${howToFix()}`, {
        reason: 'KEYCHAIN_UNAVAILABLE',
      });
    }
  }

  async #call<T>(what: string, run: (keytar: Keytar) => Promise<T>): Promise<T> {
    const keytar = this.#load();
    let timer: NodeJS.Timeout | undefined;
    const seconds = this.#timeoutMs < 1000 ? `${this.#timeoutMs} ms` : `${Math.round(this.#timeoutMs / 1000)} s`;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          // A keyring that waits on an unlock prompt looks exactly like this, and so does a daemon that froze.
          reject(new KeychainLockedError(keychainLockedMessage(`it did not answer within ${seconds} while trying to ${what}; it may be waiting for its password, or not responding`), { reason: 'KEYCHAIN_TIMEOUT' })),
        this.#timeoutMs,
      );
    });
    let settled = false;
    const call = run(keytar).finally(() => (settled = true));
    try {
      return await Promise.race([call, timeout]);
    } catch (error) {
      if (!settled) {
        // Given up at the deadline: nobody reads its answer, and a keytar in its own process can end it.
        call.catch(() => {});
        keytar.abandon?.();
      }
      if (error instanceof UnavailableError) throw error;
      // libsecret's messages ("Cannot autolaunch D-Bus without X11 $DISPLAY", "No such interface…") are not actionable on their own.
      const detail = redactor.redact(error instanceof Error ? error.message : String(error));
      if (LOCKED_ERROR.test(detail)) throw new KeychainLockedError(keychainLockedMessage(detail));
      throw new UnavailableError(`The OS keychain is not available (${detail}). ${howToFix()}`, { reason: 'KEYCHAIN_UNAVAILABLE' });
    } finally {
      clearTimeout(timer);
    }
  }

  /** The secret, or null when there is none: never null because the keychain is locked (that throws KeychainLockedError). */
  async get(account: string): Promise<string | null> {
    const secret = await this.#call('read a password', (k) => k.getPassword(this.#service, account));
    if (secret === null) {
      await this.assertReadable();
      return null;
    }
    redactor.register(secret);
    return secret;
  }

  async set(account: string, secret: string): Promise<void> {
    redactor.register(secret);
    await this.#call('save a password', (k) => k.setPassword(this.#service, account, secret));
  }

  async delete(account: string): Promise<boolean> {
    return this.#call('delete a password', (k) => k.deletePassword(this.#service, account));
  }

  /**
   * Shows that a null from this keychain means "absent": the probe entry is
   * read, or (first use, or a keychain that was reset) written and read back.
   * A keychain that refuses the write as locked, or takes it and still reads
   * nothing, is locked; one that fails otherwise is unavailable.
   */
  async assertReadable(): Promise<void> {
    if ((await this.#call('check that it can be read', (k) => k.getPassword(this.#service, KEYCHAIN_PROBE_ACCOUNT))) !== null) return;
    const marker = randomBytes(12).toString('base64url');
    await this.#call('check that it can be written', (k) => k.setPassword(this.#service, KEYCHAIN_PROBE_ACCOUNT, marker));
    const back = await this.#call('check that it can be read', (k) => k.getPassword(this.#service, KEYCHAIN_PROBE_ACCOUNT));
    if (back !== marker) throw new KeychainLockedError(keychainLockedMessage('it accepts entries but does not hand them back'), { reason: 'KEYCHAIN_UNREADABLE' });
  }

  /** The keychain's state, with an actionable message: for health checks and the first screen. */
  async state(): Promise<KeychainState> {
    try {
      await this.assertReadable();
      return { state: 'available', message: 'OS keychain available' };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const reason = (error instanceof UnavailableError && typeof error.details?.reason === 'string' && error.details.reason) || 'KEYCHAIN_UNAVAILABLE';
      return { state: error instanceof KeychainLockedError ? 'locked' : 'unavailable', message, reason };
    }
  }

  async probe(): Promise<{ ok: boolean; message: string }> {
    const { state, message } = await this.state();
    return { ok: state === 'available', message };
  }
}
