import type mysql from 'mysql2/promise';
import type { EngineError } from '../../errors';
import { StatementInterrupter, statementTimeout } from '../shared/interrupter';
import { beforeStatement } from '../shared/retry';
import { mysqlQueryError } from './errors';
import type { MysqlFlavour, MysqlSource } from './pools';

export type Run = <T>(statement: () => Promise<T>) => Promise<T>;

/** What the body of a read-only transaction gets besides the connection. */
export interface Session {
  run: Run;
  interrupter: StatementInterrupter;
  flavour: MysqlFlavour;
  /** The connection is in a state nobody should inherit (a statement was stopped early): destroy it afterwards. */
  discard(): void;
}

/**
 * Parts of the server's SQL mode a session may keep: they change results
 * (strictness, GROUP BY rules, date checks), not how the text of a query is
 * read. Dropped, because the guardrail reads text the default way:
 * ANSI_QUOTES ("x" is a name), NO_BACKSLASH_ESCAPES (\' ends a string),
 * PIPES_AS_CONCAT, IGNORE_SPACE (built-in names become reserved), and the
 * combinations that include them (ANSI, ORACLE, MSSQL, DB2, POSTGRESQL, MAXDB).
 */
const KEPT_SQL_MODES = new Set([
  'STRICT_TRANS_TABLES', 'STRICT_ALL_TABLES', 'TRADITIONAL', 'ERROR_FOR_DIVISION_BY_ZERO', 'NO_AUTO_CREATE_USER',
  'NO_ENGINE_SUBSTITUTION', 'ONLY_FULL_GROUP_BY', 'NO_ZERO_DATE', 'NO_ZERO_IN_DATE', 'ALLOW_INVALID_DATES', 'REAL_AS_FLOAT',
  'HIGH_NOT_PRECEDENCE', 'NO_UNSIGNED_SUBTRACTION', 'PAD_CHAR_TO_FULL_LENGTH', 'TIME_TRUNCATE_FRACTIONAL', 'TIME_ROUND_FRACTIONAL',
  'NO_DIR_IN_CREATE', 'NO_AUTO_VALUE_ON_ZERO', 'NO_FIELD_OPTIONS', 'NO_KEY_OPTIONS', 'NO_TABLE_OPTIONS', 'EMPTY_STRING_IS_NULL',
  'SIMULTANEOUS_ASSIGNMENT',
]);

export function sessionSqlMode(serverMode: string): string {
  return serverMode
    .split(',')
    .map((mode) => mode.trim().toUpperCase())
    .filter((mode) => KEPT_SQL_MODES.has(mode))
    .join(',');
}

/**
 * Session settings for the next statements, all in one SET. Connections are
 * reset after every use (COM_RESET_CONNECTION), so every use sets them all:
 * the character set the lexer assumes (utf8mb4, in which no multi-byte
 * character hides a quote or backslash), the SQL mode without the parts that
 * change how text is read, the statement time limit, how long to wait for a
 * lock, and the row cap. sql_select_limit makes the server stop a plain
 * SELECT after maxRows + 1 rows; an explicit LIMIT overrides it, which
 * execute.ts handles by killing the rest.
 */
export function sessionSql(flavour: MysqlFlavour, timeoutMs: number, selectLimit: number | null): string {
  const ms = Math.max(1, Math.floor(timeoutMs));
  const lockSeconds = Math.max(1, Math.ceil(ms / 1000));
  const parts = [
    'NAMES utf8mb4 COLLATE utf8mb4_general_ci',
    `SESSION sql_mode = '${sessionSqlMode(flavour.sqlMode)}'`,
    `SESSION lock_wait_timeout = ${lockSeconds}`,
    `SESSION innodb_lock_wait_timeout = ${lockSeconds}`,
    `SESSION sql_select_limit = ${selectLimit === null ? 'DEFAULT' : Math.trunc(selectLimit)}`,
  ];
  // Older MySQL has no time limit of its own; the client-side safety net kills the query.
  if (flavour.timeLimit === 'max_statement_time') parts.push(`SESSION max_statement_time = ${(ms / 1000).toFixed(3)}`);
  if (flavour.timeLimit === 'max_execution_time') parts.push(`SESSION max_execution_time = ${ms}`);
  return `SET ${parts.join(', ')}`;
}

