/**
 * Layer 1 for the files store (DuckDB dialect). DuckDB parses the query
 * itself: `json_serialize_sql` returns the parse tree of SELECT statements and
 * refuses everything else, on a private in-memory instance with external
 * access disabled and configuration locked, so checking a query can never
 * touch a file. The tree is then walked for file and environment readers,
 * SQL-from-text functions, and table names that are really file paths or
 * URLs (DuckDB's replacement scans read `FROM 'data.csv'` as a file).
 */
import { dedupeReasons, reasonAt, refusal } from '../shared/verdict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Verdict, VerdictReason, VerdictReasonCode } from '../../contract/query.contract';

/** The longest query text accepted, in characters (about 100 KB). */
export const MAX_DUCKDB_QUERY_LENGTH = 100_000;

type Rule = { code: VerdictReasonCode; why: string };
const files = (why: string): Rule => ({ code: 'FILE_ACCESS', why });
const forbidden = (why: string): Rule => ({ code: 'FORBIDDEN_FUNCTION', why });
const READS_FILES = files('it reads files or URLs directly instead of the loaded tables');
const SQL_TEXT = forbidden('it runs SQL given as text, which cannot be checked in advance');
const REMOTE = files('it reads from another database or service');

/** Exact names, compared lower-case whatever the schema. */
const FUNCTIONS = new Map<string, Rule>([
  ['glob', files('it lists files on this computer')],
  ['sniff_csv', READS_FILES],
  ['getenv', files('it reads environment variables, which may hold secrets')],
  ['load_aws_credentials', files('it reads cloud credentials')],
  ['query', SQL_TEXT],
  ['query_table', SQL_TEXT],
  ['json_execute_serialized_sql', SQL_TEXT],
  ['json_serialize_plan', SQL_TEXT],
  ['duckdb_secrets', forbidden('it lists stored secrets')],
  ['which_secret', forbidden('it looks up stored secrets')],
  ['checkpoint', forbidden('it writes the database to disk')],
  ['force_checkpoint', forbidden('it writes the database to disk')],
  ['nextval', forbidden('it advances a sequence, which is a write')],
  ['setval', forbidden('it resets a sequence, which is a write')],
  ['enable_logging', forbidden('it changes the database configuration')],
  ['disable_logging', forbidden('it changes the database configuration')],
  ['truncate_duckdb_logs', forbidden('it deletes logs')],
]);

/** Families matched by prefix (readers and scanners of every format and remote database). */
const PREFIXES: Array<[string, Rule]> = [
  ['read_', READS_FILES],
  ['parquet_', READS_FILES],
  ['iceberg_', READS_FILES],
  ['delta_', READS_FILES],
  ['st_read', READS_FILES],
  ['http_', files('it fetches URLs')],
  ['postgres_', REMOTE],
  ['mysql_', REMOTE],
  ['sqlite_', REMOTE],
  ['ducklake_', REMOTE],
];

/** Returns why a function may not be called, or null when it may. */
export function forbiddenDuckdbFunction(name: string): Rule | null {
  const lower = name.toLowerCase();
  const exact = FUNCTIONS.get(lower);
  if (exact) return exact;
  for (const [prefix, rule] of PREFIXES) if (lower.startsWith(prefix)) return rule;
  // parquet_scan, delta_scan, arrow_scan (which reads raw memory addresses) …
  if (lower.endsWith('_scan')) return READS_FILES;
  return null;
}

/** Components that only a quoted name or a string can contain: a table named like this is a path or URL. */
const PATH_CHARS = /[./\\:*?~]/;
/** File extensions DuckDB's replacement scans recognise (also after an unquoted dot: `FROM data.csv`). */
const FILE_EXTENSIONS = new Set(['csv', 'tsv', 'txt', 'parquet', 'json', 'jsonl', 'ndjson', 'gz', 'zst', 'zstd', 'xlsx', 'xls', 'arrow', 'ipc', 'feather', 'avro', 'orc', 'db', 'duckdb', 'ddb', 'sqlite', 'sqlite3']);

const ONLY_QUERIES = 'only queries that read (SELECT, FROM \u2026, WITH \u2026 SELECT, VALUES, DESCRIBE, SUMMARIZE, or EXPLAIN without ANALYZE) can run';
const OUT_OF_RANGE = Number.MAX_SAFE_INTEGER;

