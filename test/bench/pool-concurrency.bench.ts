/**
 * Throughput and p95 of small queries on one real PostgreSQL source through the worker pool at 20, 50
 * and 100 concurrent callers (issue 12), with the pool's per-source limits: a source gets all execute
 * threads but one, so with 2 threads (this machine's default) it runs one query at a time and with 3
 * it runs two (what one source had before the limit, on 2 threads). Refusals (RATE_LIMITED) are
 * counted: 100 callers fit the source's queue, so there should be none. Prints a markdown table.
 *
 *   node --import tsx test/bench/pool-concurrency.bench.ts
 */
import os from 'node:os';
import type { ConnectionSpec } from '../../engine/connectors/types';
import { SourceSettings } from '../../engine/contract/index';
import { EngineError } from '../../engine/errors';
import { createJobPool } from '../../engine/pool/pool';
import { createPgDatabase, PG } from '../support/databases';

const QUERIES_PER_CALLER = 5;
const db = createPgDatabase('empty');
db.sql('CREATE TABLE t AS SELECT g AS n FROM generate_series(1, 1000) AS g');
const spec: ConnectionSpec = {
  sourceId: 'src_bench',
  type: 'postgres',
  connection: { host: PG.host, port: PG.port, database: db.name, user: PG.user, tls: { mode: 'off' }, connectTimeoutMs: 10_000 },
  password: null,
  settings: SourceSettings.parse({ statementTimeoutMs: 30_000, rowLimit: 100 }),
  workDir: '/nonexistent',
};

const lines = ['| execute threads | slots for the source | concurrent callers | queries | q/s | p50 (ms) | p95 (ms) | refused |', '|---:|---:|---:|---:|---:|---:|---:|---:|'];
for (const threads of [2, 3]) {
  const pool = createJobPool({ maxThreads: threads });
  const one = () => pool.run({ kind: 'connector.execute', spec, query: 'SELECT count(*) FROM t WHERE n % 7 = 0', timeoutMs: 30_000, maxRows: 10, maxBytes: 1 << 20 });
  // Warm up: threads started and the connector's modules loaded.
  await Promise.all(Array.from({ length: threads }, one));
  for (const callers of [20, 50, 100]) {
    const latencies: number[] = [];
    let refused = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: callers }, async () => {
        for (let i = 0; i < QUERIES_PER_CALLER; i++) {
          const t0 = performance.now();
          try {
            await one();
            latencies.push(performance.now() - t0);
          } catch (error) {
            if (error instanceof EngineError && error.code === 'RATE_LIMITED') refused++;
            else throw error;
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
    lines.push(`| ${threads} | ${threads - 1} | ${callers} | ${latencies.length} | ${(latencies.length / seconds).toFixed(0)} | ${at(0.5).toFixed(0)} | ${at(0.95).toFixed(0)} | ${refused} |`);
  }
  await pool.close();
}
db.drop();

console.log(`## Worker pool: one source at 20/50/100 concurrent callers\n`);
console.log(`Each caller runs ${QUERIES_PER_CALLER} small queries one after another (a count over 1,000 rows); load average ${os.loadavg()[0]!.toFixed(1)}.\n`);
console.log(lines.join('\n'));
