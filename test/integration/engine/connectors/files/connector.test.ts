import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createFilesConnector } from '../../../../../engine/connectors/files/connector';
import { openLockedDatabase } from '../../../../../engine/connectors/files/duckdb';
import { importFiles } from '../../../../../engine/connectors/files/import';
import { readManifest } from '../../../../../engine/connectors/files/snapshot';
import type { ConnectionSpec, Connector } from '../../../../../engine/connectors/types';
import { MetadataDocument, QueryResult } from '../../../../../engine/contract/index';
import { CancelledError, ConnectorError, EngineError, ForbiddenError, TimeoutError } from '../../../../../engine/errors';
import { tempDir, testdataDir } from '../../../../support/tmp';
import { SourceSettings } from '../../../../../engine/contract/index';

const DATA = path.join(testdataDir, 'files');
const FILES = {
  titanic: path.join(DATA, 'duckdb-csv/titanic.csv'),
  weather: path.join(DATA, 'duckdb-csv/weather.csv'),
  people: path.join(DATA, 'duckdb-csv/people.csv'),
  alltypes_plain: path.join(DATA, 'parquet-testing/data/alltypes_plain.parquet'),
};
const UNREGISTERED_PARQUET = path.join(DATA, 'parquet-testing/data/binary.parquet');

const work = tempDir('polystore-files-connector-');
const outside = tempDir('polystore-files-outside-');
const spec: ConnectionSpec = {
  sourceId: 'files-test',
  type: 'file',
  connection: { paths: Object.values(FILES) },
  password: null,
  settings: SourceSettings.parse({ statementTimeoutMs: 10_000, rowLimit: 1000, allowSampleValues: false, sampleSize: 1000 }),
  workDir: path.join(work.path, 'source'),
};
let connector: Connector;

const never = () => new AbortController().signal;
const execute = (sql: string, options: { maxRows?: number; timeoutMs?: number; signal?: AbortSignal } = {}) =>
  connector.execute(spec, sql, { maxRows: options.maxRows ?? 1000, timeoutMs: options.timeoutMs ?? 10_000, signal: options.signal ?? never() });

async function rejection(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, EngineError);
    return error as EngineError;
  }
  throw new Error('expected the promise to reject');
}

