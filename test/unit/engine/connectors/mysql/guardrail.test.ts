import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Verdict } from '../../../../../engine/contract/query.contract';
import { MAX_MYSQL_QUERY_LENGTH, validateMysqlQuery } from '../../../../../engine/connectors/mysql/guardrail';
import { reads, writeAttempts } from '../../../../fixtures/corpus/mysql';

const codes = (verdict: Verdict) => verdict.reasons.map((r) => r.code);

function assertRefused(sql: string, code: string, label = sql): Verdict {
  const verdict = validateMysqlQuery(sql);
  assert.is(verdict.allowed, false, `${label} was allowed`);
  assert.ok(codes(verdict).includes(code as never), `${label}: expected ${code}, got ${JSON.stringify(verdict.reasons)}`);
  return verdict;
}

function assertAllowed(sql: string, label = sql): Verdict {
  const verdict = validateMysqlQuery(sql);
  assert.equal(verdict.reasons, [], label);
  assert.ok(verdict.allowed, label);
  return verdict;
}

test('corpus sizes: at least 50 write attempts (most of them real writes) and 50 reads', () => {
  assert.ok(writeAttempts.length >= 50, `${writeAttempts.length} write attempts`);
  assert.ok(writeAttempts.filter((w) => w.effect === 'write').length >= 30, 'real writes');
  assert.ok(reads.length >= 50, `${reads.length} reads`);
});

test('every write attempt in the corpus is refused with its expected code', () => {
  for (const attempt of writeAttempts) assertRefused(attempt.query, attempt.expect, `${attempt.why}: ${attempt.query}`);
});

test('every read in the corpus is allowed, under either grammar first', () => {
  for (const read of reads) {
    const verdict = assertAllowed(read.query, read.name);
    assert.ok(['select', 'values', 'explain'].includes(verdict.statementKind ?? ''), `${read.name}: ${verdict.statementKind}`);
    assert.equal(validateMysqlQuery(read.query, { flavor: 'mysql' }), verdict, read.name);
  }
});

test('empty input, comments alone and bare semicolons are EMPTY_QUERY', () => {
  for (const sql of ['', '  \n', '-- note', '# note', '/* nothing */', ';', ' ; ;']) assert.equal(codes(validateMysqlQuery(sql)), ['EMPTY_QUERY'], JSON.stringify(sql));
});

test('a query over the length cap is TOO_LONG', () => {
  const verdict = validateMysqlQuery(`SELECT '${'x'.repeat(MAX_MYSQL_QUERY_LENGTH)}'`);
  assert.equal(codes(verdict), ['TOO_LONG']);
  assert.match(verdict.reasons[0]!.message, /limit is 100,000/);
});

test('parse errors are never allowed', () => {
  for (const sql of ['SELEC 1', 'SELECT FROM WHERE', "SELECT 'open", 'SELECT (1', 'SELECT * FROM', 'SELECT 1 +', '`unclosed', 'SELECT 1 /* open comment', 'FOO BAR', '+1']) {
    const verdict = validateMysqlQuery(sql);
    assert.is(verdict.allowed, false, sql);
    assert.equal(codes(verdict), ['PARSE_ERROR'], sql);
    assert.type(verdict.reasons[0]!.position, 'number');
  }
  assert.match(validateMysqlQuery('SELECT * FROM Album WHERE').reasons[0]!.message, /could not be parsed as MySQL or MariaDB/);
  assert.match(validateMysqlQuery('SELECT a FROM t WHERE a = = 1').reasons[0]!.message, /near "= 1"/);
});

test('exactly one statement: trailing semicolons are fine, separators hidden in strings, names and comments are not separators', () => {
  assertAllowed('SELECT 1;');
  assertAllowed('SELECT 1 ; -- done');
  assertAllowed("SELECT ';' AS a, `;` FROM (SELECT 1 AS `;`) t /* ; */");
  const verdict = assertRefused('SELECT 1; SELECT 2', 'MULTIPLE_STATEMENTS');
  assert.is(verdict.reasons[0]!.position, 'SELECT 1; '.length);
  assertRefused("SELECT 'it''s'; SELECT 2", 'MULTIPLE_STATEMENTS');
  assertRefused('SELECT "a\\\\"; DELETE FROM t', 'MULTIPLE_STATEMENTS');
});

