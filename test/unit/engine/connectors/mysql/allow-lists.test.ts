/**
 * The allow-list decisions of the MySQL / MariaDB guardrail, with a source:
 * which tables, functions and variables a query may use. Accepted: the reads
 * analysts write. Refused: reads beyond the source, functions with effects,
 * and every spelling that could make the server read something else than
 * what was checked.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Verdict, VerdictReasonCode } from '../../../../../engine/contract/query.contract';
import { validateMysqlQuery, type MysqlGuardrailOptions } from '../../../../../engine/connectors/mysql/guardrail';

const SOURCE: MysqlGuardrailOptions = { database: 'shop', readableDatabases: ['shop_archive'], flavor: 'mariadb' };
const check = (sql: string, options: MysqlGuardrailOptions = SOURCE) => validateMysqlQuery(sql, options);
const codes = (verdict: Verdict) => verdict.reasons.map((r) => r.code);

function accepted(sql: string, options?: MysqlGuardrailOptions): void {
  const verdict = check(sql, options);
  assert.ok(verdict.allowed, `${sql}\n  refused: ${JSON.stringify(verdict.reasons)}`);
}

function refused(sql: string, code: VerdictReasonCode, options?: MysqlGuardrailOptions): Verdict {
  const verdict = check(sql, options);
  assert.is(verdict.allowed, false, `${sql} was allowed`);
  assert.ok(codes(verdict).includes(code), `${sql}: expected ${code}, got ${JSON.stringify(verdict.reasons)}`);
  for (const reason of verdict.reasons) assert.match(reason.message, /^[A-Z@`"a-z].*[.)]$/s, reason.message);
  return verdict;
}

// ---------------------------------------------------------------------------
// Relations

test('tables of the source (unqualified or qualified with its name) and of readable databases are accepted', () => {
  for (const sql of [
    'SELECT * FROM orders',
    'SELECT * FROM shop.orders',
    'SELECT * FROM `shop`.`orders` AS o',
    'SELECT o.id FROM shop . orders o',
    'SELECT * FROM shop_archive.orders_2019',
    'SELECT a.id FROM orders a JOIN shop_archive.orders_2019 b ON b.id = a.id',
    'SELECT shop.orders.id FROM shop.orders',
    'SELECT * FROM `mysql.user`',
    'SELECT * FROM `other_db.payroll`',
  ]) {
    accepted(sql);
  }
});

test('another database is CROSS_DATABASE however it is written or nested', () => {
  const shapes = [
    'SELECT * FROM %',
    'SELECT * FROM orders JOIN % p ON 1 = 1',
    'SELECT * FROM orders, % p',
    'SELECT * FROM orders LEFT JOIN % p USING (id)',
    'SELECT (SELECT MAX(salary) FROM %) AS x',
    'SELECT * FROM orders WHERE id IN (SELECT id FROM %)',
    'SELECT * FROM orders WHERE EXISTS (SELECT 1 FROM %)',
    'WITH c AS (SELECT * FROM %) SELECT * FROM c',
    'SELECT * FROM (SELECT * FROM %) d',
    'SELECT id FROM orders UNION SELECT id FROM %',
    'TABLE %',
    'EXPLAIN SELECT * FROM %',
    'SELECT * FROM orders WHERE total > (SELECT AVG(salary) FROM %)',
    'SELECT * FROM orders ORDER BY (SELECT COUNT(*) FROM %)',
  ];
  for (const shape of shapes) {
    for (const table of ['other_db.payroll', '`other_db`.`payroll`', 'other_db . payroll', '`other_db`.payroll', 'other_db/**/.payroll', 'SHOP.orders']) {
      refused(shape.replace('%', table), 'CROSS_DATABASE');
    }
  }
  assert.match(refused('SELECT * FROM other_db.payroll', 'CROSS_DATABASE').reasons[0]!.message, /other_db\.payroll is in database other_db, which this source does not expose \(readable: shop, shop_archive\)/);
});

