import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { threadId } from 'node:worker_threads';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { SelfTestReport } from '../contract/app.contract';
import { CancelledError, ValidationError } from '../errors';
import type { Job } from './jobs';
import type BetterSqlite3 from 'better-sqlite3';

const require = createRequire(import.meta.url);

type NativeReport = SelfTestReport['native'][number];

function packageVersion(name: string): string | null {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

async function probe(name: string, check: () => Promise<string> | string): Promise<NativeReport> {
  try {
    const detail = await check();
    return { name, version: `${packageVersion(name) ?? '?'} (${detail})`, ok: true };
  } catch (error) {
    return { name, version: packageVersion(name), ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Loads each native module the engine depends on inside this worker and asks it for its version. */
async function probeNativeModules(): Promise<NativeReport[]> {
  return Promise.all([
    probe('better-sqlite3', () => {
      const Database = require('better-sqlite3') as typeof BetterSqlite3;
      const db = new Database(':memory:');
      try {
        return `sqlite ${(db.prepare('select sqlite_version() as v').get() as { v: string }).v}`;
      } finally {
        db.close();
      }
    }),
    probe('@duckdb/node-api', async () => {
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      try {
        const reader = await connection.runAndReadAll('select version() as v');
        return `duckdb ${String(reader.getRowObjects()[0]?.v)}`;
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    }),
  ]);
}

/** Hashes in short slices, yielding between them so a cancel message can arrive. */
async function cpuProbe(ms: number, signal: AbortSignal): Promise<{ ms: number; hashesPerSecond: number }> {
  const start = performance.now();
  let hashes = 0;
  let block = Buffer.alloc(64, 1);
  while (performance.now() - start < ms) {
    const sliceEnd = performance.now() + 5;
    while (performance.now() < sliceEnd) {
      block = createHash('sha256').update(block).digest();
      hashes++;
    }
    await yieldToEventLoop();
    if (signal.aborted) throw new CancelledError('The self-test was cancelled.');
  }
  const elapsed = performance.now() - start;
  return { ms: Math.round(elapsed), hashesPerSecond: Math.round((hashes / elapsed) * 1000) };
}

const MAX_CPU_PROBE_MS = 10_000;

export async function runSelfTest(job: Job<'pool.selfTest'>, signal: AbortSignal): Promise<SelfTestReport> {
  // Jobs are checked again inside the worker: a pool caller is not necessarily the router.
  if (job.cpuProbeMs !== undefined && !(job.cpuProbeMs >= 0 && job.cpuProbeMs <= MAX_CPU_PROBE_MS)) {
    throw new ValidationError(`cpuProbeMs must be between 0 and ${MAX_CPU_PROBE_MS}.`, { field: 'cpuProbeMs' });
  }
  const start = performance.now();
  const native = await probeNativeModules();
  const cpu = job.cpuProbeMs ? await cpuProbe(job.cpuProbeMs, signal) : null;
  return {
    workerThreadId: threadId,
    hostThreadId: job.hostThreadId,
    offMainThread: threadId !== job.hostThreadId,
    runtime: {
      node: process.versions.node,
      v8: process.versions.v8,
      modules: process.versions.modules,
      electron: process.versions.electron ?? null,
      platform: process.platform,
      arch: process.arch,
    },
    native,
    cpuProbe: cpu,
    elapsedMs: Math.round(performance.now() - start),
  };
}
