import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { deserialize, serialize } from 'bson';
import { MongoClient, MongoServerError, ObjectId, type Document } from 'mongodb';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadSampleData, mongoTestdataDir, readSampleFile } from '../../../support/mongo-wire/fixtures';
import { startMongoWireServer, type MongoWireServer } from '../../../support/mongo-wire/server';

const USERS = [
  { user: 'reader', password: 'read-pass-1', roles: [{ role: 'read', db: 'samples' }] },
  { user: 'writer', password: 'write-pass-2', roles: [{ role: 'readWrite', db: 'samples' }] },
];

let server: MongoWireServer;
let secured: MongoWireServer;
let client: MongoClient;
const inventory = readSampleFile(path.join(mongoTestdataDir, 'inventory.json'));
const zips = readSampleFile(path.join(mongoTestdataDir, 'sample_training/zips.bson'));

const connect = (uri: string) => new MongoClient(uri, { serverSelectionTimeoutMS: 3_000, connectTimeoutMS: 3_000 });

async function expectServerError(promise: Promise<unknown>, code: number): Promise<MongoServerError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, MongoServerError);
    assert.is((error as MongoServerError).code, code, (error as Error).message);
    return error as MongoServerError;
  }
  assert.unreachable(`expected server error ${code}`);
  throw new Error('unreachable');
}

test.before(async () => {
  server = await startMongoWireServer();
  loadSampleData(server);
  secured = await startMongoWireServer({ users: USERS, requireAuth: true });
  secured.load('samples', 'inventory', inventory.slice(0, 20));
  client = connect(server.uri());
  await client.connect();
});

test.after(async () => {
  await client?.close();
  await server?.close();
  await secured?.close();
});

test('the driver connects with the legacy OP_QUERY handshake and sees a standalone MongoDB 7.0', async () => {
  const handshake = server.commandLog.find((c) => c.name === 'isMaster');
  assert.ok(handshake, 'no handshake was logged');
  assert.is(handshake.opCode, 2004);
  const hello = await client.db('admin').command({ hello: 1 });
  assert.is(hello.isWritablePrimary, true);
  assert.is(hello.maxWireVersion, 21);
  assert.is(hello.setName, undefined);
  const info = await client.db('admin').command({ buildInfo: 1 });
  assert.match(info.version, /^7\.0\./);
  assert.is(server.commandLog.at(-1)?.opCode, 2013);
});

test('lists the sample databases and their collections', async () => {
  const { databases } = await client.db('admin').admin().listDatabases();
  const names = databases.map((d) => d.name);
  for (const db of ['sample_analytics', 'sample_geospatial', 'sample_mflix', 'sample_training', 'samples']) assert.ok(names.includes(db), db);
  const collections = (await client.db('sample_analytics').listCollections().toArray()).map((c) => c.name).sort();
  assert.equal(collections, ['accounts', 'customers']);
  const named = await client.db('samples').listCollections({ name: 'inventory' }, { nameOnly: true }).toArray();
  assert.equal(named.map((c) => c.name), ['inventory']);
});

test('find applies filter, sort, skip, limit and projection like MongoDB', async () => {
  const docs = await client
    .db('sample_training')
    .collection('zips')
    .find({ state: 'VT', pop: { $gte: 1000 } }, { projection: { _id: 0, city: 1, pop: 1 } })
    .sort({ pop: -1 })
    .skip(2)
    .limit(5)
    .toArray();
  const expected = zips
    .filter((z) => z.state === 'VT' && z.pop >= 1000)
    .sort((a, b) => b.pop - a.pop)
    .slice(2, 7)
    .map((z) => ({ city: z.city, pop: z.pop }));
  assert.equal(docs, expected);
});

test('find by ObjectId and by a nested field', async () => {
  const first = inventory[0]!;
  const byId = await client.db('samples').collection('inventory').findOne({ _id: new ObjectId(String(first._id)) });
  assert.is(byId?.item, first.item);
  const nested = await client.db('samples').collection('inventory').countDocuments({ 'size.uom': 'in' });
  assert.is(nested, inventory.filter((d) => d.size?.uom === 'in').length);
  assert.ok(nested > 0);
});

