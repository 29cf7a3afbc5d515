/**
 * DuckDB (file sources) attempts at doing more than reading the source's own
 * files, written against DuckDB 1.5. The harness imports a source from CSV and
 * JSON files (tables customers, orders, categories, events) and plants:
 *
 *   {{dir}}           a canary directory (files written there are seen); {{secretFile}} a text file,
 *                     {{secretCsv}} a CSV whose header and row are secrets ({{secretCsvHex}}: its path in hex),
 *                     {{secretJson}} a JSON file, {{otherDuckdb}} another DuckDB database and {{otherParquet}}
 *                     a Parquet file, each holding a secret
 *   {{sourceDir}}     the folder of the source's own files (inside {{dir}}, so ../private is outside the source)
 *   {{home}}          HOME of the process (DuckDB keeps extensions and persistent secrets below it)
 *   the environment   holds a secret (readable through /proc/self/environ)
 */
import { attacks, type Attack } from './types';

const S = 'duckdb';

const fileAccess = attacks(S, 'file-access', [
  ['read-csv', 'reads a CSV outside the source', `SELECT * FROM read_csv('{{secretCsv}}')`],
  ['read-csv-auto', 'the auto-detecting reader', `SELECT * FROM read_csv_auto('{{secretCsv}}', header = false)`],
  ['read-text', 'reads any file as text', `SELECT content FROM read_text('{{secretFile}}')`],
  ['read-blob', 'reads any file as bytes', `SELECT content FROM read_blob('{{secretFile}}')`],
  ['read-json', 'reads a JSON file outside the source', `SELECT * FROM read_json('{{secretJson}}')`],
  ['read-json-objects', 'reads a JSON file as raw objects', `SELECT * FROM read_json_objects('{{secretJson}}')`],
  ['read-parquet', 'reads a Parquet file outside the source', `SELECT * FROM read_parquet('{{otherParquet}}')`],
  ['replacement-scan-string', 'a file path as a table name (replacement scan)', `SELECT * FROM '{{secretCsv}}'`],
  ['replacement-scan-identifier', 'a file path as a double-quoted identifier', `SELECT * FROM "{{secretCsv}}"`],
  ['replacement-scan-joined', 'a replacement scan joined with a source table', `SELECT c.name, s.* FROM customers c, '{{secretCsv}}' s LIMIT 1`],
  ['replacement-scan-subquery', 'a replacement scan in a scalar subquery', `SELECT (SELECT count(*) FROM '{{secretCsv}}') AS n, (SELECT string_agg(x::VARCHAR, ',') FROM '{{secretCsv}}' AS t(x, y)) AS s`],
  ['glob', 'lists a directory', `SELECT * FROM glob('{{dir}}/*')`],
  ['glob-recursive', 'lists a directory tree', `SELECT * FROM glob('{{dir}}/**')`],
  ['read-text-glob', 'reads every file under a directory', `SELECT filename, content FROM read_text('{{dir}}/**/*.txt')`],
  ['proc-environ', 'the process environment (secrets, tokens, paths)', `SELECT content FROM read_text('/proc/self/environ')`],
  ['proc-cmdline', 'the process command line', `SELECT content FROM read_blob('/proc/self/cmdline')`],
  ['sniff-csv', 'sniff_csv reports a file\'s columns', `SELECT * FROM sniff_csv('{{secretCsv}}')`],
  ['describe-file', 'DESCRIBE of a file outside the source', `DESCRIBE SELECT * FROM '{{secretCsv}}'`],
  ['summarize-file', 'SUMMARIZE of a file outside the source', `SUMMARIZE SELECT * FROM '{{secretCsv}}'`],
  ['parquet-metadata', 'Parquet metadata of a file outside the source', `SELECT * FROM parquet_metadata('{{otherParquet}}')`],
  ['parquet-schema', 'the Parquet schema of a file outside the source', `SELECT * FROM parquet_schema('{{otherParquet}}')`],
  ['mixed-file-list', 'an allowed file and a forbidden one in one call', `SELECT * FROM read_csv(['{{sourceDir}}/customers.csv', '{{secretCsv}}'], union_by_name = true)`],
  ['path-traversal', 'a path that starts in the source folder and leaves it', `SELECT * FROM read_csv('{{sourceDir}}/../private/secret.csv')`],
  ['file-url', 'a file:// URL', `SELECT * FROM read_csv('file://{{secretCsv}}')`],
  ['filename-column', 'the filename option adds the path as a column', `SELECT * FROM read_csv('{{secretCsv}}', filename = true)`],
  ['copy-to', 'writes a file', `COPY (SELECT * FROM customers) TO '{{dir}}/out.csv'`],
  ['copy-to-parquet', 'writes a Parquet file', `COPY customers TO '{{dir}}/out.parquet' (FORMAT parquet)`],
  ['copy-to-relative', 'writes a file in the process\'s working directory', `COPY (SELECT 42 AS x) TO 'relative-out.csv'`],
  ['copy-from', 'reads a file into a table', `COPY customers FROM '{{secretCsv}}'`],
  ['export-database', 'writes the whole database to a folder', `EXPORT DATABASE '{{dir}}/export'`],
  ['attach-new-file', 'ATTACH creates a database file', `ATTACH '{{dir}}/new.duckdb' AS pst_new`],
  ['install-extension', 'downloads and installs an extension', `INSTALL httpfs`],
  ['force-install', 'reinstalls an extension', `FORCE INSTALL json`],
  ['install-from-directory', 'installs an extension from a chosen repository', `INSTALL pst FROM '{{dir}}'`],
  ['load-extension-path', 'loads native code from a path', `LOAD '{{dir}}/evil.duckdb_extension'`],
  ['profiling-output', 'profiling output written to a chosen file', `PRAGMA enable_profiling = 'json'; PRAGMA profiling_output = '{{dir}}/profile.json'; SELECT 1`],
  ['persistent-secret', 'a persistent secret is written below HOME', `CREATE PERSISTENT SECRET pst_secret (TYPE s3, KEY_ID 'pst', SECRET 'pst')`],
  ['temp-directory', 'spills to a chosen directory', `SET temp_directory = '{{dir}}/spill'`],
]);