/** What the snapshot holds, read with plain DuckDB (read-only), to prove a refused statement changed nothing. */
async function fingerprint(): Promise<string> {
  const manifest = readManifest(spec.workDir)!;
  const instance = await DuckDBInstance.create(path.join(spec.workDir, manifest.database), { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const tables = await connection.runAndReadAll(`SELECT table_name, table_type FROM information_schema.tables ORDER BY ALL`);
    const counts = await connection.runAndReadAll(`SELECT (SELECT count(*) FROM titanic), (SELECT count(*) FROM weather), (SELECT count(*) FROM people)`);
    return JSON.stringify([tables.getRowsJson(), counts.getRowsJson(), fs.readdirSync(spec.workDir).sort(), fs.readdirSync(outside.path)]);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

test.before(async () => {
  const report = await importFiles(spec, { signal: never() });
  assert.equal(
    report.files.map((f) => (f.ok ? f.provenance.table : f.error.message)),
    ['titanic', 'weather', 'people', 'alltypes_plain'],
  );
  connector = createFilesConnector();
});
test.after(async () => {
  await connector.close();
  work.remove();
  outside.remove();
});

test('results have the unified shape: normalized and native column types, JSON-safe cells', async () => {
  const result = QueryResult.parse(
    await execute(`SELECT
      9007199254740993::BIGINT AS big, 42::BIGINT AS small, 170141183460469231731687303715884105727::HUGEINT AS huge,
      123.45::DECIMAL(10,2) AS money, DATE '2024-02-29' AS day, TIMESTAMP '2024-02-29 13:45:01.25' AS ts,
      TIMESTAMPTZ '2024-02-29 13:45:01+00' AS tstz, TIME '07:08:09' AS t, INTERVAL 1 DAY + INTERVAL 90 MINUTE AS iv,
      '\\x01\\xAB'::BLOB AS bytes, [1, 2, NULL] AS list, {'a': 1, 'b': 'x'} AS obj, MAP {'k': 1.5} AS m,
      '8f4e2c1a-0b3d-4e5f-9a7b-6c5d4e3f2a1b'::UUID AS id, 'nan'::DOUBLE AS nan, 'inf'::DOUBLE AS inf,
      '{"x": [1, true]}'::JSON AS doc, true AS flag, NULL AS nothing, 1.5::DOUBLE AS f`),
  );
  assert.equal(
    result.columns.map((c) => `${c.name}:${c.type}:${c.nativeType}`),
    [
      'big:integer:BIGINT',
      'small:integer:BIGINT',
      'huge:integer:HUGEINT',
      'money:decimal:DECIMAL(10,2)',
      'day:date:DATE',
      'ts:timestamp:TIMESTAMP',
      'tstz:timestamptz:TIMESTAMP WITH TIME ZONE',
      't:time:TIME',
      'iv:interval:INTERVAL',
      'bytes:binary:BLOB',
      'list:array:INTEGER[]',
      'obj:object:STRUCT("a" INTEGER, "b" VARCHAR)',
      'm:object:MAP(VARCHAR, DECIMAL(2,1))',
      'id:uuid:UUID',
      'nan:float:DOUBLE',
      'inf:float:DOUBLE',
      'doc:json:JSON',
      'flag:boolean:BOOLEAN',
      'nothing:integer:INTEGER',
      'f:float:DOUBLE',
    ],
  );
  assert.equal(result.rows, [
    [
      '9007199254740993',
      42,
      '170141183460469231731687303715884105727',
      '123.45',
      '2024-02-29',
      '2024-02-29T13:45:01.25',
      '2024-02-29T13:45:01Z',
      '07:08:09',
      'P1DT1H30M',
      '\\x01ab',
      [1, 2, null],
      { a: 1, b: 'x' },
      { k: '1.5' },
      '8f4e2c1a-0b3d-4e5f-9a7b-6c5d4e3f2a1b',
      'NaN',
      'Infinity',
      { x: [1, true] },
      true,
      null,
      1.5,
    ],
  ]);
  assert.equal(JSON.parse(JSON.stringify(result.rows)), result.rows);
  assert.equal([result.rowCount, result.truncated, result.rowLimit], [1, false, 1000]);
});

test('only maxRows + 1 rows are read: the result says it was truncated, and an endless query still returns at once', async () => {
  const ten = await execute('SELECT "PassengerId" FROM titanic ORDER BY 1', { maxRows: 10 });
  assert.equal([ten.rowCount, ten.truncated, ten.rowLimit], [10, true, 10]);
  assert.equal(ten.rows.map((r) => r[0]), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.match(ten.notices.join(' '), /first 10 rows/);
  const all = await execute('SELECT * FROM titanic', { maxRows: 891 });
  assert.equal([all.rowCount, all.truncated], [891, false]);
  const oneShort = await execute('SELECT * FROM titanic', { maxRows: 890 });
  assert.equal([oneShort.rowCount, oneShort.truncated], [890, true]);
  const started = performance.now();
  const endless = await execute('SELECT range AS n FROM range(1000000000000)', { maxRows: 5, timeoutMs: 5_000 });
  assert.equal([endless.rows, endless.truncated], [[[0], [1], [2], [3], [4]], true]);
  assert.ok(performance.now() - started < 2_000);
});

test('a query over its timeout is interrupted inside DuckDB and reported as TIMEOUT; the connector keeps working', async () => {
  const started = performance.now();
  const error = await rejection(execute('SELECT count(*) FROM range(100000000000) a, range(10) b', { timeoutMs: 300 }));
  const elapsed = performance.now() - started;
  assert.instance(error, TimeoutError);
  assert.is(error.message, 'The query took longer than 300 ms and was stopped.');
  assert.ok(elapsed >= 290 && elapsed < 1_500, `stopped after ${elapsed} ms`);
  assert.equal((await execute('SELECT count(*) FROM titanic')).rows, [[891]]);
});

test('cancelling through the signal interrupts DuckDB promptly; an already-aborted signal runs nothing', async () => {
  const controller = new AbortController();
  const started = performance.now();
  const pending = execute('SELECT count(*) FROM range(100000000000)', { signal: controller.signal, timeoutMs: 60_000 });
  const other = execute('SELECT count(*) FROM weather');
  setTimeout(() => controller.abort(), 150);
  assert.instance(await rejection(pending), CancelledError);
  assert.ok(performance.now() - started < 1_000);
  assert.equal((await other).rows, [[366]]);
  assert.instance(await rejection(execute('SELECT 1', { signal: AbortSignal.abort() })), CancelledError);
});

/** Statements that must fail at execution with no guardrail in front, and what the failure says. */
const REFUSED: Array<[string, RegExp]> = [
  // DuckDB refuses these while binding them, before their statement type is known.
  [`COPY titanic TO '${outside.path}/stolen.csv'`, /^Permission Error: Cannot access file ".*stolen\.csv" - file system operations are disabled/],
  [`COPY (SELECT * FROM titanic) TO '${outside.path}/stolen.parquet' (FORMAT parquet)`, /^Permission Error: Cannot access file/],
  [`EXPORT DATABASE '${outside.path}/dump'`, /^Permission Error: Cannot access file/],
  [`SELECT * FROM read_csv('/etc/passwd')`, /^Permission Error: Cannot access file "\/etc\/passwd"/],
  [`SELECT * FROM read_text('/etc/hostname')`, /Permission Error/],
  [`SELECT * FROM read_blob('${FILES.titanic}')`, /Permission Error/],
  [`SELECT * FROM glob('/etc/*')`, /Permission Error/],
  [`SELECT * FROM read_parquet('${UNREGISTERED_PARQUET}')`, /Permission Error/],
  [`SELECT * FROM '/etc/passwd'`, /Table with name \/etc\/passwd does not exist/],
  [`SELECT * FROM sniff_csv('${FILES.weather}')`, /Permission Error/],
  [`ATTACH ':memory:' AS scratch`, /this statement is ATTACH/],
  [`ATTACH '${outside.path}/other.duckdb' AS other`, /this statement is ATTACH/],
  [`DETACH files`, /this statement is DETACH/],
  [`INSTALL httpfs`, /this statement is LOAD/],
  [`LOAD httpfs`, /this statement is LOAD/],
  [`LOAD parquet`, /this statement is LOAD/],
  [`SET threads = 1`, /this statement is SET/],
  [`SET enable_external_access = true`, /this statement is SET/],
  [`RESET lock_configuration`, /this statement is SET/],
  [`PRAGMA enable_profiling`, /this statement is PRAGMA/],
  [`CALL pragma_version()`, /this statement is CALL/],
  [`CREATE TABLE loot AS SELECT * FROM titanic`, /this statement is CREATE/],
  [`CREATE TEMP TABLE loot AS SELECT 1`, /this statement is CREATE/],
  [`CREATE OR REPLACE VIEW titanic AS SELECT 1`, /this statement is CREATE/],
  [`INSERT INTO people VALUES ('Eve', 'North')`, /this statement is INSERT/],
  [`UPDATE titanic SET "Age" = 0`, /this statement is UPDATE/],
  [`DELETE FROM weather`, /this statement is DELETE/],
  [`DROP TABLE people`, /this statement is DROP/],
  [`ALTER TABLE people RENAME TO persons`, /this statement is ALTER/],
  [`CHECKPOINT`, /this statement is CALL/],
  [`SELECT 1; DROP TABLE people`, /Run one statement at a time/],
  [`EXPLAIN ANALYZE CREATE TABLE loot AS SELECT 1`, /this statement is CREATE/],
  [`WITH x AS (SELECT 1) INSERT INTO people SELECT 'a', 'b' FROM x`, /this statement is INSERT/],
];

test('writes, file reads outside the source, ATTACH, INSTALL/LOAD and SET are refused by execute itself (layer 2), and change nothing', async () => {
  const before = await fingerprint();
  // The messages above are what DuckDB's lockdown says (next test); execute checks again before DuckDB sees the text.
  for (const [sql] of REFUSED) {
    const error = await rejection(execute(sql));
    assert.instance(error, ForbiddenError, sql);
    assert.match(error.message, /^This query was refused before it ran: /, sql);
    assert.is(error.details?.layer, 2, sql);
  }
  assert.is(await fingerprint(), before);
  assert.equal(fs.readdirSync(outside.path), []);
});

test('the DuckDB lockdown itself stops them, even for statements the connector would not let through', async () => {
  const manifest = readManifest(spec.workDir)!;
  const instance = await openLockedDatabase(path.join(spec.workDir, manifest.database), { readOnly: true, allowedPaths: [FILES.alltypes_plain], memoryLimitMb: 256, threads: 1 });
  const connection = await instance.connect();
  const refused: Array<[string, RegExp]> = [
    [`COPY titanic TO '${outside.path}/stolen.csv'`, /Permission Error: Cannot access file/],
    [`COPY (SELECT 1) TO '${outside.path}/x.parquet' (FORMAT parquet)`, /Permission Error/],
    [`EXPORT DATABASE '${outside.path}/dump'`, /Permission Error/],
    [`SELECT * FROM read_csv('${FILES.titanic}')`, /Permission Error/],
    [`SELECT * FROM read_parquet('${UNREGISTERED_PARQUET}')`, /Permission Error/],
    [`ATTACH '${outside.path}/other.duckdb' AS other`, /Permission Error/],
    [`ATTACH ':memory:' AS scratch`, /Cannot launch in-memory database in read-only mode/],
    [`INSTALL httpfs`, /Permission Error/],
    [`LOAD httpfs`, /Loading external extensions is disabled/],
    [`SET threads = 1`, /the configuration has been locked/],
    [`SET enable_external_access = true`, /the configuration has been locked/],
    [`SET allowed_paths = ['/etc/passwd']`, /the configuration has been locked/],
    [`RESET lock_configuration`, /the configuration has been locked/],
    [`SET profiling_output = '${outside.path}/profile.txt'`, /the configuration has been locked/],
    [`CREATE TABLE loot AS SELECT 1`, /read-only mode/],
    [`INSERT INTO people VALUES ('Eve', 'North')`, /read-only mode/],
    [`DROP TABLE people`, /read-only mode/],
  ];
  try {
    for (const [sql, message] of refused) {
      try {
        await connection.run(sql);
        assert.unreachable(`DuckDB ran: ${sql}`);
      } catch (error) {
        assert.not.instance(error, assert.Assertion);
        assert.match((error as Error).message, message, sql);
      }
    }
    // The registered Parquet file is the one external file it may read.
    const rows = await connection.runAndReadAll(`SELECT count(*) FROM read_parquet('${FILES.alltypes_plain}')`);
    assert.equal(rows.getRowsJS(), [[8n]]);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  assert.equal(fs.readdirSync(outside.path), []);
});

test('SELECT, CTEs, VALUES, DESCRIBE, SUMMARIZE and EXPLAIN of a SELECT run', async () => {
  assert.equal((await execute('WITH s AS (SELECT "Pclass" AS c FROM titanic) SELECT c, count(*) FROM s GROUP BY c ORDER BY c')).rows, [
    [1, 216],
    [2, 184],
    [3, 491],
  ]);
  assert.equal((await execute('VALUES (1, 2)')).rows, [[1, 2]]);
  assert.equal((await execute('DESCRIBE people')).rows.map((r) => r.slice(0, 2)), [
    ['Person', 'VARCHAR'],
    ['Region', 'VARCHAR'],
  ]);
  assert.is((await execute('SUMMARIZE weather')).rowCount, 7);
  const plan = await execute('EXPLAIN SELECT * FROM alltypes_plain');
  assert.match(JSON.stringify(plan.rows), /READ_PARQUET|PARQUET_SCAN/i);
});

test('query errors carry DuckDB’s message and kind', async () => {
  const error = await rejection(execute('SELECT nope FROM titanic'));
  assert.instance(error, ConnectorError);
  assert.match(error.message, /^Binder Error: Referenced column "nope" not found/);
  assert.equal(error.details, { kind: 'Binder Error' });
  assert.instance(await rejection(execute('   ')), EngineError);
});

test('metadata: one database "files", schema main, a file object per table with origin, row counts and sample values', async () => {
  const doc = MetadataDocument.parse(await connector.fetchMetadata(spec, never()));
  assert.equal([doc.sourceType, doc.serverVersion, doc.cached], ['file', 'DuckDB v1.5.6', false]);
  assert.equal(doc.databases.map((d) => [d.name, d.schemas.map((s) => s.name)]), [['files', ['main']]]);
  const objects = doc.databases[0]!.schemas[0]!.objects;
  assert.equal(
    objects.map((o) => [o.name, o.kind, o.rowEstimate, o.origin]),
    [
      ['titanic', 'file', 891, FILES.titanic],
      ['weather', 'file', 366, FILES.weather],
      ['people', 'file', 4, FILES.people],
      ['alltypes_plain', 'file', 8, FILES.alltypes_plain],
    ],
  );
  const titanic = objects[0]!;
  const field = (name: string) => titanic.fields.find((f) => f.name === name)!;
  assert.equal([field('Age').type, field('Age').nativeType, field('Age').nullable], ['float', 'DOUBLE', true]);
  assert.equal(field('Gender').sampleValues, ['male', 'female']);
  assert.equal(field('Embarked').sampleValues, ['S', 'C', 'Q']);
  assert.equal(field('Name').sampleValues, [], 'a high-cardinality column has no samples');
  assert.equal(field('Fare').sampleValues, [], 'numbers have no samples');
  assert.match(titanic.comment ?? '', /CSV file titanic\.csv/);
  assert.match(objects[3]!.comment ?? '', /PARQUET file alltypes_plain\.parquet, read in place/);
  assert.equal(objects[3]!.fields.map((f) => f.name).slice(0, 3), ['id', 'bool_col', 'tinyint_col']);
});

test('explain: estimated rows from DuckDB’s plan, a readable summary, and the same read-only rule', async () => {
  const scan = await connector.explain(spec, 'SELECT * FROM titanic', never());
  assert.is(scan.estimatedRows, 891);
  assert.is(scan.estimatedCost, null);
  assert.match(scan.summary, /SEQ_SCAN \(~891 rows\)/);
  const grouped = await connector.explain(spec, 'SELECT "Pclass", count(*) FROM titanic GROUP BY 1', never());
  assert.ok(grouped.estimatedRows !== null && grouped.estimatedRows < 891, String(grouped.estimatedRows));
  const parquet = await connector.explain(spec, 'SELECT * FROM alltypes_plain WHERE id > 3', never());
  assert.match(parquet.summary, /PARQUET|READ_PARQUET|TABLE_SCAN/i);
  const cross = await connector.explain(spec, 'SELECT * FROM titanic, weather', never());
  assert.match(cross.warnings.join(' '), /cross product/);
  assert.instance(await rejection(connector.explain(spec, 'DROP TABLE titanic', never())), ForbiddenError);
});

test('testConnection: the files exist and can be read, DuckDB’s version, canWrite not applicable', async () => {
  const good = await connector.testConnection(spec, never());
  assert.equal([good.ok, good.serverVersion, good.canWrite, good.writeDetails, good.error], [true, 'DuckDB v1.5.6', null, [], undefined]);
  const missing = path.join(outside.path, 'gone.csv');
  const bad = await connector.testConnection({ ...spec, connection: { paths: [FILES.titanic, missing] } }, never());
  assert.is(bad.ok, false);
  assert.equal(bad.error, { kind: 'FILE_UNREADABLE', message: `1 of 2 files cannot be used: ${missing} was not found.` });
});

test('validate is the DuckDB guardrail (layer 1): it allows a SELECT and refuses a write without touching DuckDB', async () => {
  assert.is((await connector.validate('SELECT count(*) FROM titanic', spec, never())).allowed, true);
  const refused = await connector.validate('DROP TABLE titanic', spec, never());
  assert.is(refused.allowed, false);
  assert.ok(refused.reasons.length > 0);
});

test('a source that was never imported says so', async () => {
  const fresh = { ...spec, workDir: path.join(work.path, 'never-imported') };
  const error = await rejection(connector.execute(fresh, 'SELECT 1', { timeoutMs: 1000, maxRows: 1, signal: never() }));
  assert.instance(error, ConnectorError);
  assert.match(error.message, /have not been imported yet/);
});

test('queries from several callers run side by side on one connector', async () => {
  const results = await Promise.all([
    execute('SELECT count(*) FROM titanic'),
    execute('SELECT count(*) FROM weather'),
    execute('SELECT count(*) FROM people'),
    execute('SELECT count(*) FROM alltypes_plain'),
  ]);
  assert.equal(results.map((r) => r.rows[0]![0]), [891, 366, 4, 8]);
});

test('close() interrupts running queries and later calls are refused', async () => {
  const local = createFilesConnector();
  const pending = local.execute(spec, 'SELECT count(*) FROM range(100000000000)', { timeoutMs: 60_000, maxRows: 1, signal: never() });
  await new Promise((resolve) => setTimeout(resolve, 100));
  const started = performance.now();
  await local.close();
  assert.instance(await rejection(pending), CancelledError);
  assert.ok(performance.now() - started < 2_000);
  assert.instance(await rejection(local.execute(spec, 'SELECT 1', { timeoutMs: 1000, maxRows: 1, signal: never() })), ConnectorError);
});

test.run();