test('getMore: more than 101 documents arrive over several batches and the cursor is closed at the end', async () => {
  const before = server.commandLog.filter((c) => c.name === 'getMore').length;
  const all = await client.db('sample_training').collection('zips').find({}, { batchSize: 5000 }).toArray();
  assert.is(all.length, zips.length);
  assert.is(new Set(all.map((d) => String(d._id))).size, zips.length);
  assert.is(server.commandLog.filter((c) => c.name === 'getMore').length - before, Math.ceil(zips.length / 5000) - 1);
  assert.is(server.openCursors, 0);
  const defaultBatches = await client.db('samples').collection('air_airlines').find({}).toArray();
  assert.is(defaultBatches.length, 6048);
});

test('closing a cursor early kills it on the server', async () => {
  const cursor = client.db('sample_training').collection('zips').find({});
  await cursor.next();
  assert.is(server.openCursors, 1);
  await cursor.close();
  assert.is(server.commandLog.at(-1)?.name, 'killCursors');
  assert.is(server.openCursors, 0);
});

test('aggregate $group/$sort matches a count computed from the file', async () => {
  const groups = await client
    .db('samples')
    .collection('inventory')
    .aggregate([{ $group: { _id: '$status', n: { $sum: 1 } } }, { $sort: { _id: 1 } }])
    .toArray();
  const expected = new Map<string, number>();
  for (const d of inventory) expected.set(d.status, (expected.get(d.status) ?? 0) + 1);
  assert.equal(
    groups,
    [...expected.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([_id, n]) => ({ _id, n })),
  );
});

test('$lookup joins another collection of the same database', async () => {
  const joined = await client
    .db('sample_analytics')
    .collection('customers')
    .aggregate([
      { $match: { username: 'fmiller' } },
      { $lookup: { from: 'accounts', localField: 'accounts', foreignField: 'account_id', as: 'details' } },
    ])
    .toArray();
  assert.is(joined.length, 1);
  const customer = joined[0]!;
  const accounts = readSampleFile(path.join(mongoTestdataDir, 'sample_analytics/accounts.json'));
  const expected = accounts.filter((a) => (customer.accounts as number[]).includes(a.account_id)).map((a) => a.account_id).sort();
  assert.ok(expected.length > 0);
  assert.equal((customer.details as Document[]).map((a) => a.account_id).sort(), expected);
});

test('$sample returns distinct random documents of the collection', async () => {
  const sample = async () =>
    (await client.db('sample_training').collection('zips').aggregate([{ $sample: { size: 50 } }]).toArray()).map((d) => String(d._id));
  const a = await sample();
  const b = await sample();
  assert.is(a.length, 50);
  assert.is(new Set(a).size, 50);
  const known = new Set(zips.map((z) => String(z._id)));
  assert.ok(a.every((id) => known.has(id)));
  assert.not.equal(a, b);
  const all = await client.db('sample_mflix').collection('users').aggregate([{ $sample: { size: 1000 } }]).toArray();
  assert.is(all.length, 185);
});

test('$facet and $unionWith', async () => {
  const [facets] = await client
    .db('samples')
    .collection('inventory')
    .aggregate([
      {
        $facet: {
          total: [{ $count: 'n' }],
          top: [{ $sort: { qty: -1, item: 1 } }, { $limit: 2 }, { $project: { _id: 0, qty: 1 } }],
        },
      },
    ])
    .toArray();
  assert.equal(facets!.total, [{ n: inventory.length }]);
  const topQty = inventory.map((d) => d.qty as number).sort((a, b) => b - a).slice(0, 2);
  assert.equal((facets!.top as Document[]).map((d) => d.qty), topQty);
  const union = await client
    .db('sample_mflix')
    .collection('sessions')
    .aggregate([{ $unionWith: { coll: 'users', pipeline: [{ $limit: 3 }] } }, { $count: 'n' }])
    .toArray();
  assert.equal(union, [{ n: 4 }]);
});

