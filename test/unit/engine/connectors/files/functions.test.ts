import { DuckDBInstance } from '@duckdb/node-api';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateDuckdbQuery } from '../../../../../engine/connectors/files/guardrail';
import { codes, guardrailAsserts } from '../../../../support/guardrail';

/**
 * The files guardrail decides functions and tables from allow-lists: DuckDB's
 * own catalog for functions, the source's tables for relations. These tests
 * walk the live catalog, then check the classes an attacker reaches for and
 * the analytical queries people write.
 */
const scope = { tables: ['titanic', 'people', 'weather'], database: 'files-abc123' };
const check = (sql: string) => validateDuckdbQuery(sql, scope);
const { assertRefused, assertAllowed } = guardrailAsserts(check);

interface CatalogRow {
  name: string;
  schema: string;
  type: string;
  stability: string | null;
  sideEffects: boolean | null;
}

async function liveCatalog(): Promise<CatalogRow[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll('SELECT DISTINCT function_name, schema_name, function_type, stability, has_side_effects FROM duckdb_functions()');
    return reader.getRowsJS().map(([name, schema, type, stability, sideEffects]) => ({
      name: String(name),
      schema: String(schema),
      type: String(type),
      stability: (stability as string | null) ?? null,
      sideEffects: (sideEffects as boolean | null) ?? null,
    }));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
/** Names that are only operators (`+`, `~~`) are called as operators, not by name. */
const callable = (name: string) => /^[a-z_][a-z0-9_]*$/i.test(name);

test('every function of the live catalog is decided by what DuckDB says about it', async () => {
  const catalog = await liveCatalog();
  const byName = new Map<string, CatalogRow[]>();
  for (const row of catalog) byName.set(row.name, [...(byName.get(row.name) ?? []), row]);
  const harmlessVolatile = new Set(['random', 'gen_random_uuid', 'uuid', 'uuidv4', 'uuidv7', 'error']);
  let checked = 0;
  for (const [name, rows] of byName) {
    if (!callable(name) || name === 'current_setting' || name === 'json_serialize_plan') continue;
    const kinds = rows.filter((r) => r.type === 'scalar' || r.type === 'aggregate');
    if (kinds.length === 0 || kinds.length !== rows.filter((r) => r.type !== 'table' && r.type !== 'pragma' && r.type !== 'table_macro').length) continue;
    const safe = kinds.every((r) => r.sideEffects === false && (r.type === 'aggregate' || r.stability !== 'VOLATILE')) || harmlessVolatile.has(name);
    const verdict = await check(`SELECT ${quoted(name)}()`);
    const refusedForFunction = verdict.reasons.some((r) => r.code === 'FORBIDDEN_FUNCTION' || r.code === 'FILE_ACCESS');
    assert.is(refusedForFunction, !safe, `${name}: ${JSON.stringify(rows)} -> ${JSON.stringify(verdict.reasons)}`);
    checked++;
  }
  assert.ok(checked > 500, `only ${checked} functions checked`);
});

test('no pragma and no table function outside the reviewed few can be read from', async () => {
  const reviewed = new Set(['range', 'generate_series', 'unnest', 'json_each', 'json_tree', 'duckdb_tables', 'duckdb_columns']);
  const catalog = await liveCatalog();
  const tableFunctions = [...new Set(catalog.filter((r) => r.type === 'table' || r.type === 'pragma' || r.type === 'table_macro').map((r) => r.name))];
  assert.ok(tableFunctions.length > 100);
  for (const name of tableFunctions) {
    const verdict = await check(`SELECT * FROM ${quoted(name)}()`);
    assert.is(verdict.allowed, reviewed.has(name), `${name}: ${JSON.stringify(verdict.reasons)}`);
  }
});

test('configuration, profiling and logging functions are refused', async () => {
  for (const call of ['enable_profiling()', 'disable_profiling()', 'enable_peg_parser()', 'disable_peg_parser()', 'check_peg_parser(\'SELECT 1\')', 'enable_logging()', 'disable_logging()', 'truncate_duckdb_logs()', 'duckdb_logs()', 'duckdb_profiling_settings()', 'checkpoint()', 'force_checkpoint()']) {
    await assertRefused(`SELECT * FROM ${call}`, 'FORBIDDEN_FUNCTION', call);
  }
  await assertRefused('PRAGMA enable_profiling', 'NOT_A_QUERY');
  await assertRefused("SET profiling_output = '/tmp/p.json'", 'NOT_A_QUERY');
  await assertRefused('CALL enable_peg_parser()', 'NOT_A_QUERY');
});

test('settings, extensions, databases and secrets cannot be listed; current_setting reads only settings without paths', async () => {
  for (const call of ['duckdb_settings()', 'duckdb_extensions()', 'duckdb_databases()', 'duckdb_secrets()', 'duckdb_temporary_files()', 'duckdb_memory()', 'duckdb_views()', 'duckdb_variables()', 'pragma_database_size()', 'pragma_show(\'titanic\')']) {
    await assertRefused(`SELECT * FROM ${call}`, 'FORBIDDEN_FUNCTION', call);
  }
  for (const setting of ['home_directory', 'temp_directory', 'extension_directory', 'secret_directory', 'allowed_paths', 'allowed_directories', 'profiling_output', 'log_query_path', 'HOME_DIRECTORY']) {
    await assertRefused(`SELECT current_setting('${setting}')`, 'FORBIDDEN_FUNCTION', setting);
  }
  // Named by anything but a literal, the setting is unknown until run time.
  await assertRefused("SELECT current_setting(s) FROM (SELECT 'threads' AS s)", 'FORBIDDEN_FUNCTION');
  await assertRefused("SELECT current_setting('thr' || 'eads')", 'FORBIDDEN_FUNCTION');
  for (const setting of ['threads', 'memory_limit', 'TimeZone']) await assertAllowed(`SELECT current_setting('${setting}')`);
  for (const view of ['duckdb_settings', 'duckdb_extensions', 'duckdb_databases', 'system.main.duckdb_settings', 'pg_catalog.pg_settings', 'information_schema.views', 'sqlite_master']) {
    assert.is((await check(`SELECT * FROM ${view}`)).allowed, false, view);
  }
});

test('volatile functions with effects on the session or the clock of others are refused', async () => {
  for (const call of ["setseed(0.1)", "nextval('s')", "currval('s')", 'sleep_ms(100)', "write_log('x')", 'pg_sleep(1)', 'pg_catalog.pg_sleep(1)', 'current_query()', 'stats(1)']) {
    await assertRefused(`SELECT ${call}`, 'FORBIDDEN_FUNCTION', call);
  }
  await assertAllowed('SELECT random(), gen_random_uuid(), uuid(), now(), current_date, today()');
});

test('macros are judged by their bodies: one reading the catalog or sleeping is refused, a list helper is not', async () => {
  for (const call of ['pg_get_viewdef(1)', 'get_block_size(\'x\')', 'format_type(1, 1)', 'pg_get_constraintdef(1)']) {
    await assertRefused(`SELECT ${call}`, 'FORBIDDEN_FUNCTION', call);
  }
  await assertAllowed("SELECT list_sum([1, 2]), array_to_string(['a'], ','), nullif(1, 2), date_add(DATE '2020-01-01', INTERVAL 1 DAY), pg_typeof(1), json_group_object(Name, Age) FROM titanic");
});

test('readers of files, URLs and other databases are refused in expressions and in FROM', async () => {
  for (const call of ["read_csv('/etc/passwd')", "read_text('/etc/hostname')", "read_blob('x')", "read_parquet('s3://b/x.parquet')", "parquet_metadata('x')", "glob('/home/*')", "sniff_csv('x')", "read_duckdb('x.duckdb')", "sqlite_scan('x', 't')", "query('SELECT 1')", "query_table('titanic')", "json_execute_serialized_sql('x')"]) {
    const verdict = await check(`SELECT * FROM ${call}`);
    assert.is(verdict.allowed, false, call);
    assert.ok(codes(verdict).some((c) => c === 'FILE_ACCESS' || c === 'FORBIDDEN_FUNCTION'), call);
  }
  await assertRefused("SELECT json_serialize_plan('SELECT length(repeat(''x'', 1000000000))')", 'FORBIDDEN_FUNCTION');
  await assertRefused("SELECT getenv('HOME')", 'FILE_ACCESS');
});

test('only the source\'s own tables can be read, however the name is qualified', async () => {
  for (const sql of ['FROM titanic', 'FROM main.titanic', 'FROM "files-abc123".main.titanic', 'FROM "files-abc123".titanic', 'FROM TITANIC', 'FROM "Titanic"', 'FROM information_schema.tables', 'FROM information_schema.columns', 'SHOW TABLES', 'DESCRIBE people', 'SUMMARIZE weather']) {
    await assertAllowed(sql);
  }
  await assertRefused('FROM other_db.main.titanic', 'CROSS_DATABASE');
  await assertRefused('FROM system.main.titanic', 'CROSS_DATABASE');
  await assertRefused('FROM temp.main.scratch', 'CROSS_DATABASE');
  await assertRefused('FROM payroll', 'FORBIDDEN_RELATION');
  await assertRefused('SHOW DATABASES', 'FORBIDDEN_RELATION');
  assert.match((await assertRefused('FROM payroll', 'FORBIDDEN_RELATION')).reasons[0]!.message, /its tables: titanic, people, weather/);
});

test('a CTE hides a table only where it is in scope, as DuckDB binds it', async () => {
  await assertAllowed('WITH t AS (SELECT 1 AS x) SELECT * FROM t');
  await assertAllowed('WITH a AS (SELECT 1 AS x), b AS (SELECT * FROM a) SELECT * FROM b');
  await assertAllowed('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) SELECT * FROM n');
  await assertAllowed('SELECT (WITH c AS (SELECT 2 AS y) SELECT y FROM c) AS z FROM titanic');
  // Outside the subquery that defines it, the name is the system view again.
  await assertRefused('SELECT * FROM (WITH duckdb_settings AS (SELECT 1) SELECT 1) AS x, duckdb_settings', 'FORBIDDEN_RELATION');
  // A non-recursive CTE does not see itself: the inner name is the system view.
  await assertRefused('WITH duckdb_settings AS (SELECT * FROM duckdb_settings) SELECT * FROM duckdb_settings', 'FORBIDDEN_RELATION');
  // A CTE does not see the ones after it.
  await assertRefused('WITH a AS (SELECT * FROM duckdb_settings), duckdb_settings AS (SELECT 1) SELECT * FROM a', 'FORBIDDEN_RELATION');
  await assertRefused('WITH t AS (SELECT 1) SELECT * FROM main.t', 'FORBIDDEN_RELATION');
});

test('analytical queries are allowed: windows, CTEs, dates, JSON, regex, lists and structs', async () => {
  const queries = [
    'SELECT Pclass, avg(Age), stddev(Fare), quantile_cont(Fare, [0.25, 0.5, 0.75]) FROM titanic GROUP BY ALL',
    'SELECT Name, rank() OVER w, dense_rank() OVER w, percent_rank() OVER w, cume_dist() OVER w, ntile(4) OVER w FROM titanic WINDOW w AS (PARTITION BY Pclass ORDER BY Fare)',
    'SELECT Name, lead(Fare, 1, 0) OVER (ORDER BY PassengerId), first_value(Name) OVER (PARTITION BY Pclass), nth_value(Name, 2) OVER (PARTITION BY Pclass ORDER BY Age) FROM titanic',
    "SELECT date_trunc('week', date), date_diff('day', min(date), max(date)), strftime(max(date), '%Y-%m'), last_day(min(date)), make_date(2016, 1, 1) FROM weather GROUP BY 1",
    "SELECT epoch(TIMESTAMP '2020-01-01'), to_timestamp(0), age(TIMESTAMP '2020-01-01', TIMESTAMP '2019-01-01'), extract(year FROM DATE '2020-03-04'), DATE '2020-01-01' + INTERVAL 3 MONTH",
    "SELECT json_extract('{\"a\": [1, 2]}', '$.a[0]'), json_keys('{\"a\": 1}'), json_array_length('[1, 2]'), '{\"a\": 1}'::JSON ->> 'a', json_valid('{}'), json_structure('{\"a\": 1}')",
    "SELECT regexp_extract(Name, '(Mr|Mrs)\\.', 1), regexp_replace(Name, '\\s+', ' ', 'g'), regexp_matches(Name, '^A'), Name SIMILAR TO 'A.*', Name ~ '^B' FROM titanic",
    "SELECT list_transform([1, 2, 3], x -> x * 2), list_filter([1, 2], lambda x: x > 1), list_sort([3, 1]), list_distinct([1, 1]), flatten([[1], [2]]), [1, 2, 3][2:3]",
    "SELECT struct_pack(a := 1, b := 'x'), {'k': 1}.k, map(['a'], [1])['a'], struct_extract({'a': 1}, 'a'), row(1, 2)",
    "SELECT upper(Name), lower(Name), left(Name, 3), lpad(Name, 30, '.'), concat_ws(', ', Name, Sex), levenshtein(Name, 'Smith'), md5(Name), hash(Name) FROM titanic",
    'SELECT Pclass, count(*) FILTER (WHERE Survived = 1) AS survived, bool_and(Age > 1), arg_min(Name, Age), list(Name ORDER BY Age)[1:3] FROM titanic GROUP BY ROLLUP (Pclass)',
    'SELECT * FROM titanic, range(3) AS r(i) WHERE i < Pclass',
    'SELECT unnest(generate_series(1, 3)) AS n, greatest(1, 2), least(3, 4), round(pi(), 2), log10(100), sqrt(16)',
    "SELECT CASE WHEN Age < 18 THEN 'child' ELSE 'adult' END, coalesce(Cabin, 'none'), ifnull(Age, 0), nullif(Fare, 0), Age BETWEEN 10 AND 20 FROM titanic",
    'SELECT t.Name, p.* FROM titanic t LEFT JOIN people p ON p.Person = t.Name ANTI JOIN weather w ON false',
    "SELECT * FROM (SELECT Name, Age FROM titanic) PIVOT (count(*) FOR Age IN (1, 2)) ",
    'FROM titanic SELECT Name QUALIFY row_number() OVER (PARTITION BY Pclass ORDER BY Fare DESC) <= 3 ORDER BY ALL LIMIT 10 OFFSET 2',
    'SELECT COLUMNS(c -> c LIKE \'%e\') FROM titanic',
    'SELECT * FROM titanic USING SAMPLE 10 ROWS',
    'SELECT typeof(Age), try_cast(Ticket AS INTEGER), Age::VARCHAR, format(\'{}-{}\', 1, 2), printf(\'%d\', 3) FROM titanic',
    'SELECT approx_count_distinct(Name), approx_quantile(Age, 0.5), mode(Pclass), entropy(Pclass), histogram(Pclass), string_agg(Name, \',\') FROM titanic',
    "SELECT * FROM json_each('{\"a\": 1, \"b\": 2}')",
    // Method syntax: the parser reads the column as a schema.
    'SELECT Name.upper(), Name.lower().length(), [1, 2].list_sum() FROM titanic',
  ];
  for (const sql of queries) await assertAllowed(sql);
});

test('expressions and clauses outside a plain read are refused by kind, not by name', async () => {
  await assertRefused("ATTACH '/tmp/x.duckdb' AS x", 'NOT_A_QUERY');
  await assertRefused("INSTALL httpfs", 'NOT_A_QUERY');
  await assertRefused("LOAD httpfs", 'NOT_A_QUERY');
  await assertRefused("COPY titanic TO '/tmp/t.csv'", 'NOT_A_QUERY');
  await assertRefused("EXPORT DATABASE '/tmp/x'", 'NOT_A_QUERY');
  await assertRefused('SET threads = 1', 'NOT_A_QUERY');
  await assertRefused("SET VARIABLE x = 1", 'NOT_A_QUERY');
  await assertRefused('RESET threads', 'NOT_A_QUERY');
  await assertRefused('USE other', 'NOT_A_QUERY');
  await assertRefused("CREATE MACRO m() AS 1", 'NOT_A_QUERY');
  await assertRefused('SELECT nonexistent_function(1)', 'FORBIDDEN_FUNCTION');
  await assertRefused('SELECT other.main.lower(Name) FROM titanic', 'FORBIDDEN_FUNCTION');
  await assertRefused('SELECT Name.getenv() FROM titanic', 'FILE_ACCESS');
});

test.run();
