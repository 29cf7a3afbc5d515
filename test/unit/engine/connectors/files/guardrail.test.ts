import path from 'node:path';
import { codes, guardrailAsserts } from '../../../../support/guardrail';
import { DuckDBInstance } from '@duckdb/node-api';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_DUCKDB_QUERY_LENGTH, validateDuckdbQuery } from '../../../../../engine/connectors/files/guardrail';
import { reads, tables, writeAttempts } from '../../../../fixtures/corpus/duckdb';
import { tempDir, testdataDir } from '../../../../support/tmp';

/** The corpus tables, in a database named like DuckDB's default in-memory one. */
const scope = { tables: Object.keys(tables), database: 'memory' };
const check = (sql: string) => validateDuckdbQuery(sql, scope);
const { assertRefused, assertAllowed } = guardrailAsserts(check);

test('corpus sizes: at least 50 write attempts and 50 reads', () => {
  assert.ok(writeAttempts.length >= 50, `${writeAttempts.length} write attempts`);
  assert.ok(writeAttempts.filter((w) => w.effect === 'write').length >= 20, 'real writes');
  assert.ok(reads.length >= 50, `${reads.length} reads`);
});

test('every write attempt in the corpus is refused with its expected code', async () => {
  for (const attempt of writeAttempts) await assertRefused(attempt.query, attempt.expect, `${attempt.why}: ${attempt.query}`);
});

test('every read in the corpus is allowed', async () => {
  for (const read of reads) {
    const verdict = await assertAllowed(read.query, read.name);
    assert.ok(['select', 'values', 'explain', 'show'].includes(verdict.statementKind ?? ''), `${read.name}: ${verdict.statementKind}`);
  }
});

test('every read runs in DuckDB over the four test files loaded as tables, and returns rows', async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    for (const [table, file] of Object.entries(tables)) {
      await connection.run(`CREATE TABLE ${table} AS SELECT * FROM '${path.join(testdataDir, file).replaceAll("'", "''")}'`);
    }
    for (const read of reads) {
      const result = await connection.runAndReadAll(read.query);
      assert.ok(result.currentRowCount > 0, `${read.name} returned no rows`);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});

test('the write attempts marked as writes really fail on a read-only copy of the tables', async () => {
  // An in-memory database cannot be opened read-only, so attach a file copy READ_ONLY: what layer 2 relies on.
  const dir = tempDir();
  const file = path.join(dir.path, 'ro.duckdb');
  const writer = await DuckDBInstance.create(file);
  const w = await writer.connect();
  for (const [table, source] of Object.entries(tables)) await w.run(`CREATE TABLE ${table} AS SELECT * FROM '${path.join(testdataDir, source)}'`);
  w.closeSync();
  writer.closeSync();
  const reader = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const r = await reader.connect();
  try {
    for (const attempt of writeAttempts.filter((a) => a.effect === 'write')) {
      let ran = false;
      try {
        await r.run(attempt.query);
        ran = true;
      } catch {
        // expected
      }
      assert.not.ok(ran, `${attempt.query} ran on a read-only database`);
    }
    const count = await r.runAndReadAll('SELECT count(*) FROM titanic');
    assert.is(Number(count.getRows()[0]![0]), 891);
  } finally {
    r.closeSync();
    reader.closeSync();
    dir.remove();
  }
});

test('empty input, comments alone and bare semicolons are EMPTY_QUERY', async () => {
  for (const sql of ['', '  \n', '-- just a comment', '/* nothing */', ';', ' ; ; ']) {
    assert.equal(codes(await check(sql)), ['EMPTY_QUERY'], JSON.stringify(sql));
  }
});

test('a query over the length cap is TOO_LONG', async () => {
  const verdict = await check(`SELECT '${'x'.repeat(MAX_DUCKDB_QUERY_LENGTH)}'`);
  assert.equal(codes(verdict), ['TOO_LONG']);
  assert.match(verdict.reasons[0]!.message, /limit is 100,000/);
});

test('parse errors are never allowed and say where', async () => {
  for (const sql of ['SELEC 1', 'SELECT FROM WHERE', "SELECT 'open", 'SELECT (1', 'SELECT * FROM', 'EXPLAIN (FORMAT json SELECT 1']) {
    const verdict = await check(sql);
    assert.is(verdict.allowed, false, sql);
    assert.equal(codes(verdict), ['PARSE_ERROR'], sql);
  }
  const verdict = await check('SELEC 1');
  assert.is(verdict.reasons[0]!.position, 0);
  assert.match(verdict.reasons[0]!.message, /^DuckDB cannot parse the query: syntax error at or near "SELEC"\.$/);
});

