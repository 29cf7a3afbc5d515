import { ConnectorError, ValidationError } from '../../errors';

/**
 * How a statement may run. Layer 2 does not trust the caller's validation:
 * besides the READ ONLY transaction, only statements that start like a read
 * are sent at all. A READ ONLY transaction alone would still let through
 * COPY … TO a server file, ANALYZE, REINDEX, CLUSTER, CHECKPOINT, LOCK and
 * NOTIFY, so those never reach the server.
 *
 * - `cursor`: SELECT, WITH, VALUES, TABLE run behind a NO SCROLL cursor, so
 *   at most maxRows + 1 rows are ever produced.
 * - `direct`: EXPLAIN cannot be declared as a cursor; its output is small, so
 *   it runs as it is. (SHOW does not run at all: it reveals settings such as
 *   data_directory and hba_file that the guardrail keeps out of reach.)
 */
export type PgStatementKind = 'cursor' | 'direct';

const CURSOR = new Set(['SELECT', 'WITH', 'VALUES', 'TABLE']);
const DIRECT = new Set(['EXPLAIN']);

/** The first keyword, skipping blanks, comments (nested ones too) and opening parentheses. */
export function leadingKeyword(sql: string): string | null {
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '(' || /\s/.test(c)) i++;
    else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (i < sql.length && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
    } else break;
  }
  const m = /^[A-Za-z_][A-Za-z_0-9]*/.exec(sql.slice(i));
  return m ? m[0].toUpperCase() : null;
}

export function pgStatementKind(sql: string): PgStatementKind {
  const keyword = leadingKeyword(sql);
  if (keyword === null) {
    if (sql.replace(/;/g, '').trim() === '' || /^\s*(--[^\n]*\n?\s*|\/\*[\s\S]*?\*\/\s*)*;?\s*$/.test(sql)) throw new ValidationError('The query is empty.');
    throw new ConnectorError('This does not look like a query that reads data. Only SELECT, WITH, VALUES, TABLE and EXPLAIN run here.', {
      kind: 'WRITE_BLOCKED',
    });
  }
  if (CURSOR.has(keyword)) return 'cursor';
  if (DIRECT.has(keyword)) return 'direct';
  throw new ConnectorError(
    `PolyStoreIQ only runs statements that read: this one starts with ${keyword}. Only SELECT, WITH, VALUES, TABLE and EXPLAIN run here.`,
    { kind: 'WRITE_BLOCKED', statement: keyword },
  );
}
