import { test } from 'uvu';
import { codes, guardrailAsserts } from '../../../../support/guardrail';
import * as assert from 'uvu/assert';
import {
  loadPostgresGuardrail,
  MAX_POSTGRES_QUERY_LENGTH,
  validatePostgresQuery,
  validatePostgresQuerySync,
} from '../../../../../engine/connectors/postgres/guardrail';
import { reads, writeAttempts } from '../../../../fixtures/corpus/postgres';
import { fixturePolicy } from '../../../../support/pg-catalog';

const policy = fixturePolicy();
const validate = (sql: string) => validatePostgresQuery(sql, policy);
const { assertRefused, assertAllowed } = guardrailAsserts(validate);

test('the parser loads once even when many validations start together', async () => {
  const verdicts = await Promise.all(Array.from({ length: 20 }, (_, i) => validate(`SELECT ${i}`)));
  assert.ok(verdicts.every((v) => v.allowed));
});

test('corpus sizes: at least 50 write attempts (most of them real writes) and 50 reads', () => {
  assert.ok(writeAttempts.length >= 50, `${writeAttempts.length} write attempts`);
  assert.ok(writeAttempts.filter((w) => w.effect === 'write').length >= 40, 'real writes');
  assert.ok(reads.length >= 50, `${reads.length} reads`);
});

test('every write attempt in the corpus is refused with its expected code', async () => {
  for (const attempt of writeAttempts) await assertRefused(attempt.query, attempt.expect, `${attempt.why}: ${attempt.query}`);
});

test('every read in the corpus is allowed', async () => {
  for (const read of reads) {
    const verdict = await assertAllowed(read.query, read.name);
    assert.ok(['select', 'values', 'explain'].includes(verdict.statementKind ?? ''), `${read.name}: ${verdict.statementKind}`);
  }
});

test('the sync variant gives the same verdicts once loaded', async () => {
  await loadPostgresGuardrail();
  for (const sql of [...writeAttempts.map((w) => w.query), ...reads.map((r) => r.query)]) {
    assert.equal(validatePostgresQuerySync(sql, policy), await validate(sql), sql);
  }
});

test('empty input, comments alone and bare semicolons are EMPTY_QUERY', async () => {
  for (const sql of ['', '   \n', '-- just a comment', '/* nothing */', ';', ' ; ; ']) {
    const verdict = await validate(sql);
    assert.equal(codes(verdict), ['EMPTY_QUERY'], JSON.stringify(sql));
  }
});

test('a query over the length cap is TOO_LONG before parsing', async () => {
  const sql = `SELECT '${'x'.repeat(MAX_POSTGRES_QUERY_LENGTH)}'`;
  const verdict = await validate(sql);
  assert.equal(codes(verdict), ['TOO_LONG']);
  assert.match(verdict.reasons[0]!.message, /limit is 100,000/);
});

test('parse errors are never allowed and point at the problem', async () => {
  for (const sql of ['SELEC 1', 'SELECT FROM WHERE', "SELECT 'open", 'SELECT (1', 'DELETE FROM', 'SELECT 1 +', 'SELECT * FROM album WHERE']) {
    const verdict = await assertRefused(sql, 'PARSE_ERROR');
    assert.match(verdict.reasons[0]!.message, /^PostgreSQL cannot parse the query: /);
  }
  const verdict = await validate('SELECT * FROM album WHERE title = = 1');
  assert.is(verdict.reasons[0]!.position, 'SELECT * FROM album WHERE title = '.length);
});

test('exactly one statement: a trailing semicolon is fine, a second statement is not', async () => {
  await assertAllowed('SELECT 1;');
  await assertAllowed('SELECT 1 ; -- done');
  const verdict = await assertRefused('SELECT 1; SELECT 2', 'MULTIPLE_STATEMENTS');
  assert.is(verdict.reasons[0]!.position, 'SELECT 1; '.length);
  await assertRefused('SELECT 1; SELECT 2; SELECT 3', 'MULTIPLE_STATEMENTS');
});

