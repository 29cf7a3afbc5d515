/**
 * Which DuckDB functions a query may call, decided from DuckDB's own catalog
 * (`duckdb_functions()`), not from a list of bad names: a function is allowed
 * when DuckDB itself says it is deterministic (or constant within the query)
 * and has no side effects, when it is an aggregate, or when it is a macro
 * whose body calls only allowed functions and reads no tables. Anything else
 * (volatile functions, pragmas, table functions, unknown names) is refused
 * unless it is on one of the short reviewed lists below.
 */
import type { VerdictReasonCode } from '../../contract/query.contract';

export type Rule = { code: VerdictReasonCode; why: string };
/** Where a function is called: in an expression, or as a table in FROM. */
export type CallContext = 'expression' | 'table';

export interface CatalogFunction {
  name: string;
  schema: string;
  type: string;
  stability: string | null;
  sideEffects: boolean | null;
  /** Macros: the body, parsed by DuckDB. */
  body: unknown;
}

/** Volatile functions with no effect beyond their result (`error` only raises an error with the given text). */
const HARMLESS_VOLATILE = new Set(['random', 'gen_random_uuid', 'uuid', 'uuidv4', 'uuidv7', 'error']);

/**
 * Deterministic by DuckDB's account, yet not for queries: they plan SQL given
 * as text (its cost and reads are not in the tree we check) or reveal
 * settings that hold paths (`current_setting` is allowed for the settings in
 * SAFE_SETTINGS, named by a literal).
 */
const NOT_FOR_QUERIES = new Map<string, Rule>([
  ['json_serialize_plan', { code: 'FORBIDDEN_FUNCTION', why: 'it plans SQL given as text, which cannot be checked in advance' }],
  ['current_setting', { code: 'FORBIDDEN_FUNCTION', why: 'settings may reveal paths on this computer; only a few, named literally, can be read' }],
]);

/** Settings `current_setting('…')` may read: none of them holds a path or a secret. */
export const SAFE_SETTINGS = new Set(['threads', 'worker_threads', 'memory_limit', 'max_memory', 'timezone', 'calendar', 'default_order', 'default_null_order', 'access_mode', 'preserve_insertion_order']);

/** Table functions (FROM f(…)) that generate or reshape values and read nothing else. */
const TABLE_FUNCTIONS = new Set(['range', 'generate_series', 'unnest', 'json_each', 'json_tree']);

/** Catalog table functions that list only names and types of tables and columns (no paths, no settings). */
const METADATA_FUNCTIONS = new Set(['duckdb_tables', 'duckdb_columns']);

/** Expression-only built-ins the catalog does not list as functions. */
const EXPRESSION_BUILTINS = new Set(['unnest', 'unlist', 'grouping', 'grouping_id', 'try']);

/**
 * Reasons for names people (and attackers) reach for, so the refusal says
 * what the function would have done. Only the message comes from here: the
 * decision is the allow-list's.
 */
const EXPLAINED: Array<[RegExp, Rule]> = [
  [/^(read_|sniff_csv$|parquet_|iceberg_|delta_|st_read|.*_scan$)/, { code: 'FILE_ACCESS', why: 'it reads files or URLs directly instead of the loaded tables' }],
  [/^glob$/, { code: 'FILE_ACCESS', why: 'it lists files on this computer' }],
  [/^getenv$/, { code: 'FILE_ACCESS', why: 'it reads environment variables, which may hold secrets' }],
  [/^(http_|postgres_|mysql_|sqlite_|ducklake_)/, { code: 'FILE_ACCESS', why: 'it reads from another database or service' }],
  [/^(query|query_table|json_execute_serialized_sql)$/, { code: 'FORBIDDEN_FUNCTION', why: 'it runs SQL given as text, which cannot be checked in advance' }],
  [/^(duckdb_secrets|which_secret|load_aws_credentials)$/, { code: 'FORBIDDEN_FUNCTION', why: 'it reads stored secrets' }],
  [/^(enable_|disable_|truncate_duckdb_logs$|checkpoint$|force_checkpoint$|pragma_)/, { code: 'FORBIDDEN_FUNCTION', why: 'it changes or reveals the database configuration' }],
  [/^(nextval|currval|setval|setseed)$/, { code: 'FORBIDDEN_FUNCTION', why: 'it changes session or sequence state' }],
  [/^(duckdb_|current_setting$)/, { code: 'FORBIDDEN_FUNCTION', why: 'it reveals the database configuration, which may hold paths' }],
];

function explained(name: string, fallback: string): Rule {
  return EXPLAINED.find(([pattern]) => pattern.test(name))?.[1] ?? { code: 'FORBIDDEN_FUNCTION', why: fallback };
}

