import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPostgresConnector } from '../../../../../engine/connectors/postgres/connector';
import type { Connector } from '../../../../../engine/connectors/types';
import { EngineError } from '../../../../../engine/errors';
import { createPgDatabase, type TestDatabase } from '../../../../support/databases';
import { activeWith, layer2, never, PASSWORD, pgSpec, waitFor } from './support';

let db: TestDatabase;
let connector: Connector;
const spec = () => pgSpec(db.name);
const run = (query: string, options: { maxRows?: number; timeoutMs?: number; signal?: AbortSignal } = {}) =>
  connector.execute(spec(), query, { maxRows: options.maxRows ?? 100, timeoutMs: options.timeoutMs ?? 10_000, signal: options.signal ?? never });

async function rejection(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, EngineError);
    return error as EngineError;
  }
  throw new assert.Assertion({ message: 'expected the call to fail', generated: false, operator: 'rejects', expects: 'rejection', actual: 'resolved' });
}

/** A statement that runs for minutes unless stopped (pg_sleep itself is refused by the guardrail). */
const SLOW = 'SELECT count(*) FROM generate_series(1, 100000000000) AS slow_marker';
const activeSlow = () => activeWith(db, 'slow_marker');
const ourSessions = () => Number(db.sql(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'PolyStoreIQ'`).trim());

test.before(() => {
  db = createPgDatabase('chinook');
  db.sql(`CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); CREATE DOMAIN positive AS integer CHECK (VALUE > 0)`);
  connector = createPostgresConnector();
});
test.after(async () => {
  await connector.close();
  db.drop();
});

test('every common type arrives as a JSON-safe cell with a normalized column type', async () => {
  const result = await run(`
    SELECT 42::int AS i, 9007199254740993::bigint AS big, 7::bigint AS small_big, 12345678901234567890.123456789::numeric AS n,
           'héllo'::text AS t, true AS b, date '2024-02-29' AS d, timestamp '2024-01-02 03:04:05.123456' AS ts,
           timestamptz '2024-01-02 03:04:05.5+02' AS tz, '{"a":[1,2],"b":null}'::json AS j, '{"k":"v"}'::jsonb AS jb,
           '\\xdeadbeef'::bytea AS bin, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS u, ARRAY[1, NULL, 3] AS ints,
           ARRAY['a b', 'c"d', NULL] AS texts, ARRAY[[1.5, 2.5], [3.5, 4.5]]::float8[] AS grid, 1.25::float8 AS f,
           'Infinity'::float8 AS inf, interval '1 day 02:00:00' AS iv, time '12:34:56' AS tm, NULL::text AS nothing,
           'happy'::mood AS m, ARRAY['sad', 'ok']::mood[] AS moods, 5::positive AS dom`);
  const byName = Object.fromEntries(result.columns.map((c, i) => [c.name, { ...c, value: result.rows[0]![i] }]));
  const expect: Record<string, [string, unknown, string?]> = {
    i: ['integer', 42, 'integer'],
    big: ['integer', '9007199254740993', 'bigint'],
    small_big: ['integer', 7],
    n: ['decimal', '12345678901234567890.123456789', 'numeric'],
    t: ['string', 'héllo', 'text'],
    b: ['boolean', true],
    d: ['date', '2024-02-29'],
    ts: ['timestamp', '2024-01-02T03:04:05.123456', 'timestamp without time zone'],
    tz: ['timestamptz', '2024-01-02T01:04:05.5Z', 'timestamp with time zone'],
    j: ['json', { a: [1, 2], b: null }],
    jb: ['json', { k: 'v' }, 'jsonb'],
    bin: ['binary', '\\xdeadbeef', 'bytea'],
    u: ['uuid', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
    ints: ['array', [1, null, 3], 'integer[]'],
    texts: ['array', ['a b', 'c"d', null], 'text[]'],
    grid: ['array', [[1.5, 2.5], [3.5, 4.5]]],
    f: ['float', 1.25],
    inf: ['float', 'Infinity'],
    iv: ['interval', '1 day 02:00:00'],
    tm: ['time', '12:34:56'],
    nothing: ['string', null],
    m: ['string', 'happy', 'mood'],
    moods: ['array', ['sad', 'ok'], 'mood[]'],
    // The protocol describes a domain column by its base type.
    dom: ['integer', 5, 'integer'],
  };
  for (const [name, [type, value, native]] of Object.entries(expect)) {
    assert.is(byName[name]?.type, type, `${name} type`);
    assert.equal(byName[name]?.value, value, `${name} value`);
    if (native) assert.is(byName[name]?.nativeType, native, `${name} native type`);
  }
  assert.is(result.rowCount, 1);
  assert.is(result.truncated, false);
  assert.is(result.rowLimit, 100);
  assert.ok(result.elapsedMs > 0);
  // Survives the trip across the boundary unchanged.
  assert.equal(JSON.parse(JSON.stringify(result.rows)), result.rows);
});

test('a result larger than maxRows is cut to maxRows and flagged truncated; an exact fit is not', async () => {
  const cut = await run('SELECT track_id, name FROM track ORDER BY track_id', { maxRows: 5 });
  assert.is(cut.rowCount, 5);
  assert.is(cut.rows.length, 5);
  assert.is(cut.truncated, true);
  assert.is(cut.rowLimit, 5);
  assert.equal(cut.rows.map((r) => r[0]), [1, 2, 3, 4, 5]);
  const exact = await run('SELECT track_id FROM track', { maxRows: 3503 });
  assert.is(exact.rowCount, 3503);
  assert.is(exact.truncated, false);
});

test('a huge result is never produced: 43 billion joined rows with maxRows 10 return at once', async () => {
  const started = performance.now();
  const result = await run('SELECT a.track_id, b.name, c.composer FROM track a CROSS JOIN track b CROSS JOIN track c', { maxRows: 10 });
  assert.ok(performance.now() - started < 2_000, `took ${performance.now() - started} ms`);
  assert.is(result.rowCount, 10);
  assert.is(result.truncated, true);
});

test('EXPLAIN runs (it cannot be a cursor) and is cut to maxRows too; SHOW is refused like any statement that is not a query', async () => {
  const explain = await run('EXPLAIN SELECT * FROM track t JOIN album a USING (album_id)', { maxRows: 2 });
  assert.match(String(explain.rows[0]![0]), /Hash Join|Nested Loop|Merge Join/);
  assert.is(explain.rowCount, 2);
  assert.is(explain.truncated, true);
  const show = await rejection(run('SHOW data_directory'));
  assert.is(show.details?.kind, 'WRITE_BLOCKED');
});

test('a statement timeout stops the query on the server and says what to do', async () => {
  const started = performance.now();
  const error = await rejection(run('SELECT count(*) FROM generate_series(1, 1000000000)', { timeoutMs: 300 }));
  assert.is(error.code, 'TIMEOUT');
  assert.match(error.message, /timeout/i);
  assert.match(error.message, /LIMIT|filter|raise/i);
  assert.ok(performance.now() - started < 2_000);
  // The pooled connection is fine afterwards.
  assert.equal((await run('SELECT 1')).rows, [[1]]);
});

test('aborting cancels a running query on the server within a second and rejects with CANCELLED', async () => {
  const controller = new AbortController();
  const pending = run(SLOW, { signal: controller.signal, timeoutMs: 60_000 });
  assert.ok(await waitFor(() => activeSlow() === 1, 5_000), 'the query never showed up in pg_stat_activity');
  const aborted = performance.now();
  controller.abort();
  const error = await rejection(pending);
  assert.is(error.code, 'CANCELLED');
  assert.ok(performance.now() - aborted < 1_000, `rejected after ${performance.now() - aborted} ms`);
  assert.ok(await waitFor(() => activeSlow() === 0, 1_000 - (performance.now() - aborted)), 'the query is still running on the server');
  assert.equal((await run('SELECT 2')).rows, [[2]]);
});

test('an already aborted signal rejects without running anything', async () => {
  const controller = new AbortController();
  controller.abort();
  const error = await rejection(run(SLOW, { signal: controller.signal }));
  assert.is(error.code, 'CANCELLED');
  assert.is(activeSlow(), 0);
});

test('a query error keeps the server message and its position in the query the user wrote', async () => {
  const error = await rejection(run('SELECT foo FROM track'));
  assert.is(error.code, 'CONNECTOR');
  assert.is(error.details?.kind, 'QUERY_FAILED');
  assert.match(error.message, /column "foo" does not exist/);
  assert.is(error.details?.position, 8);
  assert.is(error.details?.sqlState, '42703');
});

test('two statements in one text are refused by the guardrail, and by the protocol without it', async () => {
  const error = await rejection(run('SELECT 1; SELECT 2'));
  assert.is(error.details?.kind, 'GUARDRAIL_REFUSED');
  const direct = layer2(spec());
  try {
    const protocol = await rejection(direct.execute('SELECT 1; SELECT 2'));
    assert.is(protocol.code, 'CONNECTOR');
    assert.is(protocol.details?.kind, 'MULTIPLE_STATEMENTS');
    assert.match(protocol.message, /one statement/);
  } finally {
    await direct.close();
  }
});

test('an error text that would contain the password is masked', async () => {
  const error = await rejection(run(`SELECT * FROM "${PASSWORD}"`));
  assert.not.match(error.message, PASSWORD);
  assert.match(error.message, /\*\*\*/);
});

test('the pool stays small and close() ends every connection', async () => {
  const other = createPostgresConnector();
  try {
    await Promise.all(Array.from({ length: 12 }, (_, i) => other.execute(spec(), `SELECT ${i}, count(*) FROM generate_series(1, 300000)`, { maxRows: 10, timeoutMs: 5_000, signal: new AbortController().signal })));
    assert.ok(ourSessions() <= 4 + 4, `sessions: ${ourSessions()}`);
  } finally {
    // An open pool keeps this test file's process alive: close it even when an assertion fails.
    await other.close();
  }
  await connector.close();
  assert.ok(await waitFor(() => ourSessions() === 0, 10_000), `still open: ${ourSessions()}`);
  connector = createPostgresConnector();
});

test('dates come back as ISO and timestamps with time zone as UTC whatever the database settings, even odd historical offsets', async () => {
  db.sql(`ALTER DATABASE ${db.name} SET timezone TO 'Europe/Amsterdam'; ALTER DATABASE ${db.name} SET DateStyle TO 'German, DMY'; ALTER DATABASE ${db.name} SET bytea_output TO 'escape'`);
  const fresh = createPostgresConnector();
  try {
    const result = await fresh.execute(
      spec(),
      `SELECT timestamptz '2024-07-01 12:00:00.123456+00' AS summer, timestamptz '1900-01-01 00:00:00+00' AS lmt, current_setting('TimeZone') AS zone,
              date '2024-02-29' AS d, timestamp '2024-02-29 13:14:15' AS ts, '\\x00ff'::bytea AS b`,
      { maxRows: 1, timeoutMs: 5_000, signal: never },
    );
    assert.equal(result.rows[0], ['2024-07-01T12:00:00.123456Z', '1900-01-01T00:00:00Z', 'Europe/Amsterdam', '2024-02-29', '2024-02-29T13:14:15', '\\x00ff']);
  } finally {
    await fresh.close();
    db.sql(`ALTER DATABASE ${db.name} RESET timezone; ALTER DATABASE ${db.name} RESET DateStyle; ALTER DATABASE ${db.name} RESET bytea_output`);
  }
});

test('new connection details for a source retire its old pool', async () => {
  const before = ourSessions();
  await run('SELECT 1');
  const changed = pgSpec(db.name, { connection: { connectTimeoutMs: 4_000 } });
  await connector.execute(changed, 'SELECT 1', { maxRows: 1, timeoutMs: 5_000, signal: never });
  assert.ok(await waitFor(() => ourSessions() <= Math.max(before, 1), 2_000), `sessions: ${ourSessions()}`);
});

test('explain estimates rows and cost without running the query', async () => {
  const estimate = await connector.explain(spec(), 'SELECT * FROM track t JOIN album a USING (album_id)', never);
  assert.ok((estimate.estimatedRows ?? 0) > 100, String(estimate.estimatedRows));
  assert.ok((estimate.estimatedCost ?? 0) > 0);
  assert.match(estimate.summary, /track/);
  const started = performance.now();
  const slow = await connector.explain(spec(), SLOW, never);
  assert.ok(performance.now() - started < 1_000, 'EXPLAIN must not run the query');
  assert.ok((slow.estimatedCost ?? 0) > 0);
  assert.is((await rejection(connector.explain(spec(), 'SELECT pg_sleep(20)', never))).details?.kind, 'GUARDRAIL_REFUSED');
  assert.is((await rejection(connector.explain(spec(), 'SHOW work_mem', never))).details?.kind, 'WRITE_BLOCKED');
  const write = await rejection(connector.explain(spec(), 'DELETE FROM track', never));
  assert.is(write.details?.kind, 'WRITE_BLOCKED');
});

test('explain warns when more rows are expected than the row limit shows', async () => {
  const estimate = await connector.explain(pgSpec(db.name, { settings: { rowLimit: 100 } }), 'SELECT * FROM track', never);
  assert.ok(estimate.warnings.some((w) => /only the first 100/.test(w)), estimate.warnings.join('; '));
});

test.run();
