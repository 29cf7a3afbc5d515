/**
 * What the guardrail knows about one PostgreSQL database: its functions,
 * operators, relations and types, read from the server's own catalog
 * (pg_proc, pg_operator, pg_class, pg_type, pg_cast, pg_depend) once per
 * source and cached. Decisions are made from these facts (allow-list.ts), not
 * from names typed into the query, so a function an extension adds tomorrow
 * is judged by what the server says it is.
 *
 * The data is plain (a snapshot) so the verdict stays a pure function of the
 * parsed query and the snapshot; `indexCatalog` builds the lookups once.
 */
import type pg from 'pg';
import { PreviewLimitError, TimeoutError } from '../../errors';
import { raceAbort } from '../shared/abort';
import { PREVIEW_BUDGET } from '../shared/preview-budget';
import type { PgSource } from './pools';
import { inReadOnlyTransaction, type Run } from './session';
import { CATALOG_FINGERPRINT_SQL, catalogFingerprint, type CatalogFingerprintRow, type CatalogStore } from './catalog-store';
import { decodeRows } from './types';

/** pg_proc: one function, aggregate, window function or procedure. */
export interface PgFunction {
  oid: number;
  schema: string;
  name: string;
  /** pronargs, and how many of them have defaults. */
  nargs: number;
  ndefaults: number;
  /** Takes a VARIADIC last argument. */
  variadic: boolean;
  /** provolatile: immutable, stable or volatile. */
  volatility: 'i' | 's' | 'v';
  /** prokind: function, procedure, aggregate, window. */
  kind: 'f' | 'p' | 'a' | 'w';
  retset: boolean;
  /** The extension the function belongs to, if any. */
  extension: string | null;
  /** Callable as `t.name` (attribute notation): one argument without default, of a row or pseudo type. */
  rowArg: boolean;
  /** proargtypes, as type oids: a function with the same types earlier on the path hides this one. */
  argTypes: number[];
}

/** pg_operator: an operator resolves to the function (oprcode) that implements it. */
export interface PgOperator {
  schema: string;
  name: string;
  /** A prefix operator (no left operand). */
  prefix: boolean;
  fn: number;
}

/** pg_class rows a query can read: tables, views, materialized views, foreign tables, sequences. */
export interface PgRelation {
  schema: string;
  name: string;
  kind: string;
  extension: string | null;
  /** For a view outside the system schemas: the functions its definition calls (reading it runs them). */
  functions?: number[];
}

/** pg_type: the functions a value of this type may run when a literal or value is cast to it. */
export interface PgType {
  oid: number;
  schema: string;
  name: string;
  /** typtype: b base, c composite, d domain, e enum, p pseudo, r range, m multirange. */
  kind: string;
  /** Domain base, array element or range subtype (0 when none): their functions run too. */
  inner: number[];
  /** Input and typmod functions, range canonical/subdiff, domain CHECK functions, and casts into the type. */
  functions: number[];
}

/** Everything read from one database, as plain data. */
export interface PgCatalogSnapshot {
  database: string;
  /** The login's effective search_path (current_schemas(false)); pinned for every statement. */
  searchPath: string[];
  functions: PgFunction[];
  operators: PgOperator[];
  relations: PgRelation[];
  types: PgType[];
}

/** The snapshot with its lookups. Build with indexCatalog; never mutated. */
export interface PgCatalog {
  readonly snapshot: PgCatalogSnapshot;
  readonly functionsByName: ReadonlyMap<string, readonly PgFunction[]>;
  readonly functionsByOid: ReadonlyMap<number, PgFunction>;
  readonly operatorsByName: ReadonlyMap<string, readonly PgOperator[]>;
  /** schema -> name -> relation */
  readonly relations: ReadonlyMap<string, ReadonlyMap<string, PgRelation>>;
  readonly typesByName: ReadonlyMap<string, readonly PgType[]>;
  readonly typesByOid: ReadonlyMap<number, PgType>;
  /** The schemas searched for unqualified names, in order: pg_catalog first unless the path places it. */
  readonly lookupPath: readonly string[];
}

function group<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

export function indexCatalog(snapshot: PgCatalogSnapshot): PgCatalog {
  const relations = new Map<string, Map<string, PgRelation>>();
  for (const rel of snapshot.relations) {
    let bySchema = relations.get(rel.schema);
    if (!bySchema) relations.set(rel.schema, (bySchema = new Map()));
    bySchema.set(rel.name, rel);
  }
  // PostgreSQL searches pg_catalog before the path unless the path names it explicitly.
  const lookupPath = snapshot.searchPath.includes('pg_catalog') ? [...snapshot.searchPath] : ['pg_catalog', ...snapshot.searchPath];
  return {
    snapshot,
    functionsByName: group(snapshot.functions, (f) => f.name),
    functionsByOid: new Map(snapshot.functions.map((f) => [f.oid, f])),
    operatorsByName: group(snapshot.operators, (o) => o.name),
    relations,
    typesByName: group(snapshot.types, (t) => t.name),
    typesByOid: new Map(snapshot.types.map((t) => [t.oid, t])),
    lookupPath,
  };
}

