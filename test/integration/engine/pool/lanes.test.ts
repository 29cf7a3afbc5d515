import { threadId } from 'node:worker_threads';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileSource, observedPool, rejection, SLOW_QUERY, tracked } from './pool-harness';

/**
 * Control work never queues behind running queries: with more slow jobs than
 * the execute lane has threads (or a DuckDB process busy with slow queries),
 * a validation, an EXPLAIN and a metadata read still complete while the slow
 * ones are running.
 */
const source = fileSource('lanes');
const { pool, next } = observedPool({ maxThreads: 2 });
test.after(async () => {
  await pool.close();
  source.remove();
});

test('with four slow jobs on two execute threads, a control job completes while they all still run', async () => {
  const controller = new AbortController();
  const slow = Array.from({ length: 4 }, () =>
    tracked(pool.run({ kind: 'pool.selfTest', hostThreadId: threadId, cpuProbeMs: 10_000 }, { signal: controller.signal, graceMs: 30_000 })),
  );
  const checks = await pool.run({ kind: 'files.check', provenance: [] });
  assert.equal(checks, []);
  assert.equal(
    slow.map((s) => s.settled()),
    [false, false, false, false],
    'the control job waited for the slow ones',
  );
  controller.abort();
  for (const s of slow) assert.is((await rejection(s.promise)).code, 'CANCELLED');
});

test('with slow DuckDB queries running, validation, EXPLAIN and metadata of the same source complete', async () => {
  const report = await pool.run({ kind: 'files.import', spec: source.spec, sizeLimitBytes: 1024 ** 3 });
  assert.ok(report.files.every((f) => f.ok));
  const controller = new AbortController();
  const slow = Array.from({ length: 4 }, () =>
    tracked(pool.run({ kind: 'connector.execute', spec: source.spec, query: SLOW_QUERY, timeoutMs: 600_000, maxRows: 1, maxBytes: 1 << 20 }, { signal: controller.signal, graceMs: 30_000 })),
  );
  await next((e) => e.kind === 'process.started' && e.lane === 'execute');
  const verdict = await pool.run({ kind: 'connector.validate', spec: source.spec, query: 'SELECT 1' });
  assert.ok(verdict.allowed, JSON.stringify(verdict.reasons));
  const estimate = await pool.run({ kind: 'connector.explain', spec: source.spec, query: 'SELECT count(*) FROM titanic' });
  assert.ok(estimate.summary.length > 0);
  const metadata = await pool.run({ kind: 'connector.metadata', spec: source.spec });
  assert.equal(metadata.databases[0]!.schemas[0]!.objects.map((o) => o.name).sort(), ['people', 'titanic']);
  assert.equal(
    slow.map((s) => s.settled()),
    [false, false, false, false],
    'control work waited for the slow queries',
  );
  controller.abort();
  for (const s of slow) assert.is((await rejection(s.promise)).code, 'CANCELLED');
});

test.run();