const sqlInText = attacks(S, 'sql-in-text', [
  ['query-function', 'query() runs its text argument as SQL', `SELECT * FROM query('SELECT * FROM read_csv(''{{secretCsv}}'')')`],
  ['query-function-concat', 'query() over text built at run time', `SELECT * FROM query(concat('SELECT * FROM read_text(''', '{{secretFile}}', ''')'))`],
  ['query-table', 'query_table() takes a table name, and a file path works as one', `SELECT * FROM query_table('{{secretCsv}}')`],
  ['query-table-list', 'query_table() over a list mixing a source table and a file', `SELECT * FROM query_table(['customers', '{{secretCsv}}'], true)`],
  ['json-execute-serialized', 'a serialized plan executed from JSON text', `SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT * FROM read_csv(''{{secretCsv}}'')'))`],
  ['pragma-json-execute', 'the pragma form', `PRAGMA json_execute_serialized_sql(json_serialize_sql('SELECT * FROM read_text(''{{secretFile}}'')'))`],
  ['prepare-execute', 'PREPARE then EXECUTE in one text', `PREPARE pst_p AS SELECT * FROM read_csv($1); EXECUTE pst_p('{{secretCsv}}')`],
  ['macro-over-file', 'a temporary macro whose body reads a file', `CREATE TEMP MACRO pst_m() AS TABLE SELECT * FROM read_csv('{{secretCsv}}'); SELECT * FROM pst_m()`],
  ['sql-auto-complete', 'the autocomplete table function parses SQL text', `SELECT * FROM sql_auto_complete('SELECT * FROM read_csv(''{{secretCsv}}'')')`, { expect: 'contain' }],
]);