test('column references qualified with a database are judged by it, however the parser shapes the name', () => {
  refused('SELECT other_db.payroll.salary FROM orders', 'CROSS_DATABASE');
  // Backticked three-part names reach the checker as objects, not strings: still named, still judged.
  assert.match(refused('SELECT `other_db`.`payroll`.`salary` FROM orders', 'CROSS_DATABASE').reasons[0]!.message, /^other_db\.payroll is in database other_db/);
  accepted('SELECT `shop`.`orders`.`id` AS `id` FROM `shop`.`orders`');
});

test("the server's own databases are never readable, even when listed as readable or as the source", () => {
  for (const sql of [
    'SELECT * FROM mysql.global_priv',
    'SELECT * FROM mysql.user',
    'SELECT * FROM `mysql`.`user`',
    'SELECT * FROM MYSQL.user',
    'SELECT authentication_string FROM mysql.user',
    'SELECT * FROM performance_schema.events_statements_history',
    'SELECT * FROM performance_schema.threads',
    'SELECT * FROM sys.processlist',
    'SELECT * FROM sys.session',
    'SELECT * FROM orders WHERE id IN (SELECT 1 FROM mysql.user)',
    'SELECT * FROM mysql.func',
    'SELECT * FROM mysql.proc',
  ]) {
    refused(sql, 'FORBIDDEN_RELATION');
  }
  refused('SELECT * FROM mysql.user', 'FORBIDDEN_RELATION', { ...SOURCE, readableDatabases: ['mysql', 'Performance_Schema'] });
  refused('SELECT * FROM user', 'FORBIDDEN_RELATION', { database: 'mysql' });
  refused('SELECT 1', 'FORBIDDEN_RELATION', { database: 'INFORMATION_SCHEMA' });
});

test('information_schema: only the metadata views, and only when pinned to the source', () => {
  for (const sql of [
    'SELECT * FROM information_schema.processlist',
    'SELECT info FROM INFORMATION_SCHEMA.PROCESSLIST',
    'SELECT * FROM information_schema.user_privileges',
    'SELECT * FROM information_schema.schema_privileges',
    'SELECT * FROM information_schema.global_variables',
    'SELECT * FROM information_schema.plugins',
    'SELECT * FROM information_schema.innodb_trx',
    'SELECT * FROM information_schema.user_statistics',
    'SELECT * FROM information_schema.files',
    'TABLE information_schema.processlist',
    'SELECT * FROM `information_schema`.`processlist`',
  ]) {
    refused(sql, 'FORBIDDEN_RELATION');
  }
  for (const sql of [
    'SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()',
    "SELECT table_name FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'shop' AND table_type = 'BASE TABLE'",
    "SELECT c.column_name FROM information_schema.columns c WHERE c.table_schema = DATABASE() AND c.table_name = 'orders'",
    "SELECT column_name FROM information_schema.columns WHERE DATABASE() = table_schema",
    "SELECT table_name FROM information_schema.tables WHERE table_schema IN ('shop', 'shop_archive')",
    'SELECT t.table_name, k.column_name FROM information_schema.tables t JOIN information_schema.key_column_usage k ON k.table_schema = DATABASE() AND k.table_name = t.table_name WHERE t.table_schema = DATABASE()',
    'SELECT * FROM information_schema.statistics WHERE table_schema = SCHEMA()',
    'SELECT * FROM information_schema.referential_constraints WHERE constraint_schema = DATABASE()',
    'SELECT * FROM information_schema.views WHERE table_schema = DATABASE()',
    'SELECT * FROM information_schema.routines WHERE routine_schema = DATABASE()',
    'SELECT * FROM information_schema.character_sets',
    'SELECT * FROM information_schema.collations',
    'SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() GROUP BY table_type',
  ]) {
    accepted(sql);
  }
  for (const sql of [
    'SELECT * FROM information_schema.tables',
    "SELECT * FROM information_schema.tables WHERE table_schema = 'other_db'",
    "SELECT * FROM information_schema.tables WHERE table_schema = DATABASE() OR 1 = 1",
    "SELECT * FROM information_schema.tables WHERE table_schema <> DATABASE()",
    "SELECT * FROM information_schema.tables WHERE table_schema LIKE '%'",
    "SELECT * FROM information_schema.tables WHERE table_name = DATABASE()",
    "SELECT * FROM information_schema.tables WHERE table_schema IN ('shop', 'other_db')",
    'SELECT * FROM information_schema.tables t WHERE t.table_schema = t.table_schema',
    'SELECT * FROM information_schema.tables t, information_schema.columns c WHERE table_schema = DATABASE()',
    'SELECT * FROM information_schema.tables t LEFT JOIN orders o ON t.table_schema = DATABASE()',
    'SELECT * FROM orders o RIGHT JOIN information_schema.tables t ON t.table_schema = DATABASE()',
    'SELECT * FROM information_schema.tables WHERE table_schema = "shop"',
    'SELECT * FROM information_schema.tables WHERE table_schema = other.DATABASE()',
    'SELECT * FROM orders WHERE id IN (SELECT table_rows FROM information_schema.tables)',
    'SELECT * FROM information_schema.columns WHERE table_schema = (SELECT DATABASE())',
  ]) {
    assert.is(check(sql).allowed, false, sql);
  }
  assert.match(refused('SELECT * FROM information_schema.tables', 'FORBIDDEN_RELATION').reasons[0]!.message, /WHERE TABLE_SCHEMA = DATABASE\(\)/);
});

