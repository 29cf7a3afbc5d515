import { CancelledError, UnavailableError, fromApiError, type EngineError } from '../errors';
import type { Logger } from '../log/logger';
import type { JobReply } from './jobs';

/** A job handed to a thread or a process. */
export interface Dispatched {
  reply: Promise<JobReply>;
  /** Resolves when a thread or process has taken the job: its deadline counts from then (not from a process start). */
  started: Promise<void>;
  /** Asks the job to stop (the connector interrupts its store). */
  cancel(): void;
  /**
   * The caller has stopped waiting (deadline, or a cancel not honoured in time)
   * while the job still runs. A process lane ends the process; a thread cannot
   * be ended safely, so there the result is dropped.
   */
  abandon(): void;
}

/** Longer than any thread or process takes to start on a slow machine, so only a wedged pool reaches it. */
const START_DEADLINE_MS = 120_000;

export interface AwaitOptions {
  kind: string;
  signal?: AbortSignal | undefined;
  /** How long after a cancel the caller waits for the job to stop before it is told CANCELLED anyway. */
  graceMs: number;
  deadlineMs: number;
  /** How long a job may wait for a thread or process to take it (queue, start-up) before it is given up. */
  startDeadlineMs?: number;
  /** The error for a job past its deadline. */
  overrun: () => EngineError;
  logger?: Logger | undefined;
}

/**
 * Waits for a dispatched job's reply under the caller's signal and the job's
 * deadline. Every wait ends: with the value, the job's typed error, CANCELLED
 * (at the latest `graceMs` after the abort) or the overrun error at the deadline.
 */
export async function awaitReply(dispatched: Dispatched, options: AwaitOptions): Promise<unknown> {
  const { signal, logger, startDeadlineMs = START_DEADLINE_MS } = options;
  const timers: NodeJS.Timeout[] = [];
  let onAbort: (() => void) | undefined;
  let stopped = false;
  let finished = false;
  const giveUp = new Promise<never>((_resolve, reject) => {
    const stop = (error: EngineError) => {
      if (stopped) return;
      stopped = true;
      // Rejected first: abandoning settles the job's own reply, which must not win the race.
      reject(error);
      dispatched.abandon();
    };
    onAbort = () => {
      dispatched.cancel();
      timers.push(
        setTimeout(() => {
          logger?.warn('job did not stop within its cancel grace period; its result will be dropped', { kind: options.kind, graceMs: options.graceMs });
          stop(new CancelledError());
        }, options.graceMs),
      );
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const startTimer = setTimeout(() => {
      logger?.warn('job was not taken by a thread or process in time', { kind: options.kind, startDeadlineMs });
      dispatched.cancel();
      stop(new UnavailableError(`No worker could take the job within ${startDeadlineMs / 1000} s. Try again; if it keeps happening, restart the app.`, { kind: 'JOB_NOT_STARTED' }));
    }, startDeadlineMs);
    timers.push(startTimer);
    void dispatched.started.then(() => {
      clearTimeout(startTimer);
      if (finished) return;
      timers.push(
        setTimeout(() => {
          logger?.warn('job passed its deadline', { kind: options.kind, deadlineMs: options.deadlineMs });
          dispatched.cancel();
          stop(options.overrun());
        }, options.deadlineMs),
      );
    });
  });
  try {
    const reply = await Promise.race([dispatched.reply, giveUp]);
    if (reply.ok) return reply.value;
    if (reply.internal) logger?.error('job failed unexpectedly', { kind: options.kind, detail: reply.internal });
    // A job the user cancelled may fail with the store's own error ("canceling statement
    // due to user request"); report it as what it is.
    if (signal?.aborted) throw new CancelledError();
    throw fromApiError(reply.error);
  } finally {
    finished = true;
    for (const timer of timers) clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    // The job may still be running after a grace or deadline; keep its rejection handled.
    dispatched.reply.catch(() => {});
    giveUp.catch(() => {});
  }
}
