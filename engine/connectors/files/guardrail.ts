/**
 * Layer 1 for the files store (DuckDB dialect). DuckDB parses the query
 * itself: `json_serialize_sql` returns the parse tree of SELECT statements and
 * refuses everything else, on a private in-memory instance with external
 * access disabled and configuration locked, so checking a query can never
 * touch a file. The tree is then walked against allow-lists: every function
 * against DuckDB's own catalog (functions.ts), every table against the
 * source's own tables and views (plus the CTEs in scope and a reviewed pair of
 * metadata views), and every node kind against the kinds a read is made of.
 */
import { dedupeReasons, reasonAt, refusal } from '../shared/verdict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Verdict, VerdictReason } from '../../contract/query.contract';
import { formatBytes } from '../shared/result';
import { MAX_FOLDED_BYTES, oversizedFold } from './folded-size';
import { FunctionCatalog, SAFE_SETTINGS, type CatalogFunction, type Rule } from './functions';

/** The longest query text accepted, in characters (about 100 KB). */
export const MAX_DUCKDB_QUERY_LENGTH = 100_000;

/** What a query may read: the source's tables and views, and the name of its database. */
export interface QueryScope {
  tables: readonly string[];
  /** The snapshot's catalog name, which qualified names may use; null when unknown. */
  database: string | null;
}

/** Components that only a quoted name or a string can contain: a table named like this is a path or URL. */
const PATH_CHARS = /[./\\:*?~]/;
/** File extensions DuckDB's replacement scans recognise (also after an unquoted dot: `FROM data.csv`). */
const FILE_EXTENSIONS = new Set(['csv', 'tsv', 'txt', 'parquet', 'json', 'jsonl', 'ndjson', 'gz', 'zst', 'zstd', 'xlsx', 'xls', 'arrow', 'ipc', 'feather', 'avro', 'orc', 'db', 'duckdb', 'ddb', 'sqlite', 'sqlite3']);

/** information_schema views that list only names and types of the source's own tables and columns. */
const METADATA_VIEWS = new Set(['tables', 'columns', 'schemata']);
/** SHOW forms without a query: SHOW TABLES and SHOW ALL TABLES (names and column types only). */
const SHOW_TABLES = new Set(['"tables"', '__show_tables_expanded']);

/** The node kinds a read is made of; a kind not listed (new in a DuckDB release, say) is refused until reviewed. */
const QUERY_NODES = new Set(['SELECT_NODE', 'SET_OPERATION_NODE', 'RECURSIVE_CTE_NODE', 'CTE_NODE']);
const TABLE_REFS = new Set(['BASE_TABLE', 'JOIN', 'SUBQUERY', 'TABLE_FUNCTION', 'EXPRESSION_LIST', 'EMPTY', 'PIVOT', 'SHOW_REF']);
const EXPRESSIONS = new Set([
  'BETWEEN',
  'CASE',
  'CAST',
  'COLLATE',
  'COLUMN_REF',
  'COMPARISON',
  'CONJUNCTION',
  'CONSTANT',
  'DEFAULT',
  'FUNCTION',
  'LAMBDA',
  'LAMBDA_REF',
  'OPERATOR',
  'PARAMETER',
  'POSITIONAL_REFERENCE',
  'STAR',
  'SUBQUERY',
  'WINDOW',
]);

const ONLY_QUERIES = 'only queries that read (SELECT, FROM \u2026, WITH \u2026 SELECT, VALUES, DESCRIBE, SUMMARIZE, or EXPLAIN without ANALYZE) can run';
const OUT_OF_RANGE = Number.MAX_SAFE_INTEGER;

interface Parser {
  catalog: FunctionCatalog;
  close(): Promise<void>;
  serialize(sql: string): Promise<SerializeResult>;
  countStatements(sql: string): Promise<number | { error: string }>;
}

type Json = Record<string, unknown>;
type SerializeResult = { error: false; statements: Array<{ node: Json }> } | { error: true; error_type?: string; error_message?: string; position?: string };

