/**
 * The MongoDB guardrail's allow-lists: the source's database only, stages and
 * operators known to read, no JavaScript, no system collections, no keys that
 * would not survive, and no false refusals of real analytical queries.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Verdict } from '../../../../../engine/contract/query.contract';
import { inspectMongoQuery, validateMongoQuery } from '../../../../../engine/connectors/mongodb/guardrail';
import { READ_OPERATORS, READ_STAGES } from '../../../../../engine/connectors/mongodb/operators';

const SOURCE = { database: 'shop' };
const validate = (query: object | string) => validateMongoQuery(typeof query === 'string' ? query : JSON.stringify(query), SOURCE);
const find = (filter: unknown, extra: object = {}) => ({ collection: 'orders', operation: 'find', filter, ...extra });
const aggregate = (pipeline: unknown[]) => ({ collection: 'orders', operation: 'aggregate', pipeline });
const codes = (verdict: Verdict) => verdict.reasons.map((r) => r.code);

function refused(query: object | string, code: string, label = JSON.stringify(query)): Verdict {
  const verdict = validate(query);
  assert.is(verdict.allowed, false, `${label} was allowed`);
  assert.ok(codes(verdict).includes(code as never), `${label}: expected ${code}, got ${JSON.stringify(verdict.reasons)}`);
  return verdict;
}

function allowed(query: object | string, label = JSON.stringify(query)): void {
  const verdict = validate(query);
  assert.equal(verdict.reasons, [], label);
  assert.ok(verdict.allowed, label);
}

/** Wraps a stage so it sits at every depth a pipeline can nest. */
function nestings(stage: object): unknown[][] {
  return [
    [stage],
    [{ $facet: { a: [stage] } }],
    [{ $lookup: { from: 'customers', as: 'c', pipeline: [stage] } }],
    [{ $unionWith: { coll: 'returns', pipeline: [stage] } }],
    [{ $facet: { a: [{ $lookup: { from: 'customers', as: 'c', pipeline: [{ $facet: { b: [stage] } }] } }] } }],
    [{ $lookup: { from: 'customers', as: 'c', pipeline: [{ $unionWith: { coll: 'returns', pipeline: [stage] } }] } }],
  ];
}

test('the issue\u2019s attack: a query naming another database is CROSS_DATABASE', () => {
  const verdict = refused({ database: 'admin', collection: 'credentials', operation: 'find', filter: {} }, 'CROSS_DATABASE');
  assert.match(verdict.reasons[0]!.message, /names database "admin", but this source reads only "shop"/);
  assert.is(verdict.reasons[0]!.position, 1, 'points at "database"');
  for (const operation of [{ operation: 'count' }, { operation: 'distinct', field: 'password' }, { operation: 'aggregate', pipeline: [] }]) {
    refused({ database: 'admin', collection: 'credentials', ...operation }, 'CROSS_DATABASE');
  }
  refused({ database: 'Shop', collection: 'orders', operation: 'find' }, 'CROSS_DATABASE', 'database names are exact');
  allowed({ database: 'shop', collection: 'orders', operation: 'find' });
  allowed({ collection: 'orders', operation: 'find' });
});

test('$lookup, $graphLookup and $unionWith into another database are refused at every depth', () => {
  const intoAdmin = [
    { $lookup: { from: { db: 'admin', coll: 'system.users' }, localField: 'a', foreignField: 'b', as: 'x' } },
    { $lookup: { from: { db: 'payroll', coll: 'salaries' }, as: 'x', pipeline: [] } },
    { $graphLookup: { from: { db: 'payroll', coll: 'salaries' }, startWith: '$a', connectFromField: 'a', connectToField: 'b', as: 'x' } },
    { $unionWith: { coll: { db: 'payroll', coll: 'salaries' }, pipeline: [] } },
  ];
  for (const stage of intoAdmin) {
    for (const pipeline of nestings(stage)) refused(aggregate(pipeline), 'CROSS_DATABASE');
  }
  allowed(aggregate([{ $lookup: { from: { db: 'shop', coll: 'customers' }, localField: 'customerId', foreignField: '_id', as: 'customer' } }]));
});

test('options outside a lookup stage\u2019s own list are refused (no undocumented way to name a database)', () => {
  refused(aggregate([{ $lookup: { from: 'customers', as: 'x', db: 'admin' } }]), 'INVALID_DOCUMENT');
  refused(aggregate([{ $unionWith: { coll: 'returns', db: 'admin' } }]), 'INVALID_DOCUMENT');
  refused(aggregate([{ $graphLookup: { from: 'c', startWith: '$a', connectFromField: 'a', connectToField: 'b', as: 'x', database: 'admin' } }]), 'INVALID_DOCUMENT');
  refused(aggregate([{ $lookup: { from: { db: 'shop', coll: 'c', extra: 1 }, as: 'x' } }]), 'INVALID_DOCUMENT');
  refused(aggregate([{ $lookup: { from: 42, as: 'x' } }]), 'INVALID_DOCUMENT');
});