test('CTE names, derived tables and aliases never stand for another database', () => {
  accepted('WITH payroll AS (SELECT 1 AS salary) SELECT salary FROM payroll');
  accepted('SELECT d.x FROM (SELECT 1 AS x) AS d');
  refused('WITH other_db AS (SELECT 1 AS x) SELECT * FROM other_db.payroll', 'CROSS_DATABASE');
  refused('SELECT * FROM orders AS other_db JOIN other_db.payroll p ON 1 = 1', 'CROSS_DATABASE');
  refused('WITH mysql AS (SELECT 1) SELECT * FROM mysql.user', 'FORBIDDEN_RELATION');
});

test('a qualifier the parser did not see (a name it cannot place) is refused', () => {
  const verdict = check('SELECT nowhere.x FROM orders');
  assert.is(verdict.allowed, false);
  assert.match(verdict.reasons.map((r) => r.message).join(' '), /nowhere\./);
  accepted('SELECT o.id, orders.id, shop.orders.id FROM shop.orders JOIN orders o ON o.id = orders.id');
});

test('with no source database, only unqualified tables and readable databases pass', () => {
  accepted('SELECT * FROM orders', {});
  refused('SELECT * FROM shop.orders', 'CROSS_DATABASE', {});
  accepted('SELECT * FROM shop.orders', { readableDatabases: ['shop'] });
});

// ---------------------------------------------------------------------------
// Functions

