import type pg from 'pg';
import type { EngineError } from '../../errors';
import { StatementInterrupter, statementTimeout } from '../shared/interrupter';
import { pgQueryError } from './errors';
import { backendPid, type PgSource } from './pools';

/** Runs one statement, mapping a failure to a typed error (positions relative to the caller's text). */
export type Run = <T>(statement: () => Promise<T>, positionOffset?: number) => Promise<T>;

function beginSql(timeoutMs: number): string {
  const ms = Math.max(1, Math.floor(timeoutMs));
  return [
    'BEGIN READ ONLY',
    `SET LOCAL statement_timeout = ${ms}`,
    `SET LOCAL lock_timeout = ${ms}`,
    // If this worker dies mid-call, the server ends the session itself.
    `SET LOCAL idle_in_transaction_session_timeout = ${ms + 60_000}`,
    // The cursor is read to the end (or to maxRows + 1) at once: plan for all rows, not for the
    // first 10% (the default picks slower plans for whole results).
    'SET LOCAL cursor_tuple_fraction = 1',
    // Cell conversion (types.ts) relies on ISO dates and hex bytea whatever the server's defaults.
    // Set here rather than as startup options, which connection poolers such as PgBouncer refuse;
    // DateStyle = ISO changes only the output format, not how ambiguous input dates are read.
    'SET LOCAL DateStyle = ISO',
    'SET LOCAL bytea_output = hex',
  ].join('; ');
}

/**
 * Runs `body` on a pooled client inside `BEGIN READ ONLY` with statement,
 * lock and idle timeouts, and ALWAYS rolls back — after a cancel request has
 * landed, so it cannot hit the ROLLBACK. A client whose ROLLBACK fails is
 * destroyed rather than returned to the pool.
 */
export async function inReadOnlyTransaction<T>(
  source: PgSource,
  options: { signal: AbortSignal; timeoutMs: number },
  body: (client: pg.PoolClient, run: Run, interrupter: StatementInterrupter) => Promise<T>,
): Promise<T> {
  const client = await source.connect(options.signal);
  const pid = backendPid(client);
  const interrupter = new StatementInterrupter({
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    cancelOnServer: () => source.cancelBackend(pid),
    timeoutError: () => statementTimeout(options.timeoutMs),
  });
  const run: Run = async (statement, positionOffset = 0) => {
    try {
      return await interrupter.run(statement);
    } catch (error) {
      throw interrupter.interruption() ?? pgQueryError(error, { timeoutMs: options.timeoutMs, positionOffset });
    }
  };
  let broken: Error | undefined;
  try {
    await run(() => client.query(beginSql(options.timeoutMs)));
    const value = await body(client, run, interrupter);
    interrupter.throwIfInterrupted();
    return value;
  } catch (error) {
    throw interrupter.interruption() ?? (error as EngineError);
  } finally {
    await interrupter.settle();
    try {
      await client.query('ROLLBACK');
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error));
    }
    client.release(broken);
  }
}
