/**
 * Layer 1 for MySQL and MariaDB. Two independent passes, and a query must
 * satisfy both:
 *
 * 1. A lexer that follows the server's own rules for comments, quotes and
 *    separators. node-sql-parser tokenises differently from the server in ways
 *    an attacker can use: it treats `--x` as a comment where MySQL reads two
 *    minus signs, and it skips executable comments (`/*! … *\/`) whose content
 *    MySQL runs. The lexer splits statements, refuses what cannot be read
 *    unambiguously, and finds calls, assignments, INTO and locking clauses
 *    token by token, so a parser gap never hides them.
 * 2. node-sql-parser's AST (MariaDB grammar first, then MySQL's for syntax
 *    only that grammar knows), which must be a single SELECT. A query neither
 *    grammar parses is refused.
 */
import { dedupeReasons, refusal } from '../shared/verdict';
import NodeSqlParser from 'node-sql-parser';
import type { Verdict, VerdictReason, VerdictReasonCode } from '../../contract/query.contract';

/** The longest query text accepted, in characters (about 100 KB). */
export const MAX_MYSQL_QUERY_LENGTH = 100_000;

export interface MysqlGuardrailOptions {
  /** Which grammar to try first; the other is the fallback. Defaults to MariaDB. */
  flavor?: 'mariadb' | 'mysql';
}

type Rule = { code: VerdictReasonCode; why: string };
const forbidden = (why: string): Rule => ({ code: 'FORBIDDEN_FUNCTION', why });
const BLOCKS = forbidden('it can block the database');
const WAITS = forbidden('it waits on replication and can block the connection');
const LOCKS = forbidden('it takes or releases named locks shared with other sessions');
const SEQUENCE = forbidden('it advances or resets a sequence, which is a write');
const SHELL = forbidden('it runs operating-system commands through a user-defined function');

/** Compared upper-case, whatever the schema or quoting. */
const FUNCTIONS = new Map<string, Rule>([
  ['SLEEP', BLOCKS],
  ['BENCHMARK', BLOCKS],
  ['GET_LOCK', LOCKS],
  ['RELEASE_LOCK', LOCKS],
  ['RELEASE_ALL_LOCKS', LOCKS],
  ['IS_FREE_LOCK', LOCKS],
  ['IS_USED_LOCK', LOCKS],
  ['MASTER_POS_WAIT', WAITS],
  ['SOURCE_POS_WAIT', WAITS],
  ['MASTER_GTID_WAIT', WAITS],
  ['WAIT_FOR_EXECUTED_GTID_SET', WAITS],
  ['WAIT_UNTIL_SQL_THREAD_AFTER_GTIDS', WAITS],
  ['NEXTVAL', SEQUENCE],
  ['SETVAL', SEQUENCE],
  ['LOAD_FILE', { code: 'FILE_ACCESS', why: 'it reads a file on the database server' }],
  ['SYS_EXEC', SHELL],
  ['SYS_EVAL', SHELL],
  ['SYS_GET', SHELL],
  ['SYS_SET', SHELL],
  ['LIB_MYSQLUDF_SYS_INFO', SHELL],
]);

/** Returns why a function may not be called, or null when it may. */
export function forbiddenMysqlFunction(name: string): Rule | null {
  return FUNCTIONS.get(name.toUpperCase()) ?? null;
}

const QUERY_STARTS = new Set(['SELECT', 'WITH', '(', 'VALUES', 'TABLE']);
/** First words of every other MySQL/MariaDB statement, so they get NOT_A_QUERY rather than a parse error. */
const OTHER_STATEMENTS = new Set(
  ('INSERT REPLACE UPDATE DELETE CREATE DROP ALTER RENAME TRUNCATE SET CALL DO LOAD HANDLER KILL SHOW INSTALL UNINSTALL GRANT REVOKE ' +
    'LOCK UNLOCK START BEGIN COMMIT ROLLBACK SAVEPOINT RELEASE XA FLUSH RESET PURGE CHANGE PREPARE EXECUTE DEALLOCATE USE OPTIMIZE ' +
    'REPAIR CHECK CHECKSUM CACHE BINLOG SHUTDOWN RESTART IMPORT CLONE HELP BACKUP SIGNAL RESIGNAL GET DECLARE OPEN CLOSE FETCH STOP ' +
    'RETURN IF WHILE LOOP REPEAT LEAVE ITERATE CASE')
    .split(' '),
);
const EXPLAIN_WORDS = new Set(['EXPLAIN', 'DESCRIBE', 'DESC']);
const WRITE_TYPES = new Set(['insert', 'replace', 'update', 'delete']);
const ONLY_QUERIES = 'only queries that read (SELECT, WITH \u2026 SELECT, VALUES, or EXPLAIN without ANALYZE) can run';