test('built-in functions analysts use are accepted', () => {
  for (const sql of [
    "SELECT CONCAT(first_name, ' ', last_name), UPPER(city), LPAD(id, 6, '0'), SUBSTRING_INDEX(email, '@', -1) FROM customers",
    "SELECT DATE_FORMAT(created_at, '%Y-%m'), DATE_ADD(created_at, INTERVAL 7 DAY), DATEDIFF(NOW(), created_at), TIMESTAMPDIFF(MONTH, a, b) FROM orders",
    "SELECT created_at - INTERVAL 1 DAY, EXTRACT(YEAR FROM created_at), LAST_DAY(created_at), WEEK(created_at, 3) FROM orders",
    "SELECT JSON_EXTRACT(doc, '$.a'), JSON_UNQUOTE(JSON_EXTRACT(doc, '$.b')), doc->'$.c', doc->>'$.d', JSON_LENGTH(doc) FROM events",
    "SELECT JSON_OBJECT('id', id), JSON_ARRAYAGG(id), JSON_CONTAINS(tags, '\"x\"') FROM events GROUP BY id",
    "SELECT name FROM products WHERE name REGEXP '^[A-Z]' AND REGEXP_REPLACE(name, '[0-9]', '') <> ''",
    "SELECT GROUP_CONCAT(DISTINCT name ORDER BY name SEPARATOR ', ') FROM products",
    'SELECT id, ROW_NUMBER() OVER (PARTITION BY c ORDER BY d), RANK() OVER w, LAG(d) OVER w, SUM(t) OVER (ORDER BY d) FROM orders WINDOW w AS (ORDER BY d)',
    'SELECT NTILE(4) OVER (ORDER BY t), PERCENT_RANK() OVER (ORDER BY t), CUME_DIST() OVER (ORDER BY t), FIRST_VALUE(t) OVER (ORDER BY t) FROM orders',
    "SELECT CASE WHEN t > 100 THEN 'big' ELSE 'small' END, IF(t > 0, 1, 0), IFNULL(x, 0), COALESCE(a, b), NULLIF(a, '') FROM orders",
    'SELECT CAST(t AS DECIMAL(10, 2)), CAST(d AS DATE), CAST(n AS UNSIGNED), CONVERT(name USING utf8mb4) FROM orders',
    'SELECT ROUND(AVG(t), 2), MIN(t), MAX(t), COUNT(DISTINCT c), STDDEV_POP(t), VAR_SAMP(t) FROM orders',
    'SELECT ABS(x), CEIL(x), FLOOR(x), MOD(x, 3), POWER(x, 2), SQRT(x), LOG(x), PI(), RAND(), TRUNCATE(x, 1), GREATEST(a, b) FROM t',
    'SELECT NOW(), CURDATE(), CURRENT_DATE, CURRENT_TIMESTAMP, UTC_TIMESTAMP(), UNIX_TIMESTAMP(), UUID(), DATABASE(), VERSION(), CURRENT_USER()',
    "SELECT MD5(email), SHA2(email, 256), HEX(id), INET_ATON('10.0.0.1'), FIELD(status, 'a', 'b') FROM customers",
    'WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT i FROM n',
    "SELECT MATCH (title) AGAINST ('word' IN BOOLEAN MODE) FROM posts",
    "SELECT TRIM(BOTH 'x' FROM name), POSITION('a' IN name), INSERT(name, 1, 1, 'X'), REPLACE(name, 'a', 'b'), LEFT(name, 2) FROM t",
    'SELECT ST_AsText(ST_GeomFromText(\'POINT(1 1)\'))',
  ]) {
    accepted(sql);
  }
});

test('functions with effects or hidden inputs are refused, each with its reason', () => {
  const cases: Array<[string, VerdictReasonCode, RegExp]> = [
    ['SLEEP(5)', 'FORBIDDEN_FUNCTION', /block the database/],
    ["BENCHMARK(1000000000, MD5('x'))", 'FORBIDDEN_FUNCTION', /block the database/],
    ["GET_LOCK('x', 0)", 'FORBIDDEN_FUNCTION', /named locks/],
    ["RELEASE_LOCK('x')", 'FORBIDDEN_FUNCTION', /named locks/],
    ["IS_FREE_LOCK('x')", 'FORBIDDEN_FUNCTION', /named locks/],
    ['RELEASE_ALL_LOCKS()', 'FORBIDDEN_FUNCTION', /named locks/],
    ["LOAD_FILE('/etc/passwd')", 'FILE_ACCESS', /reads a file/],
    ["MASTER_POS_WAIT('log', 4)", 'FORBIDDEN_FUNCTION', /replication/],
    ["MASTER_GTID_WAIT('0-1-1')", 'FORBIDDEN_FUNCTION', /replication/],
    ['LAST_INSERT_ID()', 'FORBIDDEN_FUNCTION', /earlier statement/],
    ['LAST_INSERT_ID(5)', 'FORBIDDEN_FUNCTION', /earlier statement/],
    ['ROW_COUNT()', 'FORBIDDEN_FUNCTION', /earlier statement/],
    ['FOUND_ROWS()', 'FORBIDDEN_FUNCTION', /earlier statement/],
    ['CONNECTION_ID()', 'FORBIDDEN_FUNCTION', /session ids/],
    ['UUID_SHORT()', 'FORBIDDEN_FUNCTION', /server counters/],
    ['NEXTVAL(s)', 'FORBIDDEN_FUNCTION', /sequence/],
    ['SETVAL(s, 1)', 'FORBIDDEN_FUNCTION', /sequence/],
    ['LASTVAL(s)', 'FORBIDDEN_FUNCTION', /sequence/],
    ["sys_exec('id')", 'FORBIDDEN_FUNCTION', /operating-system/],
    ["sys_eval('id')", 'FORBIDDEN_FUNCTION', /operating-system/],
    ["STATEMENT_DIGEST('SELECT 1')", 'FORBIDDEN_FUNCTION', /SQL held in text/],
    ["NAME_CONST('a', 1)", 'FORBIDDEN_FUNCTION', /not a built-in function known to be read-only/],
    ['my_udf(1)', 'FORBIDDEN_FUNCTION', /User-defined and stored functions are refused/],
    ['payroll_total()', 'FORBIDDEN_FUNCTION', /User-defined and stored functions are refused/],
    ['shop.payroll_total()', 'FORBIDDEN_FUNCTION', /stored function/],
    ["UNCOMPRESS(COMPRESS(REPEAT('a', 1000)))", 'FORBIDDEN_FUNCTION', /not a built-in function known to be read-only/],
    ["AES_DECRYPT(x, 'k')", 'FORBIDDEN_FUNCTION', /not a built-in function known to be read-only/],
    ['DEFAULT(id)', 'FORBIDDEN_FUNCTION', /not a built-in function known to be read-only/],
    ['VALUES(id)', 'FORBIDDEN_FUNCTION', /not a built-in function known to be read-only/],
  ];
  for (const [call, code, why] of cases) {
    const verdict = refused(`SELECT ${call} FROM orders`, code);
    assert.ok(verdict.reasons.some((r) => why.test(r.message)), `${call}: ${JSON.stringify(verdict.reasons)}`);
  }
});

