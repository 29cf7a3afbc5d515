/**
 * Metadata discovery on a generated PostgreSQL schema of 1,000 tables × 20
 * columns (a primary key, a foreign key to the previous table, comments on
 * every tenth table, 20 rows each, ANALYZEd), against a 1 s target. Also
 * reports how much of it is sampling (SAMPLE_RULES bounds it). Prints a
 * markdown table.
 *
 *   node --import tsx test/bench/pg-metadata.bench.ts [tables] [iterations]
 */
import pg from 'pg';
import { createPostgresConnector } from '../../engine/connectors/postgres/connector';
import { SAMPLE_RULES } from '../../engine/connectors/shared/sampling';
import type { ConnectionSpec } from '../../engine/connectors/types';
import { createPgDatabase, PG } from '../support/databases';
import { SourceSettings } from '../../engine/contract/index';

const TABLES = Number(process.argv[2] ?? 1000);
const ITERATIONS = Number(process.argv[3] ?? 10);
const COLUMNS = 20;
const TARGET_MS = 1000;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const TYPES = ['text', 'varchar(40)', 'integer', 'bigint', 'numeric(12,2)', 'timestamptz', 'date', 'boolean', 'jsonb', 'uuid'];

function ddl(i: number): string {
  const name = `t_${String(i).padStart(4, '0')}`;
  const columns = ['id integer PRIMARY KEY', i > 1 ? `parent_id integer REFERENCES t_${String(i - 1).padStart(4, '0')} (id)` : 'parent_id integer'];
  for (let c = 3; c <= COLUMNS; c++) columns.push(`c${c} ${TYPES[c % TYPES.length]}`);
  const values = `SELECT g, ${i > 1 ? 'g' : 'NULL'}, ${Array.from({ length: COLUMNS - 2 }, (_, k) => {
    const type = TYPES[(k + 3) % TYPES.length]!;
    if (type === 'text' || type.startsWith('varchar')) return `'value ' || (g % 7)`;
    if (type === 'integer' || type === 'bigint' || type.startsWith('numeric')) return 'g * 3';
    if (type === 'timestamptz') return `now() - g * interval '1 day'`;
    if (type === 'date') return `current_date - g`;
    if (type === 'boolean') return 'g % 2 = 0';
    if (type === 'jsonb') return `jsonb_build_object('g', g)`;
    return 'gen_random_uuid()';
  }).join(', ')} FROM generate_series(1, 20) g`;
  const comment = i % 10 === 0 ? `COMMENT ON TABLE ${name} IS 'Table number ${i}';` : '';
  return `CREATE TABLE ${name} (${columns.join(', ')}); INSERT INTO ${name} ${values}; ${comment}`;
}

async function main(): Promise<void> {
  const db = createPgDatabase('empty');
  const connector = createPostgresConnector();
  try {
    const client = new pg.Client({ host: PG.host, port: PG.port, user: PG.user, database: db.name });
    await client.connect();
    const built = performance.now();
    for (let start = 1; start <= TABLES; start += 100) {
      const batch = [];
      for (let i = start; i < Math.min(start + 100, TABLES + 1); i++) batch.push(ddl(i));
      await client.query(batch.join('\n'));
    }
    await client.query('ANALYZE');
    await client.end();
    console.error(`built ${TABLES} tables × ${COLUMNS} columns in ${((performance.now() - built) / 1000).toFixed(1)} s`);

    const spec: ConnectionSpec = {
      sourceId: 'bench-meta',
      type: 'postgres',
      connection: { host: PG.host, port: PG.port, database: db.name, user: PG.user, tls: { mode: 'off' }, connectTimeoutMs: 10_000 },
      password: null,
      settings: SourceSettings.parse({ statementTimeoutMs: 60_000, rowLimit: 10_000, allowSampleValues: false, sampleSize: 1000 }),
      workDir: '/nonexistent',
    };
    const signal = new AbortController().signal;
    const samples: number[] = [];
    let last = null;
    for (let i = 0; i < ITERATIONS + 1; i++) {
      const started = performance.now();
      last = await connector.fetchMetadata(spec, signal);
      if (i > 0) samples.push(performance.now() - started); // the first call also opens the pool
    }
    const objects = last!.databases[0]!.schemas.flatMap((s) => s.objects);
    const fields = objects.reduce((n, o) => n + o.fields.length, 0);
    const sampled = objects.reduce((n, o) => n + o.fields.filter((f) => f.sampleValues.length > 0).length, 0);
    const fks = objects.reduce((n, o) => n + o.foreignKeys.length, 0);
    if (objects.length !== TABLES || fields !== TABLES * COLUMNS) throw new Error(`found ${objects.length} tables, ${fields} columns`);
    const p50 = percentile(samples, 50);
    console.log(`## PostgreSQL metadata discovery (${ITERATIONS} runs)\n`);
    console.log('| tables | columns | foreign keys | columns sampled | p50 ms | p95 ms | target | met |');
    console.log('|---:|---:|---:|---:|---:|---:|---|---|');
    console.log(
      `| ${objects.length} | ${fields} | ${fks} | ${sampled} (cap ${SAMPLE_RULES.maxColumns}) | ${p50.toFixed(0)} | ${percentile(samples, 95).toFixed(0)} | ≤ ${TARGET_MS} ms | ${p50 <= TARGET_MS ? 'yes' : 'NO'} |`,
    );
  } finally {
    await connector.close();
    db.drop();
  }
}

await main();
