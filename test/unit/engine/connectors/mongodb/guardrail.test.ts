import fs from 'node:fs';
import path from 'node:path';
import { BSON, BSONRegExp, EJSON, ObjectId } from 'bson';
import { Aggregator, find } from 'mingo';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Verdict } from '../../../../../engine/contract/query.contract';
import { inspectMongoQuery, MAX_MONGO_QUERY_LENGTH, validateMongoQuery } from '../../../../../engine/connectors/mongodb/guardrail';
import type { MongoQueryDocument } from '../../../../../engine/connectors/mongodb/query-document';
import { reads, writeAttempts } from '../../../../fixtures/corpus/mongodb';
import { testdataDir } from '../../../../support/tmp';

type Doc = Record<string, unknown>;
const MONGO_DIR = path.join(testdataDir, 'mongo');
const COLLECTION_FILES: Record<string, Record<string, string>> = {
  sample_analytics: { accounts: 'sample_analytics/accounts.json', customers: 'sample_analytics/customers.json' },
  sample_mflix: { sessions: 'sample_mflix/sessions.json', theaters: 'sample_mflix/theaters.json', users: 'sample_mflix/users.json' },
  sample_training: { zips: 'sample_training/zips.bson' },
  sample_geospatial: { shipwrecks: 'sample_geospatial/shipwrecks.bson' },
  samples: { air_airlines: 'air_airlines.json', inventory: 'inventory.json' },
};

const loaded = new Map<string, Doc[]>();
function collection(database: string, name: string): Doc[] {
  const file = COLLECTION_FILES[database]?.[name];
  if (!file) throw new Error(`no sample data for ${database}.${name}`);
  const key = `${database}.${name}`;
  let docs = loaded.get(key);
  if (!docs) {
    const raw = fs.readFileSync(path.join(MONGO_DIR, file));
    docs = file.endsWith('.bson') ? readBson(raw) : raw.toString('utf8').split('\n').filter((l) => l.trim()).map(parseLine);
    loaded.set(key, docs);
  }
  return docs;
}

/** mongoexport wrote some doubles as a bare NaN, which is not JSON. */
function parseLine(line: string): Doc {
  return EJSON.parse(line.replace(/:NaN(?=[,}])/g, ':{"$numberDouble":"NaN"}'), { relaxed: true }) as Doc;
}

function readBson(raw: Buffer): Doc[] {
  const docs: Doc[] = [];
  for (let offset = 0; offset < raw.length; ) {
    const size = raw.readInt32LE(offset);
    docs.push(BSON.deserialize(raw.subarray(offset, offset + size)) as Doc);
    offset += size;
  }
  return docs;
}

/** Extended JSON turns {"$regex": …} into BSONRegExp, which the server understands and mingo does not. */
function forMingo<T>(value: T): T {
  if (value instanceof BSONRegExp) return new RegExp(value.pattern, value.options.replace(/[^imsu]/g, '')) as T;
  if (Array.isArray(value)) return value.map(forMingo) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, forMingo(v)])) as T;
  }
  return value;
}

/** Runs an allowed query document over the sample data with mingo, as the server would. */
function runWithMingo(parsed: MongoQueryDocument): unknown[] {
  const query = forMingo(parsed);
  const database = query.database ?? 'samples';
  const docs = collection(database, query.collection);
  const options = { collectionResolver: (name: string) => collection(database, name) };
  switch (query.operation) {
    case 'find': {
      let cursor = find(docs, query.filter, query.projection ?? {}, options);
      if (query.sort) cursor = cursor.sort(query.sort);
      if (query.skip !== undefined) cursor = cursor.skip(query.skip);
      if (query.limit) cursor = cursor.limit(query.limit);
      return cursor.all();
    }
    case 'count':
      return [find(docs, query.filter, {}, options).all().length];
    case 'distinct':
      return new Aggregator([{ $match: query.filter }, { $project: { v: `$${query.field}` } }, { $unwind: '$v' }, { $group: { _id: '$v' } }], options).run(docs);
    case 'aggregate':
      return new Aggregator(query.pipeline, options).run(docs);
  }
}