const sessionState = attacks(S, 'session-state', [
  ['enable-external-access', 'turns file and network access back on', `SET enable_external_access = true`],
  ['unlock-configuration', 'unlocks the configuration', `SET lock_configuration = false`],
  ['allowed-directories', 'widens the directories queries may read', `SET allowed_directories = ['/']`],
  ['allowed-paths', 'widens the paths queries may read', `SET allowed_paths = ['{{secretCsv}}']`],
  ['reset-setting', 'resets a setting the connector chose', `RESET enable_external_access`],
  ['memory-limit', 'raises the memory limit', `SET memory_limit = '100GB'`],
  ['threads', 'raises the thread count', `SET threads = 64`],
  ['global-setting', 'SET GLOBAL changes every connection of the instance', `SET GLOBAL threads = 1`],
  ['file-search-path', 'relative paths now resolve inside another folder', `SET file_search_path = '{{dir}}/private'`],
  ['search-path', 'changes name resolution for later queries', `SET search_path = 'temp,main'`],
  ['extension-directory', 'where extensions are installed from and loaded', `SET extension_directory = '{{dir}}'`],
  ['home-directory', 'moves ~ for later queries', `SET home_directory = '{{dir}}/private'`],
  ['custom-repository', 'an extension repository of the attacker\'s choosing', `SET custom_extension_repository = 'http://127.0.0.1:9/'`],
  ['enable-profiling', 'config and profiling functions (issue 9)', `PRAGMA enable_profiling`],
  ['enable-profiling-call', 'the table-function form', `SELECT * FROM enable_profiling()`],
  ['enable-logging', 'turns query logging on', `CALL enable_logging()`],
  ['set-variable', 'a session variable for later queries', `SET VARIABLE pst = 'pwned'`],
  ['temp-table', 'a temporary table in the session', `CREATE TEMP TABLE pst_t AS SELECT * FROM customers`],
  ['temp-view-shadowing', 'a temporary view that shadows a source table with a file outside the source', `CREATE OR REPLACE TEMP VIEW customers AS SELECT * FROM read_csv('{{secretCsv}}')`],
  ['temp-macro-shadowing', 'a temporary macro named like a built-in', `CREATE TEMP MACRO lower(x) AS 'pwned'`],
  ['attach-memory', 'ATTACH an in-memory database into the instance', `ATTACH ':memory:' AS pst_mem`],
  ['use-database', 'USE another catalog for later queries', `USE temp`],
  ['create-secret', 'a secret in the instance', `CREATE SECRET pst_s (TYPE s3, KEY_ID 'pst', SECRET 'pst')`],
  ['prepare', 'a prepared statement left in the session', `PREPARE pst_prepared AS SELECT 1`],
  ['detach', 'DETACH the source database', `DETACH DATABASE IF EXISTS pst_nothing`],
]);

const catalogSecret = attacks(S, 'catalog-secret', [
  ['duckdb-settings', 'every setting, with home, secret and temp directories (issue 9)', `SELECT name, value FROM duckdb_settings()`],
  ['current-setting-home', 'the home directory', `SELECT current_setting('home_directory'), current_setting('secret_directory')`],
  ['current-setting-temp', 'the spill directory', `SELECT current_setting('temp_directory')`],
  ['duckdb-databases', 'the path of the app\'s database file', `SELECT * FROM duckdb_databases()`],
  ['database-list', 'the pragma form', `PRAGMA database_list`],
  ['duckdb-extensions', 'extension install paths', `SELECT * FROM duckdb_extensions()`],
  ['duckdb-secrets', 'the instance\'s secrets', `SELECT * FROM duckdb_secrets()`],
  ['which-secret', 'which secret a path would use', `SELECT * FROM which_secret('s3://bucket/x', 's3')`],
  ['duckdb-logs', 'the query log', `SELECT * FROM duckdb_logs()`],
  ['temporary-files', 'spill files and their paths', `SELECT * FROM duckdb_temporary_files()`],
  ['external-file-cache', 'files other queries read', `SELECT * FROM duckdb_external_file_cache()`],
  ['storage-info', 'the storage layout of a table', `SELECT * FROM pragma_storage_info('customers')`],
  ['database-size', 'database size and paths', `PRAGMA database_size`],
  ['variables', 'session variables', `SELECT * FROM duckdb_variables()`],
]);