test('system collections are refused wherever a collection is named, and MongoDB\u2019s internal databases are not sources', () => {
  for (const name of ['system.users', 'system.js', 'system.profile', 'system.views', 'system.buckets.weather']) {
    refused({ collection: name, operation: 'find' }, 'FORBIDDEN_RELATION');
    for (const pipeline of nestings({ $lookup: { from: name, as: 'x', pipeline: [] } })) refused(aggregate(pipeline), 'FORBIDDEN_RELATION');
    refused(aggregate([{ $unionWith: name }]), 'FORBIDDEN_RELATION');
    refused(aggregate([{ $unionWith: { coll: name } }]), 'FORBIDDEN_RELATION');
    refused(aggregate([{ $graphLookup: { from: name, startWith: '$a', connectFromField: 'a', connectToField: 'b', as: 'x' } }]), 'FORBIDDEN_RELATION');
    refused(aggregate([{ $lookup: { from: { db: 'shop', coll: name }, as: 'x' } }]), 'FORBIDDEN_RELATION');
  }
  for (const name of ['$cmd', 'orders$x', 'a\u0000b']) refused({ collection: name, operation: 'find' }, 'INVALID_DOCUMENT', name);
  for (const database of ['admin', 'local', 'config']) {
    const verdict = validateMongoQuery(JSON.stringify({ collection: 'oplog.rs', operation: 'find' }), { database });
    assert.equal(codes(verdict), ['FORBIDDEN_RELATION'], database);
  }
  allowed({ collection: 'systems', operation: 'find' });
  allowed({ collection: 'my.system.notes', operation: 'find' });
});

test('server-side JavaScript is refused in filters, projections, $expr, accumulators and every sub-pipeline', () => {
  const fn = { $function: { body: 'function() { return 1 }', args: [], lang: 'js' } };
  const acc = { $accumulator: { init: 'function() {}', accumulate: 'function() {}', accumulateArgs: [], merge: 'function() {}', lang: 'js' } };
  for (const query of [
    find({ $where: 'sleep(100) || true' }),
    find({ $or: [{ a: 1 }, { $where: 'true' }] }),
    find({ $expr: fn }),
    find({}, { projection: { x: fn } }),
    { collection: 'orders', operation: 'count', filter: { $nor: [{ $where: 'true' }] } },
    { collection: 'orders', operation: 'distinct', field: 'a', filter: { $expr: { $eq: [fn, 1] } } },
  ]) {
    refused(query, 'FORBIDDEN_OPERATOR');
  }
  for (const stage of [{ $match: { $where: 'true' } }, { $addFields: { x: fn } }, { $group: { _id: null, x: acc } }, { $setWindowFields: { output: { x: { ...acc, window: {} } } } }]) {
    for (const pipeline of nestings(stage)) {
      const verdict = refused(aggregate(pipeline), 'FORBIDDEN_OPERATOR');
      assert.ok(verdict.reasons.some((r) => /runs JavaScript on the server/.test(r.message)), JSON.stringify(verdict.reasons));
    }
  }
  refused(aggregate([{ $lookup: { from: 'c', as: 'x', let: { v: fn }, pipeline: [] } }]), 'FORBIDDEN_OPERATOR');
  refused(aggregate([{ $graphLookup: { from: 'c', startWith: fn, connectFromField: 'a', connectToField: 'b', as: 'x' } }]), 'FORBIDDEN_OPERATOR');
  refused(aggregate([{ $graphLookup: { from: 'c', startWith: '$a', connectFromField: 'a', connectToField: 'b', as: 'x', restrictSearchWithMatch: { $where: 'true' } } }]), 'FORBIDDEN_OPERATOR');
});

test('code values are refused wherever they are, DBRefs included', () => {
  for (const text of [
    '{"collection":"orders","operation":"find","filter":{"a":{"$code":"x"}}}',
    '{"collection":"orders","operation":"find","filter":{"ref":{"$ref":"users","$id":{"$code":"x","$scope":{}}}}}',
    '{"collection":"orders","operation":"aggregate","pipeline":[{"$facet":{"a":[{"$match":{"b":{"$in":[{"$code":"x"}]}}}]}}]}',
    '{"collection":"orders","operation":"aggregate","pipeline":[{"$lookup":{"from":"c","as":"x","pipeline":[{"$documents":[{"f":{"$code":"x"}}]}]}}]}',
  ]) {
    refused(text, 'FORBIDDEN_OPERATOR', text);
  }
});