const SAMPLES = { database: 'samples' };
const validate = (text: string) => validateMongoQuery(text, SAMPLES);
const inspect = (text: string) => inspectMongoQuery(text, SAMPLES);
/** The corpus names each query's database: validate it as a source on that database. */
const ownScope = (text: string) => ({ database: /"database"\s*:\s*"([^"]+)"/.exec(text)?.[1] ?? 'samples' });
const doc = (fields: Doc) => JSON.stringify({ database: 'samples', collection: 'inventory', ...fields });
const aggregate = (pipeline: unknown[]) => doc({ operation: 'aggregate', pipeline });
const codes = (verdict: Verdict) => verdict.reasons.map((r) => r.code);

function assertRefused(verdict: Verdict, code: string, label: string) {
  assert.is(verdict.allowed, false, `${label} was allowed`);
  assert.ok(codes(verdict).includes(code as never), `${label}: expected ${code}, got ${JSON.stringify(verdict.reasons)}`);
}

test('corpus sizes: at least 20 write attempts and 50 reads', () => {
  assert.ok(writeAttempts.length >= 20, `${writeAttempts.length} write attempts`);
  assert.ok(reads.length >= 50, `${reads.length} reads`);
  assert.ok(writeAttempts.filter((w) => w.effect === 'write').length >= 15, 'most attempts really write');
});

test('every write attempt in the corpus is refused with its expected code', () => {
  for (const attempt of writeAttempts) assertRefused(validateMongoQuery(attempt.query, ownScope(attempt.query)), attempt.expect, attempt.why);
});

test('every read in the corpus is allowed and reports its operation', () => {
  for (const read of reads) {
    const verdict = validateMongoQuery(read.query, ownScope(read.query));
    assert.equal(verdict.reasons, [], read.name);
    assert.ok(verdict.allowed, read.name);
    assert.is(verdict.statementKind, JSON.parse(read.query).operation, read.name);
  }
});

test('every read runs over the sample data and finds something', () => {
  for (const read of reads) {
    const { document } = inspectMongoQuery(read.query, ownScope(read.query));
    assert.ok(document, read.name);
    const rows = runWithMingo(document!);
    assert.ok(rows.length > 0, `${read.name} returned no rows`);
    if (document!.operation === 'count') assert.ok((rows[0] as number) > 0, `${read.name} counted nothing`);
  }
});

test('empty, blank and oversized queries are refused before parsing', () => {
  for (const text of ['', '   ', '\n\t']) assert.equal(codes(validate(text)), ['EMPTY_QUERY']);
  const big = doc({ operation: 'find', filter: { item: 'x'.repeat(MAX_MONGO_QUERY_LENGTH) } });
  const verdict = validate(big);
  assert.equal(codes(verdict), ['TOO_LONG']);
  assert.match(verdict.reasons[0]!.message, /limit is 100,000/);
});

test('JSON syntax errors are PARSE_ERROR, never allowed, with a position when JSON gives one', () => {
  for (const text of ['{', '{"collection": "inventory", "operation": "find",}', "{collection: 'inventory'}", 'db.inventory.find({})', '{"a":1}{"b":2}']) {
    const verdict = validate(text);
    assert.is(verdict.allowed, false, text);
    assert.equal(codes(verdict), ['PARSE_ERROR'], text);
    assert.match(verdict.reasons[0]!.message, /not valid JSON/);
  }
  assert.is(validate('{"a":1}{"b":2}').reasons[0]!.position, 7);
});

test('schema mismatches are INVALID_DOCUMENT and name the offending field', () => {
  const cases: Array<[string, RegExp]> = [
    ['[]', /expected object/],
    [JSON.stringify({ operation: 'find' }), /at collection/],
    [doc({ operation: 'find', limit: -1 }), /at limit/],
    [doc({ operation: 'find', sort: { qty: 'desc' } }), /at sort\.qty/],
    [doc({ operation: 'aggregate', pipeline: {} }), /at pipeline/],
    [doc({ operation: 'aggregate', pipeline: [1] }), /at pipeline\[0\]/],
    [doc({ operation: 'distinct' }), /at field/],
    [doc({ operation: 'find', hint: { qty: 1 } }), /hint/],
    [JSON.stringify({ collection: 'inventory' }), /operation/],
  ];
  for (const [text, message] of cases) {
    const verdict = validate(text);
    assert.equal(codes(verdict), ['INVALID_DOCUMENT'], text);
    assert.match(verdict.reasons.map((r) => r.message).join(' '), message, text);
  }
});

