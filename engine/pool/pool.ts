import os from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { CancelledError, fromApiError } from '../errors';
import type { Logger } from '../log/logger';
import type { Job, JobKind, JobOutput, JobReply } from './jobs';

export interface PoolStats {
  threads: number;
  queued: number;
  running: number;
  completed: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** How long the caller waits for a job to stop after cancel before it is told CANCELLED anyway. */
  graceMs?: number;
}

export interface JobPool {
  run<K extends JobKind>(job: Job<K>, options?: RunOptions): Promise<JobOutput<K>>;
  stats(): PoolStats;
  close(): Promise<void>;
}

export interface PoolOptions {
  /** The worker entry. Defaults to the TypeScript source (hosts running under tsx); Electron passes its bundle. */
  workerFile?: string | URL;
  maxThreads?: number;
  logger?: Logger;
  /** Start a thread right away (long-lived hosts), instead of on the first job (the CLI, tests). */
  prewarm?: boolean;
}

const DEFAULT_WORKER = new URL('./worker.ts', import.meta.url);

/**
 * Workers started from TypeScript sources need tsx's loader too. Hosts launched
 * with `node --import tsx` pass it on through execArgv; the `polystore` bin
 * registers tsx in-process, which threads do not inherit, so add it here.
 */
function execArgvFor(file: string): string[] | undefined {
  if (!file.endsWith('.ts') || process.execArgv.some((arg) => arg.includes('tsx'))) return undefined;
  return [...process.execArgv, '--import', import.meta.resolve('tsx')];
}

/**
 * The host's worker pool. Cancelling asks the job to stop (a connector cancels
 * server-side and keeps its connection pool); the caller hears CANCELLED when
 * the job stops or, at the latest, after `graceMs`.
 *
 * Threads are never terminated to enforce a cancel: terminating a worker while
 * a native module (DuckDB, better-sqlite3) is inside a call, or still loading,
 * aborts the whole process. A job that ignores cancel finishes in the background
 * and its result is dropped. For the same reason threads start on demand (or
 * with an explicit warm-up that close() waits for), never half-loaded at close.
 */
export function createJobPool(options: PoolOptions = {}): JobPool {
  const workerFile = options.workerFile ?? DEFAULT_WORKER;
  const filename = workerFile instanceof URL ? workerFile.href : workerFile;
  const execArgv = execArgvFor(filename);
  const piscina = new Piscina({
    filename,
    ...(execArgv ? { execArgv } : {}),
    minThreads: 0,
    maxThreads: options.maxThreads ?? Math.max(2, Math.min(4, os.availableParallelism())),
    idleTimeout: 5 * 60_000,
  });
  let running = 0;
  let closed = false;

  async function run<K extends JobKind>(job: Job<K>, runOptions: RunOptions = {}): Promise<JobOutput<K>> {
    if (closed) throw new CancelledError('The engine is shutting down.');
    const { signal, graceMs = 2_000 } = runOptions;
    if (signal?.aborted) throw new CancelledError();
    const { port1, port2 } = new MessageChannel();
    let graceTimer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const cancelled = new Promise<never>((_resolve, reject) => {
      onAbort = () => {
        port1.postMessage('cancel');
        graceTimer = setTimeout(() => {
          options.logger?.warn('job did not stop within its cancel grace period; its result will be dropped', { kind: job.kind, graceMs });
          reject(new CancelledError());
        }, graceMs);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    running++;
    const task = (piscina.run({ job, cancelPort: port2 }, { transferList: [port2] }) as Promise<JobReply>).finally(() => {
      running--;
      port1.close();
    });
    try {
      const reply = await Promise.race([task, cancelled]);
      if (reply.ok) return reply.value as JobOutput<K>;
      if (reply.internal) options.logger?.error('worker job failed unexpectedly', { kind: job.kind, detail: reply.internal });
      // A job the user cancelled may fail with the store's own error ("canceling statement
      // due to user request"); report it as what it is.
      if (signal?.aborted) throw new CancelledError();
      throw fromApiError(reply.error);
    } finally {
      clearTimeout(graceTimer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      // The task may still be running after a grace timeout; keep its rejection handled.
      task.catch(() => {});
    }
  }

  const warmUp = options.prewarm ? run({ kind: 'pool.warmUp' }).catch((error: unknown) => options.logger?.warn('worker warm-up failed', { error })) : null;

  return {
    run,
    stats: () => ({ threads: piscina.threads.length, queued: piscina.queueSize, running, completed: piscina.completed }),
    async close() {
      if (closed) return;
      // A thread still loading its native modules must not be terminated.
      if (warmUp) await warmUp;
      closed = true;
      // Let running jobs finish (they were asked to stop by their callers); give up after a while.
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5_000).unref());
      if ((await Promise.race([piscina.close(), timeout])) === 'timeout') await piscina.destroy();
    },
  };
}
