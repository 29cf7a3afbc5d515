/**
 * Over TCP with the real driver against the wire-protocol test server: the
 * database is the source's, refused queries send nothing, and what is sent is
 * byte for byte what the approved text says.
 */
import { BSON, EJSON, Long, type Document } from 'bson';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMongoConnector } from '../../../../../engine/connectors/mongodb/connector';
import type { Connector } from '../../../../../engine/connectors/types';
import { EngineError } from '../../../../../engine/errors';
import { decode, startMongoWireServer, type LoggedCommand, type MongoWireServer } from '../../../../support/mongo-wire/server';
import { mongoSpec } from '../../../../support/mongo-wire/specs';

const READ_COMMANDS = ['find', 'aggregate', 'count', 'distinct', 'explain', 'getMore'];
const MAX_ROWS = 50;
let server: MongoWireServer;
let connector: Connector;
const spec = () => mongoSpec(server, { connection: { database: 'wire' } });
const signal = () => new AbortController().signal;
const run = (text: string) => connector.execute(spec(), text, { timeoutMs: 10_000, maxRows: MAX_ROWS, signal: signal() });

async function refusedBeforeServer(text: string, reason: string): Promise<void> {
  const mark = server.mark();
  const before = server.fingerprint();
  for (const attempt of [() => run(text), () => connector.explain(spec(), text, signal())]) {
    try {
      await attempt();
      assert.unreachable(`${text} ran`);
    } catch (error) {
      assert.instance(error, EngineError, String(error));
      assert.is((error as EngineError).code, 'FORBIDDEN', (error as Error).message);
      assert.is((error as EngineError).details?.reason, reason, (error as Error).message);
      assert.match((error as Error).message, /refused before it reached MongoDB/);
    }
  }
  const verdict = await connector.validate(text, spec(), signal());
  assert.is(verdict.allowed, false);
  assert.equal(server.commandsSince(mark, ...READ_COMMANDS), [], 'no query command was sent');
  assert.equal(server.fingerprint(), before);
}

/** The raw bytes of a top-level element's value in a BSON document (documents and arrays only). */
function elementBytes(bson: Buffer, name: string): Buffer {
  const end = bson.readInt32LE(0) - 1;
  let at = 4;
  while (at < end) {
    const type = bson[at]!;
    const nameEnd = bson.indexOf(0, at + 1);
    const key = bson.toString('utf8', at + 1, nameEnd);
    const value = nameEnd + 1;
    const size = valueSize(bson, type, value);
    if (key === name) {
      assert.ok(type === 3 || type === 4, `${name} is a document or an array`);
      return bson.subarray(value, value + size);
    }
    at = value + size;
  }
  throw new Error(`no element ${name}`);
}

function valueSize(bson: Buffer, type: number, at: number): number {
  switch (type) {
    case 1: // double
    case 9: // date
    case 17: // timestamp
    case 18: // int64
      return 8;
    case 2: // string
      return 4 + bson.readInt32LE(at);
    case 3: // document
    case 4: // array
      return bson.readInt32LE(at);
    case 8: // boolean
      return 1;
    case 10: // null
      return 0;
    case 16: // int32
      return 4;
    default:
      throw new Error(`element type ${type} not expected in a command`);
  }
}

/** What an array is on the wire: a document keyed "0", "1", … */
const arrayBytes = (items: unknown[]) => Buffer.from(BSON.serialize(Object.assign({}, items)));
const documentBytes = (doc: unknown) => Buffer.from(BSON.serialize(doc as Document));
/** The approved text as canonical Extended JSON reads it: the reference for what the server must receive. */
const approved = (text: string) => EJSON.parse(text, { relaxed: false }) as Document;

function onlyCommand(mark: number, name: string): LoggedCommand {
  const commands = server.commandsSince(mark, name);
  assert.is(commands.length, 1, `one ${name}: ${commands.map((c) => c.name).join(', ')}`);
  assert.is(commands[0]!.db, 'wire', 'sent to the source database');
  return commands[0]!;
}

