import { Binary, Double, Int32, Long, ObjectId } from 'bson';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { documentsToTable } from '../../../../../engine/connectors/mongodb/results';

test('column types reflect every row, also when the kind changes after many rows of one kind', () => {
  const docs = [
    ...Array.from({ length: 50 }, (_, i) => ({ a: new Int32(i), b: 'x', c: new Double(1) })),
    { a: 'fifty', b: 'y', c: new Double(1.5) },
    { a: new Int32(51), b: null, c: new Long(2) },
  ];
  const { columns, rows } = documentsToTable(docs);
  assert.equal(
    columns.map((c) => [c.name, c.type, c.nativeType]),
    [
      ['a', 'unknown', 'int|string'],
      ['b', 'string', 'string'],
      ['c', 'float', 'double|long'],
    ],
  );
  assert.equal(rows[50], ['fifty', 'y', 1.5]);
  assert.equal(rows[51], [51, null, 2]);
});

test('cells are JSON-safe: ids as hex, dates as ISO, doubles as numbers (NaN as text), UUIDs as text, nested values converted', () => {
  const id = new ObjectId('64b7f0c2a1b2c3d4e5f60718');
  const uuid = new Binary(Buffer.from('0123456789abcdef0123456789abcdef', 'hex'), 4);
  const { columns, rows } = documentsToTable([
    { _id: id, at: new Date('2024-01-02T03:04:05Z'), price: new Double(Number.NaN), u: uuid, nested: { id, n: new Int32(3) }, list: [new Double(2.5)] },
  ]);
  assert.equal(rows[0], ['64b7f0c2a1b2c3d4e5f60718', '2024-01-02T03:04:05.000Z', 'NaN', '01234567-89ab-cdef-0123-456789abcdef', { id: '64b7f0c2a1b2c3d4e5f60718', n: 3 }, [2.5]]);
  assert.equal(columns.map((c) => c.type), ['objectId', 'timestamptz', 'float', 'uuid', 'object', 'array']);
});

test.run();
