import { CancelledError } from '../errors';
import type { JobPool, RunOptions } from './pool';
import type { Job, JobKind, JobOutput } from './jobs';
import { handleJob } from './worker';

/**
 * Runs jobs on the calling thread. Only unit tests use it, to put a spy or
 * fake connector (registered with `useConnector`) behind the real job code;
 * the app always runs connector work in the worker pool.
 */
export function createInlinePool(): JobPool {
  let running = 0;
  let completed = 0;
  return {
    async run<K extends JobKind>(job: Job<K>, options: RunOptions = {}): Promise<JobOutput<K>> {
      if (options.signal?.aborted) throw new CancelledError();
      running++;
      try {
        return (await handleJob(job, options.signal ?? new AbortController().signal)) as JobOutput<K>;
      } catch (error) {
        if (options.signal?.aborted) throw new CancelledError();
        throw error;
      } finally {
        running--;
        completed++;
      }
    },
    stats: () => ({ threads: 0, queued: 0, running, completed, processes: 0 }),
    close: async () => {},
  };
}
