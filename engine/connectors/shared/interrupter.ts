import { CancelledError, TimeoutError, type EngineError } from '../../errors';
import { DEFAULT_BUDGETS, type ConnectionBudgets } from './budgets';

export type InterruptReason = 'cancelled' | 'timeout';

/** How long past its own timeout a store gets before the client stops the statement itself. */
export const CLIENT_TIMEOUT_GRACE_MS = DEFAULT_BUDGETS.serverCancelGraceMs;

export interface InterrupterOptions {
  signal: AbortSignal;
  timeoutMs: number;
  cancelOnServer: () => Promise<void>;
  timeoutError: () => EngineError;
  /**
   * Cuts the connection the statement runs on (destroys its socket). Called when the statement has
   * not ended socketGraceMs after the cancel was asked for: a server that froze, or a network that
   * swallows its packets, never answers the cancel either, and nothing else would end the wait.
   */
  destroyConnection?: () => void;
  budgets?: ConnectionBudgets;
}

/**
 * Watches the statements of one call. When the signal aborts, or when the
 * client-side safety net fires (the store's own timeout should fire first),
 * it asks the server to stop the statement in flight through `cancelOnServer`
 * (a second connection: pg_cancel_backend, KILL QUERY), and if the statement
 * still has not ended shortly after, destroys the connection's socket
 * (`destroyConnection`). Between statements nothing is sent: the next `run`
 * refuses instead.
 */
export class StatementInterrupter {
  reason: InterruptReason | null = null;
  /** The socket had to be destroyed: the server did not answer the cancel in time. */
  cut = false;
  readonly #signal: AbortSignal;
  readonly #options: InterrupterOptions;
  readonly #budgets: ConnectionBudgets;
  readonly #timer: NodeJS.Timeout;
  #cutTimer: NodeJS.Timeout | null = null;
  readonly #onAbort = () => this.#interrupt('cancelled');
  #inFlight = false;
  #cancelling: Promise<void> | null = null;

  constructor(options: InterrupterOptions) {
    this.#signal = options.signal;
    this.#options = options;
    this.#budgets = options.budgets ?? DEFAULT_BUDGETS;
    this.#timer = setTimeout(() => this.#interrupt('timeout'), options.timeoutMs + this.#budgets.serverCancelGraceMs);
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
    if (this.reason === 'timeout' && this.cut) throw noAnswer(this.#options.timeoutMs, this.#budgets);
    if (this.reason === 'timeout') throw this.#options.timeoutError();
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
    if (this.#cutTimer) clearTimeout(this.#cutTimer);
    this.#signal.removeEventListener('abort', this.#onAbort);
    await this.#cancelling;
  }

  #interrupt(reason: InterruptReason): void {
    if (this.reason) return;
    this.reason = reason;
    if (!this.#inFlight) return;
    this.#cancelling = withinMs(this.#options.cancelOnServer(), this.#budgets.cancelMs);
    const destroy = this.#options.destroyConnection;
    if (destroy) {
      this.#cutTimer = setTimeout(() => {
        if (!this.#inFlight) return;
        this.cut = true;
        destroy();
      }, this.#budgets.socketGraceMs);
      this.#cutTimer.unref();
    }
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

/** The server did not answer within the statement's whole budget, not even the cancel: the connection was cut. */
export function noAnswer(timeoutMs: number, budgets: ConnectionBudgets = DEFAULT_BUDGETS): TimeoutError {
  const total = timeoutMs + budgets.serverCancelGraceMs + budgets.socketGraceMs;
  const limit = total >= 1000 ? `${+(total / 1000).toFixed(1)} s` : `${total} ms`;
  return new TimeoutError(
    `The server stopped answering: no reply within ${limit} (the statement timeout plus time to cancel), so the connection was closed. The network or the server may be down; try again.`,
    { kind: 'NO_ANSWER', timeoutMs },
  );
}

/** Waits for `promise` at most `ms`; failures and lateness are both ignored (a cancel is best effort). */
export function withinMs(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}