test('every kind of non-query statement is NOT_A_QUERY and named in the message', async () => {
  const cases: Array<[string, string, RegExp]> = [
    ['INSERT INTO genre VALUES (1)', 'insert', /^INSERT is not allowed/],
    ['UPDATE genre SET name = 1', 'update', /^UPDATE is not allowed/],
    ['DELETE FROM genre', 'delete', /^DELETE is not allowed/],
    ['SET search_path = x', 'variable_set', /^SET is not allowed/],
    ['SHOW search_path', 'variable_show', /^SHOW is not allowed/],
    ["COPY genre TO '/tmp/x'", 'copy', /^COPY is not allowed/],
    ['CALL p()', 'call', /^CALL is not allowed/],
    ["DO 'BEGIN END'", 'do', /^DO is not allowed/],
    ['GRANT SELECT ON genre TO PUBLIC', 'grant', /^GRANT or REVOKE is not allowed/],
    ['VACUUM genre', 'vacuum', /^VACUUM or ANALYZE is not allowed/],
    ['LISTEN x', 'listen', /^LISTEN is not allowed/],
    ['NOTIFY x', 'notify', /^NOTIFY is not allowed/],
    ['PREPARE p AS SELECT 1', 'prepare', /^PREPARE is not allowed/],
    ['EXECUTE p', 'execute', /^EXECUTE is not allowed/],
    ['BEGIN READ WRITE', 'transaction', /^Transaction control/],
    ['CREATE TEMP TABLE t (a int)', 'create', /^CREATE TABLE is not allowed/],
    ['ALTER SEQUENCE s RESTART', 'alter_seq', /^ALTER SEQ is not allowed/],
    ['SECURITY LABEL ON TABLE genre IS NULL', 'sec_label', /not allowed/],
  ];
  for (const [sql, kind, message] of cases) {
    const verdict = await assertRefused(sql, 'NOT_A_QUERY');
    assert.is(verdict.statementKind, kind, sql);
    assert.match(verdict.reasons[0]!.message, message);
    assert.match(verdict.reasons[0]!.message, /only queries that read/);
  }
});

test('EXPLAIN is allowed for queries, never with ANALYZE and never for writes', async () => {
  for (const sql of ['EXPLAIN SELECT 1', 'EXPLAIN VERBOSE SELECT * FROM album', 'EXPLAIN (FORMAT JSON) VALUES (1)', 'EXPLAIN (COSTS off) TABLE album', 'EXPLAIN WITH x AS (SELECT 1) SELECT * FROM x']) {
    assert.is((await assertAllowed(sql)).statementKind, 'explain');
  }
  for (const sql of ['EXPLAIN ANALYZE SELECT 1', 'EXPLAIN ANALYSE SELECT 1', 'EXPLAIN ANALYZE VERBOSE SELECT 1', 'EXPLAIN (ANALYZE) SELECT 1', 'EXPLAIN (ANALYZE true, TIMING off) SELECT 1', 'EXPLAIN (BUFFERS, ANALYZE) SELECT 1']) {
    await assertRefused(sql, 'EXPLAIN_ANALYZE');
  }
  const verdict = await assertRefused('EXPLAIN ANALYZE DELETE FROM album', 'EXPLAIN_ANALYZE');
  assert.equal(codes(verdict), ['EXPLAIN_ANALYZE', 'NOT_A_QUERY']);
  for (const sql of ['EXPLAIN DELETE FROM album', 'EXPLAIN CREATE TABLE t AS SELECT 1', 'EXPLAIN EXECUTE p']) {
    assert.match((await assertRefused(sql, 'NOT_A_QUERY')).reasons[0]!.message, /^EXPLAIN of /);
  }
});

test('data-modifying CTEs are refused at any depth; plain CTEs are fine', async () => {
  await assertAllowed('WITH a AS (SELECT 1 AS x), b AS (SELECT x + 1 FROM a) SELECT * FROM b');
  await assertAllowed('WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r');
  for (const [sql, word] of [
    ['WITH d AS (DELETE FROM album RETURNING *) SELECT 1', 'DELETE'],
    ['WITH u AS (UPDATE album SET title = 1 RETURNING *) SELECT 1', 'UPDATE'],
    ['WITH i AS (INSERT INTO album VALUES (1) RETURNING *) SELECT 1', 'INSERT'],
    ['WITH m AS (MERGE INTO genre g USING genre s ON true WHEN MATCHED THEN DELETE RETURNING *) SELECT 1', 'MERGE'],
    ['SELECT * FROM (WITH d AS (DELETE FROM album RETURNING *) SELECT * FROM d) s', 'DELETE'],
    ['SELECT 1 WHERE EXISTS (WITH d AS (DELETE FROM album RETURNING *) SELECT * FROM d)', 'DELETE'],
    ['WITH a AS (WITH b AS (UPDATE album SET title = 1 RETURNING *) SELECT * FROM b) SELECT * FROM a', 'UPDATE'],
  ] as const) {
    const verdict = await assertRefused(sql, 'WRITE_CTE');
    assert.match(verdict.reasons[0]!.message, new RegExp(`data-modifying ${word}`));
  }
});