test('write operations are NOT_A_QUERY and say which reads are allowed', () => {
  for (const operation of ['insertOne', 'updateOne', 'replaceOne', 'deleteOne', 'bulkWrite', 'findOneAndUpdate', 'createIndex', 'runCommand']) {
    const verdict = validate(doc({ operation, filter: {} }));
    assert.equal(codes(verdict), ['NOT_A_QUERY'], operation);
    assert.match(verdict.reasons[0]!.message, new RegExp(`"${operation}" is not allowed.*find, aggregate, count and distinct`));
    assert.is(verdict.statementKind, operation);
  }
});

test('$out and $merge are refused wherever they appear, with the path in the message', () => {
  const cases: Array<[string, string]> = [
    [aggregate([{ $out: 'x' }]), 'pipeline[0].$out'],
    [aggregate([{ $match: {} }, { $merge: { into: 'x' } }]), 'pipeline[1].$merge'],
    [aggregate([{ $facet: { a: [{ $out: 'x' }] } }]), 'pipeline[0].$facet.a[0].$out'],
    [aggregate([{ $lookup: { from: 'y', pipeline: [{ $merge: 'x' }], as: 'z' } }]), 'pipeline[0].$lookup.pipeline[0].$merge'],
    [aggregate([{ $unionWith: { coll: 'y', pipeline: [{ $out: 'x' }] } }]), 'pipeline[0].$unionWith.pipeline[0].$out'],
    [doc({ operation: 'find', filter: { $out: 'x' } }), 'filter.$out'],
  ];
  for (const [text, at] of cases) {
    const verdict = validate(text);
    assertRefused(verdict, 'FORBIDDEN_STAGE', at);
    assert.ok(verdict.reasons.some((r) => r.message.includes(at) && /writes/.test(r.message)), JSON.stringify(verdict.reasons));
  }
});

test('JavaScript operators are refused in filters, $expr, projections, stages and sub-pipelines', () => {
  const fn = { $function: { body: 'function(){return 1}', args: [], lang: 'js' } };
  const cases = [
    doc({ operation: 'find', filter: { $where: 'true' } }),
    doc({ operation: 'find', filter: { $and: [{ qty: 1 }, { $where: 'true' }] } }),
    doc({ operation: 'find', filter: { $expr: fn } }),
    doc({ operation: 'find', projection: { x: fn } }),
    doc({ operation: 'count', filter: { $expr: { $eq: [fn, 1] } } }),
    doc({ operation: 'distinct', field: 'item', filter: { $where: 'true' } }),
    aggregate([{ $match: { $expr: fn } }]),
    aggregate([{ $group: { _id: null, x: { $accumulator: {} } } }]),
    aggregate([{ $facet: { a: [{ $project: { x: fn } }] } }]),
    aggregate([{ $unionWith: { coll: 'y', pipeline: [{ $match: { $where: 'true' } }] } }]),
    aggregate([{ $lookup: { from: 'y', let: {}, pipeline: [{ $set: { x: fn } }], as: 'z' } }]),
  ];
  for (const text of cases) {
    const verdict = validate(text);
    assertRefused(verdict, 'FORBIDDEN_OPERATOR', text);
    assert.match(verdict.reasons.find((r) => r.code === 'FORBIDDEN_OPERATOR')!.message, /runs JavaScript on the server/);
  }
});

test('Extended JSON code values are refused even outside $where', () => {
  const verdict = validate(doc({ operation: 'find', filter: { item: { $code: 'function(){}' } } }));
  assertRefused(verdict, 'FORBIDDEN_OPERATOR', '$code');
  assert.match(verdict.reasons[0]!.message, /JavaScript code/);
});

test('stages outside the allow-list are FORBIDDEN_STAGE, at the top and in sub-pipelines, with a reason', () => {
  for (const stage of ['$currentOp', '$listSessions', '$collStats', '$indexStats', '$planCacheStats', '$changeStream', '$search', '$madeUp']) {
    for (const text of [aggregate([{ [stage]: {} }]), aggregate([{ $facet: { a: [{ [stage]: {} }] } }]), aggregate([{ $lookup: { from: 'y', pipeline: [{ [stage]: {} }], as: 'z' } }]), aggregate([{ $unionWith: { coll: 'y', pipeline: [{ [stage]: {} }] } }])]) {
      const verdict = validate(text);
      assert.equal(codes(verdict), ['FORBIDDEN_STAGE'], text);
      assert.ok(verdict.reasons[0]!.message.startsWith(`${stage} (pipeline[0]`), verdict.reasons[0]!.message);
    }
  }
  assert.match(validate(aggregate([{ $currentOp: {} }])).reasons[0]!.message, /other users/);
});

