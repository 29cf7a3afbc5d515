import path from 'node:path';
import { Binary, Decimal128, Long, MaxKey, ObjectId, Timestamp, UUID } from 'bson';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMongoConnector } from '../../../../../engine/connectors/mongodb/connector';
import type { Connector, ExecuteOptions } from '../../../../../engine/connectors/types';
import { QueryResult } from '../../../../../engine/contract/query.contract';
import { EngineError } from '../../../../../engine/errors';
import { loadSampleData, mongoTestdataDir, readSampleFile } from '../../../../support/mongo-wire/fixtures';
import { startMongoWireServer, type MongoWireServer } from '../../../../support/mongo-wire/server';
import { mongoSpec } from '../../../../support/mongo-wire/specs';

const READER_PASSWORD = 'Reader-Secret-771';
let server: MongoWireServer;
let connector: Connector;
const inventory = readSampleFile(path.join(mongoTestdataDir, 'inventory.json'));
const spec = (options: Parameters<typeof mongoSpec>[1] = {}) => mongoSpec(server, options);
const run = (query: object | string, options: Partial<ExecuteOptions> = {}, s = spec()) =>
  connector.execute(s, typeof query === 'string' ? query : JSON.stringify(query), {
    timeoutMs: 10_000,
    maxRows: 1_000,
    signal: new AbortController().signal,
    ...options,
  });

async function rejects(promise: Promise<unknown>, code: string): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, EngineError);
    assert.is((error as EngineError).code, code, (error as Error).message);
    return error as EngineError;
  }
  assert.unreachable(`expected ${code}`);
  throw new Error('unreachable');
}

const commandsSince = (mark: number, ...names: string[]) => server.commandLog.slice(mark).filter((c) => names.includes(c.name));

test.before(async () => {
  server = await startMongoWireServer({
    users: [{ user: 'reader', password: READER_PASSWORD, roles: [{ role: 'read', db: 'samples' }, { role: 'read', db: 'sample_analytics' }] }],
  });
  loadSampleData(server);
  server.load('samples', 'types', [
    {
      _id: new ObjectId('65a1b2c3d4e5f60718293a4b'),
      when: new Date('2024-02-29T12:34:56.789Z'),
      price: Decimal128.fromString('12345678901234567890.12'),
      big: Long.fromString('1152921504606846977'),
      ratio: 2.5,
      small: 7,
      bytes: new Binary(Buffer.from([0xde, 0xad, 0xbe, 0xef])),
      uuid: new UUID('0e3b6c4a-9d52-4c0e-8a41-0d3f9a6f1b2c'),
      nested: { at: new Date('2020-01-01T00:00:00Z'), id: new ObjectId('65a1b2c3d4e5f60718293a4c') },
      list: [1, 'two', { three: 3 }],
      stamp: new Timestamp({ t: 1_700_000_000, i: 1 }),
      top: new MaxKey(),
      mixed: 1,
      num: 1,
    },
    { _id: 2, extra: 'only here', mixed: 'text', num: 1.5, nothing: null },
  ]);
  connector = createMongoConnector();
});

test.after(async () => {
  await connector?.close();
  await server?.close();
});

test('find returns the unified result shape, with the filter, sort and limit applied', async () => {
  const result = await run({ collection: 'inventory', operation: 'find', filter: { status: 'A' }, sort: { qty: -1 }, limit: 3, projection: { item: 1, qty: 1, lastModified: 1 } });
  QueryResult.parse(result);
  const expected = inventory
    .filter((d) => d.status === 'A')
    .sort((a, b) => b.qty - a.qty)
    .slice(0, 3);
  assert.equal(result.columns.map((c) => [c.name, c.type]), [
    ['_id', 'objectId'],
    ['item', 'string'],
    ['lastModified', 'timestamptz'],
    ['qty', 'integer'],
  ]);
  assert.equal(
    result.rows,
    expected.map((d) => [String(d._id), d.item, d.lastModified?.toISOString() ?? null, d.qty]),
  );
  assert.is(result.rowCount, 3);
  assert.is(result.truncated, false);
  assert.is(result.rowLimit, 1_000);
  assert.ok(result.elapsedMs > 0);
});

