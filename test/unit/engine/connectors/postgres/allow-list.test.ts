/**
 * Decisions of the PostgreSQL allow-list over a stored PostgreSQL 15 catalog
 * (Chinook and Pagila in public): what is called, through which syntax, and
 * what is read.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { functionRule, pgPolicy } from '../../../../../engine/connectors/postgres/allow-list';
import { indexCatalog, PgCatalogCache, type PgCatalogSnapshot, type PgFunction } from '../../../../../engine/connectors/postgres/catalog';
import { checkPostgresQuery, validatePostgresQuery } from '../../../../../engine/connectors/postgres/guardrail';
import { guardrailAsserts } from '../../../../support/guardrail';
import { fixtureCatalog, fixturePolicy, fixtureSnapshot } from '../../../../support/pg-catalog';

const policy = fixturePolicy();
const { assertAllowed, assertRefused } = guardrailAsserts((sql) => validatePostgresQuery(sql, policy));
const trusting = (schemas: string[]) => guardrailAsserts((sql) => validatePostgresQuery(sql, fixturePolicy({ trustedSchemas: schemas })));

const fn = (overrides: Partial<PgFunction>): PgFunction => ({
  oid: 1,
  schema: 'pg_catalog',
  name: 'f',
  nargs: 1,
  ndefaults: 0,
  variadic: false,
  volatility: 'i',
  kind: 'f',
  retset: false,
  extension: null,
  rowArg: false,
  argTypes: [],
  ...overrides,
});

test('the rule for one function: volatility, procedures, schema, extension, the reviewed deny set', () => {
  const none = new Set<string>();
  assert.is(functionRule(fn({ name: 'lower' }), none), null);
  assert.is(functionRule(fn({ name: 'now', volatility: 's' }), none), null);
  assert.ok(functionRule(fn({ name: 'nextval', volatility: 'v' }), none));
  assert.is(functionRule(fn({ name: 'random', volatility: 'v' }), none), null);
  assert.ok(functionRule(fn({ name: 'random', volatility: 'v', schema: 'public' }), new Set(['public'])), 'only the built-in random is on the volatile list');
  assert.ok(functionRule(fn({ name: 'ts_rewrite', volatility: 'i' }), none), 'denied whatever its volatility');
  assert.ok(functionRule(fn({ name: 'table_to_xml', volatility: 's' }), none));
  assert.ok(functionRule(fn({ name: 'refresh', kind: 'p' }), none));
  assert.ok(functionRule(fn({ name: 'mine', schema: 'public' }), none));
  assert.is(functionRule(fn({ name: 'mine', schema: 'public' }), new Set(['public'])), null);
  assert.is(functionRule(fn({ name: 'similarity', schema: 'public', extension: 'pg_trgm' }), none), null);
  assert.ok(functionRule(fn({ name: 'dblink_exec', schema: 'public', extension: 'dblink' }), new Set(['public'])), 'trusting the schema does not lift the deny set');
  assert.ok(functionRule(fn({ name: 'crosstab', schema: 'public', extension: 'tablefunc' }), none));
  assert.ok(functionRule(fn({ name: 'anything', schema: 'public', extension: 'unreviewed' }), none));
});

test('overloads: a call is refused if any overload it could reach is, and arity narrows them', async () => {
  // ts_rewrite(tsquery, text) runs SQL text; the 3-argument form is pure but shares the reviewed name.
  await assertRefused("SELECT ts_rewrite('a'::tsquery, 'SELECT 1')", 'FORBIDDEN_FUNCTION');
  await assertRefused("SELECT ts_rewrite('a'::tsquery, 'a'::tsquery, 'b'::tsquery)", 'FORBIDDEN_FUNCTION');
  // Pagila's public.last_day(timestamp) is the database owner's: refused unless public is trusted.
  await assertRefused('SELECT last_day(now()::timestamp)', 'FORBIDDEN_FUNCTION');
  await trusting(['public']).assertAllowed('SELECT last_day(now()::timestamp)');
  // An unknown arity is refused as unknown (the catalog may be re-read).
  const check = await checkPostgresQuery('SELECT lower(1, 2, 3)', policy);
  assert.is(check.verdict.allowed, false);
  assert.is(check.unknownNames, true);
  assert.match(check.verdict.reasons[0]!.message, /with 3 arguments is not a function/);
});

test('aggregates, ordered-set aggregates and window functions keep working', async () => {
  await assertAllowed('SELECT count(*), count(DISTINCT genre_id), sum(milliseconds), avg(unit_price), array_agg(name ORDER BY name), string_agg(name, \', \'), bool_or(true), max(name) FROM track');
  await assertAllowed('SELECT percentile_disc(0.9) WITHIN GROUP (ORDER BY milliseconds), mode() WITHIN GROUP (ORDER BY genre_id), rank(100) WITHIN GROUP (ORDER BY milliseconds) FROM track');
  await assertAllowed('SELECT row_number() OVER (), rank() OVER w, lag(name, 1, \'-\') OVER w, nth_value(name, 2) OVER w, cume_dist() OVER w FROM track WINDOW w AS (ORDER BY name)');
});

test('operators are checked through the functions behind them', async () => {
  await assertAllowed(`SELECT 1 + 2 * 3, 'a' || 'b', '{"a":1}'::jsonb -> 'a', ARRAY[1] @> ARRAY[1], 'x' ~ 'y', 'x' LIKE 'y', 'x' ILIKE 'y', 'x' SIMILAR TO 'y', 2 BETWEEN 1 AND 3, 1 IS DISTINCT FROM 2, NULLIF(1, 2), 1 = ANY(ARRAY[1]), -5, @ -5, now() - interval '1 day'`);
  await assertAllowed('SELECT 1 OPERATOR(pg_catalog.+) 2, 3 NOT BETWEEN SYMMETRIC 1 AND 2, (SELECT 1) > ALL (SELECT 2)');
  await assertRefused('SELECT 1 OPERATOR(public.+) 2', 'FORBIDDEN_OPERATOR');
  await assertRefused('SELECT 1 <=!=> 2', 'FORBIDDEN_OPERATOR');
  await assertAllowed('SELECT name FROM track ORDER BY name USING <');
});

test('an operator whose function is refused is refused', async () => {
  const snapshot: PgCatalogSnapshot = fixtureSnapshot();
  const volatileFn = 9_999_999;
  snapshot.functions.push(fn({ oid: volatileFn, schema: 'pg_catalog', name: 'pg_sleep_op', nargs: 2, volatility: 'v' }));
  snapshot.operators.push({ schema: 'pg_catalog', name: '+', prefix: false, fn: volatileFn });
  const sneaky = pgPolicy(indexCatalog(snapshot), []);
  const verdict = await validatePostgresQuery('SELECT 1 + 1', sneaky);
  assert.is(verdict.allowed, false);
  assert.match(verdict.reasons[0]!.message, /^The operator \+ is not allowed: it calls pg_catalog.pg_sleep_op/);
});

test('casts and typed literals: built-in and enum types pass; unknown, composite and untrusted domain checks do not', async () => {
  await assertAllowed("SELECT '1'::int, CAST('2024-01-01' AS date), 'album'::regclass, '{1,2}'::int[], 'x'::varchar(10), 'G'::mpaa_rating, 2006::year, interval '1 day', '1.5'::numeric(10, 2)");
  await assertAllowed("SELECT * FROM json_to_record('{\"a\":1}') AS r(a int, b text)");
  await assertRefused("SELECT 'x'::no_such_type", 'FORBIDDEN_FUNCTION');
  await assertRefused("SELECT '(1)'::public.album", 'FORBIDDEN_FUNCTION');
  await assertRefused('SELECT 1::public.no_such_type', 'FORBIDDEN_FUNCTION');
  // Pagila's domain year has a CHECK constraint: built-in functions only, so it is allowed; one calling a
  // database owner's function is not.
  const snapshot = fixtureSnapshot();
  const owner = 9_999_998;
  snapshot.functions.push(fn({ oid: owner, schema: 'public', name: 'check_it' }));
  snapshot.types.push({ oid: 9_999_997, schema: 'public', name: 'checked', kind: 'd', inner: [23], functions: [owner] });
  const verdict = await validatePostgresQuery("SELECT '1'::checked", pgPolicy(indexCatalog(snapshot), []));
  assert.match(verdict.reasons[0]!.message, /A cast to public.checked is not allowed: it runs public.check_it/);
});

test('relations: the source schemas, reviewed catalog views, never secrets, names resolved as the server does', async () => {
  await assertAllowed('SELECT * FROM album JOIN public.artist USING (artist_id)');
  await assertAllowed('SELECT * FROM pg_catalog.pg_tables, pg_class, information_schema.columns, pg_views');
  for (const sql of ['SELECT * FROM pg_authid', 'SELECT * FROM pg_catalog.pg_shadow', 'SELECT * FROM pg_user', 'SELECT * FROM pg_roles', 'SELECT * FROM pg_stat_activity', 'SELECT * FROM pg_settings', 'SELECT * FROM pg_stats', 'SELECT * FROM information_schema.role_table_grants', 'SELECT * FROM pg_toast.pg_toast_1255', 'SELECT * FROM nowhere', 'SELECT * FROM public.nowhere']) {
    await assertRefused(sql, 'FORBIDDEN_RELATION', sql);
  }
  // Unqualified names find pg_catalog first, like the server: a table called pg_class in public is not what `pg_class` means.
  const shadowed = fixturePolicy({ relations: [{ schema: 'public', name: 'pg_authid', kind: 'r', extension: null }] });
  assert.is((await validatePostgresQuery('SELECT * FROM pg_authid', shadowed)).allowed, false);
  assert.is((await validatePostgresQuery('SELECT * FROM public.pg_authid', shadowed)).allowed, true);
  await assertRefused('SELECT * FROM otherdb.public.album', 'CROSS_DATABASE');
  await assertAllowed('SELECT * FROM fixture.public.album');
  const extension = fixturePolicy({ relations: [{ schema: 'public', name: 'pg_stat_statements', kind: 'v', extension: 'pg_stat_statements' }] });
  assert.match((await validatePostgresQuery('SELECT query FROM pg_stat_statements', extension)).reasons[0]!.message, /extension pg_stat_statements/);
  const sequence = fixturePolicy({ relations: [{ schema: 'public', name: 'counter', kind: 'S', extension: null }] });
  assert.is((await validatePostgresQuery('SELECT last_value FROM counter', sequence)).allowed, false);
});

test('reading a view runs the functions in its definition: a view calling a refused function is refused', async () => {
  // Pagila's film_list calls its own aggregate public.group_concat: the database owner's code.
  const verdict = await assertRefused('SELECT * FROM film_list', 'FORBIDDEN_FUNCTION');
  assert.match(verdict.reasons[0]!.message, /reading this view calls public\.group_concat/);
  await trusting(['public']).assertAllowed('SELECT * FROM film_list');
  await assertAllowed('SELECT * FROM customer_list');
});

test('an unqualified call skips a function hidden by one with the same argument types earlier on the path', async () => {
  const snapshot = fixtureSnapshot();
  const builtinLower = snapshot.functions.find((f) => f.schema === 'pg_catalog' && f.name === 'lower' && f.argTypes.join() === '25')!;
  snapshot.functions.push(fn({ oid: 9_999_995, schema: 'public', name: 'lower', volatility: 'v', argTypes: [25] }));
  snapshot.functions.push(fn({ oid: 9_999_994, schema: 'public', name: 'length', volatility: 'v', argTypes: [23] }));
  const planted = pgPolicy(indexCatalog(snapshot), []);
  assert.ok(builtinLower);
  assert.ok((await validatePostgresQuery("SELECT lower('A')", planted)).allowed, 'pg_catalog.lower(text) hides public.lower(text)');
  assert.not.ok((await validatePostgresQuery("SELECT public.lower('A')", planted)).allowed);
  const length = await validatePostgresQuery("SELECT length('A')", planted);
  assert.not.ok(length.allowed, 'public.length(integer) could be picked');
  assert.match(length.reasons[0]!.message, /Write pg_catalog\.length\(…\) to call the built-in length\.$/);
  assert.ok((await validatePostgresQuery("SELECT pg_catalog.length('A')", planted)).allowed);
});

test('CTE names shadow relations only where they are in scope', async () => {
  await assertAllowed('WITH pg_authid AS (SELECT 1 AS x) SELECT * FROM pg_authid');
  await assertAllowed('WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r');
  await assertAllowed('WITH a AS (SELECT 1 AS x), b AS (SELECT * FROM a) SELECT * FROM b, (SELECT * FROM a) s');
  await assertRefused('WITH pg_authid AS (SELECT * FROM pg_authid) SELECT 1', 'FORBIDDEN_RELATION');
  await assertRefused('SELECT * FROM (WITH pg_shadow AS (SELECT 1) SELECT 1) s, pg_shadow', 'FORBIDDEN_RELATION');
  await assertRefused('WITH b AS (SELECT * FROM c), c AS (SELECT 1) SELECT * FROM b', 'FORBIDDEN_RELATION');
  await assertRefused('(WITH pg_authid AS (SELECT 1) SELECT 1) UNION SELECT 1 FROM pg_authid', 'FORBIDDEN_RELATION');
  await assertRefused('WITH x AS (SELECT 1) SELECT * FROM public.x', 'FORBIDDEN_RELATION');
});

test('functions in FROM, LATERAL and ROWS FROM are checked like calls; TABLESAMPLE only with the built-in methods', async () => {
  await assertAllowed('SELECT * FROM generate_series(1, 3) g, LATERAL unnest(ARRAY[g]) u, ROWS FROM (generate_series(1, 2), jsonb_array_elements(\'[1]\')) r');
  await assertRefused('SELECT * FROM album a, LATERAL pg_ls_dir(a.title) f', 'FILE_ACCESS');
  await assertAllowed('SELECT * FROM track TABLESAMPLE SYSTEM (10) REPEATABLE (1)');
  await assertRefused('SELECT * FROM track TABLESAMPLE system_rows (10)', 'FORBIDDEN_FUNCTION');
});

test('attribute notation (t.f calls f(t)) is checked against functions of a row argument', async () => {
  await assertAllowed('SELECT a.title, a.artist_id, s.nextval FROM album a, (SELECT 1 AS nextval) s');
  // row_to_json(record) is stable and allowed; a refused one-argument function of a row type is not.
  await assertAllowed('SELECT a.row_to_json FROM album a');
  const snapshot = fixtureSnapshot();
  snapshot.functions.push(fn({ oid: 9_999_996, schema: 'pg_catalog', name: 'leak', volatility: 'v', rowArg: true }));
  const verdict = await validatePostgresQuery('SELECT a.leak, (a).leak FROM album a', pgPolicy(indexCatalog(snapshot), []));
  assert.is(verdict.reasons.length, 2);
  assert.match(verdict.reasons[0]!.message, /written as \.leak/);
});

test('current_setting reads only reviewed settings named by a literal', async () => {
  await assertAllowed("SELECT current_setting('TimeZone'), current_setting('search_path', true), current_setting('server_version_num')::int");
  for (const name of ['data_directory', 'config_file', 'hba_file', 'archive_command', 'ssl_key_file', 'primary_conninfo']) {
    await assertRefused(`SELECT current_setting('${name}')`, 'FORBIDDEN_FUNCTION');
  }
  await assertRefused("SELECT current_setting(lower('DATA_DIRECTORY'))", 'FORBIDDEN_FUNCTION');
  await assertRefused('SELECT current_setting(name) FROM genre', 'FORBIDDEN_FUNCTION');
});

test('quoted identifiers are exact: "PG_SLEEP" is not pg_sleep, and neither runs', async () => {
  await assertRefused('SELECT "PG_SLEEP"(1)', 'FORBIDDEN_FUNCTION');
  await assertRefused('SELECT "pg_catalog"."pg_sleep"(1)', 'FORBIDDEN_FUNCTION');
  await assertAllowed('SELECT "lower"(\'A\'), "pg_catalog"."upper"(\'a\')');
});

test('the policy is memoized per catalog and trusted schemas', () => {
  const catalog = fixtureCatalog();
  assert.is(pgPolicy(catalog, ['a', 'b']), pgPolicy(catalog, ['b', 'a']));
  assert.is.not(pgPolicy(catalog, []), pgPolicy(catalog, ['a']));
});

test('the catalog cache reads once, re-reads after the TTL, and refreshes on demand at most every few seconds', async () => {
  let now = 0;
  let reads = 0;
  const snapshot = fixtureSnapshot();
  const cache = new PgCatalogCache(async () => {
    reads++;
    return snapshot;
  }, { now: () => now, ttlMs: 60_000 });
  const signal = new AbortController().signal;
  const [a, b] = await Promise.all([cache.get(signal), cache.get(signal)]);
  assert.is(a, b);
  assert.is(reads, 1, 'concurrent callers share one read');
  now = 1_000;
  assert.is(await cache.refresh(signal), null, 'too soon to re-read');
  assert.is(reads, 1);
  now = 11_000;
  assert.ok(await cache.refresh(signal));
  assert.is(reads, 2);
  now = 80_000;
  await cache.get(signal);
  assert.is(reads, 3, 're-read after the TTL');
  await cache.get(signal);
  assert.is(reads, 3);
});

test.run();