test('every read-only stage is allowed, including nested ones and $documents in a sub-pipeline', () => {
  const stages = ['$match', '$project', '$addFields', '$set', '$unset', '$group', '$sort', '$limit', '$skip', '$count', '$unwind', '$lookup', '$facet', '$bucket', '$bucketAuto', '$sortByCount', '$replaceRoot', '$replaceWith', '$sample', '$unionWith', '$graphLookup', '$setWindowFields', '$densify', '$fill', '$geoNear', '$redact'];
  for (const stage of stages) assert.ok(validate(aggregate([{ [stage]: {} }])).allowed, stage);
  assert.ok(validate(aggregate([{ $unionWith: { pipeline: [{ $documents: [{ a: 1 }] }] } }])).allowed);
  assert.ok(validate(aggregate([{ $unionWith: 'air_airlines' }])).allowed);
});

test('a stage must be a single $-named object', () => {
  for (const stage of [{}, { match: {} }, { $match: {}, $limit: 1 }]) {
    assert.equal(codes(validate(aggregate([stage]))), ['INVALID_DOCUMENT'], JSON.stringify(stage));
  }
  assert.equal(codes(validate(aggregate([{ $facet: { a: 'not a pipeline' } }]))), ['INVALID_DOCUMENT']);
});

test('strings that merely mention $out, $where or SQL writes are harmless values', () => {
  for (const value of ['$out', '$where', '$merge', 'DELETE FROM inventory', '{"$out": "x"}']) {
    assert.ok(validate(doc({ operation: 'find', filter: { item: value } })).allowed, value);
    assert.ok(validate(aggregate([{ $match: { item: value } }, { $project: { label: { $literal: value } } }])).allowed, value);
  }
});

test('Extended JSON values become BSON types in the returned document; bad ones are refused', () => {
  const { verdict, document } = inspect(doc({ operation: 'find', filter: { _id: { $oid: '5ab2f6709b8f98766c1083ce' }, lastModified: { $gte: { $date: '2016-04-01T00:00:00Z' } } } }));
  assert.ok(verdict.allowed);
  const filter = (document as { filter: Doc }).filter;
  assert.instance(filter._id, ObjectId);
  assert.instance((filter.lastModified as Doc).$gte, Date);
  assert.equal(codes(validate(doc({ operation: 'find', filter: { d: { $date: 'not a date' } } }))), ['INVALID_DOCUMENT']);
  assert.equal(codes(validate(doc({ operation: 'find', filter: { _id: { $oid: 42 } } }))), ['INVALID_DOCUMENT']);
  assert.is(inspect(doc({ operation: 'find', filter: { $where: 'true' } })).document, null);
});

test('absurdly deep nesting is refused without exhausting the stack', () => {
  const depth = 15_000;
  const text = `{"collection":"inventory","operation":"find","filter":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
  assert.ok(text.length < MAX_MONGO_QUERY_LENGTH);
  assert.equal(codes(validate(text)), ['INVALID_DOCUMENT']);
  const shallow = `{"collection":"inventory","operation":"find","filter":${'{"$and":[{"a":'.repeat(200)}1${'}]}'.repeat(200)}}`;
  assert.equal(codes(validate(shallow)), ['INVALID_DOCUMENT']);
  assert.match(validate(shallow).reasons[0]!.message, /nested more than 100 levels/);
});

test('refusal messages are plain sentences without internals', () => {
  const texts = [...writeAttempts.map((w) => w.query), '', '{', '[]', aggregate([{ $madeUp: 1 }])];
  for (const text of texts) {
    for (const reason of validate(text).reasons) {
      assert.ok(reason.message.length >= 15, reason.message);
      assert.not.match(reason.message, /undefined|\[object Object\]|NaN/);
      assert.ok(/^[A-Z$"]/.test(reason.message), reason.message);
    }
  }
});

test.run();
