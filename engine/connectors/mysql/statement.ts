import { ConnectorError, ValidationError } from '../../errors';

/**
 * Layer 2's first guard for MySQL and MariaDB. Their READ ONLY transactions
 * stop INSERT/UPDATE/DELETE, but DDL commits implicitly and runs anyway
 * (CREATE/DROP/ALTER/TRUNCATE/RENAME TABLE, CREATE USER, GRANT, DROP
 * DATABASE were all seen to succeed inside START TRANSACTION READ ONLY on
 * MariaDB 10.11), and so does SELECT … INTO OUTFILE. So statements are held
 * to an allow-list of reads before they reach the server, and the text may
 * not hide anything from this check:
 *
 * - the first keyword must be SELECT, WITH, VALUES, TABLE, SHOW, EXPLAIN,
 *   DESCRIBE or DESC (WITH … DELETE/UPDATE, and DML in stored functions, are
 *   then refused by the read-only transaction);
 * - no executable comments (`/*! … *\/`, `/*M! … *\/`), which the server runs,
 *   and no optimizer hints (`/*+ … *\/`), which MySQL obeys (MAX_EXECUTION_TIME);
 * - no OUTFILE or DUMPFILE outside string literals, comments and quoted names.
 *   The text is read twice, with and without backslash escapes (the server's
 *   NO_BACKSLASH_ESCAPES mode changes where a string ends), and refused if
 *   either reading finds one, so no quoting trick hides them.
 *
 * The connection is opened without multi-statement support, so
 * `SELECT 1; DROP …` is a syntax error on the server.
 */
const READS = new Set(['SELECT', 'WITH', 'VALUES', 'TABLE', 'SHOW', 'EXPLAIN', 'DESCRIBE', 'DESC']);
/** Statements that produce rows from data and can be estimated with EXPLAIN. */
export const EXPLAINABLE = new Set(['SELECT', 'WITH', 'VALUES', 'TABLE']);

/** MySQL's `--` starts a comment only when a space or control character follows. */
function dashComment(sql: string, i: number): boolean {
  if (sql[i] !== '-' || sql[i + 1] !== '-') return false;
  const next = sql.charCodeAt(i + 2);
  return Number.isNaN(next) || next <= 0x20;
}

const ONLY_READS = 'Only SELECT, WITH, VALUES, TABLE, SHOW, EXPLAIN and DESCRIBE run here.';

function refuse(message: string, extra: Record<string, unknown> = {}): never {
  throw new ConnectorError(message, { kind: 'WRITE_BLOCKED', ...extra });
}

/** The first keyword after blanks, comments and opening parentheses (null if none). */
export function leadingKeyword(sql: string): string | null {
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '(' || /\s/.test(c)) i++;
    else if (c === '#' || dashComment(sql, i)) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else break;
  }
  const m = /^[A-Za-z_][A-Za-z_0-9]*/.exec(sql.slice(i));
  return m ? m[0].toUpperCase() : null;
}

/**
 * The text with string literals, quoted names and plain comments blanked
 * out. Executable comments stay visible as `/*!`.
 */
export function codeOnly(sql: string, backslashEscapes: boolean): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      i++;
      while (i < sql.length) {
        if (backslashEscapes && c !== '`' && sql[i] === '\\') i += 2;
        else if (sql[i] === c && sql[i + 1] === c) i += 2;
        else if (sql[i] === c) break;
        else i++;
      }
      i++;
      out += ' ';
    } else if (c === '#' || dashComment(sql, i)) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
      out += ' ';
    } else if (c === '/' && sql[i + 1] === '*') {
      if (sql[i + 2] === '!' || (sql[i + 2] === 'M' && sql[i + 3] === '!')) {
        out += '/*!';
        i += sql[i + 2] === '!' ? 3 : 4;
      } else if (sql[i + 2] === '+') {
        out += '/*+';
        i += 3;
      } else {
        const end = sql.indexOf('*/', i + 2);
        i = end < 0 ? sql.length : end + 2;
        out += ' ';
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Throws unless the statement is a read this connector runs; returns its first keyword. */
export function checkMysqlStatement(sql: string): string {
  for (const code of [codeOnly(sql, true), codeOnly(sql, false)]) {
    if (code.includes('/*!')) refuse('Executable comments (/*! … */) are not run: the server would execute their content.');
    if (code.includes('/*+')) refuse('Optimizer hints (/*+ … */) are not run: MySQL acts on their content (a hint can lift the time limit).');
    if (/\b(OUTFILE|DUMPFILE)\b/i.test(code)) refuse('Writing files on the database server (INTO OUTFILE / DUMPFILE) is not allowed.');
  }
  const keyword = leadingKeyword(sql);
  if (keyword === null) {
    if (sql.replace(/(#|--\s)[^\n]*|\/\*[\s\S]*?\*\/|;/g, '').trim() === '') throw new ValidationError('The query is empty.');
    refuse(`This does not look like a query that reads data. ${ONLY_READS}`);
  }
  if (!READS.has(keyword)) refuse(`PolyStoreIQ only runs statements that read: this one starts with ${keyword}. ${ONLY_READS}`, { statement: keyword });
  return keyword;
}
