import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ConnectionSpec } from '../../../../../engine/connectors/types';
import { PreviewLimitError } from '../../../../../engine/errors';
import { fileSource, observedPool, rejection } from '../../pool/pool-harness';

/**
 * The files store as the app runs it (jobs in DuckDB child processes), at its
 * limits: the source's memory limit, the preview budget, the byte budget.
 */
const source = fileSource('files-limits', { memoryLimitMb: 64 });
const { pool, next, events } = observedPool({ maxThreads: 2 });
const MB = 1024 * 1024;
const withSettings = (settings: Partial<ConnectionSpec['settings']>): ConnectionSpec => ({ ...source.spec, settings: { ...source.spec.settings, ...settings } });
const execute = (query: string, options: { spec?: ConnectionSpec; maxBytes?: number; timeoutMs?: number } = {}) =>
  pool.run({ kind: 'connector.execute', spec: options.spec ?? source.spec, query, timeoutMs: options.timeoutMs ?? 60_000, maxRows: 100_000, maxBytes: options.maxBytes ?? 64 * MB });

test.before(async () => {
  const report = await pool.run({ kind: 'files.import', spec: source.spec, sizeLimitBytes: 1024 ** 3 });
  assert.ok(report.files.every((f) => f.ok));
});
test.after(async () => {
  await pool.close();
  source.remove();
});

test('the instance a query runs in has the source memory limit and a bounded number of threads', async () => {
  const result = await execute("SELECT current_setting('memory_limit') AS memory, current_setting('threads') AS threads");
  const [memory, threads] = result.rows[0] as [string, number];
  // DuckDB reports 64 MB as "61.0 MiB".
  assert.match(memory, /^61\.0 MiB$/);
  assert.ok(Number(threads) >= 1 && Number(threads) <= 4, String(threads));
});

test('a query that needs more than the source memory limit fails with MEMORY_LIMIT, and the next query runs', async () => {
  const error = await rejection(execute('SELECT list(range) FROM range(50000000)'));
  assert.is(error.code, 'CONNECTOR');
  assert.is(error.details?.kind, 'MEMORY_LIMIT', error.message);
  assert.match(error.message, /memory limit \(64 MB\)/);
  const after = await execute('SELECT count(*) FROM titanic');
  assert.equal(after.rows, [[891]]);
});

test('the constant-folding bomb is stopped in preview with PREVIEW_LIMIT, in its own process: the host does not grow', async () => {
  const verdict = await pool.run({ kind: 'connector.validate', spec: source.spec, query: "SELECT length(repeat('x', 1500000000))" });
  assert.equal(verdict.reasons.map((r) => r.code), ['PREVIEW_LIMIT']);
  // The same 1.6 GB string with its size computed by a call, which check does not evaluate: the preview's process stops it.
  const query = "SELECT length(repeat('x', length(repeat('y', 40000)) * 40000))";
  assert.ok((await pool.run({ kind: 'connector.validate', spec: source.spec, query })).allowed);
  const before = process.memoryUsage.rss();
  const seen = events.length;
  const error = await rejection(pool.run({ kind: 'connector.explain', spec: source.spec, query }));
  assert.instance(error, PreviewLimitError);
  assert.is(error.code, 'TIMEOUT');
  assert.is(error.details?.kind, 'PREVIEW_LIMIT', error.message);
  assert.match(error.message, /preview allows/);
  assert.ok(process.memoryUsage.rss() - before < 200 * MB, `the host grew by ${Math.round((process.memoryUsage.rss() - before) / MB)} MB`);
  const exit = await next((e) => e.kind === 'process.exited' && e.lane === 'control', seen);
  assert.ok(exit.kind === 'process.exited' && (exit.reason === 'memory' || exit.reason === 'deadline'), JSON.stringify(exit));
  // Previews go on, on a new process.
  const estimate = await pool.run({ kind: 'connector.explain', spec: source.spec, query: 'SELECT count(*) FROM titanic' });
  assert.ok(estimate.summary.length > 0);
});

test('SELECT repeat(x, 200000000) stops at the byte budget with a truncation notice', async () => {
  const spec = withSettings({ memoryLimitMb: 2048 });
  const result = await execute("SELECT repeat('x', 200000000) AS big", { spec, maxBytes: 1 * MB, timeoutMs: 30_000 });
  assert.is(result.truncatedBy, 'bytes');
  assert.is(result.rowCount, 0);
  assert.match(result.notices.join(' '), /size limit/);
});

test('many rows stop at the byte budget too, well before the row limit', async () => {
  const result = await execute("SELECT i, repeat('x', 1000) AS padding FROM range(100000) t(i)", { maxBytes: 1 * MB });
  assert.is(result.truncatedBy, 'bytes');
  assert.ok(result.rowCount > 500 && result.rowCount < 1100, String(result.rowCount));
  assert.equal(result.rows[0]![0], 0);
});

test('execute checks the query again (layer 2): a refused query never reaches DuckDB', async () => {
  for (const query of ["SELECT * FROM read_csv('/etc/passwd')", 'SELECT * FROM duckdb_settings()', "SELECT current_setting('home_directory')", 'CALL enable_profiling()']) {
    const error = await rejection(execute(query));
    assert.is(error.code, 'FORBIDDEN', query);
    assert.is(error.details?.layer, 2, query);
  }
});

test.run();
