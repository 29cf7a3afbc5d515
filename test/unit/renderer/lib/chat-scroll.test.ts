import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NEAR_BOTTOM_PX, bottomOf, isNearBottom, pinnedAfterScroll } from '../../../../renderer/src/lib/chat-scroll';

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

test('content growing below a pinned thread before its scroll event arrives keeps it pinned; the reader moving up unpins it', () => {
  // We jumped to 1400; a chart then drew 500 px below before the queued scroll event was handled.
  assert.ok(pinnedAfterScroll(true, 1400, { scrollTop: 1400, scrollHeight: 2500, clientHeight: 600 }), 'still following');
  assert.not.ok(pinnedAfterScroll(true, 1400, { scrollTop: 900, scrollHeight: 2500, clientHeight: 600 }), 'scrolled up to read');
  assert.not.ok(pinnedAfterScroll(false, 1400, { scrollTop: 1400, scrollHeight: 2500, clientHeight: 600 }), 'once unpinned, only reaching the end pins again');
  assert.ok(pinnedAfterScroll(false, 0, { scrollTop: 1900, scrollHeight: 2500, clientHeight: 600 }), 'back at the end');
});

test.run();
