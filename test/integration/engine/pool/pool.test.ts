import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EngineError } from '../../../../engine/errors';
import { createJobPool, type JobPool } from '../../../../engine/pool/pool';
import type { Job } from '../../../../engine/pool/jobs';
import { repoRoot, tempDir } from '../../../support/tmp';

let pool: JobPool;
const logged: unknown[] = [];
test.before(() => {
  pool = createJobPool({
    maxThreads: 2,
    logger: { debug() {}, info() {}, warn() {}, error: (_m, f) => logged.push(f), file: null },
  });
});
test.after(() => pool.close());

test('the self-test runs off the main thread and reports the runtime and native modules', async () => {
  const report = await pool.run({ kind: 'pool.selfTest', hostThreadId: threadId });
  assert.is(report.offMainThread, true);
  assert.is.not(report.workerThreadId, threadId);
  assert.is(report.runtime.node, process.versions.node);
  assert.is(report.runtime.modules, process.versions.modules);
  const names = report.native.map((n) => n.name);
  assert.equal(names, ['better-sqlite3', '@duckdb/node-api']);
  for (const n of report.native) assert.ok(n.ok, `${n.name}: ${n.error}`);
  assert.match(report.native[0]!.version ?? '', /sqlite 3\./);
  assert.match(report.native[1]!.version ?? '', /duckdb v1\./);
});

test('a typed error thrown in the worker arrives as the same typed error', async () => {
  try {
    await pool.run({ kind: 'pool.selfTest', hostThreadId: threadId, cpuProbeMs: 999_999 });
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.instance(error, EngineError);
    assert.is((error as EngineError).code, 'VALIDATION');
    assert.match((error as EngineError).message, /cpuProbeMs/);
  }
});

test('an unexpected error becomes INTERNAL, and its detail goes to the log only', async () => {
  logged.length = 0;
  try {
    await pool.run({ kind: 'no.suchJob', hostThreadId: 0 } as unknown as Job);
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.is((error as EngineError).code, 'INTERNAL');
    assert.not.match((error as Error).message, /no\.suchJob/);
  }
  assert.match(JSON.stringify(logged), /no\.suchJob/);
});

test('an aborted job reports CANCELLED, promptly, and the pool keeps working', async () => {
  const controller = new AbortController();
  const started = performance.now();
  const job = pool.run({ kind: 'pool.selfTest', hostThreadId: threadId, cpuProbeMs: 8_000 }, { signal: controller.signal });
  setTimeout(() => controller.abort(), 300);
  try {
    await job;
    assert.unreachable('should have been cancelled');
  } catch (error) {
    assert.is((error as EngineError).code, 'CANCELLED');
  }
  assert.ok(performance.now() - started < 5_000, 'cancellation took too long');
  const after = await pool.run({ kind: 'pool.selfTest', hostThreadId: threadId });
  assert.is(after.offMainThread, true);
});

test('a job that ignores cancellation still reports CANCELLED after the grace period, and nothing crashes', async () => {
  const early = new AbortController();
  early.abort();
  try {
    await pool.run({ kind: 'pool.selfTest', hostThreadId: threadId }, { signal: early.signal });
    assert.unreachable('should have been cancelled');
  } catch (error) {
    assert.is((error as EngineError).code, 'CANCELLED');
  }
  // Native-module probing does not look at the signal; the caller is answered after the grace anyway.
  const slow = new AbortController();
  const started = performance.now();
  const job = pool.run({ kind: 'pool.selfTest', hostThreadId: threadId, cpuProbeMs: 3_000 }, { signal: slow.signal, graceMs: 50 });
  setTimeout(() => slow.abort(), 5);
  try {
    await job;
    assert.unreachable('should have been cancelled');
  } catch (error) {
    assert.is((error as EngineError).code, 'CANCELLED');
  }
  assert.ok(performance.now() - started < 2_500, 'the caller waited for the job instead of the grace period');
  const again = await pool.run({ kind: 'pool.selfTest', hostThreadId: threadId });
  assert.is(again.offMainThread, true);
});

test('closing a pool at once, even mid warm-up, never aborts the process (a half-loaded DuckDB thread must not be terminated)', () => {
  const dir = tempDir();
  const script = path.join(dir.path, 'close-at-once.mts');
  fs.writeFileSync(
    script,
    `import { createJobPool } from ${JSON.stringify(path.join(repoRoot, 'engine/pool/pool.ts'))};
     for (let i = 0; i < 4; i++) await createJobPool({ maxThreads: 2, prewarm: i % 2 === 0 }).close();
     console.log('survived');`,
  );
  const result = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  dir.remove();
  assert.is(result.status, 0, result.stderr);
  assert.match(result.stdout, /survived/);
  assert.not.match(result.stderr, /terminate called/);
});

test.run();
