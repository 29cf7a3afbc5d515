import { CancelledError, TimeoutError, type EngineError } from '../../errors';

export type InterruptReason = 'cancelled' | 'timeout';

/** How long past its own timeout a store gets before the client stops the statement itself. */
export const CLIENT_TIMEOUT_GRACE_MS = 1_000;

/**
 * Watches the statements of one call. When the signal aborts, or when the
 * client-side safety net fires (the store's own timeout should fire first),
 * it asks the server to stop the statement in flight through `cancelOnServer`
 * (a second connection: pg_cancel_backend, KILL QUERY). Between statements
 * nothing is sent: the next `run` refuses instead.
 */
export class StatementInterrupter {
  reason: InterruptReason | null = null;
  readonly #signal: AbortSignal;
  readonly #cancelOnServer: () => Promise<void>;
  readonly #timeoutError: () => EngineError;
  readonly #timer: NodeJS.Timeout;
  readonly #onAbort = () => this.#interrupt('cancelled');
  #inFlight = false;
  #cancelling: Promise<void> | null = null;

  constructor(options: { signal: AbortSignal; timeoutMs: number; cancelOnServer: () => Promise<void>; timeoutError: () => EngineError }) {
    this.#signal = options.signal;
    this.#cancelOnServer = options.cancelOnServer;
    this.#timeoutError = options.timeoutError;
    this.#timer = setTimeout(() => this.#interrupt('timeout'), options.timeoutMs + CLIENT_TIMEOUT_GRACE_MS);
    this.#timer.unref();
    if (this.#signal.aborted) this.reason = 'cancelled';
    else this.#signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  async run<T>(statement: () => Promise<T>): Promise<T> {
    this.throwIfInterrupted();
    this.#inFlight = true;
    try {
      return await statement();
    } finally {
      this.#inFlight = false;
    }
  }

  throwIfInterrupted(): void {
    if (this.reason === 'cancelled') throw new CancelledError('The query was cancelled.');
    if (this.reason === 'timeout') throw this.#timeoutError();
  }

  /** The error to report instead of whatever the driver said, when this call was interrupted. */
  interruption(): EngineError | null {
    try {
      this.throwIfInterrupted();
      return null;
    } catch (error) {
      return error as EngineError;
    }
  }

  /** Stops watching and waits until a cancel request already sent has been handled. */
  async settle(): Promise<void> {
    clearTimeout(this.#timer);
    this.#signal.removeEventListener('abort', this.#onAbort);
    await this.#cancelling;
  }

  #interrupt(reason: InterruptReason): void {
    if (this.reason) return;
    this.reason = reason;
    if (this.#inFlight) this.#cancelling = this.#cancelOnServer().catch(() => {});
  }
}

/** The store stopped a statement at its time limit: say so, and what to do about it. */
export function statementTimeout(timeoutMs: number): TimeoutError {
  const limit = timeoutMs >= 1000 ? `${+(timeoutMs / 1000).toFixed(1)} s` : `${timeoutMs} ms`;
  return new TimeoutError(
    `The query ran longer than the ${limit} statement timeout and was stopped on the server. Add filters or a LIMIT, or raise the timeout in the source settings.`,
    { kind: 'STATEMENT_TIMEOUT', timeoutMs },
  );
}
