import type mysql from 'mysql2/promise';
import type { EngineError } from '../../errors';
import { StatementInterrupter, statementTimeout } from '../shared/interrupter';
import { mysqlQueryError } from './errors';
import type { MysqlFlavour, MysqlSource } from './pools';

export type Run = <T>(statement: () => Promise<T>) => Promise<T>;

/** The session settings last applied to each pooled connection. */
const applied = new WeakMap<object, string>();

/**
 * Session settings for the next statements. Every call sets all of them, so
 * nothing one call chose (a row limit, say) leaks into the next user of the
 * pooled connection. sql_select_limit makes the server stop a plain SELECT
 * after maxRows + 1 rows; an explicit LIMIT overrides it, which execute.ts
 * handles by killing the rest.
 */
export function sessionSql(flavour: MysqlFlavour, timeoutMs: number, selectLimit: number | null): string {
  const limit = `SESSION sql_select_limit = ${selectLimit === null ? 'DEFAULT' : Math.trunc(selectLimit)}`;
  const ms = Math.max(1, Math.floor(timeoutMs));
  switch (flavour.timeLimit) {
    case 'max_statement_time':
      return `SET SESSION max_statement_time = ${(ms / 1000).toFixed(3)}, ${limit}`;
    case 'max_execution_time':
      return `SET SESSION max_execution_time = ${ms}, ${limit}`;
    case null:
      // Older MySQL has no time limit of its own; the client-side safety net kills the query.
      return `SET ${limit}`;
  }
}

/**
 * Runs `body` on a pooled connection inside START TRANSACTION READ ONLY with
 * a server-side time limit, and ALWAYS rolls back — after a KILL QUERY has
 * landed, so it cannot hit the ROLLBACK.
 */
export async function inReadOnlyTransaction<T>(
  source: MysqlSource,
  options: { signal: AbortSignal; timeoutMs: number; selectLimit: number | null },
  body: (conn: mysql.PoolConnection, run: Run, interrupter: StatementInterrupter, flavour: MysqlFlavour) => Promise<T>,
): Promise<T> {
  const conn = await source.connect(options.signal);
  const threadId = conn.connection.threadId;
  const interrupter = new StatementInterrupter({
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    cancelOnServer: () => source.killQuery(threadId),
    timeoutError: () => statementTimeout(options.timeoutMs),
  });
  const run: Run = async (statement) => {
    try {
      return await interrupter.run(statement);
    } catch (error) {
      throw interrupter.interruption() ?? mysqlQueryError(error, { timeoutMs: options.timeoutMs });
    }
  };
  try {
    const flavour = await run(() => source.flavour(conn));
    const settings = sessionSql(flavour, options.timeoutMs, options.selectLimit);
    // Session variables stay until changed, and nothing that runs here can change them (SET never
    // passes the statement check): a connection that has these settings already skips a round trip.
    if (applied.get(conn.connection) !== settings) {
      applied.delete(conn.connection);
      await run(() => conn.query(settings));
      applied.set(conn.connection, settings);
    }
    await run(() => conn.query('START TRANSACTION READ ONLY'));
    const value = await body(conn, run, interrupter, flavour);
    interrupter.throwIfInterrupted();
    return value;
  } catch (error) {
    throw interrupter.interruption() ?? (error as EngineError);
  } finally {
    await interrupter.settle();
    // The ROLLBACK is queued on this connection before anyone else can use it (mysql2 runs a
    // connection's commands in order), so the caller need not wait for its round trip. If it
    // fails, the connection is broken anyway and is destroyed rather than reused.
    conn.query('ROLLBACK').catch(() => conn.destroy());
    conn.release();
  }
}