// node-sql-parser ships as CommonJS; its Parser is stateless between calls, so one serves every query.
const parser = new NodeSqlParser.Parser();

/** Static check of one MySQL/MariaDB query; never touches a database. Synchronous. */
export function validateMysqlQuery(sql: string, options: MysqlGuardrailOptions = {}): Verdict {
  if (sql.trim() === '') return refusal('EMPTY_QUERY', 'The query is empty.');
  if (sql.length > MAX_MYSQL_QUERY_LENGTH) {
    return refusal('TOO_LONG', `The query is ${sql.length.toLocaleString('en')} characters long; the limit is ${MAX_MYSQL_QUERY_LENGTH.toLocaleString('en')}.`);
  }

  const lexed = lex(sql);
  if ('error' in lexed) return { allowed: false, reasons: [lexed.error], statementKind: null };

  const statements = splitStatements(lexed.tokens);
  if (statements.length === 0) return refusal('EMPTY_QUERY', 'The query has no statement, only comments or semicolons.');
  if (statements.length > 1) {
    return refusal('MULTIPLE_STATEMENTS', `The query has ${statements.length} statements; send exactly one, without a second statement after a semicolon.`, null, statements[1]![0]!.start);
  }

  const tokens = statements[0]!;
  const first = tokens[0]!;
  const head = upper(first);

  if (head === 'ANALYZE') return analyzeStatement(tokens);
  let queryTokens = tokens;
  let statementKind: string;
  const reasons: VerdictReason[] = [];
  if (EXPLAIN_WORDS.has(head)) {
    statementKind = 'explain';
    const explained = explainTarget(tokens);
    if ('refusal' in explained) return { allowed: false, reasons: explained.refusal, statementKind };
    queryTokens = explained.tokens;
  } else if (QUERY_STARTS.has(head)) {
    statementKind = head === 'VALUES' ? 'values' : head === 'TABLE' ? 'table' : 'select';
  } else if (OTHER_STATEMENTS.has(head)) {
    return refusal('NOT_A_QUERY', `${statementName(tokens)} is not allowed: ${ONLY_QUERIES}.`, head.toLowerCase(), first.start);
  } else {
    const near = first.kind === 'word' ? first.text : sql.slice(first.start, first.start + 20).trim();
    return refusal('PARSE_ERROR', `The query could not be parsed as MySQL or MariaDB: it does not start with a statement (near "${near}").`, null, first.start);
  }

  reasons.push(...lexicalChecks(queryTokens));
  const parsed = parseQuery(lexed.cleaned, queryTokens, options.flavor ?? 'mariadb');
  if ('error' in parsed) {
    // Refused either way; the lexical reasons say more than the parser's complaint when there are any.
    return { allowed: false, reasons: reasons.length > 0 ? dedupeReasons(reasons) : [parsed.error], statementKind };
  }
  reasons.push(...astChecks(parsed.ast));
  const unique = dedupeReasons(reasons);
  return { allowed: unique.length === 0, reasons: unique, statementKind };
}

// ---------------------------------------------------------------------------
// Lexer

type TokenKind = 'word' | 'quoted' | 'string' | 'var' | 'op' | 'semicolon';
interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
}

interface Lexed {
  tokens: Token[];
  /** The query with every comment blanked to spaces (offsets unchanged) and bare `--` split so no parser mistakes it for a comment. */
  cleaned: string;
}

