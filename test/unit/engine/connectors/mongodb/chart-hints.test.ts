import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mongoChartHints } from '../../../../../engine/connectors/mongodb/chart-hints';

const aggregate = (pipeline: object[]) => JSON.stringify({ collection: 'c', operation: 'aggregate', pipeline });

test('a grouping says what its _id holds: a field, a date part, or an expression', () => {
  assert.equal(mongoChartHints(aggregate([{ $group: { _id: '$state', n: { $sum: 1 } } }, { $sort: { n: -1 } }, { $limit: 10 }])), { dimensions: ['_id'], groupKeys: { _id: 'state' } });
  assert.equal(mongoChartHints(aggregate([{ $group: { _id: { $month: '$at' } } }])), { dimensions: ['_id'], groupKeys: { _id: null }, timeBuckets: { _id: 'month' } });
  assert.equal(mongoChartHints(aggregate([{ $group: { _id: { $floor: '$x' } } }])), { dimensions: ['_id'], groupKeys: { _id: null } });
  assert.equal(mongoChartHints(aggregate([{ $sortByCount: '$genre' }])), { dimensions: ['_id'], groupKeys: { _id: 'genre' } });
});

test('a compound key names its flattened parts', () => {
  const hints = mongoChartHints(aggregate([{ $group: { _id: { year: { $year: '$at' }, store: '$store_id' } } }, { $project: { total: 1 } }]));
  assert.equal(hints, { dimensions: ['_id.year', '_id.store'], groupKeys: { '_id.year': null, '_id.store': 'store_id' }, timeBuckets: { '_id.year': 'year' } });
});

test('no hint without a grouping, after a stage that rewrites _id, or for text that is not a query document', () => {
  assert.equal(mongoChartHints(JSON.stringify({ collection: 'c', operation: 'find', filter: {} })), {});
  assert.equal(mongoChartHints(aggregate([{ $match: {} }])), {});
  assert.equal(mongoChartHints(aggregate([{ $group: { _id: '$a' } }, { $project: { _id: '$b' } }])), {});
  assert.equal(mongoChartHints(aggregate([{ $group: { _id: '$a' } }, { $unwind: '$x' }])), {});
  assert.equal(mongoChartHints('{not json'), {});
});

test.run();