/** Schemas and catalogs built-in functions live in; a function named elsewhere is not a built-in. */
const BUILTIN_SCHEMAS = new Set(['', 'main', 'pg_catalog']);
const BUILTIN_CATALOGS = new Set(['', 'system']);

const EXPRESSION_KINDS = new Set(['scalar', 'aggregate', 'macro']);
const TABLE_KINDS = new Set(['table', 'table_macro']);

/** Walks a parsed macro body with the query rules; supplied by the guardrail (which owns the tree walk). */
export type BodyCheck = (body: unknown, catalog: FunctionCatalog) => boolean;

/**
 * The functions of one DuckDB build, with decisions memoised. DuckDB's
 * catalog is the same for every file source (the same binary, no extension
 * loading), so one instance per process serves every check.
 */
export class FunctionCatalog {
  readonly #byName = new Map<string, CatalogFunction[]>();
  readonly #decisions = new Map<string, Rule | null>();
  readonly #checkBody: BodyCheck;

  constructor(functions: CatalogFunction[], checkBody: BodyCheck) {
    for (const fn of functions) {
      const key = fn.name.toLowerCase();
      const list = this.#byName.get(key) ?? [];
      list.push(fn);
      this.#byName.set(key, list);
    }
    this.#checkBody = checkBody;
  }

  get size(): number {
    return this.#byName.size;
  }

  /** Why `name` may not be called here, or null when it may. */
  decide(name: string, context: CallContext, schema = '', catalog = ''): Rule | null {
    const key = `${context}\0${schema.toLowerCase()}\0${catalog.toLowerCase()}\0${name.toLowerCase()}`;
    if (this.#decisions.has(key)) return this.#decisions.get(key)!;
    // A macro that (indirectly) calls itself is refused while it is being decided.
    this.#decisions.set(key, { code: 'FORBIDDEN_FUNCTION', why: 'it is defined in terms of itself' });
    const rule = this.#decide(name.toLowerCase(), context, schema.toLowerCase(), catalog.toLowerCase());
    this.#decisions.set(key, rule);
    return rule;
  }

  #decide(name: string, context: CallContext, schema: string, catalog: string): Rule | null {
    if (!BUILTIN_CATALOGS.has(catalog) || (catalog !== '' && !BUILTIN_SCHEMAS.has(schema))) {
      return { code: 'FORBIDDEN_FUNCTION', why: 'only built-in functions can be called, by their plain name' };
    }
    // `Name.upper()` is DuckDB's method syntax, which the parser reads as schema `name`. A snapshot holds
    // no functions of its own (imports create tables and views only), so the name alone decides.
    if (!BUILTIN_SCHEMAS.has(schema)) schema = '';
    const kinds = context === 'table' ? TABLE_KINDS : EXPRESSION_KINDS;
    const candidates = (this.#byName.get(name) ?? []).filter((fn) => (schema === '' || fn.schema === schema) && kinds.has(fn.type));
    if (context === 'table') return this.#decideTable(name, candidates);
    if (candidates.length === 0) {
      return EXPRESSION_BUILTINS.has(name) ? null : explained(name, 'it is not a built-in function DuckDB knows');
    }
    const notForQueries = NOT_FOR_QUERIES.get(name);
    if (notForQueries) return notForQueries;
    // Every overload must be safe: the binder picks one by argument types we do not know here.
    for (const fn of candidates) {
      const rule = this.#decideExpression(fn);
      if (rule) return rule;
    }
    return null;
  }

  #decideExpression(fn: CatalogFunction): Rule | null {
    switch (fn.type) {
      case 'scalar':
        if (fn.sideEffects === false && (fn.stability === 'CONSISTENT' || fn.stability === 'CONSISTENT_WITHIN_QUERY')) return null;
        return HARMLESS_VOLATILE.has(fn.name) ? null : explained(fn.name, 'its result depends on more than its arguments, or it changes state');
      case 'aggregate':
        return fn.sideEffects === false ? null : explained(fn.name, 'it changes state');
      case 'macro':
        return this.#checkBody(fn.body, this) ? null : explained(fn.name, 'it is a macro that calls functions or reads tables queries may not');
      default:
        return explained(fn.name, `a ${fn.type} function cannot be called in a query`);
    }
  }

  #decideTable(name: string, candidates: CatalogFunction[]): Rule | null {
    if (candidates.length === 0) return explained(name, 'it is not a table function DuckDB knows');
    if (TABLE_FUNCTIONS.has(name) || METADATA_FUNCTIONS.has(name)) return null;
    if (candidates.every((fn) => fn.type === 'table_macro') && candidates.every((fn) => this.#checkBody(fn.body, this))) return null;
    return explained(name, 'only table functions that generate values (range, unnest, json_each …) can be read from');
  }
}