test('JSON_TABLE: its JSON argument is checked like any expression, its column list may only declare columns', () => {
  accepted("SELECT o.id, t.tag FROM orders o, JSON_TABLE(o.tags, '$[*]' COLUMNS (tag VARCHAR(20) PATH '$')) AS t WHERE o.id <= 5");
  accepted("SELECT * FROM JSON_TABLE('[1,2]', '$[*]' COLUMNS (n FOR ORDINALITY, x INT PATH '$' DEFAULT '0' ON EMPTY, NESTED PATH '$.a[*]' COLUMNS (y DECIMAL(10, 2) PATH '$'))) AS jt");
  refused("SELECT * FROM JSON_TABLE((SELECT secret FROM other_db.payroll), '$[*]' COLUMNS (x INT PATH '$')) AS jt", 'CROSS_DATABASE');
  refused("SELECT * FROM JSON_TABLE(LOAD_FILE('/etc/passwd'), '$[*]' COLUMNS (x INT PATH '$')) AS jt", 'FILE_ACCESS');
  refused("SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (x INT PATH '$' DEFAULT (SELECT 1) ON EMPTY)) AS jt", 'PARSE_ERROR');
  refused("SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (x INT PATH '$' DEFAULT @@datadir ON EMPTY)) AS jt", 'PARSE_ERROR');
  refused("SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (x INT PATH '$')) AS jt JOIN mysql.user u ON 1 = 1", 'FORBIDDEN_RELATION');
});

test('stored functions run only from databases the source trusts, and only qualified', () => {
  const trusting = { ...SOURCE, trustedFunctionSchemas: ['shop'] };
  accepted('SELECT shop.payroll_total() FROM orders', trusting);
  accepted('SELECT `shop`.`payroll_total`(id) FROM orders', trusting);
  // Unqualified, the name could be a loadable (server-wide) function of the same name.
  refused('SELECT payroll_total() FROM orders', 'FORBIDDEN_FUNCTION', trusting);
  refused('SELECT other_db.payroll_total() FROM orders', 'FORBIDDEN_FUNCTION', trusting);
  refused('SELECT mysql.sleep(1)', 'FORBIDDEN_FUNCTION', trusting);
});

test('a built-in the grammar parses itself is refused when a stored or loadable function shares its name', () => {
  const shadowing = { ...SOURCE, storedFunctions: new Set(['LOWER', 'POINT', 'HOUR']) };
  for (const sql of ['SELECT POINT(1, 2)', 'SELECT POINT(1)', 'SELECT HOUR(NOW())']) {
    assert.match(refused(sql, 'FORBIDDEN_FUNCTION', shadowing).reasons[0]!.message, /also the name of a stored or user-defined function/, sql);
  }
  // Found by name first: a wrong number of arguments is an error, never the stored LOWER.
  accepted("SELECT lower('X'), upper('x')", shadowing);
});