let parserPromise: Promise<Parser> | null = null;

/** One locked-down in-memory DuckDB per process (or thread), created on first use. */
function getParser(): Promise<Parser> {
  parserPromise ??= createParser().catch((error: unknown) => {
    parserPromise = null;
    throw error;
  });
  return parserPromise;
}

/** Loads the parser and DuckDB's function catalog (once per process), so a check's budget is spent on the query alone. */
export async function loadDuckdbGuardrail(): Promise<void> {
  await getParser();
}

/** Closes this process's parser (it is created again on the next check). */
export async function closeParser(): Promise<void> {
  const parser = parserPromise;
  parserPromise = null;
  await (await parser?.catch(() => null))?.close();
}

async function createParser(): Promise<Parser> {
  const instance = await DuckDBInstance.create(':memory:', {
    enable_external_access: 'false',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    lock_configuration: 'true',
    threads: '1',
  });
  const connection: DuckDBConnection = await instance.connect();
  const statement = await connection.prepare('SELECT json_serialize_sql($1::VARCHAR) AS tree');
  // One connection, one statement: calls are queued so they never overlap on it.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  const serialize = (sql: string) =>
    serial(async () => {
      statement.bindVarchar(1, sql);
      const reader = await statement.runAndReadAll();
      return JSON.parse(String(reader.getRows()[0]?.[0])) as SerializeResult;
    });
  return {
    catalog: await loadCatalog(connection, serialize),
    // After the calls already queued: the instance is never closed under a pending call.
    close: () =>
      serial(async () => {
        statement.destroySync();
        connection.closeSync();
        instance.closeSync();
      }),
    serialize,
    countStatements: (sql) =>
      serial(async () => {
        try {
          return (await connection.extractStatements(sql)).count;
        } catch (error) {
          return { error: (error as Error).message };
        }
      }),
  };
}

/** DuckDB's functions, with the bodies of its macros parsed so they can be checked like queries. */
async function loadCatalog(connection: DuckDBConnection, serialize: (sql: string) => Promise<SerializeResult>): Promise<FunctionCatalog> {
  const reader = await connection.runAndReadAll(
    'SELECT function_name, schema_name, function_type, stability, has_side_effects, macro_definition FROM duckdb_functions()',
  );
  const functions: CatalogFunction[] = reader.getRowsJS().map(([name, schema, type, stability, sideEffects]) => ({
    name: String(name),
    schema: String(schema),
    type: String(type),
    stability: typeof stability === 'string' ? stability : null,
    sideEffects: typeof sideEffects === 'boolean' ? sideEffects : null,
    body: null,
  }));
  const definitions = reader.getRowsJS().map((row) => row[5]);
  const macros = functions.flatMap((fn, i) => ((fn.type === 'macro' || fn.type === 'table_macro') && typeof definitions[i] === 'string' ? [{ fn, body: definitions[i] }] : []));
  // One parse for every body (each a parenthesised expression or subquery), not one per macro: this runs at start-up.
  const bodies = await parseBodies(macros.map((m) => `(${m.body})`), serialize);
  macros.forEach((m, i) => (m.fn.body = bodies[i] ?? null));
  // A macro body is allowed when it reads no table and calls only allowed functions.
  return new FunctionCatalog(functions, (body, catalog) => body !== null && walk(body as Json, { tables: [], database: null }, catalog, 0, OUT_OF_RANGE).length === 0);
}

/** The parse tree of each expression; one that does not parse is null (and its macro refused). */
async function parseBodies(expressions: string[], serialize: (sql: string) => Promise<SerializeResult>): Promise<unknown[]> {
  if (expressions.length === 0) return [];
  const all = await serialize(`SELECT ${expressions.join(', ')}`);
  const list = all.error ? null : (all.statements[0]?.node.select_list as unknown[] | undefined);
  if (list && list.length === expressions.length) return list;
  return Promise.all(expressions.map(async (e) => {
    const one = await serialize(`SELECT ${e}`);
    return one.error ? null : ((one.statements[0]?.node.select_list as unknown[] | undefined)?.[0] ?? null);
  }));
}