test('prototype keys are UNSAFE_KEY at every depth: filter, arrays, stages, $facet and $lookup sub-pipelines', () => {
  for (const key of ['__proto__', 'constructor', 'prototype']) {
    const texts = [
      `{"collection":"orders","operation":"find","filter":{"${key}":{"status":"A"}}}`,
      `{"collection":"orders","operation":"find","filter":{"$and":[{"a":1},{"${key}":{"$where":"1"}}]}}`,
      `{"collection":"orders","operation":"find","filter":{},"projection":{"a":{"${key}":1}}}`,
      `{"collection":"orders","operation":"aggregate","pipeline":[{"$match":{"${key}":1}}]}`,
      `{"collection":"orders","operation":"aggregate","pipeline":[{"$facet":{"a":[{"$project":{"x":{"${key}":1}}}]}}]}`,
      `{"collection":"orders","operation":"aggregate","pipeline":[{"$lookup":{"from":"c","as":"x","pipeline":[{"$match":{"${key}":{"$out":"x"}}}]}}]}`,
      `{"collection":"orders","operation":"aggregate","pipeline":[{"$group":{"_id":null,"n":{"$sum":[{"${key}":1}]}}}]}`,
      `{"${key}":{},"collection":"orders","operation":"find"}`,
    ];
    for (const text of texts) {
      const verdict = refused(text, 'UNSAFE_KEY', text);
      const reason = verdict.reasons.find((r) => r.code === 'UNSAFE_KEY')!;
      assert.ok(text.startsWith(`"${key}"`, reason.position), `${text}: position ${reason.position}`);
      assert.is(inspectMongoQuery(text, SOURCE).document, null);
    }
  }
});

test('repeated keys and reordered numeric keys are UNSAFE_KEY', () => {
  refused('{"collection":"orders","operation":"find","filter":{"status":"A","status":"B"}}', 'UNSAFE_KEY');
  refused('{"collection":"orders","operation":"find","collection":"secrets"}', 'UNSAFE_KEY');
  refused('{"collection":"orders","operation":"aggregate","pipeline":[{"$sort":{"name":1,"2019":-1}}]}', 'UNSAFE_KEY');
  allowed('{"collection":"orders","operation":"aggregate","pipeline":[{"$sort":{"2019":-1,"name":1}}]}');
});

test('stages outside the allow-list are refused at every depth', () => {
  for (const stage of ['$out', '$merge', '$currentOp', '$listSessions', '$listLocalSessions', '$collStats', '$indexStats', '$planCacheStats', '$changeStream', '$queryStats', '$search', '$searchMeta', '$vectorSearch', '$listSearchIndexes', '$madeUp']) {
    for (const pipeline of nestings({ [stage]: {} })) refused(aggregate(pipeline), 'FORBIDDEN_STAGE', `${stage} in ${JSON.stringify(pipeline)}`);
  }
});

test('every $-key outside stage positions must be a known read-only operator', () => {
  for (const key of ['$madeUp', '$eval', '$lookup', '$group', '$out', '$merge', '$currentDate', '$inc', '$set', '$unset', '$push$']) {
    const verdict = validate(find({ a: { [key]: 1 } }));
    assert.is(verdict.allowed, false, key);
  }
  for (const operator of READ_OPERATORS) assert.ok(validate(find({ a: { [operator]: 1 } })).allowed, operator);
  for (const stage of READ_STAGES) assert.ok(validate(aggregate([{ [stage]: {} }])).allowed, stage);
});

test('the server\u2019s variables are an allow-list: $$USER_ROLES is refused, $$NOW, $$ROOT and the query\u2019s own variables are read', () => {
  for (const variable of ['$$USER_ROLES', '$$SEARCH_META', '$$USER_ROLES.role', '$$MADE_UP']) {
    for (const pipeline of nestings({ $project: { x: variable } })) refused(aggregate(pipeline), 'FORBIDDEN_OPERATOR', `${variable} in ${JSON.stringify(pipeline)}`);
    refused(find({ $expr: { $in: ['admin', variable] } }), 'FORBIDDEN_OPERATOR', variable);
  }
  allowed(aggregate([{ $project: { now: '$$NOW', doc: '$$ROOT', cur: '$$CURRENT.amount' } }, { $redact: { $cond: [{ $gt: ['$amount', 0] }, '$$KEEP', '$$PRUNE'] } }]));
  allowed(aggregate([{ $project: { big: { $filter: { input: '$items', as: 'item', cond: { $gt: ['$$item.qty', 2] } } } } }]));
});

