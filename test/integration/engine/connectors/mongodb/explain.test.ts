import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMongoConnector } from '../../../../../engine/connectors/mongodb/connector';
import type { Connector } from '../../../../../engine/connectors/types';
import { ExplainEstimate } from '../../../../../engine/contract/query.contract';
import { EngineError } from '../../../../../engine/errors';
import { loadSampleData } from '../../../../support/mongo-wire/fixtures';
import { startMongoWireServer, type MongoWireServer } from '../../../../support/mongo-wire/server';
import { mongoSpec } from '../../../../support/mongo-wire/specs';

let server: MongoWireServer;
let connector: Connector;
const ZIPS = 29_470;
const explain = (query: object) =>
  connector.explain(mongoSpec(server, { connection: { database: 'sample_training' } }), JSON.stringify({ collection: 'zips', ...query }), new AbortController().signal);

test.before(async () => {
  server = await startMongoWireServer();
  loadSampleData(server);
  connector = createMongoConnector();
});

test.after(async () => {
  await connector?.close();
  await server?.close();
});

test('a filtered find is a collection scan: the whole collection is read, the limit bounds the rows', async () => {
  const estimate = await explain({ operation: 'find', filter: { state: 'VT' }, limit: 25 });
  ExplainEstimate.parse(estimate);
  assert.equal(estimate, { estimatedRows: 25, estimatedCost: ZIPS, summary: 'COLLSCAN → LIMIT', warnings: [] });
  const unbounded = await explain({ operation: 'find', filter: { state: 'VT' }, sort: { pop: -1 } });
  assert.is(unbounded.estimatedRows, ZIPS);
  assert.is(unbounded.summary, 'COLLSCAN → SORT');
});

test('an _id lookup reads one document', async () => {
  const estimate = await explain({ operation: 'find', filter: { _id: { $oid: '5c8eccc1caa187d17ca6ed16' } } });
  assert.equal([estimate.estimatedRows, estimate.estimatedCost, estimate.summary], [1, 1, 'IDHACK']);
});

test('pipelines: $group by a key is unknown until a $limit, $count is one row, $sample its size', async () => {
  const grouped = await explain({ operation: 'aggregate', pipeline: [{ $match: { state: 'NY' } }, { $group: { _id: '$city', pop: { $sum: '$pop' } } }, { $sort: { pop: -1 } }] });
  assert.equal([grouped.estimatedRows, grouped.estimatedCost], [null, ZIPS]);
  assert.is(grouped.summary, 'COLLSCAN → $group → $sort');
  const top = await explain({ operation: 'aggregate', pipeline: [{ $group: { _id: '$state' } }, { $limit: 5 }] });
  assert.is(top.estimatedRows, 5);
  const counted = await explain({ operation: 'aggregate', pipeline: [{ $match: { pop: { $gt: 1000 } } }, { $count: 'n' }] });
  assert.is(counted.estimatedRows, 1);
  const sampled = await explain({ operation: 'aggregate', pipeline: [{ $sample: { size: 40 } }] });
  assert.is(sampled.estimatedRows, 40);
});

test('count is one row; distinct has an unknown number of values', async () => {
  const count = await explain({ operation: 'count', filter: { state: 'CA' } });
  assert.equal([count.estimatedRows, count.estimatedCost], [1, ZIPS]);
  const distinct = await explain({ operation: 'distinct', field: 'state' });
  assert.equal([distinct.estimatedRows, distinct.estimatedCost], [null, ZIPS]);
});

test('explain never runs the query and refuses write stages like execute does', async () => {
  const before = server.snapshot();
  const mark = server.commandLog.length;
  await explain({ operation: 'find', filter: { state: 'VT' } });
  assert.equal(server.commandLog.slice(mark).map((c) => c.name).filter((n) => n === 'find' || n === 'aggregate'), []);
  try {
    await explain({ operation: 'aggregate', pipeline: [{ $out: 'copy' }] });
    assert.unreachable('layer 2 should refuse');
  } catch (error) {
    assert.instance(error, EngineError);
    assert.is((error as EngineError).code, 'FORBIDDEN');
  }
  assert.is(server.snapshot(), before);
});

test('a large collection scan carries a warning', async () => {
  const docs = Array.from({ length: 100_000 }, (_, i) => ({ i }));
  server.load('sample_training', 'big', docs);
  const estimate = await connector.explain(
    mongoSpec(server, { connection: { database: 'sample_training' } }),
    JSON.stringify({ collection: 'big', operation: 'find', filter: { i: { $gt: 5 } } }),
    new AbortController().signal,
  );
  assert.is(estimate.estimatedRows, 100_000);
  assert.match(estimate.warnings[0] ?? '', /every document.*100,000/);
});

test.run();
