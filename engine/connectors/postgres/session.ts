import type pg from 'pg';
import { randomInt } from 'node:crypto';
import type { EngineError } from '../../errors';
import { StatementInterrupter, statementTimeout } from '../shared/interrupter';
import { beforeStatement } from '../shared/retry';
import { pgQueryError } from './errors';
import { backendPid, type PgSource } from './pools';

/** Runs one statement, mapping a failure to a typed error (positions relative to the caller's text). */
export type Run = <T>(statement: () => Promise<T>, positionOffset?: number) => Promise<T>;

/** `"a", "b", pg_temp`: temporary objects last, so they can never stand in for the source's own. */
export function searchPathSql(schemas: readonly string[]): string {
  return [...schemas.filter((s) => s !== 'pg_temp').map((s) => `"${s.replace(/"/g, '""')}"`), 'pg_temp'].join(', ');
}

function beginSql(timeoutMs: number, searchPath: readonly string[] | undefined): string {
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
    // Unqualified names resolve exactly as the guardrail resolved them (catalog.ts), whatever
    // ALTER ROLE … SET search_path did since.
    ...(searchPath ? [`SET LOCAL search_path = ${searchPathSql(searchPath)}`] : []),
  ].join('; ');
}

/** A seed for setseed in [-1, 1], from 48 random bits. */
function freshSeed(): string {
  return (randomInt(0, 2 ** 48 - 1) / 2 ** 47 - 1).toFixed(15);
}

/**
 * Cuts the client's connection: a pending query fails at once. With an error, because after a TLS
 * upgrade pg listens for 'close' only on the plain socket underneath and for 'error' on the TLS one:
 * an error reaches the client whichever socket `connection.stream` is.
 */
export function destroySocket(client: pg.PoolClient): void {
  const cut = Object.assign(new Error('Connection terminated: the client cut it'), { code: 'ECONNRESET' });
  (client as unknown as { connection: { stream: { destroy(error?: Error): void } } }).connection.stream.destroy(cut);
}

/**
 * Rolls back and resets the session for the next use, within `resetMs`: a server that stops
 * answering now gets its connection cut (and the error makes release() destroy it).
 */
async function resetSession(client: pg.PoolClient, resetMs: number): Promise<Error | undefined> {
  const reset = (async () => {
    // DISCARD ALL cannot run in the same message (it would be in an implicit transaction). It
    // leaves the random generator as setseed() left it, so that is reseeded from our own entropy.
    await client.query(`ROLLBACK; SELECT pg_catalog.setseed(${freshSeed()})`);
    await client.query('DISCARD ALL');
  })();
  const timer = setTimeout(() => destroySocket(client), resetMs);
  try {
    await reset;
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  } finally {
    clearTimeout(timer);
  }
}

export interface TransactionOptions {
  signal: AbortSignal;
  timeoutMs: number;
  /** Pins search_path for the transaction (the guardrail's view of it); the login's own path when absent. */
  searchPath?: readonly string[];
}

/**
 * Runs `body` on a pooled client inside `BEGIN READ ONLY` with statement,
 * lock and idle timeouts, and ALWAYS rolls back — after a cancel request has
 * landed, so it cannot hit the ROLLBACK. Then the session is reset (DISCARD
 * ALL: advisory locks, prepared statements, temporary objects, settings), so
 * nothing one use did can be seen by the next. A client whose use failed in
 * any way (an error, a cancel, a timeout, a failed reset) is destroyed rather
 * than returned to the pool: its state is unknown.
 */
export async function inReadOnlyTransaction<T>(
  source: PgSource,
  options: TransactionOptions,
  body: (client: pg.PoolClient, run: Run, interrupter: StatementInterrupter) => Promise<T>,
): Promise<T> {
  const client = await source.connect(options.signal);
  const pid = backendPid(client);
  const interrupter = new StatementInterrupter({
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    cancelOnServer: () => source.cancelBackend(pid),
    timeoutError: () => statementTimeout(options.timeoutMs),
    destroyConnection: () => destroySocket(client),
    budgets: source.net.budgets,
  });
  const run: Run = async (statement, positionOffset = 0) => {
    try {
      return await interrupter.run(statement);
    } catch (error) {
      throw interrupter.interruption() ?? pgQueryError(error, { timeoutMs: options.timeoutMs, positionOffset });
    }
  };
  let failure: Error | undefined;
  try {
    // A pooled connection the server dropped (a restart) fails here, before anything of the caller's ran.
    await run(() => client.query(beginSql(options.timeoutMs, options.searchPath))).catch((error: unknown) => {
      throw beforeStatement(error);
    });
    const value = await body(client, run, interrupter);
    interrupter.throwIfInterrupted();
    return value;
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    throw interrupter.interruption() ?? (error as EngineError);
  } finally {
    await interrupter.settle();
    failure ??= interrupter.interruption() ?? undefined;
    if (!failure) failure = await resetSession(client, source.net.budgets.resetMs);
    // release(error) ends the connection instead of pooling it; the server rolls back what it held.
    client.release(failure);
  }
}