const crossDatabase = attacks(S, 'cross-database', [
  ['read-duckdb', 'reads a table from another DuckDB file', `SELECT * FROM read_duckdb('{{otherDuckdb}}', table_name = 'payroll')`],
  ['attach-other', 'ATTACH another DuckDB file and read it', `ATTACH '{{otherDuckdb}}' AS pst_other (READ_ONLY); SELECT * FROM pst_other.payroll`],
  ['attach-only', 'ATTACH another DuckDB file', `ATTACH '{{otherDuckdb}}' AS pst_other2 (READ_ONLY)`],
  ['replacement-scan-duckdb', 'a DuckDB file path as a table name', `SELECT * FROM '{{otherDuckdb}}'`],
  ['other-parquet-join', 'another Parquet file joined with a source table', `SELECT c.name, p.secret FROM customers c JOIN '{{otherParquet}}' p ON p.id = c.id`],
  ['qualified-other-catalog', 'a three-part name into another catalog', `SELECT * FROM pst_other.main.payroll`],
  ['system-catalog', 'tables of the system catalog', `SELECT * FROM system.information_schema.tables`, { expect: 'contain' }],
]);

const resourceBomb = attacks(S, 'resource-bomb', [
  ['repeat-folded', 'the preview constant-folds a 1.5 GB string (33 s and a crashed app in issue 9)', `SELECT length(repeat('x', 1500000000))`,
    { noForce: 'the issue reports this aborting the process; the preview must stop it, execution is not tried here' }],
  ['repeat-where-folded', 'a folded 400 MB constant in a WHERE clause', `SELECT * FROM customers WHERE name = repeat('x', 400000000)`,
    { noForce: 'a native allocation of this size in the test process' }],
  ['range-count', 'a trillion rows counted', `SELECT count(*) FROM range(1000000000000)`, { expect: 'contain' }],
  ['cross-join-range', 'a cross join of two ranges', `SELECT count(*) FROM range(1000000) a, range(1000000) b`, { expect: 'contain' }],
  ['recursive-cte', 'an unbounded recursive CTE', `WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r`, { expect: 'contain' }],
  ['list-huge', 'a list of 200 million elements', `SELECT list_sum(range(200000000))`, { expect: 'contain' }],
  ['string-agg-huge', 'a gigabyte aggregate', `SELECT length(string_agg(repeat('x', 1000), '')) FROM range(1000000)`, { expect: 'contain' }],
  ['order-by-random', 'sorts a billion rows', `SELECT * FROM range(1000000000) ORDER BY random() LIMIT 1`, { expect: 'contain' }],
  ['regex', 'a backtracking-style regular expression (RE2 is linear)', `SELECT regexp_matches(repeat('a', 100000) || 'b', '(a+)+$')`, { expect: 'contain' }],
  ['huge-result', 'a 300 MB result: must stop at the byte cap', `SELECT repeat('x', 300000000) AS x`, { expect: 'contain' }],
  ['deep-nesting', 'ten thousand nested parentheses', `SELECT ${'('.repeat(10_000)}1${')'.repeat(10_000)}`],
  ['long-text', 'a query of several megabytes', `SELECT 1 AS x /* ${'x'.repeat(4_000_000)} */`],
]);

