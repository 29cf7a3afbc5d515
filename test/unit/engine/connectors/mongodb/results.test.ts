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
  assert.equal(rows[0], ['64b7f0c2a1b2c3d4e5f60718', '2024-01-02T03:04:05.000Z', 'NaN', '01234567-89ab-cdef-0123-456789abcdef', '64b7f0c2a1b2c3d4e5f60718', 3, [2.5]]);
  assert.equal(columns.map((c) => c.type), ['objectId', 'timestamptz', 'float', 'uuid', 'objectId', 'integer', 'array']);
});

const shape = (table: { columns: Array<{ name: string; type: string }> }) => table.columns.map((c) => `${c.name}:${c.type}`);

test('nested documents become dotted columns typed from their values; a document missing a field has null there', () => {
  const table = documentsToTable([
    { item: 'journal', size: { h: new Int32(14), w: new Double(21), uom: 'cm' } },
    { item: 'notebook', size: { h: new Int32(8), w: new Double(11), uom: 'in', l: new Double(3.5) } },
    { item: 'paper', size: null },
  ]);
  assert.equal(shape(table), ['item:string', 'size.h:integer', 'size.w:float', 'size.uom:string', 'size.l:float']);
  assert.equal(table.rows, [
    ['journal', 14, 21, 'cm', null],
    ['notebook', 8, 11, 'in', 3.5],
    ['paper', null, null, null, null],
  ]);
});

test('flattening is bounded: deep documents, maps keyed by data, too many columns and mixed values stay one cell', () => {
  const deep = documentsToTable([{ a: { b: { c: { d: { e: new Int32(1) } }, e: new Int32(2) } } }]);
  assert.equal(shape(deep), ['a.b.c.d:object', 'a.b.e:integer']);
  assert.equal(deep.rows[0], [{ e: 1 }, 2]);
  // A map keyed by ids (each document has its own keys) is data, not a record.
  const keyed = documentsToTable(Array.from({ length: 6 }, (_, i) => ({ name: `c${i}`, tiers: { [`id${i}a`]: 'Gold', [`id${i}b`]: 'Silver' } })));
  assert.equal(shape(keyed), ['name:string', 'tiers:object']);
  const wide = documentsToTable([{ id: new Int32(1), wide: Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`f${i}`, new Int32(i)])), more: Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`g${i}`, new Int32(i)])), most: Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`h${i}`, new Int32(i)])), last: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, new Int32(i)])) }]);
  // 1 + 25 + 25 + 25 columns fit under 100; the last field's 30 would not, so it stays a cell.
  assert.is(wide.columns.length, 77);
  assert.equal(shape(wide).at(-1), 'last:object');
  const mixed = documentsToTable([{ size: { h: new Int32(1) } }, { size: 'large' }]);
  assert.equal(shape(mixed), ['size:unknown']);
  // Arrays of documents stay one cell.
  assert.equal(shape(documentsToTable([{ rating: [{ letter: 'A', score: new Int32(6) }] }])), ['rating:array']);
});

test('a flattened name never collides with a real dotted field name: that document stays one cell', () => {
  const table = documentsToTable([{ 'size.h': new Int32(5), size: { h: new Int32(1), w: new Int32(2) }, dims: { x: new Int32(3) } }]);
  assert.equal(shape(table), ['size.h:integer', 'size:object', 'dims.x:integer']);
  assert.equal(table.rows[0], [5, { h: 1, w: 2 }, 3]);
  // Nor do two dotted paths: a level whose own keys hold dots is not flattened.
  const dotted = documentsToTable([{ a: { 'b.c': new Int32(1) } }]);
  assert.equal(shape(dotted), ['a:object']);
});

test.run();
