/**
 * The PostgreSQL and MariaDB connectors against their raw drivers (pg and
 * mysql2 pools, default parsing, rows as arrays) on the same query in the
 * same run, alternating, for 10-row and 10,000-row results. The connector
 * does more per call (read-only transaction, time limit, cursor or row cap,
 * JSON-safe cells, rollback); targets: at most 3 ms added at 10 rows and at
 * most 1.2× raw at 10,000 rows. Prints markdown tables (p50 / p95).
 *
 *   node --import tsx test/bench/sql-connectors.bench.ts [iterations]
 */
import os from 'node:os';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createMysqlConnector } from '../../engine/connectors/mysql/connector';
import { createPostgresConnector } from '../../engine/connectors/postgres/connector';
import type { ConnectionSpec, Connector } from '../../engine/connectors/types';
import { SourceSettings } from '../../engine/contract/index';
import { createMysqlDatabase, createPgDatabase, MYSQL, PG } from '../support/databases';

const ITERATIONS = Number(process.argv[2] ?? 200);
/** Fewer at 10,000 rows: each takes tens of milliseconds. */
const LARGE_ITERATIONS = Math.max(20, Math.round(ITERATIONS / 2));
const WARMUP = 10;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Case {
  name: string;
  rows: number;
  sql: string;
}

interface Row {
  store: string;
  case: string;
  raw: number[];
  ours: number[];
}

async function measure(store: string, cases: Case[], raw: (sql: string) => Promise<number>, ours: (sql: string, maxRows: number) => Promise<number>): Promise<Row[]> {
  const out: Row[] = [];
  for (const c of cases) {
    const iterations = c.rows > 1000 ? LARGE_ITERATIONS : ITERATIONS;
    const row: Row = { store, case: c.name, raw: [], ours: [] };
    for (let i = 0; i < WARMUP + iterations; i++) {
      // Alternate which goes first, so neither always meets a warm cache.
      const order = i % 2 === 0 ? (['raw', 'ours'] as const) : (['ours', 'raw'] as const);
      for (const who of order) {
        // Start each side on a clean heap: otherwise whichever side happens to trigger a
        // collection pays for the other side's garbage too (run with --expose-gc).
        (globalThis as { gc?: () => void }).gc?.();
        const started = performance.now();
        const count = who === 'raw' ? await raw(c.sql) : await ours(c.sql, c.rows);
        const ms = performance.now() - started;
        if (count !== c.rows) throw new Error(`${store} ${who} ${c.name}: ${count} rows, expected ${c.rows}`);
        if (i >= WARMUP) row[who].push(ms);
      }
    }
    out.push(row);
  }
  return out;
}

function table(rows: Row[]): string {
  const fmt = (n: number) => n.toFixed(2);
  const lines = [
    '| store | result | raw p50 ms | connector p50 ms | raw p95 ms | connector p95 ms | added p50 ms | ratio p50 | target | met |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const r of rows) {
    const raw50 = percentile(r.raw, 50);
    const ours50 = percentile(r.ours, 50);
    const small = r.case.startsWith('10 rows');
    const met = small ? ours50 - raw50 <= 3 : ours50 / raw50 <= 1.2;
    lines.push(
      `| ${r.store} | ${r.case} | ${fmt(raw50)} | ${fmt(ours50)} | ${fmt(percentile(r.raw, 95))} | ${fmt(percentile(r.ours, 95))} | ${fmt(ours50 - raw50)} | ${(ours50 / raw50).toFixed(2)}× | ${small ? '≤ 3 ms added' : '≤ 1.2× raw'} | ${met ? 'yes' : 'NO'} |`,
    );
  }
  return lines.join('\n');
}

const settings = SourceSettings.parse({ statementTimeoutMs: 60_000, rowLimit: 10_000, allowSampleValues: false, sampleSize: 1000 });

async function postgres(): Promise<Row[]> {
  const db = createPgDatabase('chinook');
  const pool = new pg.Pool({ host: PG.host, port: PG.port, user: PG.user, database: db.name, max: 4 });
  const connector: Connector = createPostgresConnector();
  const spec: ConnectionSpec = {
    sourceId: 'bench-pg',
    type: 'postgres',
    connection: { host: PG.host, port: PG.port, database: db.name, user: PG.user, tls: { mode: 'off' }, connectTimeoutMs: 10_000 },
    password: null,
    settings,
    workDir: '/nonexistent',
  };
  const signal = new AbortController().signal;
  try {
    return await measure(
      'PostgreSQL',
      [
        { name: '10 rows', rows: 10, sql: 'SELECT * FROM track ORDER BY track_id LIMIT 10' },
        {
          name: '10,000 rows',
          rows: 10_000,
          sql: 'SELECT t.track_id, t.name, t.composer, t.milliseconds, t.unit_price, i.invoice_date FROM invoice_line l JOIN track t USING (track_id) JOIN invoice i USING (invoice_id) CROSS JOIN generate_series(1, 5) g LIMIT 10000',
        },
      ],
      async (sql) => (await pool.query({ text: sql, rowMode: 'array' })).rows.length,
      async (sql, maxRows) => (await connector.execute(spec, sql, { maxRows, timeoutMs: 60_000, signal })).rowCount,
    );
  } finally {
    await pool.end();
    await connector.close();
    db.drop();
  }
}

async function mariadb(): Promise<Row[]> {
  const db = createMysqlDatabase('chinook');
  const pool = mysql.createPool({ host: MYSQL.host, port: MYSQL.port, user: MYSQL.user, database: db.name, connectionLimit: 4 });
  const connector: Connector = createMysqlConnector();
  const spec: ConnectionSpec = {
    sourceId: 'bench-mysql',
    type: 'mysql',
    connection: { host: MYSQL.host, port: MYSQL.port, database: db.name, user: MYSQL.user, tls: { mode: 'off' }, connectTimeoutMs: 10_000 },
    password: null,
    settings,
    workDir: '/nonexistent',
  };
  const signal = new AbortController().signal;
  try {
    return await measure(
      'MariaDB',
      [
        { name: '10 rows', rows: 10, sql: 'SELECT * FROM Track ORDER BY TrackId LIMIT 10' },
        {
          name: '10,000 rows',
          rows: 10_000,
          sql: 'SELECT t.TrackId, t.Name, t.Composer, t.Milliseconds, t.UnitPrice, i.InvoiceDate FROM InvoiceLine l JOIN Track t ON t.TrackId = l.TrackId JOIN Invoice i ON i.InvoiceId = l.InvoiceId CROSS JOIN seq_1_to_5 g LIMIT 10000',
        },
      ],
      async (sql) => {
        const [rows] = await pool.query<mysql.RowDataPacket[]>({ sql, rowsAsArray: true });
        return rows.length;
      },
      async (sql, maxRows) => (await connector.execute(spec, sql, { maxRows, timeoutMs: 60_000, signal })).rowCount,
    );
  } finally {
    await pool.end();
    await connector.close();
    db.drop();
  }
}

async function main(): Promise<void> {
  const rows = [...(await postgres()), ...(await mariadb())];
  console.log(`## SQL connectors vs raw drivers (${ITERATIONS} iterations at 10 rows, ${LARGE_ITERATIONS} at 10,000 rows; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores)\n`);
  console.log(table(rows));
}

await main();
