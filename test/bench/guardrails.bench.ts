/**
 * Layer-1 validation time per statement, warm, over each store's corpus
 * (every read and every write attempt). Prints a markdown table with p50 and
 * p95 in milliseconds; the target is p95 <= 2 ms of wall time. CPU time
 * (this process, all threads) is shown beside it: on a shared, busy machine
 * the wall-clock tail mostly measures waiting for a core, not the work.
 *
 *   node --import tsx test/bench/guardrails.bench.ts [store name filter, e.g. PostgreSQL]
 */
import os from 'node:os';
import { validateDuckdbQuery } from '../../engine/connectors/files/guardrail';
import { validateMongoQuery } from '../../engine/connectors/mongodb/guardrail';
import { validateMysqlQuery } from '../../engine/connectors/mysql/guardrail';
import { loadPostgresGuardrail, validatePostgresQuery } from '../../engine/connectors/postgres/guardrail';
import * as duckdb from '../fixtures/corpus/duckdb';
import * as mongodb from '../fixtures/corpus/mongodb';
import * as mysql from '../fixtures/corpus/mysql';
import * as postgres from '../fixtures/corpus/postgres';
import { fixturePolicy } from '../support/pg-catalog';

const ROUNDS = 20;
const WARMUP_ROUNDS = 3;
const TARGET_P95_MS = 2;

interface Store {
  name: string;
  queries: string[];
  validate: (query: string) => unknown;
}

const corpus = (c: { reads: Array<{ query: string }>; writeAttempts: Array<{ query: string }> }) => [...c.reads, ...c.writeAttempts].map((q) => q.query);

const pgGuard = fixturePolicy();

const stores: Store[] = [
  // With a cached catalog (PostgreSQL 15's pg_proc, pg_operator, pg_class, pg_type), as the connector validates.
  { name: 'PostgreSQL (libpg-query + catalog allow-list)', queries: corpus(postgres), validate: (q) => validatePostgresQuery(q, pgGuard) },
  // With a source, as the connector validates: relations, functions and variables against the allow-lists.
  { name: 'MySQL/MariaDB (lexer + node-sql-parser + allow-lists)', queries: corpus(mysql), validate: (q) => validateMysqlQuery(q, { database: 'chinook', flavor: 'mariadb' }) },
  { name: 'DuckDB (json_serialize_sql)', queries: corpus(duckdb), validate: (q) => validateDuckdbQuery(q, { tables: Object.keys(duckdb.tables), database: 'memory' }) },
  { name: 'MongoDB (strict EJSON + allow-lists)', queries: corpus(mongodb), validate: (q) => validateMongoQuery(q, { database: /"database":"([^"]+)"/.exec(q)?.[1] ?? 'samples' }) },
];

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

await loadPostgresGuardrail();
const rows: string[] = [];
let slow = false;
const only = process.argv[2]?.toLowerCase();
for (const store of stores.filter((s) => !only || s.name.toLowerCase().includes(only))) {
  for (let round = 0; round < WARMUP_ROUNDS; round++) for (const query of store.queries) await store.validate(query);
  const samples: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const query of store.queries) {
      const cpuStart = process.cpuUsage();
      const started = performance.now();
      await store.validate(query);
      samples.push(performance.now() - started);
      const used = process.cpuUsage(cpuStart);
      cpu.push((used.user + used.system) / 1000);
    }
  }
  const p50 = percentile(samples, 50);
  const p95 = percentile(samples, 95);
  if (p95 > TARGET_P95_MS) slow = true;
  rows.push(
    `| ${store.name} | ${store.queries.length} | ${samples.length} | ${p50.toFixed(3)} | ${p95.toFixed(3)} | ${percentile(cpu, 50).toFixed(3)} | ${percentile(cpu, 95).toFixed(3)} | ${p95 <= TARGET_P95_MS ? 'yes' : 'NO'} |`,
  );
}

console.log('## Layer-1 guardrail: validation time per statement (warm)\n');
console.log(`| store | statements | samples | p50 ms | p95 ms | CPU p50 ms | CPU p95 ms | p95 <= ${TARGET_P95_MS} ms |`);
console.log('|---|---:|---:|---:|---:|---:|---:|:---:|');
for (const row of rows) console.log(row);
console.log(`\n${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(2)} when the run ended.`);
if (slow) console.log(`At least one store is over the ${TARGET_P95_MS} ms p95 target.`);
