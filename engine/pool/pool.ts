import os from 'node:os';
import { descriptors } from '../connectors/descriptors';
import { CancelledError } from '../errors';
import type { RateWindows } from '../limits/rate-windows';
import type { Logger } from '../log/logger';
import { Admission } from './admission';
import { awaitReply } from './dispatch';
import type { Job, JobKind, JobOutput } from './jobs';
import { execArgvFor, forkLauncher, type ProcessLauncher } from './launcher';
import { policyOf, type Lane } from './policy';
import { ProcessLane, type PoolEvent } from './process-lane';
import { ThreadLane } from './thread-lane';

export type { PoolEvent } from './process-lane';

export interface PoolStats {
  threads: number;
  queued: number;
  running: number;
  completed: number;
  /** Child processes alive (stores isolated in their own process). */
  processes: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** How long the caller waits for a job to stop after cancel before it is told CANCELLED anyway. */
  graceMs?: number;
  /** Overrides the job kind's deadline (policy.ts). */
  deadlineMs?: number;
}

export interface JobPool {
  run<K extends JobKind>(job: Job<K>, options?: RunOptions): Promise<JobOutput<K>>;
  stats(): PoolStats;
  close(): Promise<void>;
}

export interface PoolOptions {
  /** The worker entry. Defaults to the TypeScript sources (worker-source.mjs); Electron and the Node bundle pass their own. */
  workerFile?: string | URL;
  /** Threads of the execute lane. */
  maxThreads?: number;
  logger?: Logger;
  /**
   * Start threads and processes before the first job (long-lived hosts) instead of on it (the CLI, tests):
   * `true` at once, a promise once it settles (a host that first shows its page, whose start-up the
   * threads' loading would otherwise slow down on a machine with few cores).
   */
  prewarm?: boolean | PromiseLike<unknown>;
  /** How child processes are started; Node's fork of child.ts by default, Electron's utilityProcess in the app. */
  processLauncher?: ProcessLauncher;
  /** A thread or child process with no work for this long is retired. */
  idleTimeoutMs?: number;
  /** Threads and processes starting and ending, for diagnostics and tests that wait on them. */
  onEvent?: (event: PoolEvent) => void;
  /** Per-source limits, read for every job (the app's Settings); defaults where a field is missing. */
  limits?: () => Partial<PoolLimits>;
  /** The clock of the per-source rate window. */
  now?: () => number;
  /** Where the per-source rate windows are counted (the profile's database: shared with other processes). */
  rateWindows?: RateWindows;
}

/** The bounds a user or a test may set; see admission.ts for how they apply. */
export interface PoolLimits {
  /** Queries one source may run at once; never all execute threads, so another source always finds one. */
  sourceConcurrentQueries: number;
  /** Jobs (checks, estimates, runs, tests) one source may start in a minute; 0 for no limit. */
  sourceQueriesPerMinute: number;
  /** Jobs of one source waiting for its slots, per lane. */
  sourceQueue: number;
  /** Jobs waiting in a lane beyond its threads' slots. */
  laneQueue: number;
}

/**
 * 128 waiting per source: a screen, a dashboard or an eval run asks for tens at once, and 100
 * concurrent queries on one source (the throughput benchmark) must queue, not fail. 256 per lane:
 * two sources that full still leave room for a third and for planning. Beyond these a caller
 * would wait minutes, so it is told at once when to try again instead.
 */
export const DEFAULT_POOL_LIMITS: PoolLimits = { sourceConcurrentQueries: 4, sourceQueriesPerMinute: 0, sourceQueue: 128, laneQueue: 256 };

const DEFAULT_WORKER = new URL('./worker-source.mjs', import.meta.url);
const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;
/** Control jobs mostly wait on a server; a thread interleaves a few, so one slow connection test does not hold up a check. */
const CONTROL_TASKS_PER_THREAD = 4;
const CONTROL_THREADS = 2;
/** Threads of libuv's pool in a child: DuckDB runs each pending call on one. */
const CHILD_THREADPOOL_SIZE = { control: 4, execute: 8 } as const;
const CLOSE_TIMEOUT_MS = 5_000;

/** The source a job works on; null for work with none (planning, file checks, the pool's own). */
function sourceOf(job: Job): string | null {
  return 'spec' in job ? job.spec.sourceId : null;
}

/** Whether the job's store runs in a child process (its descriptor says so) rather than a worker thread. */
function isolated(job: Job): boolean {
  return 'spec' in job && descriptors[job.spec.type]?.isolation === 'process';
}

/**
 * The host's pool. Two lanes, control (validation, EXPLAIN, metadata,
 * connection tests, planning) and execute (approved queries, imports), with
 * their own threads and, for stores isolated in a process, their own child
 * process: checking a query never waits behind queries that are running.
 * Every job has a deadline (policy.ts). Cancelling asks the job to stop; the
 * caller hears CANCELLED when it stops or, at the latest, after `graceMs`.
 */
