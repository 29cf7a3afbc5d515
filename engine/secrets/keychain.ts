import { createRequire } from 'node:module';
import { UnavailableError } from '../errors';
import { redactor } from '../log/redact';
import type { SecretStore } from './secret-store';

const require = createRequire(import.meta.url);

export type Keytar = {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
};

export const KEYCHAIN_SERVICE = 'PolyStoreIQ';
const DEFAULT_TIMEOUT_MS = 10_000;

function howToFix(): string {
  switch (process.platform) {
    case 'darwin':
      return 'Open Keychain Access, make sure the login keychain is unlocked, and try again.';
    case 'win32':
      return 'Make sure Windows Credential Manager is available for your account, and try again.';
    default:
      return (
        'PolyStoreIQ stores passwords in the Secret Service (GNOME Keyring or KWallet). ' +
        'Install one (e.g. `apt-get install gnome-keyring`), make sure it runs and is unlocked in your session ' +
        '(DBUS_SESSION_BUS_ADDRESS must be set), and try again.'
      );
  }
}

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

  /** `keytar` replaces the native module: only tests use it, to simulate a keyring that never answers. */
  constructor(options: { service?: string; timeoutMs?: number; keytar?: Keytar } = {}) {
    this.#service = options.service ?? KEYCHAIN_SERVICE;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
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
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new UnavailableError(`The OS keychain did not answer within ${this.#timeoutMs < 1000 ? `${this.#timeoutMs} ms` : `${Math.round(this.#timeoutMs / 1000)} s`} while trying to ${what}. It may be locked. ${howToFix()}`, {
              reason: 'KEYCHAIN_TIMEOUT',
            }),
          ),
        this.#timeoutMs,
      );
    });
    try {
      return await Promise.race([run(keytar), timeout]);
    } catch (error) {
      if (error instanceof UnavailableError) throw error;
      // libsecret's messages ("Cannot autolaunch D-Bus without X11 $DISPLAY", "No such interface…") are not actionable on their own.
      const detail = error instanceof Error ? error.message : String(error);
      throw new UnavailableError(`The OS keychain is not available (${redactor.redact(detail)}). ${howToFix()}`, { reason: 'KEYCHAIN_UNAVAILABLE' });
    } finally {
      clearTimeout(timer);
    }
  }

  async get(account: string): Promise<string | null> {
    const secret = await this.#call('read a password', (k) => k.getPassword(this.#service, account));
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

  async probe(): Promise<{ ok: boolean; message: string }> {
    try {
      await this.#call('check that it works', (k) => k.getPassword(this.#service, '__polystore_probe__'));
      return { ok: true, message: 'OS keychain available' };
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  }
}