test('built-ins of one server only are allowed only when the server is known to be that one', () => {
  accepted('SELECT MEDIAN(t) OVER () FROM orders', { database: 'shop', flavor: 'mariadb' });
  accepted("SELECT NVL(a, 0), JSON_DETAILED('[1]') FROM orders", { database: 'shop', flavor: 'mariadb' });
  refused('SELECT MEDIAN(t) OVER () FROM orders', 'FORBIDDEN_FUNCTION', { database: 'shop', flavor: 'mysql' });
  refused('SELECT MEDIAN(t) OVER () FROM orders', 'FORBIDDEN_FUNCTION', { database: 'shop' });
  accepted('SELECT ANY_VALUE(a) FROM orders', { database: 'shop', flavor: 'mysql' });
  refused('SELECT ANY_VALUE(a) FROM orders', 'FORBIDDEN_FUNCTION', { database: 'shop', flavor: 'mariadb' });
  assert.match(check('SELECT ANY_VALUE(a) FROM orders', { database: 'shop' }).reasons[0]!.message, /built-in only on MySQL/);
});

test('built-ins must have their parenthesis right after the name (with a gap the server may call a stored function)', () => {
  for (const sql of ['SELECT COUNT (*) FROM orders', 'SELECT SUM /* x */ (t) FROM orders', 'SELECT MAX\n(t) FROM orders', 'SELECT SUBSTRING (name, 1, 2) FROM t', "SELECT lower ('x')", 'SELECT CONCAT (a, b) FROM orders']) {
    assert.match(refused(sql, 'FORBIDDEN_FUNCTION').reasons[0]!.message, /no space or comment before the parenthesis/, sql);
  }
  // Reserved words cannot name a user-defined function: spacing does not matter for them.
  accepted("SELECT IF (a > 1, 'x', 'y'), LEFT (name, 2), MOD (a, 2) FROM orders WHERE MATCH (title) AGAINST ('w')");
});

test('quoted function names are refused: they skip the keyword parsing that makes a name a built-in', () => {
  for (const sql of ['SELECT `COUNT`(*) FROM orders', 'SELECT `concat`(a, b) FROM orders', 'SELECT "SUM"(t) FROM orders']) refused(sql, 'FORBIDDEN_FUNCTION');
});

test('syntax before a parenthesis is not mistaken for a call, and calls are not mistaken for syntax', () => {
  accepted('SELECT * FROM orders WHERE id IN (1, 2) AND EXISTS (SELECT 1) AND NOT (a = 1) OR (b = 2)');
  accepted('SELECT * FROM orders WHERE t > ALL (SELECT 1) AND t = ANY (SELECT 2) AND t <> SOME (SELECT 3)');
  accepted('SELECT CAST(a AS DATETIME(6)), CAST(b AS CHAR(3)), CAST(c AS DECIMAL(4, 1)) FROM orders');
  accepted('WITH a (x, y) AS (SELECT 1, 2), b AS (SELECT 3) SELECT * FROM a, b');
  // The same words where a call would stand are calls, checked like any other.
  refused('SELECT over(1)', 'FORBIDDEN_FUNCTION');
  refused('SELECT any(1)', 'FORBIDDEN_FUNCTION');
  refused('SELECT columns(1)', 'FORBIDDEN_FUNCTION');
  refused('SELECT datetime(1)', 'FORBIDDEN_FUNCTION');
});

// ---------------------------------------------------------------------------
// Variables and session state

