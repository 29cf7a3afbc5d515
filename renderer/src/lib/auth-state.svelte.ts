import type { AuthStatus } from '../../../engine/contract/index';
import { getApi } from './api';

/**
 * Mirrors the engine's lock. The renderer never decides whether it is
 * unlocked: it renders the engine's state, which arrives with every change.
 */
export class AuthState {
  #status = $state.raw<AuthStatus | null>(null);
  #error = $state.raw<string | null>(null);
  #errorReason = $state.raw<string | null>(null);

  get status() {
    return this.#status;
  }
  /** Why the status could not be read (engine unreachable). */
  get error() {
    return this.#error;
  }
  /**
   * Why, when the host knows: NO_TOKEN / TOKEN_REFUSED (the browser host's page was opened without
   * this launch's address, so trying again cannot help).
   */
  get errorReason() {
    return this.#errorReason;
  }
  get unlocked() {
    return this.#status?.state === 'unlocked';
  }

  start(): () => void {
    const api = getApi();
    if (!api) return () => {};
    const off = api.on('auth.changed', (status) => (this.#status = status));
    void this.refresh();
    return off;
  }

  async refresh(): Promise<void> {
    const result = await getApi()?.auth.status();
    if (!result) return;
    if (result.ok) {
      this.#status = result.value;
      this.#error = null;
      this.#errorReason = null;
    } else {
      this.#error = result.error.message;
      const reason = result.error.details?.reason;
      this.#errorReason = typeof reason === 'string' ? reason : null;
    }
  }

  /** Applies a status returned by setup/unlock/lock immediately (the event follows). */
  set(status: AuthStatus): void {
    this.#status = status;
  }
}

export const auth = new AuthState();