test('BSON values become JSON-safe cells without precision loss', async () => {
  const result = await run({ collection: 'types', operation: 'find', sort: { _id: -1 } });
  const column = (name: string) => result.columns.find((c) => c.name === name)!;
  const cell = (name: string, row = 0) => result.rows[row]![result.columns.findIndex((c) => c.name === name)];
  // _id is an ObjectId in one document and a number in the other: sorted ObjectId last.
  const row = result.rows.findIndex((r) => r[0] === '65a1b2c3d4e5f60718293a4b');
  assert.ok(row >= 0);
  assert.is(cell('when', row), '2024-02-29T12:34:56.789Z');
  assert.is(column('when').type, 'timestamptz');
  assert.is(cell('price', row), '12345678901234567890.12');
  assert.is(column('price').type, 'decimal');
  assert.is(cell('big', row), '1152921504606846977');
  assert.is(column('big').type, 'integer');
  assert.is(cell('ratio', row), 2.5);
  assert.is(column('ratio').type, 'float');
  assert.is(cell('small', row), 7);
  assert.is(cell('bytes', row), '\\xdeadbeef');
  assert.is(column('bytes').type, 'binary');
  assert.is(cell('uuid', row), '0e3b6c4a-9d52-4c0e-8a41-0d3f9a6f1b2c');
  assert.is(column('uuid').type, 'uuid');
  // A nested document arrives as dotted columns, each typed from its own BSON values.
  assert.is(cell('nested.at', row), '2020-01-01T00:00:00.000Z');
  assert.is(column('nested.at').type, 'timestamptz');
  assert.is(cell('nested.id', row), '65a1b2c3d4e5f60718293a4c');
  assert.is(column('nested.id').type, 'objectId');
  assert.not.ok(result.columns.some((c) => c.name === 'nested'));
  assert.equal(cell('list', row), [1, 'two', { three: 3 }]);
  assert.is(column('list').type, 'array');
  assert.is(cell('stamp', row), new Date(1_700_000_000_000).toISOString());
  assert.is(cell('top', row), 'MaxKey');
  JSON.stringify(result); // everything is JSON
});

test('columns are the union of top-level fields in first-seen order; missing fields are null; mixed types are marked', async () => {
  const result = await run({ collection: 'types', operation: 'find', filter: { _id: 2 } });
  assert.equal(result.columns.map((c) => c.name), ['_id', 'extra', 'mixed', 'num', 'nothing']);
  const both = await run({ collection: 'types', operation: 'aggregate', pipeline: [{ $sort: { _id: -1 } }, { $project: { mixed: 1, num: 1, extra: 1 } }] });
  assert.equal(both.columns.map((c) => c.name), ['_id', 'mixed', 'num', 'extra']);
  const col = (name: string) => both.columns.find((c) => c.name === name)!;
  assert.equal([col('mixed').type, col('mixed').nativeType], ['unknown', 'int|string']);
  assert.equal([col('num').type, col('num').nativeType], ['float', 'int|double']);
  assert.equal(both.rows.map((r) => r[3]), [null, 'only here']);
});

test('row limit: maxRows + 1 documents are fetched to set truncated, with maxTimeMS on every command', async () => {
  const mark = server.commandLog.length;
  const result = await run({ collection: 'inventory', operation: 'find' }, { maxRows: 100, timeoutMs: 4_321 });
  assert.is(result.rowCount, 100);
  assert.is(result.truncated, true);
  const [find] = commandsSince(mark, 'find');
  assert.is(find!.command.limit, 101);
  assert.is(find!.command.maxTimeMS, 4_321);
  const small = await run({ collection: 'inventory', operation: 'find', limit: 5 }, { maxRows: 100 });
  assert.is(small.rowCount, 5);
  assert.is(small.truncated, false);
  const exact = await run({ collection: 'inventory', operation: 'find', limit: 100 }, { maxRows: 100 });
  assert.is(exact.truncated, false);
  const aggregate = await run({ collection: 'inventory', operation: 'aggregate', pipeline: [{ $match: { status: 'B' } }] }, { maxRows: 10, timeoutMs: 1_234 });
  assert.is(aggregate.rowCount, 10);
  assert.is(aggregate.truncated, true);
  const [agg] = commandsSince(mark, 'aggregate');
  assert.equal(agg!.command.pipeline.at(-1), { $limit: 11 });
  assert.is(agg!.command.maxTimeMS, 1_234);
});