/**
 * Static check of one DuckDB query with DuckDB's own parser and catalog, for a
 * source whose tables are `scope.tables`. Never reads a file or runs anything
 * from the query.
 */
export async function validateDuckdbQuery(sql: string, scope: QueryScope): Promise<Verdict> {
  if (sql.trim() === '') return refusal('EMPTY_QUERY', 'The query is empty.');
  if (sql.length > MAX_DUCKDB_QUERY_LENGTH) {
    return refusal('TOO_LONG', `The query is ${sql.length.toLocaleString('en')} characters long; the limit is ${MAX_DUCKDB_QUERY_LENGTH.toLocaleString('en')}.`);
  }
  const parser = await getParser();

  const head = leadingWords(sql);
  const first = head.words[0];
  if (first?.word === 'EXPLAIN') {
    if (head.error) return refusal('PARSE_ERROR', head.error, 'explain', head.errorAt);
    return explain(sql, head.words, parser, scope);
  }

  const result = await parser.serialize(sql);
  if (!result.error) return checkStatements(sql, result.statements, 0, null, scope, parser.catalog);

  if (result.error_type === 'not implemented') {
    const count = await parser.countStatements(sql);
    if (first && (first.word === 'PIVOT' || first.word === 'UNPIVOT')) {
      // DuckDB runs a PIVOT statement as several (it first creates an enum type); as a subquery it is a plain read.
      return refusal('NOT_A_QUERY', `A ${first.word} statement is not allowed on its own: write it as SELECT * FROM (${first.word} \u2026).`, first.word.toLowerCase(), first.start);
    }
    if (typeof count === 'number' && count > 1) return multiple(count, sql);
    const name = first ? statementName(head.words) : 'This statement';
    return refusal('NOT_A_QUERY', `${name} is not allowed: ${ONLY_QUERIES}.`, first ? first.word.toLowerCase() : null, first?.start);
  }
  return parseRefusal(result, 0);
}

async function explain(sql: string, words: LeadingWord[], parser: Parser, scope: QueryScope): Promise<Verdict> {
  const analyze = words.find((w, i) => i > 0 && (w.word === 'ANALYZE' || w.word === 'ANALYSE') && (i === 1 || w.inOptions));
  if (analyze) {
    return refusal('EXPLAIN_ANALYZE', 'EXPLAIN ANALYZE is not allowed: ANALYZE runs the statement for real. Use EXPLAIN without ANALYZE.', 'explain', analyze.start);
  }
  const target = words.find((w, i) => i > 0 && !w.inOptions);
  if (!target) return refusal('PARSE_ERROR', 'EXPLAIN needs a query to explain.', 'explain');
  const count = await parser.countStatements(sql);
  if (typeof count === 'number' && count > 1) return multiple(count, sql);
  if (typeof count !== 'number') return refusal('PARSE_ERROR', `DuckDB cannot parse the query: ${cleanMessage(count.error)}.`, 'explain');
  const inner = sql.slice(target.start);
  const result = await parser.serialize(inner);
  if (result.error) {
    if (result.error_type === 'not implemented') {
      return refusal('NOT_A_QUERY', `EXPLAIN of ${statementName(leadingWords(inner).words)} is not allowed: ${ONLY_QUERIES}.`, 'explain', target.start);
    }
    return { ...parseRefusal(result, target.start), statementKind: 'explain' };
  }
  return checkStatements(sql, result.statements, target.start, 'explain', scope, parser.catalog);
}

function checkStatements(sql: string, statements: Array<{ node: Json }>, offset: number, kind: string | null, scope: QueryScope, catalog: FunctionCatalog): Verdict {
  if (statements.length === 0) return refusal('EMPTY_QUERY', 'The query has no statement, only comments or semicolons.');
  if (statements.length > 1) return multiple(statements.length);
  const root = statements[0]!.node;
  const reasons = walk(root, scope, catalog, offset, sql.length);
  return { allowed: reasons.length === 0, reasons: dedupeReasons(reasons, { perPosition: true }), statementKind: kind ?? kindOf(root) };
}