interface Parser {
  serialize(sql: string): Promise<SerializeResult>;
  countStatements(sql: string): Promise<number | { error: string }>;
}

type Json = Record<string, unknown>;
type SerializeResult = { error: false; statements: Array<{ node: Json }> } | { error: true; error_type?: string; error_message?: string; position?: string };

let parserPromise: Promise<Parser> | null = null;

/** One locked-down in-memory DuckDB per thread (module instances are per worker), created on first use. */
function getParser(): Promise<Parser> {
  parserPromise ??= createParser().catch((error: unknown) => {
    parserPromise = null;
    throw error;
  });
  return parserPromise;
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
  return {
    serialize: (sql) =>
      serial(async () => {
        statement.bindVarchar(1, sql);
        const reader = await statement.runAndReadAll();
        return JSON.parse(String(reader.getRows()[0]?.[0])) as SerializeResult;
      }),
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

/** Static check of one DuckDB query with DuckDB's own parser; never reads a file. */
export async function validateDuckdbQuery(sql: string): Promise<Verdict> {
  if (sql.trim() === '') return refusal('EMPTY_QUERY', 'The query is empty.');
  if (sql.length > MAX_DUCKDB_QUERY_LENGTH) {
    return refusal('TOO_LONG', `The query is ${sql.length.toLocaleString('en')} characters long; the limit is ${MAX_DUCKDB_QUERY_LENGTH.toLocaleString('en')}.`);
  }
  const parser = await getParser();

  const head = leadingWords(sql);
  const first = head.words[0];
  if (first?.word === 'EXPLAIN') {
    if (head.error) return refusal('PARSE_ERROR', head.error, 'explain', head.errorAt);
    return explain(sql, head.words, parser);
  }

  const result = await parser.serialize(sql);
  if (!result.error) return checkStatements(sql, result.statements, 0, null);

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

async function explain(sql: string, words: LeadingWord[], parser: Parser): Promise<Verdict> {
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
  return checkStatements(sql, result.statements, target.start, 'explain');
}

function checkStatements(sql: string, statements: Array<{ node: Json }>, offset: number, kind: string | null): Verdict {
  if (statements.length === 0) return refusal('EMPTY_QUERY', 'The query has no statement, only comments or semicolons.');
  if (statements.length > 1) return multiple(statements.length);
  const root = statements[0]!.node;
  const reasons = walk(root, offset, sql.length);
  return { allowed: reasons.length === 0, reasons: dedupeReasons(reasons, { perPosition: true }), statementKind: kind ?? kindOf(root) };
}

function kindOf(root: Json): string {
  const from = root.from_table as Json | undefined;
  if (from?.type === 'SHOW_REF') return 'show';
  if (from?.type === 'EXPRESSION_LIST' && from.alias === 'valueslist') return 'values';
  return 'select';
}

/** Every expression and table reference in the tree, without recursion. */
function walk(root: Json, offset: number, length: number): VerdictReason[] {
  const reasons: VerdictReason[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    const node = value as Json;
    const position = locate(node.query_location, offset, length);
    if (node.class === 'FUNCTION' && typeof node.function_name === 'string' && node.is_operator !== true) {
      const rule = forbiddenDuckdbFunction(node.function_name);
      if (rule) reasons.push(reasonAt({ code: rule.code, message: `${node.function_name} is not allowed: ${rule.why}.` }, position));
    } else if (node.type === 'BASE_TABLE') {
      const parts = [node.catalog_name, node.schema_name, node.table_name].filter((p): p is string => typeof p === 'string' && p !== '');
      const last = parts[parts.length - 1] ?? '';
      if (parts.some((p) => PATH_CHARS.test(p)) || (parts.length > 1 && FILE_EXTENSIONS.has(last.toLowerCase()))) {
        reasons.push(reasonAt({ code: 'FILE_ACCESS', message: `"${parts.join('.')}" is a file path or URL, not a loaded table: reading files directly is not allowed.` }, position));
      }
    }
    for (const child of Object.values(node)) if (child !== null && typeof child === 'object') stack.push(child);
  }
  return reasons;
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