test.before(async () => {
  server = await startMongoWireServer();
  server.load('admin', 'credentials', [{ user: 'root', password: 'hunter2' }]);
  server.load('payroll', 'salaries', [{ name: 'Ada', salary: 250_000 }]);
  server.load('wire', 'items', Array.from({ length: 80 }, (_, i) => ({ _id: i, qty: i * 10, price: i / 4, name: `item ${i}`, tags: i % 2 ? ['a'] : ['b'] })));
  server.load('wire', 'customers', [{ _id: 1, name: 'Ada' }]);
  connector = createMongoConnector();
});

test.after(async () => {
  await connector?.close();
  await server?.close();
});

test('the issue\u2019s attack: {"database":"admin","collection":"credentials"} is refused and reaches nothing', async () => {
  const attack = '{"database":"admin","collection":"credentials","operation":"find","filter":{}}';
  const verdict = await connector.validate(attack, spec(), signal());
  assert.equal(verdict.reasons.map((r) => r.code), ['CROSS_DATABASE']);
  await refusedBeforeServer(attack, 'CROSS_DATABASE');
  for (const operation of ['"operation":"count"', '"operation":"distinct","field":"password"', '"operation":"aggregate","pipeline":[]']) {
    await refusedBeforeServer(`{"database":"admin","collection":"credentials",${operation}}`, 'CROSS_DATABASE');
  }
  assert.not.ok(
    server.commandLog.some((c) => c.db === 'admin' && READ_COMMANDS.includes(c.name)),
    'nothing ever read the admin database',
  );
});

test('lookups into other databases and system collections are refused before the server', async () => {
  await refusedBeforeServer(
    JSON.stringify({ collection: 'items', operation: 'aggregate', pipeline: [{ $facet: { x: [{ $lookup: { from: { db: 'payroll', coll: 'salaries' }, as: 'pay', pipeline: [] } }] } }] }),
    'CROSS_DATABASE',
  );
  await refusedBeforeServer(JSON.stringify({ collection: 'items', operation: 'aggregate', pipeline: [{ $unionWith: { coll: { db: 'admin', coll: 'credentials' } } }] }), 'CROSS_DATABASE');
  await refusedBeforeServer(JSON.stringify({ collection: 'system.users', operation: 'find' }), 'FORBIDDEN_RELATION');
});

test('a __proto__ key that JSON.parse + EJSON would have dropped is refused, not silently removed', async () => {
  // Before: validation passed and the server received {"status": "A"}, without the approved $where.
  await refusedBeforeServer('{"collection":"items","operation":"find","filter":{"name":"item 1","__proto__":{"$where":"sleep(100)"}}}', 'UNSAFE_KEY');
  await refusedBeforeServer('{"collection":"items","operation":"aggregate","pipeline":[{"$facet":{"a":[{"$match":{"constructor":1}}]}}]}', 'UNSAFE_KEY');
  await refusedBeforeServer('{"collection":"items","operation":"find","filter":{"qty":{"$code":"1"}}}', 'FORBIDDEN_OPERATOR');
});

test('find: filter, projection and sort on the wire are byte for byte the approved text', async () => {
  const filter =
    '{"qty":{"$gte":0,"$lte":3000000000},"price":{"$ne":2.75},"exact":{"$ne":{"$numberDouble":"1.0"}},"dec":{"$ne":{"$numberDecimal":"9.99"}},' +
    '"when":{"$ne":{"$date":"2024-01-01T00:00:00Z"}},"oid":{"$nin":[{"$oid":"65a1b2c3d4e5f60718293a4b"}]},"bin":{"$ne":{"$binary":{"base64":"3q2+7w==","subType":"00"}}},' +
    '"u":{"$ne":{"$uuid":"0e3b6c4a-9d52-4c0e-8a41-0d3f9a6f1b2c"}},"re":{"$not":{"$regularExpression":{"pattern":"^zz","options":"i"}}},"ts":{"$ne":{"$timestamp":{"t":1,"i":2}}},' +
    '"nested":{"$ne":{"2019":1,"b":[1,{"c":null}]}},"$or":[{"tags":"a"},{"tags":{"$size":1}}]}';
  const text = `{"collection":"items","operation":"find","filter":${filter},"projection":{"_id":0,"qty":1,"name":1},"sort":{"qty":-1,"price":1},"skip":1,"limit":5}`;
  const mark = server.mark();
  const result = await run(text);
  assert.is(result.rowCount, 5);
  const find = onlyCommand(mark, 'find');
  const reference = approved(text);
  assert.equal(elementBytes(find.bson, 'filter'), documentBytes(reference.filter), 'filter bytes');
  assert.equal(elementBytes(find.bson, 'projection'), documentBytes(reference.projection), 'projection bytes');
  assert.equal(elementBytes(find.bson, 'sort'), documentBytes(reference.sort), 'sort bytes, key order kept');
  const sent = decode(find);
  assert.is(EJSON.stringify(sent.filter, { relaxed: false }), EJSON.stringify(reference.filter, { relaxed: false }));
  assert.is(sent.skip.valueOf(), 1);
  assert.is(sent.limit.valueOf(), 5, 'the approved limit, below maxRows + 1');
});

