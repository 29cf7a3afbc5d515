import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ColumnReader, encodeColumns } from '../../../../engine/contract/result-columns';
import { columnWidths, matchingRows, MAX_COLUMN_PX, MIN_COLUMN_PX, rowNumberWidth, sortedOrder } from '../../../../renderer/src/lib/result-grid';

const col = (name: string, type: 'string' | 'integer' | 'object' = 'string') => ({ name, type, nativeType: type });

test('a column is as wide as its longest sampled value or its header', () => {
  const [name, id] = columnWidths([col('name'), col('customer_identifier', 'integer')], [['Luís Gonçalves', 1], ['Leonie Köhler', 2]]);
  assert.ok(name! > MIN_COLUMN_PX && name! < MAX_COLUMN_PX);
  assert.ok(id! > name!, 'the long header wins over short numbers');
});

test('long text and documents are clamped; tiny columns keep a usable minimum', () => {
  const [long, tiny] = columnWidths([col('notes'), col('x', 'integer')], [['x'.repeat(5000), 1]]);
  assert.is(long, MAX_COLUMN_PX);
  assert.is(tiny, MIN_COLUMN_PX);
});

test('the sample reaches the end of a large result, not only its first rows', () => {
  const rows = Array.from({ length: 10_000 }, (_, i) => [i === 9_999 ? 'a much longer value at the very end' : 'short']);
  const [w] = columnWidths([col('v')], rows);
  assert.ok(w! > columnWidths([col('v')], [['short']])[0]!);
});

test('row numbers get room for their digits', () => {
  assert.ok(rowNumberWidth(1_000_000) > rowNumberWidth(10));
});

const order = (rows: unknown[][], column: number, type: 'string' | 'integer' | 'decimal' | 'date', desc = false) => Array.from(sortedOrder(rows, column, type, desc), (r) => rows[r]![0]);

test('sorting orders row indexes by value, ties in fetched order, nulls last both ways', () => {
  const rows = [['a', 10], ['b', null], ['c', 2], ['d', 10], ['e', -1]];
  assert.equal(order(rows, 1, 'integer'), ['e', 'c', 'a', 'd', 'b']);
  assert.equal(order(rows, 1, 'integer', true), ['a', 'd', 'c', 'e', 'b']);
});

test('sorting reads numbers as numbers, dates as times and text as people sort it', () => {
  assert.equal(order([['x', '10.5'], ['y', '9'], ['z', '-3']], 1, 'decimal'), ['z', 'y', 'x']);
  assert.equal(order([['x', '2024-03-01'], ['y', '2023-12-31'], ['z', null]], 1, 'date'), ['y', 'x', 'z']);
  assert.equal(order([['x', 'item 10'], ['y', 'item 2'], ['z', 'Item 1']], 1, 'string'), ['z', 'y', 'x']);
});

test('sorting leaves the rows themselves as they are and covers every row', () => {
  const rows = Array.from({ length: 1000 }, (_, i) => [i, (i * 7919) % 1000]);
  const before = rows.map((r) => r.slice());
  const o = sortedOrder(rows, 1, 'integer', false);
  assert.equal(new Set(o).size, 1000);
  for (let i = 1; i < o.length; i++) assert.ok((rows[o[i - 1]!]![1] as number) <= (rows[o[i]!]![1] as number));
  assert.equal(rows, before);
});

test('a result read as columns sorts the same as its rows (numbers from the typed array), and the filter keeps the matching rows in order', () => {
  const rows = Array.from({ length: 500 }, (_, i) => [`r${i}`, i % 9 === 0 ? null : ((i * 7919) % 97) - 40, i % 5 === 0 ? null : `item ${(i * 31) % 50}`, i % 4 === 0 ? '' : '2024-01-0' + ((i % 9) + 1)]);
  const cells = new ColumnReader(encodeColumns(rows, 4));
  for (const desc of [false, true]) {
    assert.equal(Array.from(sortedOrder(cells, 1, 'integer', desc)), Array.from(sortedOrder(rows, 1, 'integer', desc)), 'numbers');
    assert.equal(Array.from(sortedOrder(cells, 2, 'string', desc)), Array.from(sortedOrder(rows, 2, 'string', desc)), 'text');
    assert.equal(Array.from(sortedOrder(cells, 3, 'date', desc)), Array.from(sortedOrder(rows, 3, 'date', desc)), 'dates');
  }
  assert.equal(columnWidths([col('a'), col('b', 'integer'), col('c'), col('d')], cells), columnWidths([col('a'), col('b', 'integer'), col('c'), col('d')], rows));
  const text = (cell: unknown) => String(cell).toLowerCase();
  const kept = Array.from(matchingRows(cells, 4, 'item 4', text));
  assert.equal(kept, rows.flatMap((row, i) => (row.some((c) => c !== null && text(c).includes('item 4')) ? [i] : [])));
  assert.ok(kept.length > 0 && kept.length < 500);
});

test.run();