test('lexing follows the server: executable comments, bare --, # comments and backslash-escaped quotes', () => {
  for (const sql of ['SELECT 1 /*! , SLEEP(5) */', 'SELECT 1 /*!50700 , SLEEP(5) */', 'SELECT 1 /*M!100000 , SLEEP(5) */']) {
    assert.match(assertRefused(sql, 'PARSE_ERROR').reasons[0]!.message, /Executable comments/);
  }
  // MySQL obeys optimizer hints (MAX_EXECUTION_TIME would lift the time limit): refused like executable comments.
  assert.match(assertRefused('SELECT /*+ MAX_EXECUTION_TIME(100000) */ 1', 'PARSE_ERROR').reasons[0]!.message, /Optimizer hints/);
  assertAllowed('SELECT 1 /* + not a hint */');
  assertRefused('SELECT 1 --SLEEP(5)', 'FORBIDDEN_FUNCTION');
  assertRefused('SELECT 1--SLEEP(5)', 'FORBIDDEN_FUNCTION');
  assertAllowed('SELECT 1 -- SLEEP(5)');
  assertAllowed('SELECT 1 --\tSLEEP(5)');
  assertAllowed('SELECT 3--1 AS four');
  assertRefused('SELECT 1 #\n, SLEEP(5)', 'FORBIDDEN_FUNCTION');
  assertAllowed('SELECT 1 # , SLEEP(5)');
  for (const sql of ["SELECT 'a\\' , SLEEP(5) -- '", 'SELECT "a\\" , SLEEP(5) -- "']) {
    assert.match(assertRefused(sql, 'PARSE_ERROR').reasons[0]!.message, /backslash-escaped quote .* Double the quote/);
  }
  assertAllowed("SELECT 'C:\\\\temp\\\\', 'a\\_b', 'it''s', \"say \"\"hi\"\"\"");
  // A quoted variable name follows string rules: the same escape would shift every later quote.
  assertRefused("SELECT @'a\\'' , SLEEP(1) , '''", 'PARSE_ERROR');
});

test('every kind of non-query statement is NOT_A_QUERY and named in the message', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['INSERT INTO t VALUES (1)', 'insert', /^INSERT is not allowed/],
    ['REPLACE INTO t VALUES (1)', 'replace', /^REPLACE is not allowed/],
    ['UPDATE t SET a = 1', 'update', /^UPDATE is not allowed/],
    ['DELETE FROM t', 'delete', /^DELETE is not allowed/],
    ['CREATE TABLE t (a INT)', 'create', /^CREATE TABLE is not allowed/],
    ['DROP VIEW v', 'drop', /^DROP VIEW is not allowed/],
    ['SET @a = 1', 'set', /^SET is not allowed/],
    ['SET NAMES latin1', 'set', /^SET is not allowed/],
    ['CALL p()', 'call', /^CALL is not allowed/],
    ['DO 1', 'do', /^DO is not allowed/],
    ['GRANT SELECT ON *.* TO x', 'grant', /^GRANT is not allowed/],
    ["LOAD DATA LOCAL INFILE 'x' INTO TABLE t", 'load', /^LOAD DATA is not allowed/],
    ["PREPARE s FROM 'SELECT 1'", 'prepare', /^PREPARE is not allowed/],
    ['EXECUTE s', 'execute', /^EXECUTE is not allowed/],
    ['BEGIN', 'begin', /^BEGIN is not allowed/],
    ['SHOW DATABASES', 'show', /^SHOW DATABASES is not allowed/],
    ['USE mysql', 'use', /^USE is not allowed/],
    ['ANALYZE TABLE t', 'analyze', /^ANALYZE TABLE is not allowed/],
  ];
  for (const [sql, kind, message] of cases) {
    const verdict = assertRefused(sql, 'NOT_A_QUERY');
    assert.is(verdict.statementKind, kind, sql);
    assert.match(verdict.reasons[0]!.message, message);
    assert.match(verdict.reasons[0]!.message, /only queries that read/);
  }
});

test('EXPLAIN is allowed for queries only, never with ANALYZE; MariaDB ANALYZE <statement> is refused', () => {
  for (const sql of ['EXPLAIN SELECT 1', 'EXPLAIN EXTENDED SELECT * FROM t', 'EXPLAIN FORMAT=JSON SELECT * FROM t', 'EXPLAIN FORMAT = TRADITIONAL SELECT 1', 'DESCRIBE SELECT 1', 'EXPLAIN WITH x AS (SELECT 1) SELECT * FROM x']) {
    assert.is(assertAllowed(sql).statementKind, 'explain');
  }
  assertRefused('EXPLAIN SELECT SLEEP(1)', 'FORBIDDEN_FUNCTION');
  for (const sql of ['EXPLAIN ANALYZE SELECT 1', 'ANALYZE SELECT 1', 'ANALYZE FORMAT=JSON SELECT 1']) assertRefused(sql, 'EXPLAIN_ANALYZE');
  assert.equal(codes(validateMysqlQuery('ANALYZE DELETE FROM t')), ['EXPLAIN_ANALYZE', 'NOT_A_QUERY']);
  assert.equal(codes(validateMysqlQuery('EXPLAIN ANALYZE DELETE FROM t')), ['EXPLAIN_ANALYZE', 'NOT_A_QUERY']);
  for (const sql of ['EXPLAIN DELETE FROM t', 'EXPLAIN UPDATE t SET a = 1', 'EXPLAIN t', 'DESCRIBE t', 'EXPLAIN FOR CONNECTION 5']) {
    assert.match(assertRefused(sql, 'NOT_A_QUERY').reasons[0]!.message, /^EXPLAIN of /, sql);
  }
});

