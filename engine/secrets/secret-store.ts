/**
 * Where passwords and API keys live. SQLite only ever stores the account name
 * (a reference); the secret itself is in the OS keychain. Only the engine
 * reads secrets, and no channel returns one.
 */
export interface SecretStore {
  readonly kind: 'keychain' | 'memory';
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  /** Resolves true when something was deleted. */
  delete(account: string): Promise<boolean>;
  /** Checks that the store is usable, with an actionable message when it is not. */
  probe(): Promise<{ ok: boolean; message: string }>;
}

/** For unit tests only: the real app always uses the OS keychain (there is no plaintext fallback). */
export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory' as const;
  readonly #secrets = new Map<string, string>();

  async get(account: string) {
    return this.#secrets.get(account) ?? null;
  }
  async set(account: string, secret: string) {
    this.#secrets.set(account, secret);
  }
  async delete(account: string) {
    return this.#secrets.delete(account);
  }
  async probe() {
    return { ok: true, message: 'in-memory secret store (tests only)' };
  }
  /** Test helper: every stored secret. */
  values(): string[] {
    return [...this.#secrets.values()];
  }
  /** Test helper: the secrets stored under accounts starting with `prefix` (the engine keeps its own keys next to them). */
  valuesUnder(prefix: string): string[] {
    return [...this.#secrets].filter(([account]) => account.startsWith(prefix)).map(([, secret]) => secret);
  }
}