/** A name as written: `schema.name` or just `name` (schema null: resolved through the path). */
export interface QualifiedName {
  schema: string | null;
  name: string;
}

/**
 * Every function the server could pick for `name(n arguments)`; conservative: defaults and VARIADIC
 * widen the set. For an unqualified name, a function is left out only when one with the same argument
 * types comes earlier on the path: PostgreSQL never considers it (pg_catalog.lower(text) hides a
 * public.lower(text)); functions of other argument types stay candidates wherever they are.
 */
export function functionCandidates(catalog: PgCatalog, ref: QualifiedName, nargs: number | null): PgFunction[] {
  const all = catalog.functionsByName.get(ref.name) ?? [];
  const fitting = all.filter((f) => inScope(catalog, f.schema, ref.schema) && (nargs === null || fitsArity(f, nargs)));
  if (ref.schema !== null || fitting.length < 2) return fitting;
  const rank = (f: PgFunction) => catalog.lookupPath.indexOf(f.schema);
  const signature = (f: PgFunction) => f.argTypes.join(',');
  return fitting.filter((f) => !fitting.some((g) => rank(g) < rank(f) && signature(g) === signature(f)));
}

function fitsArity(f: PgFunction, nargs: number): boolean {
  if (nargs >= f.nargs - f.ndefaults && nargs <= f.nargs) return true;
  return f.variadic && nargs >= f.nargs - 1;
}

/** Operators named `name` in scope, prefix or infix. */
export function operatorCandidates(catalog: PgCatalog, ref: QualifiedName, prefix: boolean): PgOperator[] {
  const all = catalog.operatorsByName.get(ref.name) ?? [];
  return all.filter((o) => o.prefix === prefix && inScope(catalog, o.schema, ref.schema));
}

/** The type a name means: the first schema on the path that has it, or the named schema. */
export function resolveType(catalog: PgCatalog, ref: QualifiedName): PgType | null {
  const all = catalog.typesByName.get(ref.name) ?? [];
  if (ref.schema !== null) return all.find((t) => t.schema === ref.schema) ?? null;
  for (const schema of catalog.lookupPath) {
    const found = all.find((t) => t.schema === schema);
    if (found) return found;
  }
  return null;
}

/** The relation a name means, as the server resolves it with the pinned search_path. */
export function resolveRelation(catalog: PgCatalog, ref: QualifiedName): PgRelation | null {
  if (ref.schema !== null) return catalog.relations.get(ref.schema)?.get(ref.name) ?? null;
  for (const schema of catalog.lookupPath) {
    const found = catalog.relations.get(schema)?.get(ref.name);
    if (found) return found;
  }
  return null;
}

/**
 * Whether an object in `schema` can be what an unqualified or qualified name means. Unqualified
 * names may resolve in any schema on the path (the server may prefer a better-typed overload in a
 * later schema), so every such schema counts: refusing if any candidate is refused stays safe.
 */
function inScope(catalog: PgCatalog, objectSchema: string, wanted: string | null): boolean {
  return wanted === null ? catalog.lookupPath.includes(objectSchema) : objectSchema === wanted;
}

/** Every function a cast to `type` may run: its own, its base, element and subtype's (each type once). */
export function typeFunctions(catalog: PgCatalog, type: PgType): PgFunction[] {
  const out: PgFunction[] = [];
  const seen = new Set<number>();
  const stack: PgType[] = [type];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t.oid)) continue;
    seen.add(t.oid);
    for (const oid of t.functions) {
      const fn = catalog.functionsByOid.get(oid);
      if (fn) out.push(fn);
    }
    for (const inner of t.inner) {
      const next = catalog.typesByOid.get(inner);
      if (next) stack.push(next);
    }
  }
  return out;
}

// ---- Reading the catalog (I/O) -------------------------------------------------------------

// Every name is qualified with pg_catalog, so objects a database owner creates elsewhere cannot stand
// in for the catalog's own; search_path is left as the login has it, to read it (current_schemas).
const EXTENSION_OF = (classTable: string, alias: string) => `
  LEFT JOIN pg_catalog.pg_depend ${alias}d ON ${alias}d.classid = 'pg_catalog.${classTable}'::pg_catalog.regclass AND ${alias}d.objid = ${alias}.oid AND ${alias}d.deptype = 'e'
  LEFT JOIN pg_catalog.pg_extension ${alias}e ON ${alias}e.oid = ${alias}d.refobjid`;