test('INTO OUTFILE/DUMPFILE, INTO @variables and := are refused wherever they sit', () => {
  assertRefused("SELECT * FROM t INTO OUTFILE '/tmp/x'", 'FILE_ACCESS');
  assertRefused("SELECT * INTO OUTFILE '/tmp/x' FROM t", 'FILE_ACCESS');
  assertRefused("SELECT a INTO DUMPFILE '/tmp/x' FROM t", 'FILE_ACCESS');
  assertRefused("SELECT * FROM t INTO OUTFILE '/tmp/x' FIELDS TERMINATED BY ',' LINES TERMINATED BY '\\n'", 'FILE_ACCESS');
  assertRefused('SELECT 1 INTO @x', 'VARIABLE_ASSIGNMENT');
  assertRefused('SELECT a, b INTO @x, @y FROM t LIMIT 1', 'VARIABLE_ASSIGNMENT');
  assertRefused('SELECT a INTO local_var FROM t', 'SELECT_INTO');
  for (const sql of ['SELECT @x := 1', 'SELECT (@x := 1)', 'SELECT a FROM t WHERE (@x := a) > 0', 'SELECT a FROM t ORDER BY @n := @n + 1', 'SELECT @`quoted` := 2', "SELECT @'q' := 2"]) {
    assert.match(assertRefused(sql, 'VARIABLE_ASSIGNMENT').reasons[0]!.message, /changes session state/);
  }
  assertAllowed('SELECT @x, @@version, @@session.sql_mode');
  assertAllowed("SELECT 'INTO OUTFILE', 'a := b', `into` FROM (SELECT 1 AS `into`) t");
});

test('locking clauses are refused, also inside subqueries', () => {
  for (const sql of ['SELECT * FROM t FOR UPDATE', 'SELECT * FROM t FOR UPDATE SKIP LOCKED', 'SELECT * FROM t FOR UPDATE WAIT 5', 'SELECT * FROM t LOCK IN SHARE MODE', 'SELECT * FROM t FOR SHARE', 'SELECT a FROM t WHERE a IN (SELECT b FROM u FOR UPDATE)', 'SELECT * FROM (SELECT * FROM t LOCK IN SHARE MODE) x']) {
    assert.match(assertRefused(sql, 'LOCKING_CLAUSE').reasons[0]!.message, /locks rows/);
  }
});

