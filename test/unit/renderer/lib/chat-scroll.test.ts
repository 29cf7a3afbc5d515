import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NEAR_BOTTOM_PX, bottomOf, isNearBottom } from '../../../../renderer/src/lib/chat-scroll';

test('at the end, or within the thread padding of it, the thread follows new messages', () => {
  assert.ok(isNearBottom({ scrollTop: 1400, scrollHeight: 2000, clientHeight: 600 }));
  assert.ok(isNearBottom({ scrollTop: 1400 - NEAR_BOTTOM_PX, scrollHeight: 2000, clientHeight: 600 }));
  assert.not.ok(isNearBottom({ scrollTop: 1399 - NEAR_BOTTOM_PX, scrollHeight: 2000, clientHeight: 600 }), 'scrolled up to read');
  assert.ok(isNearBottom({ scrollTop: 0, scrollHeight: 500, clientHeight: 600 }), 'a short thread is always at its end');
});

test('the end of a thread is its height less the window, never negative', () => {
  assert.is(bottomOf({ scrollTop: 0, scrollHeight: 2000, clientHeight: 600 }), 1400);
  assert.is(bottomOf({ scrollTop: 0, scrollHeight: 500, clientHeight: 600 }), 0);
});

test.run();
