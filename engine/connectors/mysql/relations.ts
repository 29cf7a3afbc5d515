/**
 * Which tables a MySQL / MariaDB query may read: the source's database, plus
 * the databases its settings list as readable (readableDatabases), plus a
 * reviewed set of information_schema views whose rows are limited to those
 * databases by the query itself. Never the server's own databases (mysql,
 * performance_schema, sys) nor any other information_schema view (PROCESSLIST
 * shows other sessions' SQL; *_PRIVILEGES, PLUGINS, GLOBAL_VARIABLES,
 * INNODB_* and the rest describe the server, not the source).
 *
 * An unqualified name always means the source's database (or a CTE): the
 * connection opens in it and nothing a query may contain (USE, SET,
 * COM_INIT_DB) can change that. A qualified name is compared exactly as
 * written; the server may be case-insensitive about database names
 * (lower_case_table_names), so a differently-cased name of an allowed
 * database is refused rather than guessed at.
 *
 * Rows of the metadata views: a view is readable only when a condition that
 * must hold for every row (a WHERE conjunct, or the view's own inner/left
 * join ON conjunct) pins its schema column to DATABASE(), SCHEMA() or an
 * allowed database name. Residual, accepted: information_schema compares
 * schema names case-insensitively on MariaDB, so such a condition also
 * matches a database whose name differs from an allowed one only in letter
 * case; what leaks is that database's table and column names, never rows.
 */
import { foldLower, foldUpper } from './lexer';

export interface RelationScope {
  /** The source's database; null when validation has no source (then only unqualified names are allowed). */
  database: string | null;
  /** Databases qualified names may name: the source's and readableDatabases, system databases removed. */
  allowed: ReadonlySet<string>;
  /** The source's own database is a system database: nothing may be read. */
  sourceIsSystem: boolean;
}

/** Compared lower-case. information_schema is case-insensitive everywhere; the others are refused in any case. */
export const SYSTEM_DATABASES = new Set(['mysql', 'performance_schema', 'sys', 'information_schema']);
export const INFORMATION_SCHEMA = 'information_schema';

/**
 * information_schema views a query may read, with the columns that say which
 * database a row describes (null: the view describes no database, only the
 * server's character sets and collations).
 */
const METADATA_VIEWS = new Map<string, readonly string[] | null>([
  ['SCHEMATA', ['SCHEMA_NAME']],
  ['TABLES', ['TABLE_SCHEMA']],
  ['COLUMNS', ['TABLE_SCHEMA']],
  ['VIEWS', ['TABLE_SCHEMA']],
  ['STATISTICS', ['TABLE_SCHEMA']],
  ['KEY_COLUMN_USAGE', ['TABLE_SCHEMA', 'CONSTRAINT_SCHEMA']],
  ['TABLE_CONSTRAINTS', ['TABLE_SCHEMA', 'CONSTRAINT_SCHEMA']],
  ['REFERENTIAL_CONSTRAINTS', ['CONSTRAINT_SCHEMA']],
  ['CHECK_CONSTRAINTS', ['CONSTRAINT_SCHEMA']],
  ['ROUTINES', ['ROUTINE_SCHEMA']],
  ['PARAMETERS', ['SPECIFIC_SCHEMA']],
  ['TRIGGERS', ['TRIGGER_SCHEMA', 'EVENT_OBJECT_SCHEMA']],
  ['PARTITIONS', ['TABLE_SCHEMA']],
  ['CHARACTER_SETS', null],
  ['COLLATIONS', null],
  ['COLLATION_CHARACTER_SET_APPLICABILITY', null],
]);

export function relationScope(options: { database?: string | null; readableDatabases?: readonly string[] }): RelationScope {
  const database = options.database ?? null;
  const allowed = new Set<string>();
  for (const name of [...(database === null ? [] : [database]), ...(options.readableDatabases ?? [])]) {
    if (!SYSTEM_DATABASES.has(foldLower(name))) allowed.add(name);
  }
  return { database, allowed, sourceIsSystem: database !== null && SYSTEM_DATABASES.has(foldLower(database)) };
}

export function isMetadataView(view: string): boolean {
  return METADATA_VIEWS.has(foldUpper(view));
}

/** The key of a view in the verdicts the connector computes from the catalog (catalog.ts). */
export function viewKey(database: string, view: string): string {
  return `${foldLower(database)}\u0000${foldLower(view)}`;
}

export type RelationDecision =
  | { allowed: true; restrictBy: readonly string[] | null }
  | { allowed: false; code: 'FORBIDDEN_RELATION' | 'CROSS_DATABASE'; message: string };

/**
 * Whether `database.table` (database null: unqualified) may be read. For a
 * metadata view, `restrictBy` names the columns one of which the query must
 * pin to an allowed database.
 */