const WORD = /[A-Za-z0-9_$\u0080-\uffff]/;

function lex(sql: string): Lexed | { error: VerdictReason } {
  const tokens: Token[] = [];
  const out = sql.split('');
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  const fail = (message: string, position: number) => ({ error: { code: 'PARSE_ERROR' as const, message, position } });
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#' || (c === '-' && next === '-' && (i + 2 >= sql.length || sql.charCodeAt(i + 2) <= 32))) {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      if (sql[i + 2] === '!' || (sql[i + 2] === 'M' && sql[i + 3] === '!')) {
        return fail('Executable comments (/*! \u2026 */ and /*M! \u2026 */) are not allowed: the server runs their content, so what runs could differ from what was checked.', i);
      }
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) return fail('The query has a /* comment that is never closed.', i);
      blank(i, end + 2);
      i = end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      const end = scanQuoted(sql, i);
      if (typeof end !== 'number') return { error: end };
      tokens.push(c === '`' ? { kind: 'quoted', text: sql.slice(i + 1, end - 1).replaceAll('``', '`'), start: i, end } : { kind: 'string', text: sql.slice(i, end), start: i, end });
      i = end;
    } else if (c === '@') {
      let j = i + 1;
      if (sql[j] === '@') j++;
      if (sql[j] === "'" || sql[j] === '"' || sql[j] === '`') {
        // @'name' follows the same quoting rules as a string, escapes included.
        const end = scanQuoted(sql, j);
        if (typeof end !== 'number') return { error: end };
        j = end;
      } else {
        while (j < sql.length && (WORD.test(sql[j]!) || sql[j] === '.')) j++;
      }
      tokens.push({ kind: 'var', text: sql.slice(i, j), start: i, end: j });
      i = j;
    } else if (WORD.test(c)) {
      let j = i + 1;
      while (j < sql.length && WORD.test(sql[j]!)) j++;
      tokens.push({ kind: 'word', text: sql.slice(i, j), start: i, end: j });
      i = j;
    } else if (c === ';') {
      tokens.push({ kind: 'semicolon', text: ';', start: i, end: i + 1 });
      i++;
    } else if (c === ':' && next === '=') {
      tokens.push({ kind: 'op', text: ':=', start: i, end: i + 2 });
      i += 2;
    } else {
      tokens.push({ kind: 'op', text: c, start: i, end: i + 1 });
      i++;
    }
  }
  // A bare `--` (not followed by a space) is two minus signs to the server but a comment to
  // node-sql-parser, which would then not see the rest of the line. The parser pass only looks at
  // structure, not values, so the second sign becomes `+`: same length, nothing hidden.
  for (let t = 1; t < tokens.length; t++) {
    const a = tokens[t - 1]!;
    const b = tokens[t]!;
    if (a.text === '-' && b.text === '-' && b.start === a.end && a.kind === 'op' && b.kind === 'op') out[b.start] = '+';
  }
  return { tokens, cleaned: out.join('') };
}

/**
 * The end (exclusive) of the quoted string or name starting at `start`. Quotes double to escape
 * themselves; in '…' and "…" a backslash escapes the next character, as in the server's default mode.
 */
function scanQuoted(sql: string, start: number): number | VerdictReason {
  const quote = sql[start]!;
  let j = start + 1;
  for (;;) {
    if (j >= sql.length) {
      const what = quote === '`' ? 'a `quoted name`' : `a string starting with ${quote}`;
      return { code: 'PARSE_ERROR', message: `The query has ${what} that is never closed.`, position: start };
    }
    const d = sql[j]!;
    if (d === '\\' && quote !== '`') {
      // With NO_BACKSLASH_ESCAPES (or ANSI_QUOTES for ") this quote would end the string instead, and
      // the rest of the text would be read as SQL. Doubling the quote means the same in every mode.
      if (sql[j + 1] === quote) {
        return { code: 'PARSE_ERROR', message: `A backslash-escaped quote (\\${quote}) is ambiguous: depending on the server's SQL mode it may end the string. Double the quote instead (${quote}${quote}).`, position: j };
      }
      j += 2;
    } else if (d === quote) {
      if (sql[j + 1] === quote) j += 2;
      else return j + 1;
    } else j++;
  }
}

