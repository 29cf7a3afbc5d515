import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resultColumn, toCell } from '../../../../../engine/connectors/files/cells';
import { createFilesConnector } from '../../../../../engine/connectors/files/connector';
import { importFiles } from '../../../../../engine/connectors/files/import';
import { readManifest } from '../../../../../engine/connectors/files/snapshot';
import type { ConnectionSpec } from '../../../../../engine/connectors/types';
import { EngineError } from '../../../../../engine/errors';
import { reads, tables, writeAttempts } from '../../../../fixtures/corpus/duckdb';
import { tempDir, testdataDir } from '../../../../support/tmp';
import { SourceSettings } from '../../../../../engine/contract/index';

/**
 * The DuckDB read corpus through the connector, row for row against raw
 * @duckdb/node-api over the same files; and every write attempt pushed straight
 * to execute (no layer 1 in front) must be refused and change nothing.
 */
const work = tempDir('polystore-files-duckdb-corpus-');
const files = Object.fromEntries(Object.entries(tables).map(([table, file]) => [table, path.join(testdataDir, file)]));
const spec: ConnectionSpec = {
  sourceId: 'duckdb-corpus',
  type: 'file',
  connection: { paths: Object.values(files) },
  password: null,
  settings: SourceSettings.parse({ statementTimeoutMs: 30_000, rowLimit: 10_000, allowSampleValues: false, sampleSize: 1000 }),
  workDir: work.path,
};
const connector = createFilesConnector();
let raw: DuckDBInstance;
let rawConnection: DuckDBConnection;

/** Paths the write attempts name; none may appear (or change) because of them. */
const TOUCHED = ['/tmp/titanic.csv', '/tmp/t.parquet', '/tmp/polystore-dump', '/tmp/other.duckdb', '/tmp/x.parquet', '/tmp/x.db', '/tmp/delta'];

async function rawRows(sql: string): Promise<{ columns: string[]; rows: unknown[][] }> {
  const result = await rawConnection.run(sql);
  const types = result.columnTypes();
  const rows: unknown[][] = [];
  for (const chunk of await result.fetchAllChunks()) {
    for (let r = 0; r < chunk.rowCount; r++) rows.push(chunk.getRowValues(r).map((v, c) => toCell(v, types[c]!)));
  }
  return { columns: result.columnNames().map((name, i) => `${name}:${resultColumn(name, types[i]!).nativeType}`), rows };
}

/** Rows compared in order only where the query orders them. */
function comparable(query: string, rows: unknown[][]): string[] {
  const json = rows.map((r) => JSON.stringify(r));
  return /order by/i.test(query) ? json : json.sort();
}

async function fingerprint(): Promise<string> {
  const result = await connector.execute(
    spec,
    `SELECT (SELECT count(*) FROM titanic), (SELECT sum("Fare") FROM titanic), (SELECT count(*) FROM weather), (SELECT count(*) FROM people),
            (SELECT count(*) FROM alltypes_plain), (SELECT count(*) FROM information_schema.tables WHERE table_type = 'BASE TABLE'),
            (SELECT count(*) FROM information_schema.tables WHERE table_type = 'VIEW')`,
    { timeoutMs: 10_000, maxRows: 1, signal: AbortSignal.timeout(10_000) },
  );
  const snapshot = readManifest(spec.workDir)!.database;
  const stat = fs.statSync(path.join(spec.workDir, snapshot));
  const outside = TOUCHED.map((p) => (fs.existsSync(p) ? `${p}@${fs.statSync(p).mtimeMs}` : `${p}:absent`));
  return JSON.stringify([result.rows, snapshot, stat.size, stat.mtimeMs, fs.readdirSync(spec.workDir).sort(), outside]);
}

test.before(async () => {
  const report = await importFiles(spec, { signal: AbortSignal.timeout(120_000) });
  assert.equal(
    report.files.map((f) => (f.ok ? f.provenance.table : f.error.message)),
    Object.keys(tables),
  );
  raw = await DuckDBInstance.create(':memory:');
  rawConnection = await raw.connect();
  for (const [table, file] of Object.entries(files)) {
    const literal = `'${file.replaceAll("'", "''")}'`;
    await rawConnection.run(
      file.endsWith('.parquet') ? `CREATE VIEW ${table} AS FROM read_parquet(${literal})` : `CREATE TABLE ${table} AS FROM read_csv(${literal})`,
    );
  }
});
test.after(async () => {
  await connector.close();
  rawConnection.closeSync();
  raw.closeSync();
  work.remove();
});

for (const read of reads) {
  test(`read: ${read.name}`, async () => {
    const expected = await rawRows(read.query);
    const actual = await connector.execute(spec, read.query, { timeoutMs: 30_000, maxRows: 10_000, signal: AbortSignal.timeout(30_000) });
    assert.equal(
      actual.columns.map((c) => `${c.name}:${c.nativeType}`),
      expected.columns,
      'columns',
    );
    assert.is(actual.truncated, false);
    if (/^EXPLAIN/i.test(read.query)) {
      // Plans name the database they run in, which differs; both must have one.
      assert.is(actual.rowCount, expected.rows.length);
      return;
    }
    assert.equal(comparable(read.query, actual.rows), comparable(read.query, expected.rows));
  });
}

test('every write attempt, sent straight to execute, is refused there (layer 2 checks again), and nothing changes', async () => {
  const before = await fingerprint();
  const ran: string[] = [];
  for (const attempt of writeAttempts) {
    try {
      await connector.execute(spec, attempt.query, { timeoutMs: 10_000, maxRows: 100, signal: AbortSignal.timeout(10_000) });
      ran.push(attempt.query);
    } catch (error) {
      assert.instance(error, EngineError, attempt.query);
    }
  }
  assert.equal(ran, [], 'attempts that ran at layer 2');
  assert.is(await fingerprint(), before);
});

test.run();
