/**
 * Layer 1 for MySQL and MariaDB: a pure function of the query text, the
 * source's database and its settings (readable databases, trusted function
 * databases) and the server flavour. Two independent passes, and a query must
 * satisfy both:
 *
 * 1. The lexer (lexer.ts), which reads the text as the server does and
 *    refuses what the server could read differently. On its tokens: one
 *    statement; every call `name(` against the function allow-list
 *    (functions.ts); system variables against theirs; no assignments, INTO,
 *    locking clauses or sequence access; qualified names in the server's own
 *    databases refused; and every qualifier (`x.` in `x.y`) must be something
 *    the parser also saw (a table, alias, CTE or allowed database), so a
 *    parser gap cannot hide a reference to another database.
 * 2. node-sql-parser's AST (MariaDB grammar first, then MySQL's), which must
 *    be a single SELECT made only of node kinds reviewed here: every table
 *    against the relation allow-list (relations.ts), every function and
 *    variable against the same allow-lists. A query neither grammar parses,
 *    or with a construct the checker does not know, is refused.
 */
import NodeSqlParser from 'node-sql-parser';
import type { Verdict, VerdictReason } from '../../contract/query.contract';
import { dedupeReasons, refusal } from '../shared/verdict';
import { decideFunction, refusedSystemVariable, type MysqlFlavor } from './functions';
import { foldLower, foldUpper, lex, nameOf, splitStatements, upper, type Token } from './lexer';
import { decideRelation, INFORMATION_SCHEMA, isMetadataView, relationScope, restrictedToAllowedDatabases, SYSTEM_DATABASES, viewKey, type RelationScope } from './relations';

/** The longest query text accepted, in characters (about 100 KB). */
export const MAX_MYSQL_QUERY_LENGTH = 100_000;

export interface MysqlGuardrailOptions {
  /** The source's database: unqualified names resolve here. Absent: qualified names must be in readableDatabases. */
  database?: string | null;
  /** Other databases qualified names may name (SourceSettings.readableDatabases). */
  readableDatabases?: readonly string[];
  /** Databases whose stored functions may be called as `db.fn()` (SourceSettings.trustedFunctionSchemas). */
  trustedFunctionSchemas?: readonly string[];
  /**
   * The server, when known: decides which grammar is tried first and allows the built-ins only it
   * has. Unknown: MariaDB's grammar first, and only built-ins both servers have.
   */
  flavor?: MysqlFlavor | null;
  /**
   * Views of the readable databases by viewKey(), with why each may not be read (null: it may), as
   * catalog.ts decides from their definitions. A view runs its definition with its definer's rights,
   * so the query is only as safe as the views it reads. Absent: views are not known.
   */
  views?: ReadonlyMap<string, string | null>;
  /**
   * Upper-case names of the stored functions of the readable databases and of the server's loadable
   * functions (catalog.ts). A built-in with one of these names is refused: called with another number
   * of arguments, or quoted, or spaced, the server would run the stored function instead.
   */
  storedFunctions?: ReadonlySet<string>;
  /**
   * The text is a view definition as the server normalised it, where a `quoted` call without a
   * database is a stored function of the view's own database (`database`), not a quoted built-in.
   */
  viewDefinition?: boolean;
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

/**
 * Words before `(` that are syntax, not calls. All are reserved words on both
 * servers, so neither can read them as the name of a user-defined function.
 */
const SYNTAX_BEFORE_PARENTHESIS = new Set(
  ('AND OR XOR NOT IN EXISTS AS ON USING WHERE HAVING SELECT FROM JOIN BY THEN ELSE WHEN CASE LIKE REGEXP RLIKE BETWEEN DIV ' +
    'DISTINCT DISTINCTROW UNION EXCEPT INTERSECT WITH RECURSIVE VALUES OF ALL AGAINST ESCAPE BINARY IS KEY INDEX PARTITION ' +
    // Type names in CAST(x AS DECIMAL(10, 2)), CONVERT(x, CHAR(3)) and JSON_VALUE(… RETURNING DECIMAL(4, 2)).
    'DECIMAL NUMERIC DEC FLOAT DOUBLE REAL INT INTEGER BIGINT SMALLINT TINYINT MEDIUMINT VARCHAR VARBINARY CHARACTER')
    .split(' '),
);
const COMPARISONS = new Set(['=', '<', '>', '!']);

// node-sql-parser ships as CommonJS; its Parser is stateless between calls, so one serves every query.
const parser = new NodeSqlParser.Parser();

interface Context {
  scope: RelationScope;
  flavor: MysqlFlavor | null;
  trusted: readonly string[];
  views: ReadonlyMap<string, string | null> | null;
  /** See MysqlGuardrailOptions.viewDefinition: the database unqualified quoted calls belong to, or null. */
  quotedCallsIn: string | null;
  shadowed: ReadonlySet<string> | null;
}

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

