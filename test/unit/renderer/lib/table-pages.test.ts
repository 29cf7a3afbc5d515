import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clampPage, movePage, pageCount, pageKeyMove, pageOf, pageRows, PAGE_SIZES, parsePageSize } from '../../../../renderer/src/lib/table-pages';

test('pages hold page-size rows, the last one what is left; no rows is one empty page', () => {
  assert.is(pageCount(100, 25), 4);
  assert.is(pageCount(101, 25), 5);
  assert.is(pageCount(0, 25), 1);
  assert.equal(pageRows(0, 101, 25), { start: 0, end: 25 });
  assert.equal(pageRows(4, 101, 25), { start: 100, end: 101 });
  assert.equal(pageRows(0, 0, 25), { start: 0, end: 0 });
});

test('a page past the end (rows shrank under a filter) becomes the last page; before the start, the first', () => {
  assert.is(clampPage(9, 60, 25), 2);
  assert.equal(pageRows(9, 60, 25), { start: 50, end: 60 });
  assert.is(clampPage(-3, 60, 25), 0);
  assert.is(clampPage(Number.NaN, 60, 25), 0);
  assert.is(clampPage(3, 0, 25), 0);
});

test('first, previous, next and last stop at the ends', () => {
  assert.is(movePage(0, 'previous', 100, 25), 0);
  assert.is(movePage(0, 'next', 100, 25), 1);
  assert.is(movePage(3, 'next', 100, 25), 3);
  assert.is(movePage(2, 'first', 100, 25), 0);
  assert.is(movePage(0, 'last', 100, 25), 3);
});

test('a new page size shows the page with the row that was first on screen', () => {
  // Page 3 of 25 rows starts at row 75: with 50 a page it is on page 2 (index 1).
  assert.is(pageOf(75, 1000, 50), 1);
  assert.is(pageOf(75, 1000, 500), 0);
  assert.is(pageOf(990, 1000, 25), 39);
});

test('PageDown and PageUp turn pages; other keys do not', () => {
  assert.is(pageKeyMove('PageDown'), 'next');
  assert.is(pageKeyMove('PageUp'), 'previous');
  assert.is(pageKeyMove('ArrowDown'), null);
});

test('only the offered page sizes are taken, from a select value or storage', () => {
  for (const size of PAGE_SIZES) assert.is(parsePageSize(String(size)), size);
  assert.is(parsePageSize(50), 50);
  assert.is(parsePageSize('7'), null);
  assert.is(parsePageSize(0), null);
  assert.is(parsePageSize(null), null);
});

test.run();