export function createJobPool(options: PoolOptions = {}): JobPool {
  const workerFile = options.workerFile ?? DEFAULT_WORKER;
  const filename = workerFile instanceof URL ? workerFile.href : workerFile;
  const execArgv = execArgvFor(filename);
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const launch = options.processLauncher ?? forkLauncher();
  // At least 3: a source may use all but one (admission), and queries mostly wait on their server, so on
  // a 2-core machine one source still runs two at once while another always finds a thread.
  const executeThreads = options.maxThreads ?? Math.max(3, Math.min(4, os.availableParallelism()));
  const threadLane = (lane: Lane, maxThreads: number, concurrentTasksPerWorker: number) =>
    new ThreadLane({ lane, filename, execArgv, maxThreads, concurrentTasksPerWorker, idleTimeoutMs, onRetired: () => options.onEvent?.({ kind: 'thread.retired', lane }) });
  const processLane = (lane: Lane) =>
    new ProcessLane({ lane, launch, env: { UV_THREADPOOL_SIZE: String(CHILD_THREADPOOL_SIZE[lane]) }, idleTimeoutMs, logger: options.logger, onEvent: options.onEvent });
  const threads = { control: threadLane('control', CONTROL_THREADS, CONTROL_TASKS_PER_THREAD), execute: threadLane('execute', executeThreads, 1) };
  const processes = { control: processLane('control'), execute: processLane('execute') };
  const laneSlots = { control: CONTROL_THREADS * CONTROL_TASKS_PER_THREAD, execute: executeThreads };
  const admission = new Admission({
    ...(options.now ? { now: options.now } : {}),
    ...(options.rateWindows ? { rateWindows: options.rateWindows } : {}),
    limits: () => {
      const limits = { ...DEFAULT_POOL_LIMITS, ...options.limits?.() };
      return {
        // A source gets all but one of the slots that run it at most: a source that hangs cannot hold them all.
        sourceSlots: { control: laneSlots.control / 2, execute: Math.min(limits.sourceConcurrentQueries, laneSlots.execute - 1) },
        isolatedSourceSlots: { control: CHILD_THREADPOOL_SIZE.control / 2, execute: Math.min(limits.sourceConcurrentQueries, CHILD_THREADPOOL_SIZE.execute - 1) },
        sourceQueue: limits.sourceQueue,
        laneCapacity: { control: laneSlots.control + limits.laneQueue, execute: laneSlots.execute + limits.laneQueue },
        sourceJobsPerMinute: limits.sourceQueriesPerMinute,
      };
    },
  });
  let closed = false;

  async function run<K extends JobKind>(job: Job<K>, runOptions: RunOptions = {}): Promise<JobOutput<K>> {
    if (closed) throw new CancelledError('The engine is shutting down.');
    const { signal, graceMs = 2_000 } = runOptions;
    if (signal?.aborted) throw new CancelledError();
    const policy = policyOf(job);
    const deadlineMs = runOptions.deadlineMs ?? policy.deadlineMs(job);
    const inProcess = isolated(job);
    const release = await admission.enter(policy.lane, sourceOf(job), { signal, isolated: inProcess });
    let dispatched;
    try {
      dispatched = (inProcess ? processes[policy.lane] : threads[policy.lane]).dispatch(job);
    } catch (error) {
      release();
      throw error;
    }
    // The slot is given back when the job has ended, not when its caller stops waiting: a thread
    // still stuck in a job past its deadline is still taken.
    dispatched.reply.then(release, release);
    return (await awaitReply(dispatched, { kind: job.kind, signal, graceMs, deadlineMs, overrun: () => policy.overrun(job, deadlineMs), logger: options.logger })) as JobOutput<K>;
  }

  // A thread still loading its native modules must not be terminated, so close() waits for the warm-up (once started).
  let warmUp: Promise<unknown> | null = null;
  const startWarmUp = () => {
    if (closed || warmUp) return;
    warmUp = Promise.all(
      (['control', 'execute'] as const).map((lane) => {
        processes[lane].warmUp();
        return awaitReply(threads[lane].dispatch({ kind: 'pool.warmUp' }), {
          kind: 'pool.warmUp',
          graceMs: 0,
          deadlineMs: policyOf({ kind: 'pool.warmUp' }).deadlineMs({ kind: 'pool.warmUp' }),
          overrun: () => new CancelledError(),
        });
      }),
    ).catch((error: unknown) => options.logger?.warn('worker warm-up failed', { error }));
  };
  if (options.prewarm === true) startWarmUp();
  else if (options.prewarm) Promise.resolve(options.prewarm).then(startWarmUp, startWarmUp);

  return {
    run,
    stats() {
      const lanes = [threads.control.stats(), threads.execute.stats()];
      const children = [processes.control.stats(), processes.execute.stats()];
      const sum = <T>(items: T[], pick: (item: T) => number) => items.reduce((total, item) => total + pick(item), 0);
      return {
        threads: sum(lanes, (l) => l.threads),
        queued: sum(lanes, (l) => l.queued) + admission.waiting(),
        running: sum(lanes, (l) => l.running) + sum(children, (c) => c.running),
        completed: sum(lanes, (l) => l.completed) + sum(children, (c) => c.completed),
        processes: sum(children, (c) => c.processes),
      };
    },
    async close() {
      if (closed) return;
      if (warmUp) await warmUp;
      closed = true;
      await Promise.all([threads.control.close(CLOSE_TIMEOUT_MS), threads.execute.close(CLOSE_TIMEOUT_MS), processes.control.close(), processes.execute.close()]);
    },
  };
}