function splitStatements(tokens: Token[]): Token[][] {
  const statements: Token[][] = [];
  let current: Token[] = [];
  for (const token of tokens) {
    if (token.kind === 'semicolon') {
      if (current.length > 0) statements.push(current);
      current = [];
    } else current.push(token);
  }
  if (current.length > 0) statements.push(current);
  return statements;
}

function upper(token: Token | undefined): string {
  if (!token) return '';
  return token.kind === 'word' || token.kind === 'op' ? token.text.toUpperCase() : '';
}

// ---------------------------------------------------------------------------
// Checks on tokens

function lexicalChecks(tokens: Token[]): VerdictReason[] {
  const reasons: VerdictReason[] = [];
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t]!;
    const word = upper(token);
    const next = tokens[t + 1];
    if (token.text === ':=' && token.kind === 'op') {
      reasons.push({ code: 'VARIABLE_ASSIGNMENT', message: 'Assigning variables with := is not allowed: it changes session state.', position: token.start });
    } else if (word === 'INTO' && next) {
      const target = upper(next);
      if (target === 'OUTFILE' || target === 'DUMPFILE') {
        reasons.push({ code: 'FILE_ACCESS', message: `SELECT \u2026 INTO ${target} is not allowed: it writes a file on the database server.`, position: token.start });
      } else if (next.kind === 'var') {
        reasons.push({ code: 'VARIABLE_ASSIGNMENT', message: 'SELECT \u2026 INTO @variable is not allowed: it changes session state.', position: token.start });
      } else {
        reasons.push({ code: 'SELECT_INTO', message: 'SELECT \u2026 INTO is not allowed: it stores the result instead of returning it.', position: token.start });
      }
    } else if (word === 'FOR' && (upper(next) === 'UPDATE' || upper(next) === 'SHARE')) {
      reasons.push({ code: 'LOCKING_CLAUSE', message: `FOR ${upper(next)} is not allowed: it locks rows, which blocks other sessions and needs write access.`, position: token.start });
    } else if (word === 'LOCK' && upper(next) === 'IN' && upper(tokens[t + 2]) === 'SHARE' && upper(tokens[t + 3]) === 'MODE') {
      reasons.push({ code: 'LOCKING_CLAUSE', message: 'LOCK IN SHARE MODE is not allowed: it locks rows, which blocks other sessions.', position: token.start });
    } else if (word === 'NEXT' && upper(next) === 'VALUE' && upper(tokens[t + 2]) === 'FOR') {
      reasons.push({ code: 'FORBIDDEN_FUNCTION', message: `NEXT VALUE FOR is not allowed: ${SEQUENCE.why}.`, position: token.start });
    } else if ((token.kind === 'word' || token.kind === 'quoted' || token.text.startsWith('"')) && next?.text === '(' && next.kind === 'op') {
      // A "double-quoted" name is a string by default but an identifier under ANSI_QUOTES.
      const name = (token.kind === 'string' ? token.text.slice(1, -1) : token.text).toUpperCase();
      const rule = forbiddenMysqlFunction(name);
      if (rule) reasons.push({ code: rule.code, message: `${name} is not allowed: ${rule.why}.`, position: token.start });
      else if (name === 'LAST_INSERT_ID' && tokens[t + 2]?.text !== ')') {
        reasons.push({ code: 'FORBIDDEN_FUNCTION', message: 'LAST_INSERT_ID with an argument is not allowed: it changes session state.', position: token.start });
      }
    }
  }
  return reasons;
}