const encoding = attacks(S, 'encoding', [
  ['upper-case', 'an upper-case function name', `SELECT * FROM READ_CSV('{{secretCsv}}')`],
  ['quoted-function', 'a quoted function name', `SELECT * FROM "read_csv"('{{secretCsv}}')`],
  ['comment-before-paren', 'a comment between name and arguments', `SELECT * FROM read_csv/**/('{{secretCsv}}')`],
  ['nested-comment', 'a nested comment before the call', `SELECT 1 /* a /* b */ c */, (SELECT count(*) FROM read_csv('{{secretCsv}}'))`],
  ['concat-path', 'the path concatenated from constants', `SELECT * FROM read_csv('{{dir}}' || '/private/' || 'secret.csv')`],
  ['hex-path', 'the path decoded from hex', `SELECT * FROM read_csv(decode(from_hex('{{secretCsvHex}}')))`],
  ['escape-string-path', 'an E string with escapes', `SELECT * FROM read_csv(E'{{secretCsvE}}')`],
  ['dollar-quoted-path', 'a dollar-quoted path', `SELECT * FROM read_csv($p\${{secretCsv}}$p$)`],
  ['list-path', 'the path inside a list', `SELECT * FROM read_csv(['{{secretCsv}}'])`],
  ['path-from-cte', 'the path from a CTE (table function arguments must be constant)', `WITH p AS (SELECT '{{secretCsv}}' AS f) SELECT * FROM read_csv((SELECT f FROM p))`],
  ['lateral-path', 'the path per row in a lateral join', `SELECT t.* FROM (VALUES ('{{secretCsv}}')) v(f), read_csv(v.f) t`],
  ['from-first', 'FROM-first syntax', `FROM '{{secretCsv}}' SELECT *`],
  ['pivot-file', 'PIVOT over a file outside the source', `PIVOT '{{secretCsv}}' ON b USING count(*)`],
  ['zero-width-space', 'a zero-width space in the function name', `SELECT * FROM read\u200b_csv('{{secretCsv}}')`],
  ['case-mixed-replacement', 'mixed-case extension in a replacement scan', `SELECT * FROM '{{secretCsvUpperExt}}'`],
  ['error-message-cast', 'a file\'s content in a cast error message', `SELECT content::INTEGER FROM read_text('{{secretFile}}')`],
]);

const writeDisguise = attacks(S, 'write-disguise', [
  ['two-statements', 'a read, then a write', `SELECT 1; DROP TABLE customers`],
  ['create-table-as', 'CREATE TABLE AS', `CREATE TABLE pst_copy AS SELECT * FROM customers`],
  ['insert', 'INSERT into a source table', `INSERT INTO categories VALUES (999, NULL, 'pwned')`],
  ['update', 'UPDATE a source row', `UPDATE customers SET name = 'pwned' WHERE id = 1`],
  ['delete', 'DELETE source rows', `DELETE FROM orders WHERE id = 1`],
  ['drop', 'DROP a source table', `DROP TABLE categories`],
  ['alter', 'ALTER adds a column to a source table', `ALTER TABLE customers ADD COLUMN pwned INTEGER`],
  ['create-view', 'CREATE VIEW', `CREATE VIEW pst_v AS SELECT 1`],
  ['checkpoint', 'CHECKPOINT writes the database file', `CHECKPOINT`],
  ['force-checkpoint', 'FORCE CHECKPOINT', `FORCE CHECKPOINT`],
  ['checkpoint-function', 'the table-function form', `SELECT * FROM checkpoint()`],
  ['vacuum', 'VACUUM rewrites the database file', `VACUUM`],
  ['insert-from-file', 'a file outside the source copied into a table', `INSERT INTO customers SELECT * FROM read_csv('{{secretCsv}}')`],
  ['begin-commit', 'an explicit transaction', `BEGIN TRANSACTION; DELETE FROM orders WHERE id = 2; COMMIT`],
  ['call-pragma', 'CALL of a pragma that writes', `CALL force_checkpoint()`],
]);

export const duckdbAttacks: Attack[] = [
  ...fileAccess,
  ...sqlInText,
  ...sessionState,
  ...catalogSecret,
  ...crossDatabase,
  ...encoding,
  ...writeDisguise,
  // Last: if a preview bomb takes the process down, everything above is already on record.
  ...resourceBomb,
];