test('countDocuments, estimatedDocumentCount and distinct', async () => {
  const coll = client.db('sample_training').collection('zips');
  assert.is(await coll.estimatedDocumentCount(), zips.length);
  assert.is(await coll.countDocuments({ state: 'NY' }), zips.filter((z) => z.state === 'NY').length);
  const states = await coll.distinct('state');
  assert.equal(states, [...new Set(zips.map((z) => z.state as string))].sort());
  const tags = await client.db('samples').collection('inventory').distinct('tags', { status: 'A' });
  const expectedTags = new Set(inventory.filter((d) => d.status === 'A').flatMap((d) => d.tags as string[]));
  assert.is(tags.length, expectedTags.size);
});

test('explain gives a queryPlanner with a winning plan, and execution stats on request', async () => {
  const coll = client.db('sample_training').collection('zips');
  const plan = await coll.find({ state: 'VT' }).limit(10).explain('queryPlanner');
  assert.is(plan.queryPlanner.namespace, 'sample_training.zips');
  assert.is(plan.queryPlanner.winningPlan.stage, 'LIMIT');
  assert.is(plan.queryPlanner.winningPlan.limitAmount, 10);
  assert.is(plan.queryPlanner.winningPlan.inputStage.stage, 'COLLSCAN');
  const byId = await coll.find({ _id: zips[0]!._id }).explain('queryPlanner');
  assert.is(byId.queryPlanner.winningPlan.stage, 'IDHACK');
  const stats = await coll.find({ state: 'VT' }).explain('executionStats');
  assert.is(stats.executionStats.nReturned, zips.filter((z) => z.state === 'VT').length);
  assert.is(stats.executionStats.totalDocsExamined, zips.length);
  const agg = await coll.aggregate([{ $match: { state: 'VT' } }, { $group: { _id: '$city' } }]).explain('queryPlanner');
  assert.is(agg.stages[0].$cursor.queryPlanner.winningPlan.stage, 'COLLSCAN');
  assert.ok('$group' in agg.stages[1]);
});

test('authentication: the right password logs in with its roles, a wrong one fails with AuthenticationFailed', async () => {
  const reader = connect(secured.uri({ user: 'reader', password: 'read-pass-1' }));
  try {
    await reader.connect();
    const status = await reader.db('samples').command({ connectionStatus: 1 });
    assert.equal(status.authInfo.authenticatedUsers, [{ user: 'reader', db: 'admin' }]);
    assert.equal(status.authInfo.authenticatedUserRoles, [{ role: 'read', db: 'samples' }]);
    assert.is(await reader.db('samples').collection('inventory').countDocuments(), 20);
    await expectServerError(reader.db('samples').collection('inventory').insertOne({ item: 'x' }), 13);
  } finally {
    await reader.close();
  }
  const wrong = connect(secured.uri({ user: 'reader', password: 'not-the-password' }));
  try {
    const error = await expectServerError(wrong.connect(), 18);
    assert.is(error.codeName, 'AuthenticationFailed');
  } finally {
    await wrong.close();
  }
  const nobody = connect(secured.uri({ user: 'mallory', password: 'whatever' }));
  try {
    await expectServerError(nobody.connect(), 18);
  } finally {
    await nobody.close();
  }
  const anonymous = connect(secured.uri());
  try {
    await anonymous.connect();
    await expectServerError(anonymous.db('samples').collection('inventory').findOne({}), 13);
  } finally {
    await anonymous.close();
  }
});

test('$out and $merge really write, and the snapshot changes', async () => {
  const before = server.snapshot();
  await client.db('samples').collection('inventory').aggregate([{ $match: { status: 'D' } }, { $out: 'inventory_d' }]).toArray();
  const afterOut = server.snapshot();
  assert.is.not(afterOut, before);
  assert.is(await client.db('samples').collection('inventory_d').countDocuments(), inventory.filter((d) => d.status === 'D').length);
  await client
    .db('samples')
    .collection('inventory')
    .aggregate([{ $match: { status: 'A' } }, { $limit: 3 }, { $merge: { into: 'inventory_d' } }])
    .toArray();
  assert.is.not(server.snapshot(), afterOut);
  assert.is(await client.db('samples').collection('inventory_d').countDocuments({ status: 'A' }), 3);
  await client.db('samples').collection('inventory_d').drop();
  assert.is(server.snapshot(), before);
});