  const context: Context = {
    scope: relationScope({ database: options.database, readableDatabases: options.readableDatabases }),
    flavor: options.flavor ?? null,
    trusted: options.trustedFunctionSchemas ?? [],
    views: options.views ?? null,
    quotedCallsIn: options.viewDefinition ? (options.database ?? null) : null,
    shadowed: options.storedFunctions ?? null,
  };
  if (context.scope.sourceIsSystem) {
    return refusal('FORBIDDEN_RELATION', `The source's database ${context.scope.database} is one of the server's own databases (accounts, sessions, settings); PolyStoreIQ does not read it.`, statementKind);
  }
  const lexical = lexicalChecks(queryTokens, context);
  const reasons = [...lexical.reasons];
  const forParser = parserText(lexed.cleaned, queryTokens);
  reasons.push(...forParser.reasons);
  const parsed = parseQuery(forParser.text, queryTokens, context.flavor ?? 'mariadb');
  if ('error' in parsed) {
    // Refused either way; the lexical reasons say more than the parser's complaint when there are any.
    return { allowed: false, reasons: reasons.length > 0 ? dedupeReasons(reasons) : [parsed.error], statementKind };
  }
  const tree = astChecks(parsed.ast, parsed.tables, context);
  reasons.push(...tree.reasons);
  for (const q of lexical.qualifiers) {
    if (!tree.names.has(foldLower(q.name)) && !context.scope.allowed.has(q.name)) {
      reasons.push({ code: 'PARSE_ERROR', message: `The checker could not tell what "${q.name}." refers to (no table, alias or readable database of that name), so the query is not allowed.`, position: q.position });
    }
  }
  const unique = dedupeReasons(reasons);
  return { allowed: unique.length === 0, reasons: unique, statementKind };
}

// ---------------------------------------------------------------------------
// Checks on tokens

interface Qualifier {
  name: string;
  position: number;
}

function isCall(tokens: Token[], t: number): boolean {
  const next = tokens[t + 1];
  return next?.kind === 'op' && next.text === '(';
}

/** The index of the `)` that closes the `(` at index open, or -1. */
function closing(tokens: Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    const text = tokens[k]!.kind === 'op' ? tokens[k]!.text : '';
    if (text === '(') depth++;
    else if (text === ')' && --depth === 0) return k;
  }
  return -1;
}

/** Whether `name (` at index t is syntax rather than a call (see SYNTAX_BEFORE_PARENTHESIS). */
function isSyntax(tokens: Token[], t: number): boolean {
  const token = tokens[t]!;
  const previous = tokens[t - 1];
  // After AS comes an alias or a type, never a call: CAST(x AS DATETIME(6)), FROM (…) AS d (a, b).
  if (upper(previous) === 'AS') return true;
  // A CTE's column list: `name (a, b) AS (`; a call followed by AS takes an alias, never `(`.
  const end = closing(tokens, t + 1);
  if (end > 0 && upper(tokens[end + 1]) === 'AS' && tokens[end + 2]?.kind === 'op' && tokens[end + 2]!.text === '(') return true;
  if (token.kind !== 'word') return false;
  const word = foldUpper(token.text);
  if (SYNTAX_BEFORE_PARENTHESIS.has(word)) return true;
  // Not reserved everywhere, so syntax only where nothing else can stand: a window after a call,
  // ANY/SOME after a comparison, JSON_TABLE's COLUMNS after the path string, LATERAL in a FROM list.
  if (word === 'OVER') return previous?.kind === 'op' && previous.text === ')';
  if (word === 'ANY' || word === 'SOME') return previous?.kind === 'op' && COMPARISONS.has(previous.text[0]!);
  if (word === 'COLUMNS') return previous?.kind === 'string';
  if (word === 'LATERAL') return upper(previous) === 'JOIN' || previous?.text === ',';
  return false;
}