const FUNCTIONS_SQL = `
SELECT p.oid, n.nspname AS schema, p.proname AS name, p.pronargs AS nargs, p.pronargdefaults AS ndefaults,
       p.provariadic <> 0 AS variadic, p.provolatile::text AS volatility, p.prokind::text AS kind, p.proretset AS retset,
       pe.extname AS extension, p.proargtypes::pg_catalog.oid[] AS arg_types,
       COALESCE(p.pronargs >= 1 AND p.pronargs - p.pronargdefaults <= 1 AND t.typtype IN ('c', 'p'), false) AS row_arg
  FROM pg_catalog.pg_proc p
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  LEFT JOIN pg_catalog.pg_type t ON t.oid = p.proargtypes[0]
  ${EXTENSION_OF('pg_proc', 'p')}`;

const OPERATORS_SQL = `
SELECT n.nspname AS schema, o.oprname AS name, o.oprleft = 0 AS prefix, o.oprcode::pg_catalog.oid AS fn
  FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace`;

// Other sessions' temporary schemas and TOAST tables can never be what a query names.
const NOT_TEMP = (schema: string) => `${schema} <> 'pg_toast' AND ${schema} !~ '^pg_(toast_)?temp_'`;

const RELATIONS_SQL = `
SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind, ce.extname AS extension,
       CASE WHEN c.relkind = 'v' AND n.nspname NOT IN ('pg_catalog', 'information_schema') THEN
         ARRAY(SELECT DISTINCT dep.refobjid FROM pg_catalog.pg_rewrite rw
                 JOIN pg_catalog.pg_depend dep ON dep.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND dep.objid = rw.oid
                                              AND dep.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                WHERE rw.ev_class = c.oid)
       END AS functions
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  ${EXTENSION_OF('pg_class', 'c')}
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND ${NOT_TEMP('n.nspname')}`;

// Row types of tables (and their arrays) are left out: one per table, and casting to them is refused.
const TYPES_SQL = `
SELECT t.oid, n.nspname AS schema, t.typname AS name, t.typtype::text AS kind,
       pg_catalog.array_remove(ARRAY[t.typbasetype, CASE WHEN t.typcategory = 'A' THEN t.typelem ELSE 0 END,
                                     COALESCE(r.rngsubtype, 0)], 0::pg_catalog.oid) AS inner,
       pg_catalog.array_cat(
         pg_catalog.array_remove(ARRAY[t.typinput::pg_catalog.oid, t.typmodin::pg_catalog.oid,
                                       COALESCE(r.rngcanonical::pg_catalog.oid, 0), COALESCE(r.rngsubdiff::pg_catalog.oid, 0)], 0::pg_catalog.oid),
         ARRAY(SELECT dep.refobjid FROM pg_catalog.pg_constraint con
                 JOIN pg_catalog.pg_depend dep ON dep.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND dep.objid = con.oid
                                              AND dep.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                WHERE con.contypid = t.oid
               UNION ALL
               SELECT c.castfunc FROM pg_catalog.pg_cast c WHERE c.casttarget = t.oid AND c.castfunc <> 0)) AS functions
  FROM pg_catalog.pg_type t
  JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
  LEFT JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid
  LEFT JOIN pg_catalog.pg_class rc ON rc.oid = t.typrelid
  LEFT JOIN pg_catalog.pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
  LEFT JOIN pg_catalog.pg_class ec ON ec.oid = et.typrelid
 WHERE (rc.oid IS NULL OR rc.relkind = 'c') AND (ec.oid IS NULL OR ec.relkind = 'c') AND ${NOT_TEMP('n.nspname')}`;

const SESSION_SQL = `SELECT pg_catalog.current_database() AS database, pg_catalog.current_schemas(false)::text[] AS path`;

interface FunctionRow extends Omit<PgFunction, 'rowArg' | 'argTypes'> {
  row_arg: boolean;
  arg_types: number[];
}

async function rows<T>(client: pg.PoolClient, run: Run, text: string): Promise<T[]> {
  return decodeRows<T>(await run(() => client.query<Record<string, string | null>>(text)));
}

/**
 * Reads the catalog in one read-only transaction under the catalog budget: a catalog too large or a
 * server too slow to read it in PREVIEW_BUDGET.catalogMs refuses the preview rather than holding it up.
 * With a store (catalog-store.ts), the server's catalog fingerprint is read first and a stored
 * snapshot with the same fingerprint is used instead of reading the rest; a full read is stored.
 */