function kindOf(root: Json): string {
  const from = root.from_table as Json | undefined;
  if (from?.type === 'SHOW_REF') return 'show';
  if (from?.type === 'EXPRESSION_LIST' && from.alias === 'valueslist') return 'values';
  return 'select';
}

/** A node still to visit, with the CTE names visible where it stands (lower-case). */
interface Frame {
  value: unknown;
  ctes: ReadonlySet<string>;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * Every node of the tree, without recursion (DuckDB bounds expression depth,
 * not list length), carrying the CTE names in scope: a CTE is visible in the
 * query that defines it and in the CTEs after it, and in its own body only
 * when it is recursive, which is how DuckDB binds names. A name that is not
 * a CTE in scope must be one of the source's tables.
 */
function walk(root: Json, scope: QueryScope, catalog: FunctionCatalog, offset: number, length: number): VerdictReason[] {
  const reasons: VerdictReason[] = [];
  const tables = new Set(scope.tables.map((t) => t.toLowerCase()));
  const database = scope.database?.toLowerCase() ?? null;
  const stack: Frame[] = [{ value: root, ctes: new Set() }];
  const refuse = (rule: Rule, what: string, node: Json) =>
    reasons.push(reasonAt({ code: rule.code, message: `${what} is not allowed: ${rule.why}.` }, locate(node.query_location, offset, length)));
  const pushFields = (node: Json, ctes: ReadonlySet<string>, skip?: string) => {
    for (const [key, child] of Object.entries(node)) if (key !== skip && child !== null && typeof child === 'object') stack.push({ value: child, ctes });
  };

  while (stack.length > 0) {
    const { value, ctes } = stack.pop()!;
    if (Array.isArray(value)) {
      for (const item of value) stack.push({ value: item, ctes });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    const node = value as Json;

    if (typeof node.class === 'string') {
      const rule = expressionRule(node, catalog);
      if (rule) refuse(rule, text(node.function_name) || `An expression of kind ${node.class}`, node);
      pushFields(node, ctes);
    } else if (typeof node.type === 'string' && 'cte_map' in node) {
      if (!QUERY_NODES.has(node.type)) {
        refuse(NOT_A_READ, `A query part of kind ${node.type}`, node);
        continue;
      }
      const entries = ((node.cte_map as Json | null)?.map as Array<{ key: string; value: Json }> | undefined) ?? [];
      const visible = new Set(ctes);
      for (const { key, value: cte } of entries) {
        const body = (cte.query as Json | undefined)?.node as Json | undefined;
        const own = body?.type === 'RECURSIVE_CTE_NODE' ? [key.toLowerCase()] : [];
        stack.push({ value: cte, ctes: new Set([...visible, ...own]) });
        visible.add(key.toLowerCase());
      }
      pushFields(node, visible, 'cte_map');
    } else if (typeof node.type === 'string' && 'sample' in node) {
      if (!TABLE_REFS.has(node.type)) {
        refuse(NOT_A_READ, `A table reference of kind ${node.type}`, node);
        continue;
      }
      if (node.type === 'BASE_TABLE') {
        const reason = relationReason(node, ctes, tables, database, scope.tables);
        if (reason) reasons.push(reasonAt(reason, locate(node.query_location, offset, length)));
      } else if (node.type === 'SHOW_REF' && !node.query && !SHOW_TABLES.has(text(node.table_name))) {
        refuse({ code: 'FORBIDDEN_RELATION', why: 'only SHOW TABLES, DESCRIBE and SUMMARIZE of this source\'s tables can run' }, 'This SHOW', node);
      } else if (node.type === 'TABLE_FUNCTION') {
        const fn = node.function as Json;
        const name = text(fn?.function_name);
        const rule = fn?.class === 'FUNCTION' ? catalog.decide(name, 'table', text(fn.schema), text(fn.catalog)) : NOT_A_READ;
        if (rule) refuse(rule, name || 'This table function', fn ?? node);
        // Its arguments are expressions like any other; the call itself has been decided.
        if (fn) pushFields(fn, ctes);
        pushFields(node, ctes, 'function');
        continue;
      }
      pushFields(node, ctes);
    } else {
      pushFields(node, ctes);
    }
  }
  return reasons;
}

const NOT_A_READ: Rule = { code: 'NOT_A_QUERY', why: 'it is not part of a plain read' };

function expressionRule(node: Json, catalog: FunctionCatalog): Rule | null {
  const kind = node.class as string;
  if (!EXPRESSIONS.has(kind)) return NOT_A_READ;
  if (kind !== 'FUNCTION' && kind !== 'WINDOW') return null;
  const name = text(node.function_name);
  if (name.toLowerCase() === 'current_setting' && safeSettingArgument(node.children)) return null;
  // Window functions (row_number, lag …) are aggregates in DuckDB's catalog.
  const rule = catalog.decide(name, 'expression', text(node.schema), text(node.catalog));
  if (rule || kind !== 'FUNCTION') return rule;
  const folded = oversizedFold(name, node.children);
  return folded === null
    ? null
    : { code: 'PREVIEW_LIMIT', why: `with these constant arguments DuckDB would build a value of about ${formatBytes(folded)} just to check the query (the preview allows ${formatBytes(MAX_FOLDED_BYTES)})` };
}

/** `current_setting('threads')`: one literal naming a setting that holds no path. */
function safeSettingArgument(children: unknown): boolean {
  if (!Array.isArray(children) || children.length !== 1) return false;
  const arg = children[0] as Json;
  const value = (arg.value as Json | undefined)?.value;
  return arg.class === 'CONSTANT' && typeof value === 'string' && SAFE_SETTINGS.has(value.toLowerCase());
}

/** Why a table reference may not be read, or null: the source's tables, CTEs in scope and a few metadata views may. */
function relationReason(node: Json, ctes: ReadonlySet<string>, tables: ReadonlySet<string>, database: string | null, tableNames: readonly string[]): VerdictReason | null {
  const catalogName = text(node.catalog_name).toLowerCase();
  const schema = text(node.schema_name).toLowerCase();
  const table = text(node.table_name).toLowerCase();
  const parts = [node.catalog_name, node.schema_name, node.table_name].filter((p): p is string => typeof p === 'string' && p !== '');
  const last = parts[parts.length - 1] ?? '';
  if (parts.some((p) => PATH_CHARS.test(p)) || (parts.length > 1 && FILE_EXTENSIONS.has(last.toLowerCase()))) {
    return { code: 'FILE_ACCESS', message: `"${parts.join('.')}" is a file path or URL, not a loaded table: reading files directly is not allowed.` };
  }
  if (catalogName === '' && schema === '' && ctes.has(table)) return null;
  const ownCatalog = catalogName === '' || catalogName === database;
  // `db.t` names a catalog or a schema; DuckDB tries both.
  const ownSchema = schema === '' || schema === 'main' || (catalogName === '' && schema === database);
  if (ownCatalog && ownSchema && tables.has(table)) return null;
  if (ownCatalog && schema === 'information_schema' && METADATA_VIEWS.has(table)) return null;
  if (!ownCatalog || (catalogName === '' && schema !== '' && !ownSchema && schema !== 'information_schema' && schema !== 'pg_catalog')) {
    return { code: 'CROSS_DATABASE', message: `"${parts.join('.')}" is outside this source: only its own tables can be read.` };
  }
  const known = tableNames.length > 0 ? ` (its tables: ${tableNames.slice(0, 12).join(', ')}${tableNames.length > 12 ? ', \u2026' : ''})` : '';
  return { code: 'FORBIDDEN_RELATION', message: `"${parts.join('.')}" is not a table of this source${known}: only the source's own tables can be read.` };
}

function parseRefusal(result: Extract<SerializeResult, { error: true }>, offset: number): Verdict {
  const message = result.error_message ?? 'unknown error';
  const position = result.position !== undefined ? Number(result.position) + offset : undefined;
  if (/locking clause/i.test(message)) return refusal('LOCKING_CLAUSE', 'FOR UPDATE/SHARE is not allowed: it asks for row locks.', null, position);
  if (/SELECT INTO/i.test(message)) return refusal('SELECT_INTO', 'SELECT INTO is not allowed: it creates a table.', null, position);
  if (/CTE needs a SELECT/i.test(message)) return refusal('WRITE_CTE', 'A data-modifying statement inside WITH is not allowed: only SELECT may appear there.', null, position);
  return refusal('PARSE_ERROR', `DuckDB cannot parse the query: ${cleanMessage(message)}.`, null, position);
}

function cleanMessage(message: string): string {
  return message.replace(/^Failed to extract statements: /, '').replace(/^Parser Error: /, '').split('\n')[0]!.replace(/[.!]+$/, '');
}

function multiple(count: number, sql = ''): Verdict {
  const pivot = /\b(UN)?PIVOT\b/i.test(sql)
    ? ' DuckDB also expands a PIVOT without an IN list into several statements (it creates a type first): list the values, as in ON col IN (\u2026).'
    : '';
  return refusal('MULTIPLE_STATEMENTS', `The query has ${count} statements; send exactly one, without a second statement after a semicolon.${pivot}`);
}

// ---------------------------------------------------------------------------
// The first words of a statement, read with DuckDB's lexical rules (which are
// PostgreSQL's): used to name refused statements and to split off EXPLAIN.

interface LeadingWord {
  word: string;
  start: number;
  /** Inside EXPLAIN's parenthesised option list. */
  inOptions: boolean;
}

function leadingWords(sql: string, limit = 12): { words: LeadingWord[]; error?: string; errorAt?: number } {
  const words: LeadingWord[] = [];
  let depth = 0;
  let i = 0;
  while (i < sql.length && words.length < limit) {
    const c = sql[i]!;
    if (/\s/.test(c)) i++;
    else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
    } else if (c === '/' && sql[i + 1] === '*') {
      let nest = 1;
      let j = i + 2;
      while (j < sql.length && nest > 0) {
        if (sql.startsWith('/*', j)) {
          nest++;
          j += 2;
        } else if (sql.startsWith('*/', j)) {
          nest--;
          j += 2;
        } else j++;
      }
      if (nest > 0) return { words, error: 'The query has a /* comment that is never closed.', errorAt: i };
      i = j;
    } else if (c === '(') {
      // Only EXPLAIN ( options ) matters here; anything else ends the leading words.
      if (words.length === 1 && words[0]!.word === 'EXPLAIN' && depth === 0) {
        depth = 1;
        i++;
      } else break;
    } else if (c === ')' && depth > 0) {
      depth = 0;
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      words.push({ word: sql.slice(i, j).toUpperCase(), start: i, inOptions: depth > 0 });
      i = j;
    } else if (depth > 0 && (c === ',' || c === '=' || /[0-9]/.test(c))) i++;
    else if (depth > 0 && (c === "'" || c === '"')) {
      const end = sql.indexOf(c, i + 1);
      if (end === -1) return { words, error: `The query has a ${c} that is never closed.`, errorAt: i };
      i = end + 1;
    } else break;
  }
  if (depth > 0) return { words, error: 'EXPLAIN options are not closed with ")".', errorAt: i };
  return { words };
}

function statementName(words: LeadingWord[]): string {
  const [a, b] = words.map((w) => w.word);
  if (!a) return 'an empty statement';
  const twoWords = ['CREATE', 'DROP', 'ALTER', 'EXPORT', 'IMPORT', 'FORCE'];
  return twoWords.includes(a) && b ? `${a} ${b}` : a;
}

function locate(location: unknown, offset: number, length: number): number | undefined {
  if (typeof location !== 'number' || location >= OUT_OF_RANGE) return undefined;
  const position = location + offset;
  return position >= 0 && position <= length ? position : undefined;
}