test('system variables: formats and limits may be read; paths, hosts and history may not', () => {
  accepted('SELECT @@version, @@version_comment, @@session.time_zone, @@global.sql_mode, @@SESSION.max_statement_time');
  for (const variable of [
    '@@datadir',
    '@@basedir',
    '@@secure_file_priv',
    '@@plugin_dir',
    '@@hostname',
    '@@tmpdir',
    '@@log_error',
    '@@general_log_file',
    '@@global.datadir',
    '@@GLOBAL.`datadir`',
    '@@session.last_insert_id',
    '@@identity',
    '@@warning_count',
    '@@port',
    '@@socket',
    '@@server_id',
    '@@default.key_buffer_size',
  ]) {
    refused(`SELECT ${variable}`, 'FORBIDDEN_FUNCTION');
  }
  for (const sql of ['SELECT @@ version', 'SELECT @@', 'SELECT @@a.b.c', "SELECT @@'version'"]) assert.is(check(sql).allowed, false, sql);
});

test('user variables may be read but never assigned', () => {
  accepted('SELECT @undefined IS NULL');
  refused('SELECT @x := 1', 'VARIABLE_ASSIGNMENT');
  refused('SELECT id INTO @x FROM orders LIMIT 1', 'VARIABLE_ASSIGNMENT');
  refused('SET @x = 1', 'NOT_A_QUERY');
});

// ---------------------------------------------------------------------------
// Spellings the server could read differently

test('executable comments, hints and characters the server reads differently are refused', () => {
  for (const sql of [
    'SELECT 1 /*!50000 , (SELECT * FROM mysql.user) */',
    'SELECT 1 /*!, SLEEP(5) */',
    'SELECT 1 /*M!100000 , SLEEP(5) */',
    'SELECT /*+ MAX_EXECUTION_TIME(999999) */ * FROM orders',
    'SELECT /*+ SET_VAR(sort_buffer_size = 16M) */ * FROM orders',
    'SELECT \\N',
    'SELECT * FROM orders WHERE id = ?',
    'SELECT {fn NOW()}',
    'SELECT * FROM orders\u00a0WHERE 1',
    'SELECT 1\u200b',
    'SELECT * FROM other_db\u00a0.payroll',
    'SELECT 1 FROM orders\u0000',
    "SELECT 'a\\' , SLEEP(1) -- '",
    'SELECT "a\\" , SLEEP(1) -- "',
    'SELECT * FROM "other_db".payroll',
    'SELECT * FROM other_db."payroll"',
    'SELECT * FROM "mysql"."user"',
    'SELECT * FROM orders PROCEDURE ANALYSE()',
  ]) {
    const verdict = check(sql);
    assert.is(verdict.allowed, false, sql);
  }
  accepted("SELECT 'it''s', \"say \"\"hi\"\"\", 'C:\\\\dir', _utf8mb4'x', N'y', X'41', 0x41, b'01'");
  accepted('SELECT größe FROM maße');
  accepted("SELECT 'ünïcode \u00a0 and /*! inside a string */ and @@datadir' AS s");
});

test('Unicode look-alikes never pass as keywords, built-ins or system names', () => {
  // JavaScript folds ſ (long s) to S and ı (dotless i) to I; the server does not, so these are user-defined names.
  for (const sql of ['SELECT 1 = \u017Fome(1)', 'SELECT * FROM orders WHERE id \u0131n(1)', 'SELECT \u017Fubstr(name, 1) FROM orders', 'SELECT \uFF33\uFF2C\uFF25\uFF25\uFF30(1)', 'SELECT \u017Fleep(1)']) {
    refused(sql, 'FORBIDDEN_FUNCTION');
  }
  assert.is(check('SELECT @@\u017Fql_mode').allowed, false);
  refused('SELECT * FROM my\u017Fql.user', 'CROSS_DATABASE');
});

test('the attacks quoted in issue 9 are refused', () => {
  refused('SELECT * FROM other_db.payroll', 'CROSS_DATABASE');
  refused('SELECT * FROM mysql.global_priv', 'FORBIDDEN_RELATION');
  refused('SELECT * FROM information_schema.processlist', 'FORBIDDEN_RELATION');
});

test('validation is a pure function: the same input gives the same verdict, whatever ran before', () => {
  const inputs = ['SELECT * FROM other_db.payroll', 'SELECT * FROM orders', 'SELECT SLEEP(1)'];
  const first = inputs.map((sql) => JSON.stringify(check(sql)));
  for (let round = 0; round < 3; round++) assert.equal(inputs.map((sql) => JSON.stringify(check(sql))), first);
});

test.run();
