/**
 * Results are bounded by bytes as well as rows, and the preview (EXPLAIN)
 * cannot cost what execution may.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPostgresConnector } from '../../../../../engine/connectors/postgres/connector';
import { PREVIEW_BUDGET } from '../../../../../engine/connectors/shared/preview-budget';
import type { Connector } from '../../../../../engine/connectors/types';
import type { EngineError} from '../../../../../engine/errors';
import { PreviewLimitError } from '../../../../../engine/errors';
import { createPgDatabase, type TestDatabase } from '../../../../support/databases';
import { never, pgSpec, waitFor } from './support';

const MB = 1024 * 1024;
let db: TestDatabase;
let connector: Connector;
const spec = (maxResultBytes?: number) => pgSpec(db.name, maxResultBytes ? { settings: { maxResultBytes } } : {});

test.before(() => {
  db = createPgDatabase('chinook');
  connector = createPostgresConnector();
});
test.after(async () => {
  await connector.close();
  // The server goes on folding the bomb until its next interrupt check; the database can be dropped once it is done.
  await waitFor(() => db.sql('SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()').trim() === '0', 120_000);
  db.drop();
});

test("SELECT repeat('x', 200000000) stops at the byte cap instead of reading 200 MB", async () => {
  const before = process.memoryUsage().rss;
  const result = await connector.execute(spec(), "SELECT repeat('x', 200000000) AS huge", { maxRows: 100, maxBytes: 2 * MB, timeoutMs: 30_000, signal: never });
  assert.is(result.truncatedBy, 'bytes');
  assert.is(result.truncated, true);
  assert.is(result.rowCount, 0);
  assert.equal(result.columns.map((c) => c.name), ['huge']);
  assert.match(result.notices.join(' '), /2 MB size limit/);
  assert.ok(process.memoryUsage().rss - before < 150 * MB, `grew by ${Math.round((process.memoryUsage().rss - before) / MB)} MB`);
  // The pool is fine afterwards (the cut connection was discarded).
  assert.equal((await connector.execute(spec(), 'SELECT 1', { maxRows: 1, timeoutMs: 5_000, signal: never })).rows, [[1]]);
});

test('many rows stop at the byte cap with the rows that fit', async () => {
  const result = await connector.execute(spec(), "SELECT g, repeat('y', 1000) FROM generate_series(1, 100000) AS g", { maxRows: 100_000, maxBytes: MB, timeoutMs: 30_000, signal: never });
  assert.is(result.truncatedBy, 'bytes');
  assert.ok(result.rowCount > 500 && result.rowCount < 1100, `${result.rowCount} rows`);
  assert.equal(result.rows[0], [1, 'y'.repeat(1000)]);
  assert.equal(result.rows.at(-1)![0], result.rowCount, 'the rows kept are the first ones, in order');
});

test("without an explicit limit the source's maxResultBytes applies; a result under it is whole", async () => {
  const cut = await connector.execute(spec(MB), "SELECT repeat('z', 3000000)", { maxRows: 10, timeoutMs: 30_000, signal: never });
  assert.is(cut.truncatedBy, 'bytes');
  const whole = await connector.execute(spec(MB), "SELECT repeat('z', 1000) FROM generate_series(1, 100)", { maxRows: 1000, timeoutMs: 30_000, signal: never });
  assert.is(whole.truncatedBy, null);
  assert.is(whole.rowCount, 100);
});

test('the row limit still applies first when the rows are small', async () => {
  const result = await connector.execute(spec(), 'SELECT g FROM generate_series(1, 1000) AS g', { maxRows: 10, maxBytes: MB, timeoutMs: 5_000, signal: never });
  assert.is(result.truncatedBy, 'rows');
  assert.is(result.rowCount, 10);
});

// Three rounds of an 800 MB string and its md5, all folded by the planner inside EXPLAIN: about 8 s of server
// work at load 5 here, far past the 2 s preview budget on any machine (one round took 2.2 s, and on a quiet
// machine finished inside the budget, so the test failed on the machine's speed).
const FOLDING_BOMB = "SELECT length(repeat(md5(repeat(md5(repeat(md5('a'), 25000000)), 25000000)), 25000000))";

test('a constant-folding bomb in the preview fails with PreviewLimitError, not after the server is done', async () => {
  const error = await connector.explain(spec(), FOLDING_BOMB, never).then(
    () => null,
    (e: unknown) => e,
  );
  assert.instance(error, PreviewLimitError);
  assert.is((error as EngineError).details?.kind, 'PREVIEW_LIMIT');
  assert.is((error as EngineError).details?.timeoutMs, PREVIEW_BUDGET.timeMs);
  assert.match((error as EngineError).message, /preview budget/);
  // The next estimate runs on a healthy connection.
  assert.ok(((await connector.explain(spec(), 'SELECT * FROM track', never)).estimatedRows ?? 0) > 0);
});

test.run();
