/**
 * A lexer for MySQL and MariaDB that follows the server's own rules for
 * comments, quotes and separators, and refuses what the server could read
 * differently from this code. node-sql-parser tokenises differently from the
 * server in ways an attacker can use (it treats `--x` as a comment where the
 * server reads two minus signs, and skips executable comments whose content
 * the server runs), so the guardrail never trusts its tokenisation alone.
 *
 * Refused outright, because the server acts on them or could read them in
 * another way than this lexer does:
 * - executable comments (`/*! … *\/`, `/*!50700 … *\/`, `/*M! … *\/`) and
 *   optimizer hints (`/*+ … *\/`, which MySQL obeys, e.g. MAX_EXECUTION_TIME);
 * - a backslash before a quote inside a string (`\'`): with
 *   NO_BACKSLASH_ESCAPES it ends the string, and the rest would run as SQL;
 * - characters with no meaning in a query outside strings, names and comments:
 *   `\` (`\N` is NULL to the server), `?`, `{`, `}`, `[`, `]`, a lone `:`,
 *   control characters, and non-ASCII characters that are not letters, digits
 *   or marks (a no-break space is part of a name to the server but a space to
 *   most parsers).
 */
import type { VerdictReason } from '../../contract/query.contract';

export type TokenKind = 'word' | 'quoted' | 'string' | 'dquoted' | 'uservar' | 'sysvar' | 'op' | 'semicolon';

export interface Token {
  kind: TokenKind;
  /**
   * word: as written; quoted (`name`): the name without quotes; string and dquoted: the literal with
   * its quotes; uservar: as written; sysvar: the variable's name, lower-case, scope removed.
   */
  text: string;
  /** sysvar only: `global`, `session`, `local`, or null when none was written. */
  scope?: string | null;
  start: number;
  end: number;
}

export interface Lexed {
  tokens: Token[];
  /** The query with every comment blanked to spaces (offsets unchanged) and bare `--` split so no parser mistakes it for a comment. */
  cleaned: string;
}

const ASCII_WORD = /[A-Za-z0-9_$]/;
const LETTER = /^[\p{L}\p{N}\p{M}]$/u;
/** The server's whitespace (my_isspace for utf8mb4): nothing beyond ASCII. */
const SPACE = new Set([' ', '\t', '\n', '\r', '\f', '\v']);
const OPERATORS = new Set(['(', ')', ',', '.', '+', '-', '*', '/', '%', '=', '<', '>', '!', '~', '&', '|', '^']);

export function isWordChar(c: string): boolean {
  if (c.length !== 1) return false;
  return ASCII_WORD.test(c) || (c.charCodeAt(0) >= 0x80 && LETTER.test(c));
}

function fail(message: string, position: number): { error: VerdictReason } {
  return { error: { code: 'PARSE_ERROR', message, position } };
}

