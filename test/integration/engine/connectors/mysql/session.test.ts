/**
 * What one use of a pooled connection can leave for the next, and what a
 * query may cost: queries are forced straight through execute (no guardrail)
 * so layer 2 is shown to hold on its own. Named locks and user variables do
 * not survive a use; a connection that saw an error, a time-out or a cancel
 * is closed, not reused; results stop at the byte cap with a notice; and
 * EXPLAIN stops at the preview budget.
 */
import { randomBytes } from 'node:crypto';
import type mysql from 'mysql2/promise';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PREVIEW_BUDGET } from '../../../../../engine/connectors/shared/preview-budget';
import { PreviewLimitError, type EngineError } from '../../../../../engine/errors';
import { createMysqlDatabase, type TestDatabase } from '../../../../support/databases';
import { layerTwo, mysqlSpec, never, rawConnection, rejection, waitFor } from './support';

let db: TestDatabase;
let connector: ReturnType<typeof layerTwo>;
let raw: mysql.Connection;
const spec = () => mysqlSpec(db.name);
/** Liveness deadline for state that changes in the background (a lock released by a reset or a disconnect). */
const SETTLE_MS = 10_000;

const run = (query: string, options: { maxRows?: number; maxBytes?: number; timeoutMs?: number; signal?: AbortSignal } = {}) =>
  connector.execute(spec(), query, { maxRows: options.maxRows ?? 100, maxBytes: options.maxBytes, timeoutMs: options.timeoutMs ?? 10_000, signal: options.signal ?? never });

async function scalar(sql: string, values: unknown[] = []): Promise<unknown> {
  const [rows] = await raw.query<mysql.RowDataPacket[]>({ sql, values, rowsAsArray: true });
  return rows[0]?.[0] ?? null;
}

const lockName = () => `pst_lock_${process.pid}_${randomBytes(4).toString('hex')}`;
const holder = (lock: string) => scalar('SELECT IS_USED_LOCK(?)', [lock]);
const alive = async (id: unknown) => Number(await scalar('SELECT COUNT(*) FROM information_schema.processlist WHERE id = ?', [id])) > 0;

test.before(async () => {
  db = createMysqlDatabase('chinook');
  connector = layerTwo();
  raw = await rawConnection(db);
});
test.after(async () => {
  await raw?.end();
  await connector?.close();
  db?.drop();
});

test('a named lock taken by a query does not outlive it: the connection is reset before reuse', async () => {
  const lock = lockName();
  assert.equal((await run(`SELECT GET_LOCK('${lock}', 0)`)).rows, [[1]]);
  assert.ok(await waitFor(async () => (await holder(lock)) === null, SETTLE_MS), `the lock is still held by ${String(await holder(lock))}`);
});

test('user variables and session settings set by one query are gone for the next', async () => {
  await run("SELECT @pst_leak := 'secret', @@session.sql_select_limit");
  for (let i = 0; i < 6; i++) {
    const result = await run('SELECT @pst_leak, @@session.sql_mode');
    assert.is(result.rows[0]![0], null);
    assert.not.match(String(result.rows[0]![1]), /ANSI_QUOTES|NO_BACKSLASH_ESCAPES|IGNORE_SPACE/);
  }
});

async function heldThenDiscarded(query: (lock: string) => string, outcome: (pending: Promise<unknown>, controller: AbortController) => Promise<EngineError>): Promise<EngineError> {
  const lock = lockName();
  const controller = new AbortController();
  const pending = run(query(lock), { signal: controller.signal, timeoutMs: 60_000 });
  assert.ok(await waitFor(async () => (await holder(lock)) !== null, SETTLE_MS), 'the lock was never taken');
  const id = await holder(lock);
  const error = await outcome(pending, controller);
  assert.ok(await waitFor(async () => !(await alive(id)), SETTLE_MS), `connection ${String(id)} is still open: it went back to the pool`);
  assert.is(await holder(lock), null);
  return error;
}

test('after a cancel the connection is closed, not returned to the pool', async () => {
  const error = await heldThenDiscarded(
    (lock) => `SELECT GET_LOCK('${lock}', 0), SLEEP(30)`,
    async (pending, controller) => {
      controller.abort();
      return rejection(pending);
    },
  );
  assert.is(error.code, 'CANCELLED');
});

/** Connections to the test database other than the raw one: the connector's pool. */
const pooled = async () => Number(await scalar('SELECT COUNT(*) FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID()'));

/** Runs `work` on a connector with an empty pool; afterwards, waits until `expected` connections remain. */
async function poolAfter(work: () => Promise<unknown>, expected: number): Promise<void> {
  await connector.close();
  assert.ok(await waitFor(async () => (await pooled()) === 0, SETTLE_MS), 'the old pool did not close');
  connector = layerTwo();
  await work();
  assert.ok(await waitFor(async () => (await pooled()) === expected, SETTLE_MS), `${await pooled()} pooled connections, expected ${expected}`);
}

