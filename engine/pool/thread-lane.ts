import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Dispatched } from './dispatch';
import type { Job, JobReply } from './jobs';
import type { Lane } from './policy';

export interface ThreadLaneOptions {
  lane: Lane;
  filename: string;
  execArgv: string[] | undefined;
  maxThreads: number;
  /** Jobs one thread interleaves: control jobs mostly wait on the network, so one slow test does not hold up a check. */
  concurrentTasksPerWorker: number;
  idleTimeoutMs: number;
  onRetired: () => void;
}

/**
 * One lane's worker threads. Threads are never terminated to enforce a cancel
 * or a deadline: terminating a worker while a native module is inside a call
 * aborts the whole process. Stores whose drivers hold native handles run in a
 * process lane instead (see process-lane.ts), so an idle thread retired here
 * holds none.
 */
export class ThreadLane {
  readonly #piscina: Piscina;
  #running = 0;

  constructor(options: ThreadLaneOptions) {
    this.#piscina = new Piscina({
      filename: options.filename,
      ...(options.execArgv ? { execArgv: options.execArgv } : {}),
      minThreads: 0,
      maxThreads: options.maxThreads,
      concurrentTasksPerWorker: options.concurrentTasksPerWorker,
      idleTimeout: options.idleTimeoutMs,
      // Piscina's default ('sync') parks an idle thread in Atomics.wait: its event loop stops between
      // jobs, so pooled connections' idle timers and socket errors wait for the next job, and the
      // collection that gives a large result's memory back (heap-release.ts) never runs.
      atomics: 'disabled',
    });
    this.#piscina.on('workerDestroy', options.onRetired);
  }

  dispatch(job: Job): Dispatched {
    const { port1, port2 } = new MessageChannel();
    let markStarted!: () => void;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    port1.once('message', markStarted);
    this.#running++;
    const reply = (this.#piscina.run({ job, cancelPort: port2 }, { transferList: [port2] }) as Promise<JobReply>).finally(() => {
      this.#running--;
      port1.close();
    });
    return {
      reply,
      started,
      cancel: () => port1.postMessage('cancel'),
      abandon: () => {},
    };
  }

  stats() {
    return { threads: this.#piscina.threads.length, queued: this.#piscina.queueSize, running: this.#running, completed: this.#piscina.completed };
  }

  async close(timeoutMs: number): Promise<void> {
    // Let running jobs finish (they were asked to stop by their callers); give up after a while.
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
    if ((await Promise.race([this.#piscina.close(), timeout])) === 'timeout') await this.#piscina.destroy();
  }
}