function analyzeStatement(tokens: Token[]): Verdict {
  const next = upper(tokens[1]);
  if (next === 'TABLE' || next === 'NO_WRITE_TO_BINLOG' || next === 'LOCAL') {
    return refusal('NOT_A_QUERY', `ANALYZE TABLE is not allowed: ${ONLY_QUERIES}.`, 'analyze', tokens[0]!.start);
  }
  // MariaDB's ANALYZE <statement> runs the statement and reports what happened.
  const reasons: VerdictReason[] = [{ code: 'EXPLAIN_ANALYZE', message: 'ANALYZE is not allowed: it runs the statement for real, so anything it does would happen. Use EXPLAIN.', position: tokens[0]!.start }];
  const target = tokens.find((t, i) => i > 0 && upper(t) !== 'FORMAT' && t.text !== '=' && upper(tokens[i - 1]) !== '=');
  if (target && !QUERY_STARTS.has(upper(target))) reasons.push({ code: 'NOT_A_QUERY', message: `ANALYZE of ${statementName(tokens.slice(tokens.indexOf(target)))} is not allowed: ${ONLY_QUERIES}.` });
  return { allowed: false, reasons, statementKind: 'analyze' };
}

/** EXPLAIN [EXTENDED | PARTITIONS | FORMAT = name] <query>; returns the query's tokens. */
function explainTarget(tokens: Token[]): { tokens: Token[] } | { refusal: VerdictReason[] } {
  let t = 1;
  if (upper(tokens[t]) === 'ANALYZE') {
    const reasons: VerdictReason[] = [{ code: 'EXPLAIN_ANALYZE', message: 'EXPLAIN ANALYZE is not allowed: it runs the statement for real, so anything it does would happen. Use EXPLAIN without ANALYZE.', position: tokens[t]!.start }];
    const rest = tokens.slice(t + 1).filter((_, i, all) => !(upper(all[i]) === 'FORMAT' || all[i]!.text === '=' || upper(all[i - 1]) === '='));
    if (rest[0] && !QUERY_STARTS.has(upper(rest[0]))) reasons.push({ code: 'NOT_A_QUERY', message: `EXPLAIN of ${statementName(rest)} is not allowed: ${ONLY_QUERIES}.` });
    return { refusal: reasons };
  }
  for (;;) {
    const word = upper(tokens[t]);
    if (word === 'EXTENDED' || word === 'PARTITIONS') t++;
    else if (word === 'FORMAT' && tokens[t + 1]?.text === '=') t += 3;
    else break;
  }
  const rest = tokens.slice(t);
  const head = upper(rest[0]);
  if (!rest[0] || !QUERY_STARTS.has(head) || head === 'TABLE' || head === 'VALUES') {
    const what = rest[0] ? statementName(rest) : 'nothing';
    return { refusal: [{ code: 'NOT_A_QUERY', message: `EXPLAIN of ${what} is not allowed: ${ONLY_QUERIES}.` }] };
  }
  return { tokens: rest };
}

function statementName(tokens: Token[]): string {
  const [a, b] = tokens.slice(0, 2).map((t) => upper(t));
  if (!a) return 'an empty statement';
  if (!OTHER_STATEMENTS.has(a) && !QUERY_STARTS.has(a)) return 'a table (that is DESCRIBE)';
  const twoWords = ['CREATE', 'DROP', 'ALTER', 'RENAME', 'LOAD', 'LOCK', 'UNLOCK', 'START', 'INSTALL', 'UNINSTALL', 'SHOW', 'FLUSH', 'RESET', 'PURGE', 'CHANGE', 'XA'];
  return twoWords.includes(a) && b ? `${a} ${b}` : a;
}

// ---------------------------------------------------------------------------
// Parser pass

type Ast = Record<string, unknown>;