export function decideRelation(database: string | null, table: string, scope: RelationScope): RelationDecision {
  if (database === null) return { allowed: true, restrictBy: null };
  const lower = foldLower(database);
  if (lower === INFORMATION_SCHEMA) {
    const view = foldUpper(table);
    if (!METADATA_VIEWS.has(view)) {
      return {
        allowed: false,
        code: 'FORBIDDEN_RELATION',
        message: `information_schema.${table} is not readable: only the metadata views (${[...METADATA_VIEWS.keys()].join(', ')}) are, limited to the source's database.`,
      };
    }
    return { allowed: true, restrictBy: METADATA_VIEWS.get(view)! };
  }
  if (SYSTEM_DATABASES.has(lower)) {
    return { allowed: false, code: 'FORBIDDEN_RELATION', message: `${database}.${table} is in the server's own ${database} database, which holds accounts, sessions or server settings; it is never readable.` };
  }
  if (scope.allowed.has(database)) return { allowed: true, restrictBy: null };
  const readable = [...scope.allowed].join(', ') || 'none';
  return {
    allowed: false,
    code: 'CROSS_DATABASE',
    message: `${database}.${table} is in database ${database}, which this source does not expose (readable: ${readable}). Add it to the source's readable databases to allow it.`,
  };
}

// ---------------------------------------------------------------------------
// Restricting metadata views to allowed databases (node-sql-parser's AST)

type Ast = Record<string, unknown>;

const INNER_OR_LEFT = new Set(['JOIN', 'INNER JOIN', 'CROSS JOIN', 'LEFT JOIN', 'LEFT OUTER JOIN', 'STRAIGHT_JOIN']);

function conjuncts(node: unknown, into: Ast[] = []): Ast[] {
  if (!node || typeof node !== 'object') return into;
  const n = node as Ast;
  if (n.type === 'binary_expr' && String(n.operator).toUpperCase() === 'AND') {
    conjuncts(n.left, into);
    conjuncts(n.right, into);
  } else into.push(n);
  return into;
}

function pinsToAllowedDatabase(value: unknown, scope: RelationScope): boolean {
  if (!value || typeof value !== 'object') return false;
  const v = value as Ast;
  if (v.type === 'function') {
    const name = v.name as { name?: Array<{ value?: unknown }>; schema?: unknown } | undefined;
    const parts = name?.name ?? [];
    const args = (v.args as { value?: unknown[] } | undefined)?.value ?? [];
    const fn = parts.length === 1 ? foldUpper(String(parts[0]!.value)) : '';
    // DATABASE() is the connection's database, which is the source's (a system database is refused before this).
    return !name?.schema && (fn === 'DATABASE' || fn === 'SCHEMA') && args.length === 0;
  }
  return v.type === 'single_quote_string' && typeof v.value === 'string' && scope.allowed.has(v.value);
}

function namesColumn(node: unknown, columns: readonly string[], qualifiers: ReadonlySet<string | null>): boolean {
  if (!node || typeof node !== 'object') return false;
  const n = node as Ast;
  if (n.type !== 'column_ref' || n.db || typeof n.column !== 'string' || (n.table !== null && typeof n.table !== 'string')) return false;
  const table = typeof n.table === 'string' ? foldLower(n.table) : null;
  return columns.includes(foldUpper(n.column)) && qualifiers.has(table);
}

/**
 * True when the select's WHERE (or the item's own inner or left join condition) has a conjunct
 * `schema_column = DATABASE() | 'allowed_db'` or `schema_column IN (…allowed…)` for this from item.
 */
export function restrictedToAllowedDatabases(select: Ast, item: Ast, columns: readonly string[], scope: RelationScope): boolean {
  const from = (select.from as Ast[] | null) ?? [];
  const name = foldLower(String(item.as ?? item.table));
  const qualifiers = new Set<string | null>([name]);
  if (from.length === 1) qualifiers.add(null);
  const candidates = conjuncts(select.where);
  if (typeof item.join === 'string' && INNER_OR_LEFT.has(item.join.toUpperCase())) conjuncts(item.on, candidates);
  return candidates.some((c) => {
    if (c.type !== 'binary_expr') return false;
    const op = String(c.operator).toUpperCase();
    if (op === '=') {
      return (namesColumn(c.left, columns, qualifiers) && pinsToAllowedDatabase(c.right, scope)) || (namesColumn(c.right, columns, qualifiers) && pinsToAllowedDatabase(c.left, scope));
    }
    if (op === 'IN') {
      const list = c.right as { type?: unknown; value?: unknown } | undefined;
      return namesColumn(c.left, columns, qualifiers) && list?.type === 'expr_list' && Array.isArray(list.value) && list.value.length > 0 && list.value.every((v) => pinsToAllowedDatabase(v, scope));
    }
    return false;
  });
}