test('SELECT INTO and every locking strength are refused, also inside subqueries', async () => {
  assert.match((await assertRefused('SELECT * INTO copy FROM album', 'SELECT_INTO')).reasons[0]!.message, /creates the table "copy"/);
  await assertRefused('SELECT * INTO UNLOGGED copy FROM album', 'SELECT_INTO');
  for (const strength of ['FOR UPDATE', 'FOR NO KEY UPDATE', 'FOR SHARE', 'FOR KEY SHARE']) {
    const verdict = await assertRefused(`SELECT * FROM album ${strength}`, 'LOCKING_CLAUSE');
    assert.ok(verdict.reasons[0]!.message.startsWith(`${strength} is not allowed`), verdict.reasons[0]!.message);
    await assertRefused(`SELECT * FROM (SELECT * FROM album ${strength}) s`, 'LOCKING_CLAUSE');
    await assertRefused(`WITH x AS (SELECT * FROM album ${strength} SKIP LOCKED) SELECT * FROM x`, 'LOCKING_CLAUSE');
  }
});

test('forbidden functions are found in every position a function can hide', async () => {
  const shapes = [
    'SELECT %',
    'SELECT * FROM album WHERE % IS NULL',
    'SELECT * FROM album ORDER BY %',
    'SELECT title FROM album GROUP BY title, %',
    'SELECT count(*) FROM album HAVING count(*) > 0 OR % IS NULL',
    'SELECT * FROM album LIMIT (SELECT 1 WHERE % IS NULL)',
    'SELECT * FROM album a JOIN artist b ON % IS NULL',
    'SELECT * FROM album a, LATERAL (SELECT %) s',
    'SELECT (SELECT %)',
    'SELECT 1 WHERE EXISTS (SELECT %)',
    'WITH c AS (SELECT %) SELECT * FROM c',
    'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n FROM r WHERE % IS NULL) SELECT * FROM r',
    'SELECT 1 UNION SELECT 2 EXCEPT SELECT %',
    'VALUES (1), (%)',
    'SELECT coalesce(NULL, %)',
    'SELECT CASE WHEN true THEN % END',
    'SELECT count(*) FILTER (WHERE % IS NULL) FROM album',
    'SELECT row_number() OVER (ORDER BY %) FROM album',
    'SELECT DISTINCT ON (%) 1',
    'SELECT ARRAY[%]',
    'SELECT (%)::text',
    'EXPLAIN SELECT %',
  ];
  for (const shape of shapes) {
    for (const call of ['pg_sleep(1)', 'pg_catalog.pg_sleep(1)', '"pg_sleep"(1)', 'PG_SLEEP(1)', '"pg_catalog"."pg_sleep"(1)']) {
      const sql = shape.replace('%', call);
      const verdict = await assertRefused(sql, 'FORBIDDEN_FUNCTION');
      const position = verdict.reasons.find((r) => r.code === 'FORBIDDEN_FUNCTION')!.position!;
      assert.ok(sql.slice(position).startsWith(call.replace(/\(1\)$/, '')), `${sql} @${position}`);
    }
  }
  for (const sql of ["SELECT currval('s')", 'SELECT lastval()']) await assertRefused(sql, 'FORBIDDEN_FUNCTION');
  for (const sql of ['SELECT * FROM pg_sleep(1)', 'SELECT * FROM ROWS FROM (generate_series(1, 2), pg_sleep(1))', 'SELECT * FROM album, pg_catalog.pg_sleep(1) s']) {
    await assertRefused(sql, 'FORBIDDEN_FUNCTION');
  }
});