test('a read leaves the snapshot unchanged; insert, update and delete change data', async () => {
  const coll = client.db('scratch').collection('things');
  const empty = server.snapshot();
  await client.db('samples').collection('inventory').find({ status: 'A' }).sort({ qty: 1 }).toArray();
  assert.is(server.snapshot(), empty);
  await coll.insertMany([{ n: 1 }, { n: 2 }, { n: 3 }]);
  const seeded = server.snapshot();
  assert.is.not(seeded, empty);
  const updated = await coll.updateMany({ n: { $gte: 2 } }, { $inc: { n: 10 } });
  assert.is(updated.modifiedCount, 2);
  assert.equal((await coll.find({}, { projection: { _id: 0 } }).sort({ n: 1 }).toArray()).map((d) => d.n), [1, 12, 13]);
  await coll.updateOne({ n: 99 }, { $set: { tag: 'new' } }, { upsert: true });
  assert.is(await coll.countDocuments({ n: 99, tag: 'new' }), 1);
  const deleted = await coll.deleteMany({ n: { $gt: 10 } });
  assert.is(deleted.deletedCount, 3);
  await expectServerError(coll.insertOne({ _id: (await coll.findOne({ n: 1 }))!._id, n: 5 }), 11000);
  await client.db('scratch').dropDatabase();
  assert.is(server.snapshot(), empty);
});

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
}

/** Sends one raw OP_MSG and returns the reply's header fields and body. */
async function rawOpMsg(flags: number, sections: Buffer[], trailer: Buffer = Buffer.alloc(0)) {
  const socket = net.connect(server.port, '127.0.0.1');
  await once(socket, 'connect');
  const payload = Buffer.concat([int32(flags), ...sections, trailer]);
  socket.write(Buffer.concat([int32(16 + payload.length), int32(4242), int32(0), int32(2013), payload]));
  let received = Buffer.alloc(0);
  while (received.length < 4 || received.length < received.readInt32LE(0)) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    received = Buffer.concat([received, chunk]);
  }
  socket.destroy();
  assert.is(received.readInt32LE(12), 2013);
  assert.is(received.readUInt8(20), 0, 'reply body is a kind-0 section');
  return { responseTo: received.readInt32LE(8), body: deserialize(received.subarray(21)) };
}

test('OP_MSG framing: kind-1 document sequences are folded into the command and a checksum trailer is tolerated', async () => {
  const docs = [serialize({ _id: 1, a: 'x' }), serialize({ _id: 2, a: 'y' })];
  const identifier = Buffer.from('documents\0');
  const sequence = Buffer.concat([Buffer.from([1]), int32(4 + identifier.length + docs[0]!.length + docs[1]!.length), identifier, ...docs]);
  const body = Buffer.concat([Buffer.from([0]), serialize({ insert: 'framing', ordered: true, $db: 'scratch_framing' })]);
  const reply = await rawOpMsg(1 /* checksumPresent */, [body, sequence], Buffer.from([0xde, 0xad, 0xbe, 0xef]));
  assert.is(reply.responseTo, 4242);
  assert.equal(reply.body, { n: 2, ok: 1 });
  const stored = await client.db('scratch_framing').collection('framing').find().toArray();
  assert.equal(stored, [{ _id: 1, a: 'x' }, { _id: 2, a: 'y' }]);
  await client.db('scratch_framing').dropDatabase();
});

test('an unknown command answers CommandNotFound', async () => {
  const error = await expectServerError(client.db('admin').command({ killOp: 1, op: 1 }), 59);
  assert.is(error.codeName, 'CommandNotFound');
});

test('artificial latency honours maxTimeMS with MaxTimeMSExpired', async () => {
  server.setLatency(500);
  try {
    const started = performance.now();
    await expectServerError(client.db('samples').collection('inventory').find({}).maxTimeMS(100).toArray(), 50);
    assert.ok(performance.now() - started < 450);
  } finally {
    server.setLatency(0);
  }
});

test.run();
