import type mysql from 'mysql2/promise';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMysqlConnector } from '../../../../../engine/connectors/mysql/connector';
import { createMysqlDatabase, type TestDatabase } from '../../../../support/databases';
import { layerTwo, mysqlSpec, never, rawConnection, rejection, waitFor } from './support';

let db: TestDatabase;
/** Execution itself (the connector's re-check of layer 1 is covered in read-only.test.ts and test/security). */
let connector: ReturnType<typeof layerTwo>;
let raw: mysql.Connection;
const spec = () => mysqlSpec(db.name);
const run = (query: string, options: { maxRows?: number; timeoutMs?: number; signal?: AbortSignal } = {}) =>
  connector.execute(spec(), query, { maxRows: options.maxRows ?? 100, timeoutMs: options.timeoutMs ?? 10_000, signal: options.signal ?? never });

async function running(pattern: string): Promise<number> {
  const [rows] = await raw.query<mysql.RowDataPacket[]>(
    `SELECT COUNT(*) AS n FROM information_schema.processlist WHERE db = DATABASE() AND command = 'Query' AND info LIKE ? AND id <> CONNECTION_ID()`,
    [pattern],
  );
  return Number(rows[0]!.n);
}

test.before(async () => {
  db = createMysqlDatabase('chinook');
  db.sql(`
    CREATE TABLE kinds (i INT, big BIGINT, ubig BIGINT UNSIGNED, d DECIMAL(30,9), f DOUBLE, t VARCHAR(20), txt TEXT, flag BOOLEAN,
      dt DATE, dtm DATETIME(6), ts TIMESTAMP(3) NULL, tm TIME, yr YEAR, j JSON, bin BLOB, vb VARBINARY(8), bits BIT(10),
      e ENUM('a','b'), s SET('x','y'), u UUID, nothing VARCHAR(5));
    INSERT INTO kinds VALUES (42, 9007199254740993, 18446744073709551615, 12345678901234567890.123456789, 1.25, 'héllo', 'long text', TRUE,
      '2024-02-29', '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05.5', '12:34:56', 2024, '{"a":[1,2],"b":null}', X'DEADBEEF', X'0102',
      b'1000000001', 'b', 'x,y', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', NULL);
  `);
  connector = layerTwo();
  raw = await rawConnection(db);
});
test.after(async () => {
  await raw.end();
  await connector.close();
  db.drop();
});

test('every common type arrives as a JSON-safe cell with a normalized column type', async () => {
  const result = await run('SELECT * FROM kinds');
  const byName = Object.fromEntries(result.columns.map((c, i) => [c.name, { ...c, value: result.rows[0]![i] }]));
  const expect: Record<string, [string, unknown, string?]> = {
    i: ['integer', 42, 'INT'],
    big: ['integer', '9007199254740993', 'BIGINT'],
    ubig: ['integer', '18446744073709551615', 'BIGINT UNSIGNED'],
    d: ['decimal', '12345678901234567890.123456789', 'DECIMAL'],
    f: ['float', 1.25, 'DOUBLE'],
    t: ['string', 'héllo', 'VARCHAR'],
    txt: ['string', 'long text', 'TEXT'],
    // BOOLEAN is TINYINT(1) on the wire: the value stays the number the server stored.
    flag: ['integer', 1, 'TINYINT'],
    dt: ['date', '2024-02-29', 'DATE'],
    dtm: ['timestamp', '2024-01-02T03:04:05.123456', 'DATETIME'],
    ts: ['timestamp', '2024-01-02T03:04:05.500', 'TIMESTAMP'],
    tm: ['time', '12:34:56', 'TIME'],
    yr: ['integer', 2024, 'YEAR'],
    j: ['json', { a: [1, 2], b: null }, 'JSON'],
    bin: ['binary', '\\xdeadbeef', 'BLOB'],
    vb: ['binary', '\\x0102', 'VARBINARY'],
    bits: ['integer', 513, 'BIT'],
    e: ['string', 'b', 'ENUM'],
    s: ['string', 'x,y', 'SET'],
    u: ['uuid', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'UUID'],
    nothing: ['string', null],
  };
  for (const [name, [type, value, native]] of Object.entries(expect)) {
    assert.is(byName[name]?.type, type, `${name} type`);
    assert.equal(byName[name]?.value, value, `${name} value`);
    if (native) assert.is(byName[name]?.nativeType, native, `${name} native type`);
  }
  assert.equal(JSON.parse(JSON.stringify(result.rows)), result.rows);
});

test('a result larger than maxRows is cut to maxRows and flagged truncated; an exact fit is not', async () => {
  const cut = await run('SELECT TrackId, Name FROM Track ORDER BY TrackId', { maxRows: 5 });
  assert.is(cut.rowCount, 5);
  assert.is(cut.truncated, true);
  assert.is(cut.rowLimit, 5);
  assert.equal(cut.rows.map((r) => r[0]), [1, 2, 3, 4, 5]);
  const exact = await run('SELECT TrackId FROM Track', { maxRows: 3503 });
  assert.is(exact.rowCount, 3503);
  assert.is(exact.truncated, false);
});

test('an explicit LIMIT above maxRows is cut too, the rest is stopped on the server, and the connection is reusable', async () => {
  const started = performance.now();
  const result = await run('SELECT a.TrackId, b.TrackId FROM Track a CROSS JOIN Track b LIMIT 10000000', { maxRows: 10 });
  assert.ok(performance.now() - started < 3_000, `took ${performance.now() - started} ms`);
  assert.is(result.rowCount, 10);
  assert.is(result.truncated, true);
  assert.ok(await waitFor(async () => (await running('%CROSS JOIN%')) === 0, 2_000), 'the query still runs on the server');
  for (let i = 0; i < 6; i++) assert.equal((await run(`SELECT ${i}`)).rows, [[i]]);
});