function parseQuery(cleaned: string, tokens: Token[], flavor: 'mariadb' | 'mysql'): { ast: Ast } | { error: VerdictReason } {
  const start = tokens[0]!.start;
  const end = tokens[tokens.length - 1]!.end;
  const body = cleaned.slice(start, end);
  const head = upper(tokens[0]);
  // node-sql-parser has no grammar for the VALUES and TABLE statements: check an equivalent SELECT.
  const prefix = head === 'VALUES' ? 'SELECT * FROM (' : head === 'TABLE' ? 'SELECT * FROM ' : '';
  const suffix = head === 'VALUES' ? ') AS v' : '';
  const text = head === 'TABLE' ? prefix + body.slice('TABLE'.length) : prefix + body + suffix;
  const offset = start - prefix.length + (head === 'TABLE' ? 'TABLE'.length : 0);

  const dialects = flavor === 'mariadb' ? ['MariaDB', 'MySQL'] : ['MySQL', 'MariaDB'];
  let firstError: unknown;
  for (const database of dialects) {
    try {
      const ast = parser.astify(text, { database });
      const list = Array.isArray(ast) ? ast : [ast];
      if (list.length !== 1) return { error: { code: 'MULTIPLE_STATEMENTS', message: 'The query has more than one statement.' } };
      return { ast: list[0] as unknown as Ast };
    } catch (error) {
      firstError ??= error;
    }
  }
  const location = (firstError as { location?: { start?: { offset?: number; line?: number; column?: number } } }).location?.start;
  const position = typeof location?.offset === 'number' ? Math.max(start, location.offset + offset) : start;
  const near = cleaned.slice(position, position + 20).split('\n')[0]!.trim();
  return {
    error: {
      code: 'PARSE_ERROR',
      message: near ? `The query could not be parsed as MySQL or MariaDB near "${near}".` : 'The query could not be parsed as MySQL or MariaDB: it ends too early.',
      position,
    },
  };
}

function astChecks(root: Ast): VerdictReason[] {
  const reasons: VerdictReason[] = [];
  if (root.type !== 'select') {
    reasons.push({ code: 'NOT_A_QUERY', message: `${String(root.type).toUpperCase()} is not allowed: ${ONLY_QUERIES}.` });
    return reasons;
  }
  const stack: unknown[] = [root];
  let isRoot = true;
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    const n = node as Ast;
    if (!isRoot && typeof n.type === 'string' && WRITE_TYPES.has(n.type)) {
      reasons.push({ code: 'WRITE_CTE', message: `A data-modifying ${n.type.toUpperCase()} inside the query is not allowed.` });
    }
    isRoot = false;
    if (n.type === 'select') {
      const into = n.into as Ast | null | undefined;
      const keyword = typeof into?.keyword === 'string' ? into.keyword.toUpperCase() : null;
      if (keyword === 'OUTFILE' || keyword === 'DUMPFILE') {
        reasons.push({ code: 'FILE_ACCESS', message: `SELECT \u2026 INTO ${keyword} is not allowed: it writes a file on the database server.` });
      } else if (keyword === 'VAR') {
        reasons.push({ code: 'VARIABLE_ASSIGNMENT', message: 'SELECT \u2026 INTO @variable is not allowed: it changes session state.' });
      } else if (keyword) {
        reasons.push({ code: 'SELECT_INTO', message: 'SELECT \u2026 INTO is not allowed: it stores the result instead of returning it.' });
      }
      if (typeof n.locking_read === 'string' && n.locking_read) {
        const clause = n.locking_read.toUpperCase().startsWith('LOCK') ? 'LOCK IN SHARE MODE' : n.locking_read.toUpperCase().split(' ').slice(0, 2).join(' ');
        reasons.push({ code: 'LOCKING_CLAUSE', message: clause === 'LOCK IN SHARE MODE' ? 'LOCK IN SHARE MODE is not allowed: it locks rows, which blocks other sessions.' : `${clause} is not allowed: it locks rows, which blocks other sessions and needs write access.` });
      }
    }
    if (n.type === 'assign') reasons.push({ code: 'VARIABLE_ASSIGNMENT', message: 'Assigning variables with := is not allowed: it changes session state.' });
    if (n.type === 'function') {
      const parts = ((n.name as Ast | undefined)?.name as Array<{ value?: unknown }> | undefined) ?? [];
      const name = String(parts[parts.length - 1]?.value ?? '').toUpperCase();
      const rule = forbiddenMysqlFunction(name);
      if (rule) reasons.push({ code: rule.code, message: `${name} is not allowed: ${rule.why}.` });
    }
    for (const child of Object.values(n)) if (child !== null && typeof child === 'object') stack.push(child);
  }
  return reasons;
}