test('aggregate with $group and $lookup', async () => {
  const groups = await run({ collection: 'inventory', operation: 'aggregate', pipeline: [{ $group: { _id: '$status', n: { $sum: 1 } } }, { $sort: { _id: 1 } }] });
  const counts = new Map<string, number>();
  for (const d of inventory) counts.set(d.status, (counts.get(d.status) ?? 0) + 1);
  assert.equal(groups.rows, [...counts].sort(([a], [b]) => a.localeCompare(b)));
  const joined = await run(
    {
      collection: 'customers',
      database: 'sample_analytics',
      operation: 'aggregate',
      pipeline: [
        { $match: { username: 'fmiller' } },
        { $lookup: { from: 'accounts', localField: 'accounts', foreignField: 'account_id', as: 'linked' } },
        { $project: { _id: 0, username: 1, linked: { $size: '$linked' } } },
      ],
    },
    {},
    spec({ connection: { database: 'sample_analytics' }, sourceId: 'analytics' }),
  );
  assert.equal(joined.rows, [['fmiller', 6]]);
});

test('count gives one column "count"; distinct one column named after the field, truncated at the row limit', async () => {
  const mark = server.commandLog.length;
  const count = await run({ collection: 'inventory', operation: 'count', filter: { status: 'C' } }, { timeoutMs: 2_222 });
  assert.equal(count.columns, [{ name: 'count', type: 'integer', nativeType: 'int' }]);
  assert.equal(count.rows, [[inventory.filter((d) => d.status === 'C').length]]);
  assert.is(commandsSince(mark, 'aggregate')[0]!.command.maxTimeMS, 2_222);
  const distinct = await run({ collection: 'inventory', operation: 'distinct', field: 'size.uom' });
  assert.equal(distinct.columns, [{ name: 'size.uom', type: 'string', nativeType: 'string' }]);
  assert.equal(distinct.rows.map((r) => r[0]).sort(), [...new Set(inventory.map((d) => d.size.uom))].sort());
  const cut = await run({ collection: 'inventory', operation: 'distinct', field: 'status' }, { maxRows: 2 });
  assert.is(cut.rowCount, 2);
  assert.is(cut.truncated, true);
});

test('Extended JSON in the query: $oid, $date and $numberLong filters match', async () => {
  const byId = await run(`{"collection":"types","operation":"find","filter":{"_id":{"$oid":"65a1b2c3d4e5f60718293a4b"}},"projection":{"big":1}}`);
  assert.equal(byId.rows, [['65a1b2c3d4e5f60718293a4b', '1152921504606846977']]);
  const byLong = await run(`{"collection":"types","operation":"count","filter":{"big":{"$numberLong":"1152921504606846977"}}}`);
  assert.equal(byLong.rows, [[1]], 'the long keeps every digit');
  const byDate = await run(`{"collection":"inventory","operation":"count","filter":{"lastModified":{"$gte":{"$date":"2016-01-01T00:00:00Z"}}}}`);
  assert.equal(byDate.rows, [[inventory.filter((d) => d.lastModified >= new Date('2016-01-01T00:00:00Z')).length]]);
});

test('layer 2 refuses write stages and server-side JavaScript wherever they are, before anything reaches the server', async () => {
  const refused = [
    { collection: 'inventory', operation: 'aggregate', pipeline: [{ $match: {} }, { $out: 'stolen' }] },
    { collection: 'inventory', operation: 'aggregate', pipeline: [{ $merge: { into: 'stolen' } }] },
    { collection: 'inventory', operation: 'aggregate', pipeline: [{ $facet: { a: [{ $merge: { into: { db: 'samples', coll: 'stolen' } } }] } }] },
    { collection: 'inventory', operation: 'aggregate', pipeline: [{ $lookup: { from: 'types', pipeline: [{ $out: 'stolen' }], as: 'x' } }] },
    { collection: 'inventory', operation: 'aggregate', pipeline: [{ $addFields: { x: { $function: { body: 'function() { return 1 }', args: [], lang: 'js' } } } }] },
    { collection: 'inventory', operation: 'aggregate', pipeline: [{ $group: { _id: null, x: { $accumulator: { init: 'function() {}' } } } }] },
    { collection: 'inventory', operation: 'find', filter: { $where: 'this.qty > 1' } },
    { collection: 'inventory', operation: 'count', filter: { $expr: { $gt: [{ $function: { body: 'f', args: [], lang: 'js' } }, 1] } } },
    { collection: 'inventory', operation: 'find', filter: { $where: { $code: 'sleep(1000)' } } },
  ];
  const before = server.snapshot();
  const mark = server.commandLog.length;
  for (const query of refused) {
    const error = await rejects(run(query), 'FORBIDDEN');
    assert.is(error.details?.layer, 2);
    assert.match(error.message, /refused before it reached MongoDB/);
    const verdict = await connector.validate(JSON.stringify(query), spec(), new AbortController().signal);
    assert.is(verdict.allowed, false, `the guardrail also refuses ${JSON.stringify(query)}`);
  }
  assert.equal(commandsSince(mark, 'find', 'aggregate', 'count', 'distinct'), []);
  assert.is(server.snapshot(), before, 'no data changed');
  assert.not.ok(server.commandLog.some((c) => JSON.stringify(c.command).includes('stolen')));
});

