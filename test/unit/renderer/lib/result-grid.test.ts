import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { columnWidths, gridRows, MAX_COLUMN_PX, MIN_COLUMN_PX, rowNumberWidth } from '../../../../renderer/src/lib/result-grid';

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

test('the table gets the same rows in an array that Svelte state does not wrap in proxies (not a plain Array)', () => {
  // Svelte's $state proxies only values whose prototype is Object's or Array's; the table adapter keeps `data` in one.
  const rows = [[1, 'a'], [2, 'b'], [3, null]];
  const data = gridRows(rows);
  assert.is.not(Object.getPrototypeOf(data), Array.prototype);
  assert.ok(Array.isArray(data));
  assert.is(data.length, 3);
  assert.is(data[0], rows[0]);
  assert.is(data[2], rows[2]);
  assert.equal(Array.from(data, (r) => r[0]), [1, 2, 3]);
  assert.is(Object.getPrototypeOf(rows), Array.prototype, 'the array of the result itself is left as it is');
});

test.run();
