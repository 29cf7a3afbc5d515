/**
 * Property test of the function allow-list against a live catalog: random
 * pg_proc rows (built-ins, extensions, a database owner's functions) are
 * called with typed NULL arguments, and whatever the guardrail allows must
 * satisfy rules stated here independently of its implementation:
 *
 * - every overload the call could reach is IMMUTABLE or STABLE, or one of a
 *   handful of harmless VOLATILE built-ins;
 * - none of them is a procedure, or a function the issue names as dangerous;
 * - none of them lives outside pg_catalog, unless its schema is trusted or it
 *   belongs to an extension of pure functions.
 *
 * And the converse where it matters: a call that reaches a VOLATILE function
 * off that short list, or a named dangerous one, is refused.
 */
import pg from 'pg';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pgPolicy } from '../../../../../engine/connectors/postgres/allow-list';
import { indexCatalog } from '../../../../../engine/connectors/postgres/catalog';
import { loadPostgresGuardrail, validatePostgresQuerySync } from '../../../../../engine/connectors/postgres/guardrail';
import { createPgDatabase, PG, type TestDatabase } from '../../../../support/databases';
import { readLiveCatalog } from '../../../../support/pg-catalog';

/** Harmless volatile built-ins the oracle accepts (random values, the clock, sizes and partitions, recovery state). */
const HARMLESS_VOLATILE = /^(random|random_normal|gen_random_uuid|clock_timestamp|timeofday|pg_(relation|table|indexes|total_relation)_size|pg_partition_(tree|ancestors)|pg_is_in_recovery|pg_jit_available)$/;
/** Named in issue 9 (or their families): never allowed, whatever their volatility. */
const NEVER = /^(ts_rewrite|ts_stat|(query|cursor|table|schema|database)_to_xml.*|xpath_table|crosstab.*|connectby|dblink.*|pg_read_.*|pg_ls_.*|pg_stat_file|lo_.*|loread|lowrite|pg_sleep.*|pg_advisory.*|pg_try_advisory.*|pg_terminate_backend|pg_cancel_backend|setseed|set_config|pg_stat_reset.*|pg_create_.*|gin_clean_pending_list|brin_summarize.*|nextval|setval)$/;
/** Extensions of pure functions (their volatility still counts). */
const PURE_EXTENSIONS = new Set(['pg_trgm', 'hstore', 'citext', 'fuzzystrmatch', 'pgcrypto', 'tablefunc', 'unaccent', 'ltree', 'cube', 'isn', 'seg', 'intarray', 'earthdistance', 'btree_gin', 'btree_gist', 'uuid-ossp']);
const TRUSTED = 'trusted_fns';
const SAMPLES = 1200;

interface ProcRow {
  oid: number;
  schema: string;
  name: string;
  volatility: string;
  kind: string;
  extension: string | null;
  nargs: number;
  ndefaults: number;
  variadic: boolean;
  args: string[];
  sig: string;
}

let db: TestDatabase;
let rows: ProcRow[] = [];

test.before(async () => {
  db = createPgDatabase('empty');
  const available = new Set(db.sql('SELECT name FROM pg_available_extensions').trim().split('\n'));
  for (const ext of ['dblink', 'pg_trgm', 'hstore', 'tablefunc', 'pgcrypto', 'pg_stat_statements', 'adminpack', 'pageinspect', 'pg_buffercache', 'uuid-ossp']) {
    if (available.has(ext)) db.sql(`CREATE EXTENSION IF NOT EXISTS "${ext}"`);
  }
  db.sql(`
    CREATE FUNCTION owner_volatile(int) RETURNS int LANGUAGE sql AS 'SELECT $1';
    CREATE FUNCTION owner_lying(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1';
    CREATE FUNCTION public.lower(text) RETURNS text LANGUAGE sql VOLATILE AS 'SELECT $1';
    CREATE FUNCTION public.length(integer) RETURNS int LANGUAGE sql VOLATILE AS 'SELECT $1';
    CREATE SCHEMA ${TRUSTED};
    CREATE FUNCTION ${TRUSTED}.pure(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1';
    CREATE FUNCTION ${TRUSTED}.impure(int) RETURNS int LANGUAGE sql VOLATILE AS 'SELECT $1';
    CREATE FUNCTION ${TRUSTED}.lower(int) RETURNS int LANGUAGE sql VOLATILE AS 'SELECT $1';
  `);
  const client = new pg.Client({ host: PG.host, port: PG.port, user: PG.user, database: db.name });
  await client.connect();
  try {
    const result = await client.query<ProcRow>(`
      SELECT p.oid::int AS oid, n.nspname AS schema, p.proname AS name, p.provolatile AS volatility, p.prokind AS kind,
             e.extname AS extension, p.pronargs AS nargs, p.pronargdefaults AS ndefaults, p.provariadic <> 0 AS variadic,
             ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes) AS t) AS args, p.proargtypes::text AS sig
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        LEFT JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
        LEFT JOIN pg_extension e ON e.oid = d.refobjid`);
    rows = result.rows;
  } finally {
    await client.end();
  }
  await loadPostgresGuardrail();
});
test.after(() => db.drop());

