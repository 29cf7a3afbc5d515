/**
 * The files connector against raw @duckdb/node-api on the same Parquet file,
 * in one run: a GROUP BY over 10 million rows (target: at most 1.1× raw), and
 * the fixed overhead of returning 10 and 10,000 rows. Prints a markdown table.
 *
 *   node --import tsx test/bench/duckdb-connector.bench.ts [iterations]
 */
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createFilesConnector } from '../../engine/connectors/files/connector';
import { importFiles } from '../../engine/connectors/files/import';
import type { ConnectionSpec } from '../../engine/connectors/types';
import { tempDir } from '../support/tmp';
import { SourceSettings } from '../../engine/contract/index';

const ROWS = 10_000_000;
const ITERATIONS = Number(process.argv[2] ?? 15);
const WARMUP = 2;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function time(run: () => Promise<number>): Promise<{ ms: number; rows: number }> {
  // A clean heap for each measured call, so neither side pays for the other's garbage (--expose-gc).
  (globalThis as { gc?: () => void }).gc?.();
  const started = performance.now();
  const rows = await run();
  return { ms: performance.now() - started, rows };
}

async function main(): Promise<void> {
  const dir = tempDir('polystore-bench-duckdb-');
  const file = path.join(dir.path, 'events.parquet');
  const raw = await DuckDBInstance.create(':memory:');
  const rawConnection = await raw.connect();
  const connector = createFilesConnector();
  try {
    const generated = performance.now();
    await rawConnection.run(
      `COPY (SELECT range AS id, range % 1000 AS grp, ((range * 7919) % 100003) / 7.0 AS amount, 'customer ' || (range % 5000) AS customer
             FROM range(${ROWS})) TO '${file}' (FORMAT parquet)`,
    );
    console.error(`generated ${ROWS.toLocaleString('en')} rows in ${((performance.now() - generated) / 1000).toFixed(1)} s`);

    const spec: ConnectionSpec = {
      sourceId: 'bench',
      type: 'file',
      connection: { paths: [file] },
      password: null,
      settings: SourceSettings.parse({ statementTimeoutMs: 120_000, rowLimit: 10_000, allowSampleValues: false, sampleSize: 1000 }),
      workDir: path.join(dir.path, 'work'),
    };
    const report = await importFiles(spec, { signal: AbortSignal.timeout(300_000) });
    const imported = report.files[0];
    if (!imported?.ok) throw new Error(`import failed: ${JSON.stringify(imported)}`);
    const table = imported.provenance.table;

    const cases = [
      {
        name: `GROUP BY over ${ROWS.toLocaleString('en')} rows (1,000 groups)`,
        sql: (from: string) => `SELECT grp, count(*) AS n, sum(amount) AS total, avg(amount) AS mean FROM ${from} GROUP BY grp ORDER BY grp`,
        maxRows: 10_000,
      },
      { name: '10 rows', sql: (from: string) => `SELECT * FROM ${from} LIMIT 10`, maxRows: 10 },
      { name: '10,000 rows', sql: (from: string) => `SELECT * FROM ${from} LIMIT 10000`, maxRows: 10_000 },
    ];

    const lines = [
      '| case | raw p50 (ms) | raw p95 (ms) | connector p50 (ms) | connector p95 (ms) | p50 ratio |',
      '|---|---:|---:|---:|---:|---:|',
    ];
    for (const c of cases) {
      // Raw: the same query on the same file, rows converted to JSON-safe values as the connector does.
      const rawRun = async () => {
        const reader = await rawConnection.streamAndReadAll(c.sql(`read_parquet('${file}')`));
        return reader.getRowsJson().length;
      };
      const connectorRun = async () => {
        const result = await connector.execute(spec, c.sql(`"${table}"`), { timeoutMs: 120_000, maxRows: c.maxRows, signal: AbortSignal.timeout(120_000) });
        return result.rowCount;
      };
      const rawTimes: number[] = [];
      const connectorTimes: number[] = [];
      for (let i = 0; i < WARMUP + ITERATIONS; i++) {
        // Alternate which goes first so caches and CPU frequency favour neither.
        const order = i % 2 === 0 ? [rawRun, connectorRun] : [connectorRun, rawRun];
        const results = [];
        for (const run of order) results.push({ run, ...(await time(run)) });
        const r = results.find((x) => x.run === rawRun)!;
        const k = results.find((x) => x.run === connectorRun)!;
        if (r.rows !== k.rows) throw new Error(`${c.name}: raw returned ${r.rows} rows, the connector ${k.rows}`);
        if (i < WARMUP) continue;
        rawTimes.push(r.ms);
        connectorTimes.push(k.ms);
      }
      const rawP50 = percentile(rawTimes, 50);
      const connectorP50 = percentile(connectorTimes, 50);
      lines.push(
        `| ${c.name} | ${rawP50.toFixed(1)} | ${percentile(rawTimes, 95).toFixed(1)} | ${connectorP50.toFixed(1)} | ${percentile(connectorTimes, 95).toFixed(1)} | ${(connectorP50 / rawP50).toFixed(2)}× |`,
      );
    }
    console.log(`\nDuckDB files connector vs raw @duckdb/node-api (${ITERATIONS} runs each after ${WARMUP} warm-ups; target for the GROUP BY: ≤ 1.10×)\n`);
    console.log(lines.join('\n'));
  } finally {
    await connector.close();
    rawConnection.closeSync();
    raw.closeSync();
    dir.remove();
  }
}

await main();
