import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeCopy, inRange, rangeOf, toTsv, tsvField } from '../../../../renderer/src/lib/table-copy';

const rows = [
  [1, 'For Those About To Rock', null, 343719, '0.99'],
  [2, 'Balls to the Wall', 'U. Dirkschneider', 342562, '0.99'],
  [3, 'say "hi"\tthere', { a: [1] }, 230619, '1.99'],
];

test('a selection dragged either way is the same rectangle', () => {
  assert.equal(rangeOf({ row: 2, column: 3 }, { row: 0, column: 1 }), { top: 0, bottom: 2, left: 1, right: 3 });
  assert.ok(inRange(rangeOf({ row: 0, column: 0 }, { row: 1, column: 1 }), 1, 0));
  assert.not.ok(inRange(null, 0, 0));
});

test('cells copy as tab-separated lines, in the visible columns only, values as stored', () => {
  // Column 2 (composer) is hidden: visible columns are 0, 1, 3, 4.
  const tsv = toTsv(rows, [0, 1, 3, 4], rangeOf({ row: 0, column: 1 }, { row: 1, column: 3 }));
  assert.is(tsv, 'For Those About To Rock\t343719\t0.99\nBalls to the Wall\t342562\t0.99');
});

test('nulls are empty; documents are JSON; a tab, a line break or a leading quote is quoted', () => {
  assert.is(tsvField(null), '');
  assert.is(tsvField({ a: [1] }), '{"a":[1]}');
  assert.is(tsvField('say "hi"\tthere'), '"say ""hi""\tthere"');
  assert.is(tsvField('"quoted" start'), '"""quoted"" start"');
  assert.is(tsvField('5" floppy'), '5" floppy');
  assert.is(toTsv(rows, [1, 2], rangeOf({ row: 2, column: 0 }, { row: 2, column: 1 })), '"say ""hi""\tthere"\t{"a":[1]}');
});

test('the copy line counts cells, or rows when whole rows were selected', () => {
  assert.is(describeCopy(rangeOf({ row: 0, column: 0 }, { row: 0, column: 0 }), 4), 'Copied 1 cell as TSV');
  assert.is(describeCopy(rangeOf({ row: 0, column: 1 }, { row: 2, column: 3 }), 4), 'Copied 9 cells as TSV');
  assert.is(describeCopy(rangeOf({ row: 0, column: 0 }, { row: 0, column: 3 }), 4), 'Copied 1 row as TSV');
  assert.is(describeCopy(rangeOf({ row: 4, column: 0 }, { row: 0, column: 3 }), 4), 'Copied 5 rows as TSV');
});

test.run();
