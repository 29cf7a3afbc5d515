import { CancelledError, ConnectorError, UnavailableError, toApiError, type EngineError } from '../errors';
import type { Logger } from '../log/logger';
import type { Dispatched } from './dispatch';
import type { Job, JobReply } from './jobs';
import type { ChildExit, ChildHandle, ChildMessage, ProcessLauncher } from './launcher';
import { memoryOverrun, policyOf, type Lane } from './policy';

/** Why a child process ended, as the pool reports it. */
export type ExitReason = 'idle' | 'closed' | 'deadline' | 'memory' | 'start-failed' | 'crashed';

export type PoolEvent =
  | { kind: 'process.started'; lane: Lane; pid: number | undefined }
  | { kind: 'process.exited'; lane: Lane; pid: number | undefined; reason: ExitReason; code: number | null; signal: string | null }
  | { kind: 'thread.retired'; lane: Lane };

export interface ProcessLaneOptions {
  lane: Lane;
  launch: ProcessLauncher;
  env: Record<string, string>;
  /** A child with no job for this long closes its store handles and exits. */
  idleTimeoutMs: number;
  logger?: Logger | undefined;
  onEvent?: ((event: PoolEvent) => void) | undefined;
}

/** How long a child may take to load its modules and say it is ready. */
const START_TIMEOUT_MS = 60_000;
/** How long a child asked to close may take to close its handles before it is ended. */
const CLOSE_TIMEOUT_MS = 10_000;

interface Pending {
  id: number;
  job: Job;
  /** Control jobs are reads with no effect: one that was on a process that died is run once more. */
  retried: boolean;
  cancelled: boolean;
  child: Child | null;
  settle(reply: JobReply): void;
  markStarted(): void;
}

interface Child {
  handle: ChildHandle;
  state: 'starting' | 'ready' | 'closing' | 'exited';
  /** Set by the host before it ends the process, so the exit is reported for what it was. */
  endReason: ExitReason | null;
  capMb: number | null;
  pending: Map<number, Pending>;
  timer: NodeJS.Timeout | undefined;
}

function errorReply(error: EngineError): JobReply {
  return { ok: false, error: toApiError(error) };
}

/**
 * One lane's child process for stores whose drivers are native code (DuckDB):
 * a native abort, a memory bomb or a call that ignores interrupts ends that
 * process, never the app. The child is started on demand and again after it
 * dies; jobs that were on a dead child get a typed error (control jobs, which
 * are side-effect-free reads, are first tried once more). An idle child closes
 * its handles itself and exits, so no native handle outlives its owner.
 */
export class ProcessLane {
  readonly #o: ProcessLaneOptions;
  #child: Child | null = null;
  #nextId = 1;
  #running = 0;
  #completed = 0;
  #closed = false;
  readonly #exits = new Set<Promise<void>>();

  constructor(options: ProcessLaneOptions) {
    this.#o = options;
  }