function lexicalChecks(tokens: Token[], context: Context): { reasons: VerdictReason[]; qualifiers: Qualifier[] } {
  const reasons: VerdictReason[] = [];
  const qualifiers: Qualifier[] = [];
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t]!;
    const word = upper(token);
    const next = tokens[t + 1];
    const previous = tokens[t - 1];
    const dot = (k: Token | undefined) => k?.kind === 'op' && k.text === '.';
    if (token.kind === 'op' && token.text === ':=') {
      reasons.push({ code: 'VARIABLE_ASSIGNMENT', message: 'Assigning variables with := is not allowed: it changes session state.', position: token.start });
    } else if (token.kind === 'sysvar') {
      const why = refusedSystemVariable(token.text, token.scope ?? null);
      if (why) reasons.push({ code: 'FORBIDDEN_FUNCTION', message: why, position: token.start });
    } else if (token.kind === 'dquoted' && (dot(previous) || dot(next))) {
      reasons.push({ code: 'PARSE_ERROR', message: 'A "double-quoted" name next to a dot is ambiguous: under ANSI_QUOTES it names a database or table, otherwise it is a string. Use `backticks`.', position: token.start });
    } else if (word === 'INTO' && next) {
      const target = upper(next);
      if (target === 'OUTFILE' || target === 'DUMPFILE') {
        reasons.push({ code: 'FILE_ACCESS', message: `SELECT \u2026 INTO ${target} is not allowed: it writes a file on the database server.`, position: token.start });
      } else if (next.kind === 'uservar') {
        reasons.push({ code: 'VARIABLE_ASSIGNMENT', message: 'SELECT \u2026 INTO @variable is not allowed: it changes session state.', position: token.start });
      } else {
        reasons.push({ code: 'SELECT_INTO', message: 'SELECT \u2026 INTO is not allowed: it stores the result instead of returning it.', position: token.start });
      }
    } else if (word === 'FOR' && (upper(next) === 'UPDATE' || upper(next) === 'SHARE')) {
      reasons.push({ code: 'LOCKING_CLAUSE', message: `FOR ${upper(next)} is not allowed: it locks rows, which blocks other sessions and needs write access.`, position: token.start });
    } else if (word === 'LOCK' && upper(next) === 'IN' && upper(tokens[t + 2]) === 'SHARE' && upper(tokens[t + 3]) === 'MODE') {
      reasons.push({ code: 'LOCKING_CLAUSE', message: 'LOCK IN SHARE MODE is not allowed: it locks rows, which blocks other sessions.', position: token.start });
    } else if (word === 'PROCEDURE') {
      reasons.push({ code: 'PARSE_ERROR', message: 'SELECT \u2026 PROCEDURE is not allowed: it hands the result to a server procedure.', position: token.start });
    } else if ((word === 'NEXT' || word === 'PREVIOUS') && upper(next) === 'VALUE' && upper(tokens[t + 2]) === 'FOR') {
      reasons.push({ code: 'FORBIDDEN_FUNCTION', message: `${word} VALUE FOR is not allowed: it advances or reads a sequence, which is a write or session state.`, position: token.start });
    } else if (isCall(tokens, t) && (token.kind === 'word' || token.kind === 'quoted' || token.kind === 'dquoted') && !isSyntax(tokens, t)) {
      reasons.push(...callReasons(tokens, t, context));
    }
    // The first part of a dotted name: a database, table, alias or CTE, checked against the parser's view.
    const name = nameOf(token);
    if (name !== null && dot(next) && !dot(previous) && !/^[0-9]+$/.test(name)) {
      const lower = foldLower(name);
      const member = tokens[t + 2];
      if (lower === INFORMATION_SCHEMA) {
        const view = nameOf(member);
        if (view !== null && !isCall(tokens, t + 2) && !isMetadataView(view)) {
          const decision = decideRelation(name, view, context.scope);
          if (!decision.allowed) reasons.push({ code: decision.code, message: decision.message, position: token.start });
        }
      } else if (SYSTEM_DATABASES.has(lower) && !isCall(tokens, t + 2)) {
        const decision = decideRelation(name, nameOf(member) ?? '?', context.scope);
        if (!decision.allowed) reasons.push({ code: decision.code, message: decision.message, position: token.start });
      }
      if (!isCall(tokens, t + 2) && lower !== INFORMATION_SCHEMA) qualifiers.push({ name, position: token.start });
    }
  }
  return { reasons, qualifiers };
}