test('every named family of side effects is refused, with a sentence saying why', async () => {
  const cases: Array<[string, 'FORBIDDEN_FUNCTION' | 'FILE_ACCESS', RegExp]> = [
    ['pg_sleep(1)', 'FORBIDDEN_FUNCTION', /blocks/],
    ["pg_sleep_for('1s')", 'FORBIDDEN_FUNCTION', /block/],
    ['pg_sleep_until(now())', 'FORBIDDEN_FUNCTION', /block/],
    ['pg_terminate_backend(1)', 'FORBIDDEN_FUNCTION', /other sessions/],
    ['pg_cancel_backend(1)', 'FORBIDDEN_FUNCTION', /other sessions/],
    ["set_config('a', 'b', false)", 'FORBIDDEN_FUNCTION', /session/],
    ["nextval('s')", 'FORBIDDEN_FUNCTION', /sequence/],
    ["setval('s', 1)", 'FORBIDDEN_FUNCTION', /sequence/],
    ['lo_create(0)', 'FORBIDDEN_FUNCTION', /large objects/],
    ['lo_open(1, 1)', 'FORBIDDEN_FUNCTION', /large objects/],
    ["lo_put(1, 0, 'x')", 'FORBIDDEN_FUNCTION', /large objects/],
    ['lo_unlink(1)', 'FORBIDDEN_FUNCTION', /large objects/],
    ['loread(1, 1)', 'FORBIDDEN_FUNCTION', /large objects/],
    ["lowrite(1, 'x')", 'FORBIDDEN_FUNCTION', /large objects/],
    ["lo_import('/x')", 'FILE_ACCESS', /file/],
    ["lo_export(1, '/x')", 'FILE_ACCESS', /file/],
    ["dblink('a', 'b')", 'FORBIDDEN_FUNCTION', /another database/],
    ["dblink_exec('a', 'b')", 'FORBIDDEN_FUNCTION', /another database/],
    ["dblink_connect('a')", 'FORBIDDEN_FUNCTION', /another database/],
    ["pg_read_file('x')", 'FILE_ACCESS', /files on the database server/],
    ["pg_read_binary_file('x')", 'FILE_ACCESS', /files/],
    ["pg_ls_dir('.')", 'FILE_ACCESS', /files on the database server/],
    ['pg_ls_logdir()', 'FILE_ACCESS', /files on the database server/],
    ['pg_ls_waldir()', 'FILE_ACCESS', /files on the database server/],
    ['pg_ls_tmpdir()', 'FILE_ACCESS', /files on the database server/],
    ["pg_stat_file('x')", 'FILE_ACCESS', /files/],
    ['pg_advisory_lock(1)', 'FORBIDDEN_FUNCTION', /advisory locks/],
    ['pg_advisory_xact_lock_shared(1)', 'FORBIDDEN_FUNCTION', /advisory locks/],
    ['pg_advisory_unlock_all()', 'FORBIDDEN_FUNCTION', /advisory/],
    ['pg_try_advisory_lock(1)', 'FORBIDDEN_FUNCTION', /advisory/],
    ["pg_notify('a', 'b')", 'FORBIDDEN_FUNCTION', /notification/],
    ['pg_reload_conf()', 'FORBIDDEN_FUNCTION', /server/],
    ['pg_rotate_logfile()', 'FORBIDDEN_FUNCTION', /server/],
    ['pg_switch_wal()', 'FORBIDDEN_FUNCTION', /server/],
    ["pg_create_restore_point('x')", 'FORBIDDEN_FUNCTION', /replication|server/],
    ['pg_promote()', 'FORBIDDEN_FUNCTION', /server/],
    ["pg_logical_emit_message(true, 'a', 'b')", 'FORBIDDEN_FUNCTION', /replication/],
    ["pg_create_physical_replication_slot('s')", 'FORBIDDEN_FUNCTION', /replication/],
    ["pg_drop_replication_slot('s')", 'FORBIDDEN_FUNCTION', /replication/],
    ["pg_logical_slot_get_changes('s', NULL, NULL)", 'FORBIDDEN_FUNCTION', /replication/],
    ["pg_replication_origin_create('o')", 'FORBIDDEN_FUNCTION', /replication/],
    ['pg_import_system_collations(1)', 'FORBIDDEN_FUNCTION', /server/],
    ['txid_current()', 'FORBIDDEN_FUNCTION', /transaction id/],
    ['pg_current_xact_id()', 'FORBIDDEN_FUNCTION', /transaction id/],
    ["query_to_xml('select 1', true, false, '')", 'FORBIDDEN_FUNCTION', /SQL given as text/],
    ["query_to_xml_and_xmlschema('select 1', true, false, '')", 'FORBIDDEN_FUNCTION', /SQL given as text/],
    ["query_to_xmlschema('select 1', true, false, '')", 'FORBIDDEN_FUNCTION', /SQL given as text/],
    ["cursor_to_xml('c', 1, true, false, '')", 'FORBIDDEN_FUNCTION', /SQL given as text/],
    ["database_to_xml(true, false, '')", 'FORBIDDEN_FUNCTION', /reads tables/],
    ["schema_to_xml('public', true, false, '')", 'FORBIDDEN_FUNCTION', /reads tables/],
    ["ts_stat('select 1')", 'FORBIDDEN_FUNCTION', /SQL given as text/],
    ["crosstab('select 1')", 'FORBIDDEN_FUNCTION', /SQL given as text/],
    ['pg_stat_reset()', 'FORBIDDEN_FUNCTION', /server/],
    ["pg_prewarm('album')", 'FORBIDDEN_FUNCTION', /stored or cached/],
  ];
  for (const [call, code, why] of cases) {
    const verdict = await assertRefused(`SELECT ${call}`, code);
    const message = verdict.reasons[0]!.message;
    // Reviewed names say why; other volatile functions say VOLATILE; extensions not installed here are unknown.
    assert.ok(why.test(message) || /VOLATILE|is not a function this database has/.test(message), `${call}: ${message}`);
    assert.match(message, /^[a-z_.]+ (is not allowed: |is not a function this database has)/, call);
  }
});

