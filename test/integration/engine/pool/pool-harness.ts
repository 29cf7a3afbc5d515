import path from 'node:path';
import type { ConnectionSpec } from '../../../../engine/connectors/types';
import { SourceSettings } from '../../../../engine/contract/index';
import { EngineError } from '../../../../engine/errors';
import { createJobPool, type JobPool, type PoolEvent, type PoolOptions } from '../../../../engine/pool/pool';
import { tempDir, testdataDir } from '../../../support/tmp';

/** A pool whose thread and process lifecycle a test can wait on, instead of on time. */
export interface ObservedPool {
  pool: JobPool;
  events: PoolEvent[];
  /** Resolves with the first event (already seen or still to come) that matches. */
  next(match: (event: PoolEvent) => boolean, after?: number): Promise<PoolEvent>;
}

export function observedPool(options: PoolOptions = {}): ObservedPool {
  const events: PoolEvent[] = [];
  const waiters: Array<{ match: (event: PoolEvent) => boolean; after: number; resolve: (event: PoolEvent) => void }> = [];
  const pool = createJobPool({
    ...options,
    onEvent(event) {
      events.push(event);
      for (const waiter of [...waiters]) {
        if (events.length - 1 >= waiter.after && waiter.match(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    },
  });
  return {
    pool,
    events,
    next(match, after = 0) {
      const seen = events.slice(after).find(match);
      if (seen) return Promise.resolve(seen);
      // Idle threads and timers do not keep Node alive; the waiting test must, until the event comes.
      const keepAlive = setInterval(() => {}, 1_000);
      return new Promise<PoolEvent>((resolve) => waiters.push({ match, after, resolve })).finally(() => clearInterval(keepAlive));
    },
  };
}

/** A file source over real test files, with its own work folder. */
export function fileSource(sourceId: string, settings: Partial<SourceSettings> = {}) {
  const work = tempDir(`polystore-${sourceId}-`);
  const spec: ConnectionSpec = {
    sourceId,
    type: 'file',
    connection: { paths: [path.join(testdataDir, 'files/duckdb-csv/titanic.csv'), path.join(testdataDir, 'files/duckdb-csv/people.csv')] },
    password: null,
    settings: SourceSettings.parse({ statementTimeoutMs: 60_000, rowLimit: 1000, ...settings }),
    workDir: work.path,
  };
  return { spec, remove: () => work.remove() };
}

/** Tracks whether a promise has settled, so a test can assert that it is still running. */
export function tracked<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let settled = false;
  const observed = promise.finally(() => {
    settled = true;
  });
  observed.catch(() => {});
  return { promise: observed, settled: () => settled };
}

export async function rejection(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected the promise to reject');
}

/** A query DuckDB needs minutes for, and stops at once when interrupted. */
export const SLOW_QUERY = 'SELECT count(*) FROM range(100000000000)';