function callReasons(tokens: Token[], t: number, context: Context): VerdictReason[] {
  const token = tokens[t]!;
  const paren = tokens[t + 1]!;
  const qualified = tokens[t - 1]?.kind === 'op' && tokens[t - 1]!.text === '.';
  const qualifier = qualified ? nameOf(tokens[t - 2]) : null;
  const position = qualified && tokens[t - 2] ? tokens[t - 2]!.start : token.start;
  if (qualified && qualifier === null) {
    return [{ code: 'PARSE_ERROR', message: 'The checker could not read the name of a qualified function call.', position }];
  }
  if (!qualified && token.kind === 'quoted' && context.quotedCallsIn !== null) {
    const decision = decideFunction(token.text, { qualifier: context.quotedCallsIn, flavor: context.flavor, trustedSchemas: context.trusted, adjacent: true });
    return decision.allowed ? [] : [{ code: decision.code, message: decision.message, position }];
  }
  if (!qualified && token.kind !== 'word') {
    // A quoted name skips the server's keyword parsing: `COUNT`(x) would call a user-defined COUNT.
    return [{ code: 'FORBIDDEN_FUNCTION', message: `Quoted function names (${token.kind === 'quoted' ? `\`${token.text}\`` : token.text}) are not allowed: the server may resolve them to a user-defined function instead of the built-in. Write the name without quotes.`, position }];
  }
  const name = token.kind === 'dquoted' ? token.text.slice(1, -1) : token.text;
  const decision = decideFunction(name, { qualifier, flavor: context.flavor, trustedSchemas: context.trusted, adjacent: token.kind === 'word' && paren.start === token.end, shadowed: context.shadowed });
  return decision.allowed ? [] : [{ code: decision.code, message: decision.message, position }];
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
// Syntax node-sql-parser does not know: JSON_TABLE, and a character set in a cast

/** Types a JSON_TABLE column may have with a length or precision: VARCHAR(20), DECIMAL(10, 2), DATETIME(6). */
const COLUMN_TYPES_WITH_LENGTH = new Set([...SYNTAX_BEFORE_PARENTHESIS, 'CHAR', 'BINARY', 'NCHAR', 'DATETIME', 'TIME', 'TIMESTAMP', 'BIT', 'YEAR', 'COLUMNS']);
const SUBQUERY_WORDS = new Set(['SELECT', 'WITH', 'VALUES', 'TABLE']);

/**
 * `JSON_TABLE(expr, 'path' COLUMNS (…)) AS t` reads rows out of one JSON
 * value: the only part that computes anything is `expr`. For the parser the
 * call becomes `(SELECT expr)`, a derived table over the same text at the
 * same offsets, so `expr` gets every check a select list gets. The column
 * list only names columns, types, paths and literal defaults: it is checked
 * here token by token (no subqueries, no calls, no variables).
 */
function parserText(cleaned: string, tokens: Token[]): { text: string; reasons: VerdictReason[] } {
  const out = cleaned.split('');
  const reasons: VerdictReason[] = [];
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  for (let t = 0; t < tokens.length; t++) {
    // `CAST(x AS CHAR CHARSET utf8mb4)`, as the server writes view definitions: the character set only
    // says how the text is encoded, so the parser is shown `CAST(x AS CHAR)`.
    const set = upper(tokens[t]) === 'CHARSET' ? 1 : upper(tokens[t]) === 'CHARACTER' && upper(tokens[t + 1]) === 'SET' ? 2 : 0;
    if (set > 0 && tokens[t + set]?.kind === 'word' && tokens[t + set + 1]?.text === ')' && (upper(tokens[t - 1]) === 'CHAR' || tokens[t - 1]?.text === ')')) {
      blank(tokens[t]!.start, tokens[t + set]!.end);
      continue;
    }
    if (upper(tokens[t]) !== 'JSON_TABLE' || !isCall(tokens, t)) continue;
    const close = closing(tokens, t + 1);
    let comma = -1;
    for (let k = t + 2, depth = 0; k < close && comma < 0; k++) {
      const text = tokens[k]!.kind === 'op' ? tokens[k]!.text : '';
      if (text === '(') depth++;
      else if (text === ')') depth--;
      else if (text === ',' && depth === 0) comma = k;
    }
    const open = comma + 3;
    // Anything but JSON_TABLE(expr, 'path' COLUMNS (…)) is left alone: the parser refuses it.
    if (close < 0 || comma < 0 || tokens[comma + 1]?.kind !== 'string' || upper(tokens[comma + 2]) !== 'COLUMNS' || tokens[open]?.text !== '(' || closing(tokens, open) !== close - 1) continue;
    for (let k = open + 1; k < close - 1; k++) {
      const token = tokens[k]!;
      const previous = tokens[k - 1]!;
      const ok =
        (token.kind === 'word' && !SUBQUERY_WORDS.has(upper(token))) ||
        token.kind === 'quoted' ||
        token.kind === 'string' ||
        (token.kind === 'op' && [')', ',', '-', '.'].includes(token.text)) ||
        (token.kind === 'op' && token.text === '(' && COLUMN_TYPES_WITH_LENGTH.has(upper(previous)));
      if (!ok) {
        reasons.push({ code: 'PARSE_ERROR', message: 'A JSON_TABLE column list may hold only column names, types, paths and literal defaults.', position: token.start });
        break;
      }
    }
    const head = tokens[t + 1]!.end - tokens[t]!.start;
    for (let k = 0; k < head; k++) out[tokens[t]!.start + k] = '(SELECT '[k] ?? ' ';
    blank(tokens[comma]!.start, tokens[close]!.start);
  }
  return { text: out.join(''), reasons };
}

// ---------------------------------------------------------------------------
// Parser pass

type Ast = Record<string, unknown>;

function parseQuery(cleaned: string, tokens: Token[], flavor: MysqlFlavor): { ast: Ast; tables: string[] } | { error: VerdictReason } {
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
      const result = parser.parse(text, { database });
      const list = Array.isArray(result.ast) ? result.ast : [result.ast];
      if (list.length !== 1) return { error: { code: 'MULTIPLE_STATEMENTS', message: 'The query has more than one statement.' } };
      return { ast: list[0] as unknown as Ast, tables: result.tableList };
    } catch (error) {
      firstError ??= error;
    }
  }
  const location = (firstError as { location?: { start?: { offset?: number } } }).location?.start;
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

/**
 * Every `type` node-sql-parser gives the parts of a query this checker
 * understands. A node of any other type (a construct added to the parser
 * later, say) makes the query refused, so nothing passes unexamined.
 */
const KNOWN_NODE_TYPES = new Set([
  'select', 'column_ref', 'binary_expr', 'unary_expr', 'function', 'aggr_func', 'window', 'expr_list', 'star', 'cast',
  'datatype', 'extract', 'interval', 'case', 'when', 'else', 'number', 'bigint', 'bool', 'null', 'default', 'origin',
  'single_quote_string', 'double_quote_string', 'backticks_quote_string', 'natural_string', 'hex_string', 'full_hex_string',
  'bit_string', 'var', 'fulltext_search', 'date', 'time', 'timestamp', 'datetime', 'ASC', 'DESC', 'dual', 'values',
  'collate', 'ESCAPE',
  // Write and assignment nodes are known so they are refused with their own reason.
  'insert', 'replace', 'update', 'delete', 'assign',
]);
/** Function-shaped keywords node-sql-parser reports as functions. */
const KEYWORD_FUNCTIONS = new Set(['EXISTS', 'ANY', 'SOME', 'ALL', 'NOT']);
/** Keys a FROM item may have; any other non-empty key is a construct the checker does not understand. */
const FROM_ITEM_KEYS = new Set(['db', 'table', 'as', 'join', 'on', 'using', 'expr', 'prefix', 'parentheses']);
const isDual = (item: Ast) => item.type === 'dual' && Object.keys(item).length === 1;

interface TreeResult {
  reasons: VerdictReason[];
  /** Lower-case names a `name.` qualifier may refer to: tables, aliases, CTEs and databases seen by the parser. */
  names: Set<string>;
}

function astChecks(root: Ast, tableList: string[], context: Context): TreeResult {
  const reasons: VerdictReason[] = [];
  const names = new Set<string>();
  if (root.type !== 'select') {
    reasons.push({ code: 'NOT_A_QUERY', message: `${String(root.type).toUpperCase()} is not allowed: ${ONLY_QUERIES}.` });
    return { reasons, names };
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
    if (typeof n.type === 'string') {
      if (!KNOWN_NODE_TYPES.has(n.type)) {
        reasons.push({ code: 'PARSE_ERROR', message: `The query uses a construct the checker does not know (${n.type}), so it is not allowed.` });
      } else if (!isRoot && WRITE_TYPES.has(n.type)) {
        reasons.push({ code: 'WRITE_CTE', message: `A data-modifying ${n.type.toUpperCase()} inside the query is not allowed.` });
      }
    }
    isRoot = false;
    switch (n.type) {
      case 'select':
        reasons.push(...selectReasons(n, context, names));
        break;
      case 'assign':
        reasons.push({ code: 'VARIABLE_ASSIGNMENT', message: 'Assigning variables with := is not allowed: it changes session state.' });
        break;
      case 'function':
      case 'aggr_func': {
        const reason = functionReason(n, context);
        if (reason) reasons.push(reason);
        break;
      }
      case 'var':
        if (n.prefix === '@@') {
          const members = Array.isArray(n.members) ? n.members.map(String) : [];
          const why =
            members.length === 0
              ? refusedSystemVariable(foldLower(String(n.name)), null)
              : members.length === 1
                ? refusedSystemVariable(foldLower(members[0]!), foldLower(String(n.name)))
                : 'System variables with more than one qualifier are not allowed.';
          if (why) reasons.push({ code: 'FORBIDDEN_FUNCTION', message: why });
        } else if (n.prefix !== '@') {
          reasons.push({ code: 'PARSE_ERROR', message: 'The query uses a kind of variable the checker does not know, so it is not allowed.' });
        }
        break;
      case 'column_ref': {
        const db = identifier(n.db);
        const table = identifier(n.table);
        if (db === undefined || table === undefined) {
          reasons.push({ code: 'PARSE_ERROR', message: 'The query has a column reference the checker cannot name, so it is not allowed.' });
        } else if (db !== null) {
          const decision = decideRelation(db, table ?? '?', context.scope);
          if (!decision.allowed) reasons.push({ code: decision.code, message: decision.message });
          names.add(foldLower(db));
        }
        break;
      }
    }
    for (const child of Object.values(n)) if (child !== null && typeof child === 'object') stack.push(child);
  }
  // The parser's own list of tables, read on a separate path: the same decision for each.
  for (const entry of tableList) {
    const [, db, table] = entry.split('::');
    if (db && db !== 'null' && table) {
      const decision = decideRelation(db, table, context.scope);
      if (!decision.allowed) reasons.push({ code: decision.code, message: decision.message });
    }
  }
  return { reasons, names };
}

/**
 * A name node-sql-parser gives either as a string or as `{ type, value }` (backticked parts of a
 * three-part column name, for one): the string, null when absent, undefined when it is neither, so
 * the caller refuses rather than skip a name it could not read.
 */
function identifier(value: unknown): string | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && typeof (value as { value?: unknown }).value === 'string') return (value as { value: string }).value;
  return undefined;
}

function fromItems(from: unknown): { items: Ast[]; flat: boolean } | null {
  if (from === null || from === undefined) return { items: [], flat: true };
  if (Array.isArray(from)) return { items: from as Ast[], flat: true };
  // A parenthesised join: { expr: [items], parentheses, joins: [items] }.
  const f = from as Ast;
  if (Array.isArray(f.expr)) {
    const inner = [...(f.expr as Ast[]), ...((Array.isArray(f.joins) ? f.joins : []) as Ast[])];
    return { items: inner, flat: false };
  }
  return null;
}

function selectReasons(select: Ast, context: Context, names: Set<string>): VerdictReason[] {
  const reasons: VerdictReason[] = [];
  const into = select.into as Ast | null | undefined;
  const keyword = typeof into?.keyword === 'string' ? into.keyword.toUpperCase() : null;
  if (keyword === 'OUTFILE' || keyword === 'DUMPFILE') {
    reasons.push({ code: 'FILE_ACCESS', message: `SELECT \u2026 INTO ${keyword} is not allowed: it writes a file on the database server.` });
  } else if (keyword === 'VAR') {
    reasons.push({ code: 'VARIABLE_ASSIGNMENT', message: 'SELECT \u2026 INTO @variable is not allowed: it changes session state.' });
  } else if (keyword) {
    reasons.push({ code: 'SELECT_INTO', message: 'SELECT \u2026 INTO is not allowed: it stores the result instead of returning it.' });
  }
  if (typeof select.locking_read === 'string' && select.locking_read) {
    const clause = select.locking_read.toUpperCase().startsWith('LOCK') ? 'LOCK IN SHARE MODE' : select.locking_read.toUpperCase().split(' ').slice(0, 2).join(' ');
    reasons.push({ code: 'LOCKING_CLAUSE', message: clause === 'LOCK IN SHARE MODE' ? 'LOCK IN SHARE MODE is not allowed: it locks rows, which blocks other sessions.' : `${clause} is not allowed: it locks rows, which blocks other sessions and needs write access.` });
  }
  for (const cte of (select.with as Ast[] | null) ?? []) {
    const name = (cte.name as { value?: unknown } | undefined)?.value;
    if (typeof name === 'string') names.add(foldLower(name));
  }
  const from = fromItems(select.from);
  if (from === null) {
    reasons.push({ code: 'PARSE_ERROR', message: 'The query has a FROM clause the checker does not understand, so it is not allowed.' });
    return reasons;
  }
  for (const item of from.items) {
    if (isDual(item)) continue;
    for (const [key, value] of Object.entries(item)) {
      if (!FROM_ITEM_KEYS.has(key) && value !== null && value !== undefined) {
        reasons.push({ code: 'PARSE_ERROR', message: `The query has a table reference the checker does not understand (${key}), so it is not allowed.` });
      }
    }
    const alias = identifier(item.as);
    const table = identifier(item.table);
    const db = identifier(item.db);
    if (alias === undefined || table === undefined || db === undefined || (table === null && !item.expr)) {
      reasons.push({ code: 'PARSE_ERROR', message: 'The query has a table reference the checker cannot name, so it is not allowed.' });
      continue;
    }
    if (alias !== null) names.add(foldLower(alias));
    if (table === null) continue;
    names.add(foldLower(table));
    if (db !== null) names.add(foldLower(db));
    const decision = decideRelation(db, table, context.scope);
    const home = db ?? context.scope.database;
    const view = home === null ? undefined : context.views?.get(viewKey(home, table));
    if (!decision.allowed) {
      reasons.push({ code: decision.code, message: decision.message });
    } else if (view) {
      reasons.push({ code: 'FORBIDDEN_RELATION', message: `The view ${home}.${table} cannot be read: ${view}` });
    } else if (decision.restrictBy && !(from.flat && restrictedToAllowedDatabases(select, item, decision.restrictBy, context.scope))) {
      const column = decision.restrictBy[0]!;
      reasons.push({
        code: 'FORBIDDEN_RELATION',
        message: `information_schema.${table} describes every database on the server; limit it to this source with WHERE ${column} = DATABASE() (the condition must hold for every row).`,
      });
    }
  }
  return reasons;
}

function functionReason(n: Ast, context: Context): VerdictReason | null {
  let name: string;
  let qualifier: string | null = null;
  if (n.type === 'aggr_func') {
    name = String(n.name);
  } else {
    const fn = n.name as { name?: Array<{ type?: unknown; value?: unknown }>; schema?: { value?: unknown } } | undefined;
    const parts = fn?.name ?? [];
    if (parts.length !== 1) return { code: 'PARSE_ERROR', message: 'The query calls a function the checker cannot name, so it is not allowed.' };
    name = String(parts[0]!.value);
    if (fn?.schema) qualifier = String(fn.schema.value);
    else if (parts[0]!.type === 'backticks_quote_string' && context.quotedCallsIn !== null) qualifier = context.quotedCallsIn;
    if (qualifier === null && KEYWORD_FUNCTIONS.has(foldUpper(name))) return null;
  }
  // Adjacency and quoting are the lexer's to judge; here only the name.
  const decision = decideFunction(name, { qualifier, flavor: context.flavor, trustedSchemas: context.trusted, adjacent: true, shadowed: context.shadowed });
  return decision.allowed ? null : { code: decision.code, message: decision.message };
}