test('a connection that ran normally goes back to the pool (so the checks below can see a discard)', async () => {
  await poolAfter(() => run('SELECT 1'), 1);
});

test('after a statement time-out the connection is closed, not returned to the pool', async () => {
  await poolAfter(async () => {
    const error = await rejection(run('SELECT SLEEP(30)', { timeoutMs: 500 }));
    assert.is(error.code, 'TIMEOUT');
  }, 0);
});

test('after a query error the connection is closed, not returned to the pool', async () => {
  await poolAfter(async () => {
    // Rows are sent before the correlated subquery fails on the sixth (more than one row).
    const error = await rejection(run('SELECT t.TrackId, IF(t.TrackId > 5, (SELECT g.GenreId FROM Genre g WHERE g.GenreId <= t.TrackId), 1) FROM Track t ORDER BY t.TrackId'));
    assert.is(error.details?.errno, 1242);
  }, 0);
  await poolAfter(() => rejection(run('SELECT nope FROM Track')), 0);
  assert.equal((await run('SELECT 1')).rows, [[1]]);
});

test('after a result stopped early (rows past an explicit LIMIT, or bytes) the connection is closed', async () => {
  await poolAfter(() => run('SELECT a.TrackId FROM Track a CROSS JOIN Track b LIMIT 1000000', { maxRows: 5 }), 0);
  await poolAfter(() => run("SELECT REPEAT('x', 3000000)", { maxBytes: 1024 * 1024 }), 0);
  // A plain SELECT ends one row past the limit by itself (sql_select_limit): nothing to stop, the connection stays.
  await poolAfter(() => run('SELECT TrackId FROM Track', { maxRows: 5 }), 1);
});

test('a result is cut at the byte cap with a notice, many small rows or one huge value', async () => {
  const many = await run("SELECT t.TrackId, REPEAT('y', 1000) FROM Track t CROSS JOIN Genre g", {
    maxRows: 1_000_000,
    maxBytes: 1024 * 1024,
    timeoutMs: 60_000,
  });
  assert.is(many.truncated, true);
  assert.is(many.truncatedBy, 'bytes');
  assert.ok(many.rowCount > 500 && many.rowCount < 1100, String(many.rowCount));
  assert.match(many.notices.join(' '), /size limit/);

  // 15 MB fits this server's max_allowed_packet (16 MB); the socket count cuts it before the driver holds it all.
  const huge = await run("SELECT 1 AS n, REPEAT('x', 15000000) AS big", { maxBytes: 1024 * 1024, timeoutMs: 60_000 });
  assert.is(huge.truncatedBy, 'bytes');
  assert.is(huge.rowCount, 0);
  assert.equal(huge.columns.map((c) => c.name), ['n', 'big']);
  assert.equal((await run('SELECT 2')).rows, [[2]]);
});

test("SELECT repeat('x', 200000000) ends with a result, not an error or a hang (the server caps it at max_allowed_packet)", async () => {
  const result = await run("SELECT repeat('x', 200000000) AS x", { timeoutMs: 30_000 });
  assert.ok(result.truncatedBy === 'bytes' || (result.rowCount === 1 && result.rows[0]![0] === null), JSON.stringify({ ...result, rows: result.rows.length }));
});

test('the byte cap defaults to the source setting', async () => {
  const capped = await connector.execute(mysqlSpec(db.name, { settings: { maxResultBytes: 1024 * 1024 } }), "SELECT REPEAT('z', 3000000)", {
    maxRows: 10,
    timeoutMs: 30_000,
    signal: never,
  });
  assert.is(capped.truncatedBy, 'bytes');
});

test('EXPLAIN stops at the preview budget with PreviewLimitError, and the connection is not reused', async () => {
  // MariaDB computes a derived table without tables while explaining (measured: EXPLAIN of
  // (SELECT SLEEP(2)) d takes 2 s); explain is called directly, so nothing refuses SLEEP first.
  const heavy = 'SELECT * FROM (SELECT SLEEP(60) AS s) d';
  const error = await rejection(connector.explain(spec(), heavy, never));
  assert.instance(error, PreviewLimitError);
  assert.is(error.details?.kind, 'PREVIEW_LIMIT');
  assert.match(error.message, new RegExp(`${PREVIEW_BUDGET.timeMs / 1000} s`));
  assert.ok(await waitFor(async () => Number(await scalar("SELECT COUNT(*) FROM information_schema.processlist WHERE info LIKE 'EXPLAIN%SLEEP(60)%'")) === 0, SETTLE_MS));
  const estimate = await connector.explain(spec(), 'SELECT * FROM Track', never);
  assert.ok((estimate.estimatedRows ?? 0) > 1000);
});

test.run();