test('a plain SELECT of a huge join returns at once: the server stops after maxRows + 1', async () => {
  const started = performance.now();
  const result = await run('SELECT a.TrackId, b.Name FROM Track a CROSS JOIN Track b CROSS JOIN Track c', { maxRows: 10 });
  assert.ok(performance.now() - started < 2_000, `took ${performance.now() - started} ms`);
  assert.is(result.rowCount, 10);
  assert.is(result.truncated, true);
});

test('SHOW, DESCRIBE and EXPLAIN run and are cut to maxRows', async () => {
  const tables = await run('SHOW TABLES', { maxRows: 3 });
  assert.is(tables.rowCount, 3);
  assert.is(tables.truncated, true);
  const describe = await run('DESCRIBE Genre');
  assert.equal(describe.rows.map((r) => r[0]), ['GenreId', 'Name']);
  const explain = await run('EXPLAIN SELECT * FROM Track');
  assert.ok(explain.rowCount >= 1);
});

test('a statement timeout stops the query on the server and says what to do', async () => {
  const started = performance.now();
  const error = await rejection(run('SELECT COUNT(*) FROM Track a CROSS JOIN Track b CROSS JOIN Track c', { timeoutMs: 300 }));
  assert.is(error.code, 'TIMEOUT');
  assert.match(error.message, /timeout/i);
  assert.match(error.message, /LIMIT|filter|raise/i);
  assert.ok(performance.now() - started < 2_000);
  assert.equal((await run('SELECT 1')).rows, [[1]]);
});

test('aborting cancels SLEEP(30) on the server within a second and rejects with CANCELLED', async () => {
  const controller = new AbortController();
  const pending = run('SELECT SLEEP(30)', { signal: controller.signal, timeoutMs: 60_000 });
  assert.ok(await waitFor(async () => (await running('SELECT SLEEP(30)%')) === 1, 5_000), 'the sleep never showed up in the process list');
  const aborted = performance.now();
  controller.abort();
  const error = await rejection(pending);
  assert.is(error.code, 'CANCELLED');
  assert.ok(performance.now() - aborted < 1_000, `rejected after ${performance.now() - aborted} ms`);
  assert.ok(await waitFor(async () => (await running('SELECT SLEEP(30)%')) === 0, Math.max(0, 1_000 - (performance.now() - aborted))), 'still running');
  assert.equal((await run('SELECT 2')).rows, [[2]]);
});

test('an already aborted signal rejects without running anything', async () => {
  const controller = new AbortController();
  controller.abort();
  assert.is((await rejection(run('SELECT SLEEP(30)', { signal: controller.signal }))).code, 'CANCELLED');
  assert.is(await running('SELECT SLEEP(30)%'), 0);
});

test('a query error keeps the server message', async () => {
  const error = await rejection(run('SELECT foo FROM Track'));
  assert.is(error.code, 'CONNECTOR');
  assert.is(error.details?.kind, 'QUERY_FAILED');
  assert.match(error.message, /Unknown column 'foo'/);
  assert.is(error.details?.errno, 1054);
});

test('two statements in one text are a syntax error on the server', async () => {
  const error = await rejection(run('SELECT 1; SELECT 2'));
  assert.is(error.details?.errno, 1064);
});

test('a session setting from one call does not leak into the next', async () => {
  await run('SELECT 1', { maxRows: 1 });
  const all = await run('SELECT TrackId FROM Track', { maxRows: 5000 });
  assert.is(all.rowCount, 3503);
});

test('explain estimates rows without running the query', async () => {
  const estimate = await connector.explain(spec(), 'SELECT * FROM Track JOIN Album ON Album.AlbumId = Track.AlbumId', never);
  assert.ok((estimate.estimatedRows ?? 0) > 100, String(estimate.estimatedRows));
  assert.match(estimate.summary, /Track|Album/i);
  const started = performance.now();
  await connector.explain(spec(), 'SELECT SLEEP(20)', never);
  assert.ok(performance.now() - started < 1_000, 'EXPLAIN must not run the query');
  assert.is((await rejection(connector.explain(spec(), 'SHOW TABLES', never))).code, 'UNSUPPORTED');
  assert.is((await rejection(connector.explain(spec(), 'DELETE FROM Track', never))).details?.kind, 'WRITE_BLOCKED');
});

test('the pool stays small and close() ends every connection', async () => {
  const count = async () => {
    const [rows] = await raw.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID()`);
    return Number(rows[0]!.n);
  };
  const other = createMysqlConnector();
  try {
    await Promise.all(Array.from({ length: 12 }, (_, i) => other.execute(spec(), `SELECT ${i}`, { maxRows: 10, timeoutMs: 5_000, signal: new AbortController().signal })));
    await connector.close();
    // The server drops a closed connection from its process list a moment after the client quits, so the count
    // settles rather than drops at once. Only other's pool is left; its connections idle out after 30 s, well
    // past this deadline, so a pool of more than 4 cannot pass by waiting.
    let last = -1;
    assert.ok(await waitFor(async () => (last = await count()) <= 4, 10_000), `connections: ${last}`);
  } finally {
    // An open pool keeps this test file's process alive: close it even when an assertion fails.
    await other.close();
  }
  let left = -1;
  assert.ok(await waitFor(async () => (left = await count()) === 0, 10_000), `still open: ${left}`);
  connector = layerTwo();
});

test.run();