test('forbidden functions are found in every position, however they are spelled', () => {
  const shapes = [
    'SELECT %',
    'SELECT * FROM t WHERE % = 0',
    'SELECT * FROM t ORDER BY %',
    'SELECT a FROM t GROUP BY a, %',
    'SELECT a FROM t GROUP BY a HAVING % = 0',
    'SELECT * FROM t JOIN u ON % = 0',
    'SELECT (SELECT %)',
    'SELECT * FROM t WHERE a IN (SELECT %)',
    'SELECT * FROM (SELECT % AS x) d',
    'WITH c AS (SELECT % AS x) SELECT * FROM c',
    'SELECT 1 UNION SELECT %',
    'SELECT IF(1, %, 0)',
    'SELECT CASE WHEN 1 THEN % END',
    'SELECT COALESCE(NULL, %)',
    'SELECT ROW_NUMBER() OVER (ORDER BY %) FROM t',
    'EXPLAIN SELECT %',
    'VALUES (%)',
  ];
  const spellings: Array<[string, RegExp]> = [
    ['SLEEP(1)', /^SLEEP is not allowed: it can block the database\.$/],
    ['sleep(1)', /^SLEEP is not allowed: it can block the database\.$/],
    ['Sleep (1)', /^SLEEP is not allowed: it can block the database\.$/],
    ['SLEEP/**/(1)', /^SLEEP is not allowed: it can block the database\.$/],
    ['`SLEEP`(1)', /^Quoted function names .* are not allowed/],
    ['"SLEEP"(1)', /^Quoted function names .* are not allowed/],
    ['mysql.SLEEP(1)', /^mysql\.SLEEP is a stored function/],
    ['db.`sleep`(1)', /^db\.sleep is a stored function/],
  ];
  for (const shape of shapes) {
    for (const [call, message] of spellings) {
      const sql = shape.replace('%', call);
      const verdict = assertRefused(sql, 'FORBIDDEN_FUNCTION');
      const reason = verdict.reasons.find((r) => r.code === 'FORBIDDEN_FUNCTION')!;
      assert.match(reason.message, message, sql);
      assert.match(sql.slice(reason.position!), /^(mysql\.|db\.)?[`"]?sleep/i, sql);
    }
  }
});

test('the deny-list covers each named function', () => {
  const cases: Array<[string, 'FORBIDDEN_FUNCTION' | 'FILE_ACCESS', RegExp]> = [
    ['SLEEP(1)', 'FORBIDDEN_FUNCTION', /block the database/],
    ["BENCHMARK(10, MD5('x'))", 'FORBIDDEN_FUNCTION', /block the database/],
    ["GET_LOCK('a', 1)", 'FORBIDDEN_FUNCTION', /named locks/],
    ["RELEASE_LOCK('a')", 'FORBIDDEN_FUNCTION', /named locks/],
    ['RELEASE_ALL_LOCKS()', 'FORBIDDEN_FUNCTION', /named locks/],
    ["IS_FREE_LOCK('a')", 'FORBIDDEN_FUNCTION', /named locks/],
    ["IS_USED_LOCK('a')", 'FORBIDDEN_FUNCTION', /named locks/],
    ["LOAD_FILE('/etc/passwd')", 'FILE_ACCESS', /reads a file/],
    ["MASTER_POS_WAIT('f', 4)", 'FORBIDDEN_FUNCTION', /replication/],
    ["SOURCE_POS_WAIT('f', 4)", 'FORBIDDEN_FUNCTION', /replication/],
    ["MASTER_GTID_WAIT('0-1-1')", 'FORBIDDEN_FUNCTION', /replication/],
    ["WAIT_FOR_EXECUTED_GTID_SET('x')", 'FORBIDDEN_FUNCTION', /replication/],
    ["WAIT_UNTIL_SQL_THREAD_AFTER_GTIDS('x')", 'FORBIDDEN_FUNCTION', /replication/],
    ['NEXTVAL(s)', 'FORBIDDEN_FUNCTION', /sequence/],
    ['SETVAL(s, 1)', 'FORBIDDEN_FUNCTION', /sequence/],
    ['LAST_INSERT_ID(1)', 'FORBIDDEN_FUNCTION', /session state/],
    ["SYS_EXEC('id')", 'FORBIDDEN_FUNCTION', /operating-system/],
    ["sys_eval('id')", 'FORBIDDEN_FUNCTION', /operating-system/],
  ];
  for (const [call, code, why] of cases) assert.match(assertRefused(`SELECT ${call}`, code).reasons[0]!.message, why, call);
  assertRefused('SELECT NEXT VALUE FOR s', 'FORBIDDEN_FUNCTION');
});

test('functions that report earlier statements on the pooled connection are refused as session state', () => {
  for (const fn of ['LAST_INSERT_ID()', 'ROW_COUNT()', 'FOUND_ROWS()', 'CONNECTION_ID()', 'UUID_SHORT()']) {
    assertRefused(`SELECT ${fn}`, 'FORBIDDEN_FUNCTION');
  }
});

test('ordinary functions and words in strings or names are allowed', () => {
  for (const sql of [
    'SELECT DATABASE(), USER(), CURRENT_USER(), VERSION(), NOW(), UUID(), RAND()',
    "SELECT 'SLEEP(10)' AS s, 'DELETE FROM t; DROP TABLE t' AS note",
    'SELECT 1 AS update_count, 2 AS `delete`, 3 AS `sleep`, 4 AS `SLEEP(1)`',
    'SELECT sleep FROM (SELECT 1 AS sleep) t',
    "SELECT JSON_VALUE('{\"a\":1}', '$.a'), JSON_EXTRACT('[1,2]', '$[1]')",
    "SELECT doc->'$.a', doc->>'$.b' FROM t",
  ]) {
    assertAllowed(sql);
  }
});

test('VALUES and TABLE statements are checked like the SELECT they stand for', () => {
  assert.is(assertAllowed('VALUES (1, 2), (3, 4)').statementKind, 'values');
  assert.is(assertAllowed('TABLE Album ORDER BY AlbumId LIMIT 5').statementKind, 'table');
  assertRefused('VALUES (SLEEP(1))', 'FORBIDDEN_FUNCTION');
  assertRefused('TABLE Album INTO OUTFILE \'/tmp/x\'', 'FILE_ACCESS');
  assertRefused('VALUES (1) INTO @x', 'VARIABLE_ASSIGNMENT');
});

test('refusal messages are plain sentences', () => {
  for (const attempt of writeAttempts) {
    for (const reason of validateMysqlQuery(attempt.query).reasons) {
      assert.ok(reason.message.length >= 20, reason.message);
      assert.ok(/^[A-Z]/.test(reason.message), reason.message);
      assert.ok(/[.]$/.test(reason.message), reason.message);
      assert.not.match(reason.message, /undefined|\[object Object\]|Expected "/);
    }
  }
});

test.run();