export function lex(sql: string): Lexed | { error: VerdictReason } {
  const tokens: Token[] = [];
  const out = sql.split('');
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (SPACE.has(c)) {
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
      if (sql[i + 2] === '+') {
        return fail('Optimizer hints (/*+ \u2026 */) are not allowed: MySQL acts on their content (a hint can lift the time limit, for example).', i);
      }
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) return fail('The query has a /* comment that is never closed.', i);
      blank(i, end + 2);
      i = end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      const end = scanQuoted(sql, i);
      if (typeof end !== 'number') return { error: end };
      if (c === '`') tokens.push({ kind: 'quoted', text: sql.slice(i + 1, end - 1).replaceAll('``', '`'), start: i, end });
      else tokens.push({ kind: c === '"' ? 'dquoted' : 'string', text: sql.slice(i, end), start: i, end });
      i = end;
    } else if (c === '@') {
      const variable = next === '@' ? scanSystemVariable(sql, i) : scanUserVariable(sql, i);
      if ('error' in variable) return variable;
      tokens.push(variable);
      i = variable.end;
    } else if (isWordChar(c)) {
      let j = i + 1;
      while (j < sql.length && isWordChar(sql[j]!)) j++;
      tokens.push({ kind: 'word', text: sql.slice(i, j), start: i, end: j });
      i = j;
    } else if (c === ';') {
      tokens.push({ kind: 'semicolon', text: ';', start: i, end: i + 1 });
      i++;
    } else if (c === ':' && next === '=') {
      tokens.push({ kind: 'op', text: ':=', start: i, end: i + 2 });
      i += 2;
    } else if (OPERATORS.has(c)) {
      tokens.push({ kind: 'op', text: c, start: i, end: i + 1 });
      i++;
    } else {
      const shown = c.charCodeAt(0) < 32 || c.charCodeAt(0) >= 0x7f ? `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : c;
      return fail(`The query has a character the checker does not accept outside strings and names (${shown}); the server could read it differently. Remove it or quote the name.`, i);
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

/** `@name`, `@'name'`, `@"name"`, `` @`name` ``: user variables, which may only be read. */
function scanUserVariable(sql: string, start: number): Token | { error: VerdictReason } {
  const j = start + 1;
  const q = sql[j];
  if (q === "'" || q === '"' || q === '`') {
    // @'name' follows the same quoting rules as a string, escapes included.
    const end = scanQuoted(sql, j);
    if (typeof end !== 'number') return { error: end };
    return { kind: 'uservar', text: sql.slice(start, end), start, end };
  }
  let end = j;
  while (end < sql.length && (isWordChar(sql[end]!) || sql[end] === '.')) end++;
  if (end === j) return fail('A lone @ is not a variable the checker understands.', start);
  return { kind: 'uservar', text: sql.slice(start, end), start, end };
}

/**
 * `@@name`, `@@scope.name`, with the name or scope in backticks or not. Anything else after `@@`
 * (a space, a string, three parts) is refused: only what the checker reads exactly may pass.
 */
function scanSystemVariable(sql: string, start: number): Token | { error: VerdictReason } {
  let j = start + 2;
  const part = (): string | null => {
    if (sql[j] === '`') {
      const end = scanQuoted(sql, j);
      if (typeof end !== 'number') return null;
      const name = sql.slice(j + 1, end - 1).replaceAll('``', '`');
      j = end;
      return name;
    }
    const from = j;
    while (j < sql.length && isWordChar(sql[j]!)) j++;
    return j > from ? sql.slice(from, j) : null;
  };
  const first = part();
  if (first === null) return fail('A system variable must follow @@ directly, as in @@version or @@session.time_zone.', start);
  let scope: string | null = null;
  let name = first;
  if (sql[j] === '.') {
    j++;
    const second = part();
    if (second === null) return fail('A system variable must follow @@scope. directly, as in @@session.time_zone.', start);
    scope = foldLower(first);
    name = second;
  }
  if (sql[j] === '.') return fail('System variables with more than one qualifier (@@a.b.c) are not allowed.', start);
  return { kind: 'sysvar', text: foldLower(name), scope, start, end: j };
}

export function splitStatements(tokens: Token[]): Token[][] {
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

/**
 * Case folding of ASCII letters only. The server compares keywords, function names and system
 * database names in ASCII; JavaScript's full Unicode folding would turn `ſome` into SOME or `ın`
 * into IN, and a name the server reads as user-defined would pass as a keyword or a built-in.
 */
export const foldUpper = (text: string) => text.replace(/[a-z]+/g, (s) => s.toUpperCase());
export const foldLower = (text: string) => text.replace(/[A-Z]+/g, (s) => s.toLowerCase());

/** The keyword a word or operator token stands for, upper-case; '' for names, strings and variables. */
export function upper(token: Token | undefined): string {
  if (!token) return '';
  return token.kind === 'word' || token.kind === 'op' ? foldUpper(token.text) : '';
}

/** A name as the server would compare it: words and `quoted` names; strings and variables are not names. */
export function nameOf(token: Token | undefined): string | null {
  if (!token) return null;
  return token.kind === 'word' || token.kind === 'quoted' ? token.text : null;
}