test('real analytical queries are allowed', () => {
  const analytical: object[] = [
    find({ status: { $in: ['shipped', 'paid'] }, amount: { $gte: 10, $lt: 1000 }, 'customer.country': 'France' }, { projection: { _id: 0, orderNumber: 1, amount: 1 }, sort: { amount: -1 }, limit: 20, skip: 5 }),
    find({ orderNumber: { $regex: '^2024-', $options: 'i' }, tags: { $all: ['gift'] }, notes: { $exists: false } }),
    find({ $text: { $search: 'coffee -decaf', $language: 'en', $caseSensitive: false } }, { projection: { score: { $meta: 'textScore' } } }),
    find({ location: { $geoWithin: { $centerSphere: [[2.35, 48.85], 0.01] } } }),
    find({ items: { $elemMatch: { qty: { $gt: 2 }, sku: { $type: 'string' } } } }, { projection: { items: { $slice: 3 } } }),
    find({ $expr: { $gt: [{ $dateDiff: { startDate: '$createdAt', endDate: '$$NOW', unit: 'day' } }, 30] } }),
    { collection: 'orders', operation: 'count', filter: { paid: true, createdAt: { $gte: { $date: '2024-01-01T00:00:00Z' } } } },
    { collection: 'orders', operation: 'distinct', field: 'customer.country', filter: { amount: { $gt: { $numberDecimal: '9.99' } } } },
    aggregate([
      { $match: { createdAt: { $gte: { $date: '2023-01-01' } } } },
      { $group: { _id: { month: { $dateTrunc: { date: '$createdAt', unit: 'month' } }, status: '$status' }, total: { $sum: '$amount' }, n: { $sum: 1 }, avg: { $avg: '$amount' }, customers: { $addToSet: '$customer.name' } } },
      { $sort: { '_id.month': 1 } },
      { $project: { _id: 0, month: '$_id.month', status: '$_id.status', total: { $round: ['$total', 2] }, customers: { $size: '$customers' } } },
    ]),
    aggregate([
      { $setWindowFields: { partitionBy: '$status', sortBy: { createdAt: 1 }, output: { running: { $sum: '$amount', window: { documents: ['unbounded', 'current'] } }, rank: { $rank: {} }, prev: { $shift: { output: '$amount', by: -1, default: 0 } } } } },
    ]),
    aggregate([
      { $lookup: { from: 'customers', let: { id: '$customerId' }, pipeline: [{ $match: { $expr: { $eq: ['$_id', '$$id'] } } }, { $project: { name: 1 } }], as: 'customer' } },
      { $unwind: { path: '$customer', preserveNullAndEmptyArrays: true } },
      { $replaceRoot: { newRoot: { $mergeObjects: ['$customer', { amount: '$amount' }] } } },
    ]),
    aggregate([{ $graphLookup: { from: 'employees', startWith: '$managerId', connectFromField: 'managerId', connectToField: '_id', as: 'chain', maxDepth: 5, depthField: 'level', restrictSearchWithMatch: { active: true } } }]),
    aggregate([{ $unionWith: { coll: 'archived_orders', pipeline: [{ $match: { status: 'shipped' } }] } }, { $sortByCount: '$status' }]),
    aggregate([{ $unionWith: { pipeline: [{ $documents: [{ status: 'none', n: 0 }] }] } }]),
    aggregate([{ $facet: { byStatus: [{ $sortByCount: '$status' }], priced: [{ $bucket: { groupBy: '$amount', boundaries: [0, 10, 100, 1000], default: 'more', output: { n: { $sum: 1 } } } }], auto: [{ $bucketAuto: { groupBy: '$amount', buckets: 4 } }] } }]),
    aggregate([{ $project: { word: { $regexFind: { input: '$notes', regex: 'urgent', options: 'i' } }, first: { $arrayElemAt: ['$items', 0] }, label: { $switch: { branches: [{ case: { $gt: ['$amount', 100] }, then: 'big' }], default: 'small' } } } }]),
    aggregate([{ $densify: { field: 'day', range: { step: 1, unit: 'day', bounds: 'full' } } }, { $fill: { output: { amount: { method: 'linear' } }, sortBy: { day: 1 } } }]),
    aggregate([{ $group: { _id: '$status', top: { $topN: { n: 3, sortBy: { amount: -1 }, output: '$orderNumber' } }, p90: { $percentile: { input: '$amount', p: [0.9], method: 'approximate' } } } }]),
    aggregate([{ $sample: { size: 50 } }, { $count: 'n' }]),
    aggregate([{ $match: { owner: { $ref: 'users', $id: { $oid: '5ab2f6709b8f98766c1083ce' } } } }]),
  ];
  for (const query of analytical) allowed(query);
});

test('strings that merely mention refused operators or other databases are data', () => {
  for (const value of ['$where', '$out', 'admin', 'system.users', '{"$function": 1}', '__proto__']) {
    allowed(find({ note: value }));
    allowed(aggregate([{ $match: { note: value } }, { $project: { label: { $literal: value } } }]));
  }
});

test.run();