test('a document that is not a valid query is a ValidationError', async () => {
  await rejects(run('{"collection": "inventory", "operation": "find"'), 'VALIDATION');
  await rejects(run({ collection: 'inventory', operation: 'insert', documents: [{}] }), 'VALIDATION');
  await rejects(run({ operation: 'find' }), 'VALIDATION');
  await rejects(run({ collection: 'inventory', operation: 'find', limit: -1 }), 'VALIDATION');
});

test('server errors are typed ConnectorErrors with the server words', async () => {
  // Allowed by both layers (they do not judge argument values), refused by the server.
  const error = await rejects(run({ collection: 'inventory', operation: 'aggregate', pipeline: [{ $sample: { size: -1 } }] }), 'CONNECTOR');
  assert.is(error.details?.kind, 'QUERY_FAILED');
  assert.is(error.details?.serverCode, 28747);
  assert.match(error.message, /\$sample/);
});

test('cancellation: aborting rejects with CANCELLED promptly, and the source keeps working', async () => {
  server.setLatency(5_000);
  const controller = new AbortController();
  const started = performance.now();
  try {
    const pending = run({ collection: 'inventory', operation: 'find' }, { signal: controller.signal, timeoutMs: 30_000 });
    setTimeout(() => controller.abort(), 150);
    const error = await rejects(pending, 'CANCELLED');
    assert.instance(error, EngineError);
  } finally {
    server.setLatency(0);
  }
  assert.ok(performance.now() - started < 1_000, `took ${performance.now() - started} ms`);
  const after = await run({ collection: 'inventory', operation: 'count' });
  assert.equal(after.rows, [[inventory.length]]);
  const aborted = new AbortController();
  aborted.abort();
  await rejects(run({ collection: 'inventory', operation: 'count' }, { signal: aborted.signal }), 'CANCELLED');
});

test('timeout: the server stops the query at maxTimeMS (TIMEOUT); a server that ignores it is cut off by the client', async () => {
  server.setLatency(3_000);
  try {
    const started = performance.now();
    const error = await rejects(run({ collection: 'inventory', operation: 'find' }, { timeoutMs: 200 }), 'TIMEOUT');
    assert.match(error.message, /200 ms/);
    assert.ok(performance.now() - started < 1_000);
    server.setLatency(3_000, { ignoreMaxTimeMS: true });
    const cutStarted = performance.now();
    await rejects(run({ collection: 'inventory', operation: 'find' }, { timeoutMs: 200 }), 'TIMEOUT');
    const cut = performance.now() - cutStarted;
    assert.ok(cut >= 1_100 && cut < 2_500, `client cut-off after ${cut} ms`);
  } finally {
    server.setLatency(0);
  }
});

test('with a read-only login queries run; a wrong password is AUTH_FAILED without the password', async () => {
  const reader = spec({ connection: { user: 'reader', authSource: 'admin' }, password: READER_PASSWORD, sourceId: 'reader' });
  const result = await run({ collection: 'inventory', operation: 'count' }, {}, reader);
  assert.equal(result.rows, [[inventory.length]]);
  const wrong = spec({ connection: { user: 'reader', authSource: 'admin' }, password: 'Not-The-Secret-99', sourceId: 'reader' });
  const error = await rejects(run({ collection: 'inventory', operation: 'count' }, {}, wrong), 'CONNECTOR');
  assert.is(error.details?.kind, 'AUTH_FAILED');
  assert.not.match(JSON.stringify({ message: error.message, details: error.details }), /Not-The-Secret-99|Reader-Secret-771/);
});

test('close() closes every pool', async () => {
  const other = createMongoConnector();
  await other.execute(spec({ sourceId: 'a' }), JSON.stringify({ collection: 'inventory', operation: 'count' }), { timeoutMs: 5_000, maxRows: 10, signal: new AbortController().signal });
  await other.execute(spec({ sourceId: 'b' }), JSON.stringify({ collection: 'inventory', operation: 'count' }), { timeoutMs: 5_000, maxRows: 10, signal: new AbortController().signal });
  const open = server.openConnections;
  await other.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.ok(server.openConnections <= open - 4, `${open} before, ${server.openConnections} after`);
});

test.run();