  dispatch(job: Job): Dispatched {
    let markStarted!: () => void;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    let settled = false;
    let settle!: (reply: JobReply) => void;
    const reply = new Promise<JobReply>((resolve) => {
      settle = (value) => {
        if (settled) return;
        settled = true;
        this.#running--;
        this.#completed++;
        resolve(value);
      };
    });
    this.#running++;
    const pending: Pending = { id: this.#nextId++, job, retried: false, cancelled: false, child: null, settle, markStarted };
    this.#place(pending);
    return {
      reply,
      started,
      cancel: () => {
        pending.cancelled = true;
        if (pending.child?.state === 'ready') pending.child.handle.send({ type: 'cancel', id: pending.id });
      },
      abandon: () => this.#abandon(pending),
    };
  }

  /** Starts the child ahead of the first job (long-lived hosts). */
  warmUp(): void {
    if (!this.#closed) this.#current();
  }

  stats() {
    return { processes: this.#child ? 1 : 0, running: this.#running, completed: this.#completed };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const child = this.#child;
    if (child) this.#retire(child, 'closed');
    await Promise.all([...this.#exits]);
  }

  #current(): Child {
    if (this.#child && (this.#child.state === 'starting' || this.#child.state === 'ready')) return this.#child;
    this.#child = this.#spawn();
    return this.#child;
  }

  #place(pending: Pending): void {
    if (this.#closed) {
      pending.settle(errorReply(new CancelledError('The engine is shutting down.')));
      return;
    }
    const child = this.#current();
    pending.child = child;
    child.pending.set(pending.id, pending);
    clearTimeout(child.timer);
    if (child.state === 'ready') this.#run(child, pending);
  }

  #run(child: Child, pending: Pending): void {
    const memoryMb = policyOf(pending.job).memoryMb(pending.job);
    child.handle.send({ type: 'run', id: pending.id, job: pending.job, memoryMb });
    if (pending.cancelled) child.handle.send({ type: 'cancel', id: pending.id });
    pending.markStarted();
  }

  #spawn(): Child {
    const handle = this.#o.launch({ name: `polystore-${this.#o.lane}`, env: this.#o.env });
    const child: Child = { handle, state: 'starting', endReason: null, capMb: null, pending: new Map(), timer: undefined };
    child.timer = setTimeout(() => {
      this.#o.logger?.error('a child process did not start in time', { lane: this.#o.lane, timeoutMs: START_TIMEOUT_MS });
      this.#end(child, 'start-failed');
    }, START_TIMEOUT_MS);
    let exited!: () => void;
    const exit = new Promise<void>((resolve) => (exited = resolve));
    this.#exits.add(exit);
    handle.onMessage((message) => this.#onMessage(child, message));
    handle.onExit((info) => {
      this.#exits.delete(exit);
      this.#onExit(child, info);
      exited();
    });
    return child;
  }

  #onMessage(child: Child, message: ChildMessage): void {
    switch (message.type) {
      case 'ready': {
        if (child.state !== 'starting') return;
        clearTimeout(child.timer);
        child.state = 'ready';
        this.#o.onEvent?.({ kind: 'process.started', lane: this.#o.lane, pid: child.handle.pid });
        for (const pending of child.pending.values()) this.#run(child, pending);
        this.#idleWhenEmpty(child);
        return;
      }
      case 'reply': {
        const pending = child.pending.get(message.id);
        if (!pending) return;
        child.pending.delete(message.id);
        pending.settle(message.reply);
        this.#idleWhenEmpty(child);
        return;
      }
      case 'over-memory':
        this.#o.logger?.warn('a child process went over its memory cap and is ended', { lane: this.#o.lane, rssMb: message.rssMb, capMb: message.capMb });
        child.capMb = message.capMb;
        this.#end(child, 'memory');
        return;
      default:
        return;
    }
  }

  /** The caller stopped waiting for a job that is still running: its native work may be stuck, so end the process. */
  #abandon(pending: Pending): void {
    const child = pending.child;
    if (!child || !child.pending.has(pending.id)) return;
    child.pending.delete(pending.id);
    pending.settle(errorReply(new CancelledError()));
    this.#end(child, 'deadline');
  }

  #end(child: Child, reason: ExitReason): void {
    if (child.state === 'exited') return;
    child.endReason ??= reason;
    if (this.#child === child) this.#child = null;
    child.handle.kill();
  }

  #idleWhenEmpty(child: Child): void {
    if (child.pending.size > 0 || child.state !== 'ready') return;
    clearTimeout(child.timer);
    child.timer = setTimeout(() => {
      if (child.pending.size === 0) this.#retire(child, 'idle');
    }, this.#o.idleTimeoutMs);
    child.timer.unref();
  }

  /** Asks the child to close its handles and exit; ends it if it does not. */
  #retire(child: Child, reason: 'idle' | 'closed'): void {
    if (child.state === 'exited' || child.state === 'closing') return;
    if (this.#child === child) this.#child = null;
    child.endReason ??= reason;
    clearTimeout(child.timer);
    if (child.state === 'starting') {
      child.handle.kill();
      return;
    }
    child.state = 'closing';
    child.handle.send({ type: 'close' });
    child.timer = setTimeout(() => child.handle.kill(), CLOSE_TIMEOUT_MS);
    child.timer.unref();
  }

  #onExit(child: Child, info: ChildExit): void {
    const wasStarting = child.state === 'starting';
    child.state = 'exited';
    clearTimeout(child.timer);
    if (this.#child === child) this.#child = null;
    const reason: ExitReason = child.endReason ?? (wasStarting ? 'start-failed' : 'crashed');
    const fields = { lane: this.#o.lane, pid: child.handle.pid, reason, code: info.code, signal: info.signal };
    if (reason === 'crashed' || reason === 'start-failed') this.#o.logger?.error('a child process ended unexpectedly', { ...fields, stderr: info.stderr });
    else this.#o.logger?.info('a child process ended', fields);
    this.#o.onEvent?.({ kind: 'process.exited', ...fields });

    const orphans = [...child.pending.values()];
    child.pending.clear();
    for (const pending of orphans) {
      const alone = orphans.length === 1;
      if (reason === 'memory' && (alone || pending.retried || this.#o.lane === 'execute')) {
        pending.settle(errorReply(memoryOverrun(pending.job, child.capMb ?? 0)));
      } else if (this.#o.lane === 'control' && !pending.retried && !pending.cancelled && reason !== 'closed') {
        pending.retried = true;
        this.#place(pending);
      } else {
        pending.settle(errorReply(this.#exitError(reason, info)));
      }
    }
  }

  #exitError(reason: ExitReason, info: ChildExit): EngineError {
    switch (reason) {
      case 'closed':
      case 'idle':
        return new CancelledError('The engine is shutting down.');
      case 'start-failed':
        return new UnavailableError('The process that runs this store could not be started. Details were written to the log.', { kind: 'PROCESS_START_FAILED' });
      case 'deadline':
      case 'memory':
        return new ConnectorError('The work was stopped because another query on the same process stopped responding. Run it again.', {
          kind: 'PROCESS_EXITED',
          reason,
        });
      case 'crashed':
        return new ConnectorError(
          `The process running this work stopped unexpectedly (${info.signal ?? `exit code ${info.code}`}); it is restarted for the next query. Run it again.`,
          { kind: 'PROCESS_EXITED', reason, exitCode: info.code, signal: info.signal },
        );
    }
  }
}