test('ordinary functions, casts and reads of settings are allowed', async () => {
  for (const sql of [
    "SELECT current_setting('search_path'), current_setting('work_mem', true)",
    "SELECT lower('A'), log(10), length('x'), lpad('a', 3), localtimestamp, now(), pg_backend_pid()",
    "SELECT 'album'::regclass, 'public'::regnamespace, CAST('1' AS int), '{\"a\":1}'::jsonb -> 'a'",
    "SELECT pg_relation_size('album'), pg_get_viewdef('pg_stat_activity'::regclass), pg_typeof(1)",
    'SELECT txid_current_if_assigned(), pg_current_xact_id_if_assigned()',
    "SELECT table_to_xmlschema_example FROM (SELECT 1 AS table_to_xmlschema_example) s",
  ]) {
    await assertAllowed(sql);
  }
});

test('words in strings, comments and identifiers are not calls', async () => {
  for (const sql of [
    "SELECT 'DELETE FROM x' AS note",
    "SELECT 'pg_sleep(10); DROP TABLE album' AS s",
    'SELECT 1 AS update_count, 2 AS "delete", 3 AS "pg_sleep", 4 AS "DROP TABLE"',
    'SELECT $body$ ; DELETE FROM album; $body$',
    "SELECT E'\\'; DELETE FROM album; --'",
    '-- DELETE FROM album;\nSELECT 1 /* ; DROP TABLE album; */',
    'SELECT pg_sleep FROM (SELECT 1 AS pg_sleep) s',
    'SELECT s.nextval FROM (SELECT 1 AS nextval) s',
  ]) {
    await assertAllowed(sql);
  }
});

test('a backslash before a quote in a plain string is refused: it reads differently with standard_conforming_strings off', async () => {
  const verdict = await assertRefused("SELECT 'a\\' , ' , pg_sleep(10) , ' AS y --'", 'PARSE_ERROR');
  assert.match(verdict.reasons[0]!.message, /standard_conforming_strings/);
  assert.is(verdict.reasons[0]!.position, "SELECT 'a".length);
  await assertRefused("SELECT 'x\\\\\\' , ' , pg_sleep(10) , ' --'", 'PARSE_ERROR');
  for (const sql of ["SELECT 'a\\\\' AS even_run", "SELECT E'it\\'s'", "SELECT 'x' ~ '\\d+'", "SELECT $$a\\'b$$", "SELECT 'C:\\temp' AS path"]) {
    await assertAllowed(sql);
  }
});

test('deep nesting does not crash the checker and still finds what is inside', async () => {
  const depth = 3000;
  await assertAllowed(`SELECT ${'('.repeat(depth)}1${')'.repeat(depth)}`);
  await assertRefused(`SELECT ${'coalesce('.repeat(depth)}pg_sleep(1)${')'.repeat(depth)}`, 'FORBIDDEN_FUNCTION');
});

test('refusal messages are plain sentences', async () => {
  for (const attempt of writeAttempts) {
    for (const reason of (await validate(attempt.query)).reasons) {
      assert.ok(reason.message.length >= 20, reason.message);
      assert.ok(/^[A-Z"a-z_]/.test(reason.message), reason.message);
      assert.ok(/[.]$/.test(reason.message), reason.message);
      assert.not.match(reason.message, /undefined|\[object Object\]|Stmt\b/);
    }
  }
});

test.run();