export async function readPgCatalog(source: PgSource, signal: AbortSignal, store: CatalogStore | null = null): Promise<PgCatalogSnapshot> {
  try {
    const read = await inReadOnlyTransaction(source, { signal, timeoutMs: PREVIEW_BUDGET.catalogMs }, async (client, run) => {
      const fingerprint = store ? catalogFingerprint((await rows<CatalogFingerprintRow>(client, run, CATALOG_FINGERPRINT_SQL))[0]!) : null;
      const stored = fingerprint === null ? null : store!.load(fingerprint);
      if (stored) return { snapshot: stored, fingerprint: null };
      return { snapshot: await readSnapshot(client, run), fingerprint };
    });
    if (read.fingerprint !== null) store!.save(read.fingerprint, read.snapshot);
    return read.snapshot;
  } catch (error) {
    if (error instanceof TimeoutError && error.details?.kind === 'STATEMENT_TIMEOUT') {
      throw new PreviewLimitError(
        `Reading this database's catalog (functions, tables, types) took longer than the ${PREVIEW_BUDGET.catalogMs / 1000} s it may take, so the query cannot be checked. Try again when the server is less busy.`,
      );
    }
    throw error;
  }
}

async function readSnapshot(client: pg.PoolClient, run: Run): Promise<PgCatalogSnapshot> {
  const [session] = await rows<{ database: string; path: string[] }>(client, run, SESSION_SQL);
  const functions = (await rows<FunctionRow>(client, run, FUNCTIONS_SQL)).map(({ row_arg, arg_types, ...f }) => ({ ...f, rowArg: row_arg, argTypes: arg_types }));
  const operators = await rows<PgOperator>(client, run, OPERATORS_SQL);
  const relations = (await rows<PgRelation & { functions: number[] | null }>(client, run, RELATIONS_SQL)).map(({ functions, ...r }) =>
    functions && functions.length > 0 ? { ...r, functions } : r,
  );
  const types = await rows<PgType>(client, run, TYPES_SQL);
  return { database: session!.database, searchPath: session!.path, functions, operators, relations, types };
}

/** Catalogs younger than this are not re-read on demand, however many unknown names come in. */
export const CATALOG_MIN_REFRESH_MS = 10_000;
/**
 * A cached catalog is re-read after this long: the default of the app's metadata TTL
 * (settings.metadataTtlMinutes, which connectors do not see).
 */
export const CATALOG_TTL_MS = 15 * 60_000;

interface Entry {
  catalog: PgCatalog;
  loadedAt: number;
}

/**
 * How the cache reads a catalog. `reuseStored`: a stored catalog whose fingerprint matches the server's
 * may stand in for the read (catalog-store.ts); false when the cached one is suspected stale.
 */
export type ReadCatalog = (signal: AbortSignal, options: { reuseStored: boolean }) => Promise<PgCatalogSnapshot>;

/**
 * One source's catalog, read once and shared by every validation until the TTL ends. `refresh`
 * re-reads it on demand (a name the query uses is unknown: perhaps created since), at most once per
 * CATALOG_MIN_REFRESH_MS, bypassing the stored catalog. Concurrent callers share one read.
 */
export class PgCatalogCache {
  readonly #read: ReadCatalog;
  readonly #now: () => number;
  readonly #ttlMs: number;
  #entry: Entry | null = null;
  #loading: Promise<Entry> | null = null;

  constructor(read: ReadCatalog, options: { now?: () => number; ttlMs?: number } = {}) {
    this.#read = read;
    this.#now = options.now ?? (() => performance.now());
    this.#ttlMs = options.ttlMs ?? CATALOG_TTL_MS;
  }

  async get(signal: AbortSignal): Promise<PgCatalog> {
    const entry = this.#entry;
    if (entry && this.#now() - entry.loadedAt < this.#ttlMs) return entry.catalog;
    return (await this.#load(signal, true)).catalog;
  }

  /** A fresh catalog if the cached one is old enough to re-read; otherwise null (use what you have). */
  async refresh(signal: AbortSignal): Promise<PgCatalog | null> {
    const entry = this.#entry;
    if (entry && this.#now() - entry.loadedAt < CATALOG_MIN_REFRESH_MS) return null;
    return (await this.#load(signal, false)).catalog;
  }

  #load(signal: AbortSignal, reuseStored: boolean): Promise<Entry> {
    // A caller that cancels stops waiting; the read itself goes on for the others (it is bounded by the preview budget).
    this.#loading ??= this.#read(new AbortController().signal, { reuseStored })
      .then((snapshot) => (this.#entry = { catalog: indexCatalog(snapshot), loadedAt: this.#now() }))
      .finally(() => {
        this.#loading = null;
      });
    return raceAbort(this.#loading, signal);
  }
}