/** Cuts the socket: a pending command fails at once (mysql2's destroy() only ends it politely, which waits on the server). */
function cutSocket(conn: mysql.PoolConnection): void {
  (conn.connection as unknown as { stream: { destroy(): void } }).stream.destroy();
}

/**
 * Takes the connection out of the pool and ends it. Only a statement that outlived its budget has its
 * socket cut (by the interrupter): cutting the socket here as well left mysql2's pool.end() waiting.
 */
function destroyConnection(conn: mysql.PoolConnection): void {
  conn.destroy();
}

export interface TransactionOptions {
  signal: AbortSignal;
  timeoutMs: number;
  selectLimit: number | null;
  /** The error for running out of time; defaults to the statement timeout. */
  timeoutError?: () => EngineError;
}

/**
 * Runs `body` on a pooled connection inside START TRANSACTION READ ONLY with
 * a server-side time limit. Afterwards the connection goes back to the pool
 * only if everything went normally, and then with COM_RESET_CONNECTION
 * queued first (it rolls back and clears user variables, named locks,
 * temporary tables and session settings, so nothing one use did is seen by
 * the next). After any error, cancel or time-out, or a statement stopped
 * early, the connection is destroyed instead, once a KILL QUERY already sent
 * has landed.
 */
export async function inReadOnlyTransaction<T>(source: MysqlSource, options: TransactionOptions, body: (conn: mysql.PoolConnection, session: Session) => Promise<T>): Promise<T> {
  const conn = await source.connect(options.signal);
  const threadId = conn.connection.threadId;
  const timeoutError = options.timeoutError ?? (() => statementTimeout(options.timeoutMs));
  const interrupter = new StatementInterrupter({
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    cancelOnServer: () => source.killQuery(threadId),
    timeoutError,
    destroyConnection: () => cutSocket(conn),
    budgets: source.net.budgets,
  });
  const run: Run = async (statement) => {
    try {
      return await interrupter.run(statement);
    } catch (error) {
      throw interrupter.interruption() ?? mysqlQueryError(error, { timeoutMs: options.timeoutMs, timeoutError });
    }
  };
  let reusable = false;
  let discarded = false;
  try {
    // A pooled connection the server dropped (a restart) fails here, before anything of the caller's ran.
    const flavour = await (async () => {
      const found = await run(() => source.flavour(conn));
      await run(() => conn.query(sessionSql(found, options.timeoutMs, options.selectLimit)));
      await run(() => conn.query('START TRANSACTION READ ONLY'));
      return found;
    })().catch((error: unknown) => {
      throw beforeStatement(error);
    });
    const value = await body(conn, { run, interrupter, flavour, discard: () => (discarded = true) });
    interrupter.throwIfInterrupted();
    reusable = !discarded;
    return value;
  } catch (error) {
    throw interrupter.interruption() ?? (error as EngineError);
  } finally {
    await interrupter.settle();
    if (reusable) {
      // The caller need not wait for the round trip: the connection returns to the pool once the
      // reset is done, and is destroyed if it fails (a server without COM_RESET_CONNECTION) or
      // does not answer in time.
      const stalled = setTimeout(() => destroyConnection(conn), source.net.budgets.resetMs);
      stalled.unref();
      conn.reset().then(
        () => {
          clearTimeout(stalled);
          conn.release();
        },
        () => {
          clearTimeout(stalled);
          destroyConnection(conn);
        },
      );
    } else {
      destroyConnection(conn);
    }
  }
}
