import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ConnectionSpec } from '../../../../../engine/connectors/types';
import { CancelledError, type EngineError } from '../../../../../engine/errors';
import { createJobPool, type JobPool } from '../../../../../engine/pool/pool';
import { tempDir, testdataDir } from '../../../../support/tmp';
import { SourceSettings } from '../../../../../engine/contract/index';

/** The connector as the app runs it: import and queries in worker threads, stopped cooperatively, never by terminating a thread. */
const work = tempDir('polystore-files-worker-');
const spec: ConnectionSpec = {
  sourceId: 'files-worker',
  type: 'file',
  connection: { paths: [path.join(testdataDir, 'files/duckdb-csv/titanic.csv'), path.join(testdataDir, 'files/parquet-testing/data/alltypes_plain.parquet')] },
  password: null,
  settings: SourceSettings.parse({ statementTimeoutMs: 10_000, rowLimit: 1000, allowSampleValues: false, sampleSize: 1000 }),
  workDir: work.path,
};
let pool: JobPool;
test.before(() => {
  pool = createJobPool({ maxThreads: 2 });
});
test.after(async () => {
  await pool.close();
  work.remove();
});

test('a worker imports the files and another thread queries them', async () => {
  const report = await pool.run({ kind: 'files.import', spec, sizeLimitBytes: 5 * 1024 ** 3 });
  assert.equal(report.files.map((f) => (f.ok ? f.provenance.table : f.error.message)), ['titanic', 'alltypes_plain']);
  const results = await Promise.all([
    pool.run({ kind: 'connector.execute', spec, query: 'SELECT count(*) FROM titanic', timeoutMs: 5_000, maxRows: 10, maxBytes: 1 << 20 }),
    pool.run({ kind: 'connector.execute', spec, query: 'SELECT count(*) FROM alltypes_plain', timeoutMs: 5_000, maxRows: 10, maxBytes: 1 << 20 }),
  ]);
  assert.equal(results.map((r) => r.rows), [[[891]], [[8]]]);
});

test('cancelling a long query in a worker stops it inside DuckDB, and the thread keeps serving', async () => {
  const controller = new AbortController();
  const started = performance.now();
  const pending = pool.run(
    { kind: 'connector.execute', spec, query: 'SELECT count(*) FROM range(100000000000)', timeoutMs: 60_000, maxRows: 1, maxBytes: 1 << 20 },
    { signal: controller.signal, graceMs: 5_000 },
  );
  setTimeout(() => controller.abort(), 200);
  try {
    await pending;
    assert.unreachable('should be cancelled');
  } catch (error) {
    assert.instance(error, CancelledError);
  }
  assert.ok(performance.now() - started < 2_000);
  const timedOut = pool.run({ kind: 'connector.execute', spec, query: 'SELECT count(*) FROM range(100000000000)', timeoutMs: 300, maxRows: 1, maxBytes: 1 << 20 });
  try {
    await timedOut;
    assert.unreachable('should time out');
  } catch (error) {
    assert.is((error as EngineError).code, 'TIMEOUT');
  }
  const after = await pool.run({ kind: 'connector.execute', spec, query: 'SELECT count(*) FROM titanic', timeoutMs: 5_000, maxRows: 1, maxBytes: 1 << 20 });
  assert.equal(after.rows, [[891]]);
});

test('checkFiles runs as a job too', async () => {
  const report = await pool.run({ kind: 'files.import', spec, sizeLimitBytes: 5 * 1024 ** 3 });
  const provenance = report.files.flatMap((f) => (f.ok ? [f.provenance] : []));
  const checks = await pool.run({ kind: 'files.check', provenance });
  assert.equal(checks.map((c) => c.status), ['unchanged', 'unchanged']);
});

test.run();