test('exactly one statement, whatever hides the separator', async () => {
  await assertAllowed('SELECT 1;');
  await assertAllowed("SELECT ';' AS a /* ; */ -- ;");
  for (const sql of ['SELECT 1; SELECT 2', 'SELECT 1; DELETE FROM t', "SELECT $x$;$x$; ATTACH 'x'", 'EXPLAIN SELECT 1; SELECT 2']) {
    assert.match((await assertRefused(sql, 'MULTIPLE_STATEMENTS')).reasons[0]!.message, /has 2 statements/);
  }
});

test('every kind of non-query statement is NOT_A_QUERY and named in the message', async () => {
  const cases: Array<[string, string, RegExp]> = [
    ['INSERT INTO t VALUES (1)', 'insert', /^INSERT is not allowed/],
    ['UPDATE t SET a = 1', 'update', /^UPDATE is not allowed/],
    ['DELETE FROM t', 'delete', /^DELETE is not allowed/],
    ['CREATE TABLE t (a INT)', 'create', /^CREATE TABLE is not allowed/],
    ['DROP VIEW v', 'drop', /^DROP VIEW is not allowed/],
    ['SET threads = 1', 'set', /^SET is not allowed/],
    ["COPY t TO 'x.csv'", 'copy', /^COPY is not allowed/],
    ["ATTACH 'x.duckdb'", 'attach', /^ATTACH is not allowed/],
    ['INSTALL spatial', 'install', /^INSTALL is not allowed/],
    ['LOAD spatial', 'load', /^LOAD is not allowed/],
    ['PRAGMA database_size', 'pragma', /^PRAGMA is not allowed/],
    ['CALL pragma_version()', 'call', /^CALL is not allowed/],
    ["EXPORT DATABASE 'x'", 'export', /^EXPORT DATABASE is not allowed/],
    ['CHECKPOINT', 'checkpoint', /^CHECKPOINT is not allowed/],
    ['VACUUM', 'vacuum', /^VACUUM is not allowed/],
    ['BEGIN', 'begin', /^BEGIN is not allowed/],
  ];
  for (const [sql, kind, message] of cases) {
    const verdict = await assertRefused(sql, 'NOT_A_QUERY');
    assert.is(verdict.statementKind, kind, sql);
    assert.match(verdict.reasons[0]!.message, message);
    assert.match(verdict.reasons[0]!.message, /only queries that read/);
  }
  assert.match((await assertRefused('PIVOT titanic ON Pclass USING count(*)', 'NOT_A_QUERY')).reasons[0]!.message, /SELECT \* FROM \(PIVOT/);
  // Without an IN list DuckDB expands a PIVOT into a CREATE TYPE plus the query, even inside a subquery.
  assert.match((await assertRefused('SELECT * FROM (PIVOT titanic ON Pclass USING count(*))', 'MULTIPLE_STATEMENTS')).reasons[0]!.message, /IN list/);
});

test('EXPLAIN is checked like the query it explains, and never with ANALYZE', async () => {
  for (const sql of ['EXPLAIN SELECT 1', 'EXPLAIN FROM titanic', 'EXPLAIN (FORMAT json) SELECT 1', "EXPLAIN (FORMAT 'json') SELECT 1", '/* c */ EXPLAIN -- c\n SELECT 1', 'explain select 1']) {
    assert.is((await assertAllowed(sql)).statementKind, 'explain');
  }
  for (const sql of ['EXPLAIN ANALYZE SELECT 1', 'EXPLAIN ANALYSE SELECT 1', 'EXPLAIN (ANALYZE) SELECT 1', 'EXPLAIN (FORMAT json, ANALYZE) SELECT 1', 'explain analyze select 1']) {
    await assertRefused(sql, 'EXPLAIN_ANALYZE');
  }
  await assertRefused("EXPLAIN SELECT * FROM read_csv('/etc/passwd')", 'FILE_ACCESS');
  await assertRefused("EXPLAIN (FORMAT json) SELECT getenv('HOME')", 'FILE_ACCESS');
  const position = (await assertRefused("EXPLAIN (FORMAT json) SELECT * FROM read_csv('x')", 'FILE_ACCESS')).reasons[0]!.position!;
  assert.is(position, "EXPLAIN (FORMAT json) SELECT * FROM ".length);
  for (const sql of ['EXPLAIN DELETE FROM t', 'EXPLAIN (FORMAT json) UPDATE t SET a = 1', "EXPLAIN COPY t TO 'x'"]) {
    assert.match((await assertRefused(sql, 'NOT_A_QUERY')).reasons[0]!.message, /^EXPLAIN of /);
  }
});

test('file and environment readers are refused in every position, however spelled', async () => {
  const shapes = [
    'SELECT * FROM %',
    'FROM %',
    'SELECT (SELECT count(*) FROM %)',
    'SELECT * FROM titanic WHERE Name IN (SELECT * FROM %)',
    'WITH c AS (SELECT * FROM %) SELECT * FROM c',
    'SELECT * FROM titanic, LATERAL (SELECT * FROM %) x',
    'SELECT 1 UNION ALL SELECT count(*) FROM %',
    'SELECT * FROM titanic JOIN % ON true',
    'DESCRIBE SELECT * FROM %',
    'SUMMARIZE SELECT * FROM %',
    'SELECT * FROM (PIVOT % ON a IN (1, 2) USING count(*))',
  ];
  for (const shape of shapes) {
    for (const call of ["read_csv('/etc/passwd')", "READ_CSV('/etc/passwd')", "main.read_csv('/etc/passwd')", '"read_csv"(\'/etc/passwd\')', "read_parquet('x.parquet')", "glob('*')"]) {
      const sql = shape.replace('%', call);
      const verdict = await assertRefused(sql, 'FILE_ACCESS');
      const reason = verdict.reasons.find((r) => r.code === 'FILE_ACCESS')!;
      assert.ok(reason.position !== undefined && /^("?main"?\.)?"?(read_|glob)/i.test(sql.slice(reason.position)), `${sql} @${reason.position}`);
    }
  }
  for (const shape of ['SELECT %', 'SELECT * FROM titanic WHERE Name = %', 'SELECT * FROM titanic ORDER BY %', 'SELECT coalesce(NULL, %)', 'SELECT [%]', 'SELECT list_transform([1], x -> %)']) {
    await assertRefused(shape.replace('%', "getenv('HOME')"), 'FILE_ACCESS');
  }
});

test('refused readers and SQL runners say what they would have done', async () => {
  const cases: Array<[string, 'FILE_ACCESS' | 'FORBIDDEN_FUNCTION']> = [
    ["read_csv('x')", 'FILE_ACCESS'],
    ["read_csv_auto('x')", 'FILE_ACCESS'],
    ["read_json('x')", 'FILE_ACCESS'],
    ["read_json_auto('x')", 'FILE_ACCESS'],
    ["read_json_objects('x')", 'FILE_ACCESS'],
    ["read_ndjson('x')", 'FILE_ACCESS'],
    ["read_ndjson_auto('x')", 'FILE_ACCESS'],
    ["read_parquet('x')", 'FILE_ACCESS'],
    ["parquet_scan('x')", 'FILE_ACCESS'],
    ["parquet_metadata('x')", 'FILE_ACCESS'],
    ["parquet_schema('x')", 'FILE_ACCESS'],
    ["parquet_file_metadata('x')", 'FILE_ACCESS'],
    ["parquet_kv_metadata('x')", 'FILE_ACCESS'],
    ["read_text('x')", 'FILE_ACCESS'],
    ["read_blob('x')", 'FILE_ACCESS'],
    ["glob('x')", 'FILE_ACCESS'],
    ["sniff_csv('x')", 'FILE_ACCESS'],
    ["iceberg_scan('x')", 'FILE_ACCESS'],
    ["iceberg_metadata('x')", 'FILE_ACCESS'],
    ["delta_scan('x')", 'FILE_ACCESS'],
    ["postgres_scan('a', 'b', 'c')", 'FILE_ACCESS'],
    ["postgres_query('a', 'b')", 'FILE_ACCESS'],
    ["mysql_query('a', 'b')", 'FILE_ACCESS'],
    ["sqlite_scan('a', 'b')", 'FILE_ACCESS'],
    ["st_read('x.shp')", 'FILE_ACCESS'],
    ["read_xlsx('x.xlsx')", 'FILE_ACCESS'],
    ['duckdb_secrets()', 'FORBIDDEN_FUNCTION'],
    ["query('SELECT 1')", 'FORBIDDEN_FUNCTION'],
    ["query_table('t')", 'FORBIDDEN_FUNCTION'],
    ['checkpoint()', 'FORBIDDEN_FUNCTION'],
  ];
  for (const [call, code] of cases) {
    const verdict = await assertRefused(`SELECT * FROM ${call}`, code, call);
    assert.match(verdict.reasons[0]!.message, /^[a-z_]+ is not allowed: /, call);
  }
  assert.match((await assertRefused("SELECT getenv('X')", 'FILE_ACCESS')).reasons[0]!.message, /environment variables/);
});

test('table names that are paths or URLs are FILE_ACCESS; real table names are not', async () => {
  for (const sql of ["FROM 'data.csv'", 'FROM "data.csv"', 'FROM data.csv', 'FROM data.parquet', "FROM '/etc/passwd'", "FROM 'C:\\\\Users\\\\x.csv'", "FROM 'https://example.invalid/x.json'", "FROM 's3://b/*.parquet'", "FROM '~/notes.txt'", 'FROM main."x.parquet"', 'FROM "a.duckdb".main.t', "SUMMARIZE 'x.csv'", "DESCRIBE 'x.csv'"]) {
    assert.match((await assertRefused(sql, 'FILE_ACCESS')).reasons[0]!.message, /file path or URL/, sql);
  }
  for (const sql of ['FROM titanic', 'FROM main.titanic', 'SELECT * FROM memory.main.titanic', 'FROM information_schema.tables', 'SELECT t.Name FROM titanic AS t', 'FROM "titanic"']) {
    await assertAllowed(sql);
  }
});

test('locking, SELECT INTO and data-modifying CTEs get their own codes', async () => {
  await assertRefused('SELECT * FROM titanic FOR UPDATE', 'LOCKING_CLAUSE');
  await assertRefused('SELECT * FROM titanic FOR SHARE', 'LOCKING_CLAUSE');
  await assertRefused('SELECT * INTO t2 FROM titanic', 'SELECT_INTO');
  await assertRefused('WITH d AS (DELETE FROM titanic RETURNING *) SELECT * FROM d', 'WRITE_CTE');
  await assertRefused('WITH u AS (UPDATE titanic SET Age = 0 RETURNING *) SELECT * FROM u', 'WRITE_CTE');
});

test('words in strings, comments and identifiers are not calls', async () => {
  for (const sql of [
    "SELECT 'read_csv(''/etc/passwd'')' AS s, 'DELETE FROM titanic' AS note",
    'SELECT 1 AS "read_csv", 2 AS "delete", 3 AS update_count',
    "-- SELECT * FROM read_csv('/etc/passwd');\nSELECT 1 /* getenv('HOME') */",
    'SELECT $$; DROP TABLE titanic; $$ AS s',
    'SELECT read_count FROM (SELECT 1 AS read_count)',
    "SELECT 'a' || 'b', 3 ->> 0 IS NULL AS x",
  ]) {
    await assertAllowed(sql);
  }
});

test('concurrent validations share one parser without mixing answers', async () => {
  const inputs = [...reads.slice(0, 15).map((r) => r.query), ...writeAttempts.slice(0, 15).map((w) => w.query)];
  const verdicts = await Promise.all(inputs.map((sql) => check(sql)));
  verdicts.forEach((v, i) => assert.is(v.allowed, i < 15, inputs[i]));
});

test('deep nesting does not crash the checker', async () => {
  const depth = 500;
  await assertAllowed(`SELECT ${'('.repeat(depth)}1${')'.repeat(depth)}`);
  await assertRefused(`SELECT ${'coalesce('.repeat(depth)}getenv('x')${')'.repeat(depth)}`, 'FILE_ACCESS');
});

test('refusal messages are plain sentences', async () => {
  for (const attempt of writeAttempts) {
    for (const reason of (await check(attempt.query)).reasons) {
      assert.ok(reason.message.length >= 20, reason.message);
      assert.ok(/^[A-Z"a-z]/.test(reason.message), reason.message);
      assert.ok(/[.]$/.test(reason.message), reason.message);
      assert.not.match(reason.message, /undefined|\[object Object\]|error_type/);
    }
  }
});

test.run();