/** Deterministic sampling (a fixed-seed LCG), so a failure reproduces. */
function sample<T>(items: T[], count: number, seed = 20240917): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out.slice(0, count);
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A call with typed NULLs (defaults left out), an aggregate as such, a window function with OVER (). */
function callOf(row: ProcRow, qualified: boolean): string {
  const args = row.args.slice(0, row.nargs - row.ndefaults).map((type, i) => (row.variadic && i === row.nargs - 1 ? `VARIADIC NULL::${type}` : `NULL::${type}`));
  const name = qualified ? `${ident(row.schema)}.${ident(row.name)}` : ident(row.name);
  return `SELECT ${name}(${args.join(', ')})${row.kind === 'w' ? ' OVER ()' : ''}`;
}

function acceptable(row: ProcRow, trusted: Set<string>): string | null {
  if (NEVER.test(row.name)) return 'named as dangerous';
  if (row.kind === 'p') return 'a procedure';
  const builtin = row.schema === 'pg_catalog';
  if (!builtin && !trusted.has(row.schema) && !(row.extension && PURE_EXTENSIONS.has(row.extension))) return `outside pg_catalog (${row.schema})`;
  if (row.volatility === 'v' && !(builtin && HARMLESS_VOLATILE.test(row.name))) return 'volatile';
  return null;
}

/**
 * Every function a call could reach: same name, in scope, an arity that fits (defaults, VARIADIC);
 * for an unqualified call, not one hidden by a function of identical argument types earlier on the
 * path (PostgreSQL's documented rule).
 */
function reachable(row: ProcRow, qualified: boolean, path: string[]): ProcRow[] {
  const n = row.nargs - row.ndefaults;
  const fits = rows.filter(
    (r) =>
      r.name === row.name &&
      (qualified ? r.schema === row.schema : path.includes(r.schema)) &&
      ((n >= r.nargs - r.ndefaults && n <= r.nargs) || (r.variadic && n >= r.nargs - 1)),
  );
  if (qualified) return fits;
  return fits.filter((r) => !fits.some((o) => path.indexOf(o.schema) < path.indexOf(r.schema) && o.sig === r.sig));
}

for (const trustedSchemas of [[], [TRUSTED]]) {
  test(`random calls from the live catalog obey the allow-list rules (trusted schemas: ${trustedSchemas.join(', ') || 'none'})`, async () => {
    const snapshot = await readLiveCatalog(db.name);
    const policy = pgPolicy(indexCatalog(snapshot), trustedSchemas);
    const trusted = new Set(trustedSchemas);
    const path = ['pg_catalog', ...snapshot.searchPath];
    const own = rows.filter((r) => r.schema !== 'pg_catalog');
    const picked = [...sample(rows.filter((r) => r.schema === 'pg_catalog'), SAMPLES), ...own];
    let allowed = 0;
    let refused = 0;
    for (const row of picked) {
      for (const qualified of [true, false]) {
        if (!qualified && !path.includes(row.schema)) continue;
        const sql = callOf(row, qualified);
        const verdict = validatePostgresQuerySync(sql, policy);
        const problems = reachable(row, qualified, path)
          .map((r) => [r, acceptable(r, trusted)] as const)
          .filter(([, why]) => why !== null);
        if (verdict.allowed) {
          allowed++;
          assert.equal(problems.map(([r, why]) => `${r.schema}.${r.name}: ${why}`), [], `allowed: ${sql}`);
        } else {
          refused++;
        }
        if (problems.length > 0) assert.not.ok(verdict.allowed, `${sql} reaches ${problems.map(([r, why]) => `${r.schema}.${r.name} (${why})`).join(', ')}`);
      }
    }
    // The property must not hold vacuously: most built-ins are ordinary and allowed.
    assert.ok(allowed > picked.length / 2, `only ${allowed} of ${allowed + refused} calls allowed`);
    assert.ok(refused > 50, `only ${refused} refused`);
  });
}

test('trust in a schema allows its immutable functions, never its volatile ones, and never shadows a built-in unchecked', () => {
  const policyFor = async (trusted: string[]) => pgPolicy(indexCatalog(await readLiveCatalog(db.name)), trusted);
  return (async () => {
    const none = await policyFor([]);
    const some = await policyFor([TRUSTED]);
    assert.is(validatePostgresQuerySync(`SELECT ${TRUSTED}.pure(1)`, none).allowed, false);
    assert.is(validatePostgresQuerySync(`SELECT ${TRUSTED}.pure(1)`, some).allowed, true);
    assert.is(validatePostgresQuerySync(`SELECT ${TRUSTED}.impure(1)`, some).allowed, false);
    assert.is(validatePostgresQuerySync('SELECT owner_lying(1)', some).allowed, false);
    // lower(text) is a built-in; trusted_fns.lower(int) is not on the path, and public.lower(text) is hidden by
    // pg_catalog.lower(text) (same argument types, earlier on the path): an unqualified lower stays allowed.
    assert.is(validatePostgresQuerySync("SELECT lower('A')", some).allowed, true);
    assert.is(validatePostgresQuerySync("SELECT public.lower('A')", some).allowed, false);
    // public.length(integer) has other argument types than any built-in length: the server may pick it.
    assert.is(validatePostgresQuerySync("SELECT length('A')", some).allowed, false);
  })();
});

test.run();
