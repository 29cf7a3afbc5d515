/**
 * Bounds of a MongoDB read over TCP with the real driver: the byte budget
 * stops a result and kills its cursor, the preview (EXPLAIN) has its own
 * short budget, and after a cancel, a timeout or an error no cursor is left
 * open on the server.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMongoConnector } from '../../../../../engine/connectors/mongodb/connector';
import { PREVIEW_BUDGET } from '../../../../../engine/connectors/shared/preview-budget';
import type { Connector, ExecuteOptions } from '../../../../../engine/connectors/types';
import { QueryResult } from '../../../../../engine/contract/query.contract';
import { EngineError } from '../../../../../engine/errors';
import { startMongoWireServer, type MongoWireServer } from '../../../../support/mongo-wire/server';
import { mongoSpec } from '../../../../support/mongo-wire/specs';

const MB = 1024 * 1024;
const BLOB = 20_000;
const BLOBS = 300;
let server: MongoWireServer;
let connector: Connector;
const spec = () => mongoSpec(server, { connection: { database: 'limits' } });
const run = (query: object, options: Partial<ExecuteOptions> = {}) =>
  connector.execute(spec(), JSON.stringify(query), { timeoutMs: 20_000, maxRows: 10_000, signal: new AbortController().signal, ...options });

async function rejects(promise: Promise<unknown>, code: string): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, EngineError, String(error));
    assert.is((error as EngineError).code, code, (error as Error).message);
    return error as EngineError;
  }
  assert.unreachable(`expected ${code}`);
  throw new Error('unreachable');
}

/** Waits for server state, not for time: checks again on every turn of the event loop until it holds (or a generous deadline). */
async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.unreachable(`still waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test.before(async () => {
  server = await startMongoWireServer();
  server.load('limits', 'blobs', Array.from({ length: BLOBS }, (_, i) => ({ _id: i, body: `${i}`.padEnd(BLOB, 'x') })));
  server.load('limits', 'small', Array.from({ length: 500 }, (_, i) => ({ _id: i, n: i })));
  connector = createMongoConnector();
});

test.after(async () => {
  await connector?.close();
  await server?.close();
});

test('find stops at the byte budget, says so, and kills the server cursor', async () => {
  const mark = server.mark();
  const result = await run({ collection: 'blobs', operation: 'find', sort: { _id: 1 } }, { maxBytes: MB });
  QueryResult.parse(result);
  assert.is(result.truncated, true);
  assert.is(result.truncatedBy, 'bytes');
  // Each document is a little over 20,000 bytes of BSON: 52 of them fit in 1 MB.
  assert.is(result.rowCount, Math.floor(MB / (BLOB + 30)));
  assert.equal(result.rows.map((r) => r[0]), Array.from({ length: result.rowCount }, (_, i) => i));
  assert.match(result.notices[0]!, /size limit/);
  assert.is(server.openCursors, 0, 'the cursor is killed on the server once the budget is spent');
  assert.equal(server.commandsSince(mark, 'getMore'), [], 'nothing more was fetched');
  assert.is(server.commandsSince(mark, 'killCursors').length, 1);
});

test('aggregate and distinct stop at the byte budget too; without a budget the default (64 MB) applies', async () => {
  const aggregate = await run({ collection: 'blobs', operation: 'aggregate', pipeline: [{ $match: { _id: { $gte: 100 } } }] }, { maxBytes: MB });
  assert.is(aggregate.truncatedBy, 'bytes');
  assert.ok(aggregate.rowCount > 0 && aggregate.rowCount < 100, String(aggregate.rowCount));
  assert.is(server.openCursors, 0);
  const distinct = await run({ collection: 'blobs', operation: 'distinct', field: 'body' }, { maxBytes: MB });
  assert.is(distinct.truncatedBy, 'bytes');
  assert.ok(distinct.rowCount > 0 && distinct.rowCount < BLOBS, String(distinct.rowCount));
  const whole = await run({ collection: 'blobs', operation: 'find' });
  assert.equal([whole.rowCount, whole.truncated, whole.truncatedBy], [BLOBS, false, null]);
});

test('the row limit still wins when it comes first, and reports rows', async () => {
  const result = await run({ collection: 'blobs', operation: 'find' }, { maxRows: 10, maxBytes: MB });
  assert.equal([result.rowCount, result.truncatedBy], [10, 'rows']);
  assert.is(server.openCursors, 0);
});

test('EXPLAIN runs under the preview budget: maxTimeMS is the budget, and a slow server is a PreviewLimitError', async () => {
  const query = JSON.stringify({ collection: 'small', operation: 'aggregate', pipeline: [{ $group: { _id: '$n' } }] });
  const mark = server.mark();
  await connector.explain(spec(), query, new AbortController().signal);
  const [explain] = server.commandsSince(mark, 'explain');
  assert.is(explain!.command.maxTimeMS, PREVIEW_BUDGET.timeMs, 'not the statement timeout of the source');
  server.setLatency(60_000, { commands: ['explain'] });
  try {
    const error = await rejects(connector.explain(spec(), query, new AbortController().signal), 'TIMEOUT');
    assert.is(error.details?.kind, 'PREVIEW_LIMIT');
    assert.match(error.message, /preview budget/);
    // A server that ignores maxTimeMS is cut off by the client a second past the budget.
    server.setLatency(60_000, { commands: ['explain'], ignoreMaxTimeMS: true });
    const cut = await rejects(connector.explain(spec(), query, new AbortController().signal), 'TIMEOUT');
    assert.is(cut.details?.kind, 'PREVIEW_LIMIT');
  } finally {
    server.setLatency(0);
  }
  const after = await connector.explain(spec(), query, new AbortController().signal);
  assert.ok(after.summary.length > 0, 'the source keeps working');
});

test('cancel while a getMore is in flight: CANCELLED, and the cursor is killed on the server', async () => {
  server.setLatency(60_000, { commands: ['getMore'] });
  const mark = server.mark();
  const controller = new AbortController();
  try {
    const pending = run({ collection: 'small', operation: 'find' }, { signal: controller.signal, maxRows: 1_000 });
    await until('the getMore reaches the server', () => server.commandsSince(mark, 'getMore').length > 0);
    assert.is(server.openCursors, 1);
    controller.abort();
    await rejects(pending, 'CANCELLED');
    await until('the cursor is killed', () => server.openCursors === 0);
  } finally {
    server.setLatency(0);
  }
  const again = await run({ collection: 'small', operation: 'count' });
  assert.equal(again.rows, [[500]]);
});

test('a timeout on a getMore (server-side, or cut by the client) leaves no cursor behind', async () => {
  for (const ignoreMaxTimeMS of [false, true]) {
    server.setLatency(60_000, { commands: ['getMore'], ignoreMaxTimeMS });
    try {
      await rejects(run({ collection: 'small', operation: 'find' }, { timeoutMs: 300, maxRows: 1_000 }), 'TIMEOUT');
      await until('the cursor is killed', () => server.openCursors === 0);
    } finally {
      server.setLatency(0);
    }
  }
});

test('a server error mid-result is a typed error and leaves no cursor behind', async () => {
  const mark = server.mark();
  server.failNext('getMore', { code: 96, codeName: 'OperationFailed', message: 'the plan executor died' });
  const error = await rejects(run({ collection: 'small', operation: 'find' }, { maxRows: 1_000 }), 'CONNECTOR');
  assert.is(error.details?.kind, 'QUERY_FAILED');
  assert.match(error.message, /plan executor died/);
  assert.is(server.commandsSince(mark, 'getMore').length, 1, 'the failure came after the first batch');
  assert.is(server.openCursors, 0);
});

test.run();