test('integers past 2^53 reach the server with every digit, and $regex operators as written', async () => {
  const mark = server.mark();
  await run('{"collection":"items","operation":"find","filter":{"qty":{"$ne":9007199254740993},"name":{"$regex":"^item","$options":"i","$nin":["item 3"]}}}');
  const find = onlyCommand(mark, 'find');
  const expected = { qty: { $ne: Long.fromString('9007199254740993') }, name: { $regex: '^item', $options: 'i', $nin: ['item 3'] } };
  assert.equal(elementBytes(find.bson, 'filter'), documentBytes(expected));
});

test('aggregate: the pipeline on the wire is the approved one, followed only by the row limit', async () => {
  const pipeline = [
    { $match: { qty: { $gte: 100 }, tags: { $in: ['a', 'b'] } } },
    { $lookup: { from: 'customers', let: { q: '$qty' }, pipeline: [{ $match: { $expr: { $gt: ['$$q', 0] } } }, { $project: { name: 1 } }], as: 'who' } },
    { $group: { _id: { $mod: ['$qty', 3] }, n: { $sum: 1 }, avg: { $avg: '$price' } } },
    { $facet: { all: [{ $sort: { _id: 1 } }], count: [{ $count: 'n' }] } },
  ];
  const text = JSON.stringify({ collection: 'items', operation: 'aggregate', pipeline });
  const mark = server.mark();
  const result = await run(text);
  assert.is(result.rowCount, 1);
  const aggregate = onlyCommand(mark, 'aggregate');
  assert.equal(elementBytes(aggregate.bson, 'pipeline'), arrayBytes([...approved(text).pipeline, { $limit: MAX_ROWS + 1 }]));
});

test('count and distinct: the filter on the wire is the approved one', async () => {
  const filter = '{"qty":{"$gt":{"$numberLong":"5"}},"price":{"$lt":19.5}}';
  let mark = server.mark();
  await run(`{"collection":"items","operation":"count","filter":${filter}}`);
  const count = onlyCommand(mark, 'aggregate');
  const stages = elementBytes(count.bson, 'pipeline');
  assert.equal(elementBytes(stages, '0'), documentBytes({ $match: approved(filter) }), 'countDocuments matches the approved filter first');
  mark = server.mark();
  const distinct = await run(`{"collection":"items","operation":"distinct","field":"tags","filter":${filter}}`);
  assert.equal(distinct.rows.map((r) => r[0]).sort(), ['a', 'b']);
  const sent = onlyCommand(mark, 'distinct');
  assert.equal(elementBytes(sent.bson, 'query'), documentBytes(approved(filter)));
  assert.is(sent.command.key, 'tags');
});

test('explain sends the approved filter and pipeline too, at queryPlanner verbosity', async () => {
  const text = '{"collection":"items","operation":"aggregate","pipeline":[{"$match":{"qty":{"$gt":3000000000}}},{"$sort":{"b":1,"a":-1}}]}';
  const mark = server.mark();
  await connector.explain(spec(), text, signal());
  const explain = onlyCommand(mark, 'explain');
  assert.is(explain.command.verbosity, 'queryPlanner');
  assert.equal(elementBytes(elementBytes(explain.bson, 'explain'), 'pipeline'), arrayBytes(approved(text).pipeline));
});

test.run();
