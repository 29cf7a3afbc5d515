import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nextRovingIndex } from '../../../../renderer/src/lib/roving-focus';

test('the arrow keys move along a row and wrap; Home and End jump to its ends', () => {
  assert.is(nextRovingIndex(0, 'ArrowRight', 4), 1);
  assert.is(nextRovingIndex(3, 'ArrowRight', 4), 0);
  assert.is(nextRovingIndex(0, 'ArrowLeft', 4), 3);
  assert.is(nextRovingIndex(2, 'Home', 4), 0);
  assert.is(nextRovingIndex(1, 'End', 4), 3);
});

test('other keys (Tab, Enter, letters) are left to the page', () => {
  for (const key of ['Tab', 'Enter', ' ', 'a', 'ArrowDown']) assert.is(nextRovingIndex(0, key, 4), null);
  assert.is(nextRovingIndex(0, 'ArrowRight', 0), null);
});

test('focus outside the row (index -1) enters at the first or last item', () => {
  assert.is(nextRovingIndex(-1, 'ArrowRight', 3), 0);
  assert.is(nextRovingIndex(-1, 'ArrowLeft', 3), 2);
});

test.run();
