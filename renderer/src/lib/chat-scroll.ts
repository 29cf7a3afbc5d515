/**
 * The thread follows its latest message while the reader is at the end of it,
 * and stays put once they scrolled up to read something older.
 */

/** How close to the end still counts as "at the latest message" (the thread's bottom padding and a little more). */
export const NEAR_BOTTOM_PX = 80;

export interface ScrollMetrics {
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
}

export function isNearBottom(m: ScrollMetrics, slack = NEAR_BOTTOM_PX): boolean {
  return m.scrollHeight - m.scrollTop - m.clientHeight <= slack;
}

/** Where to scroll to show the end. */
export function bottomOf(m: ScrollMetrics): number {
  return Math.max(0, m.scrollHeight - m.clientHeight);
}

/**
 * Whether the thread stays pinned to its end after a scroll event. Only the reader moving up
 * from where the thread last was unpins it: a scroll event that arrives after the content grew
 * (a chart drawn below, while our own jump's event was still queued) leaves scrollTop where we
 * put it, and must not read as "scrolled up".
 */
export function pinnedAfterScroll(pinned: boolean, lastTop: number, m: ScrollMetrics): boolean {
  if (isNearBottom(m)) return true;
  if (!pinned) return false;
  return m.scrollTop >= lastTop - 2;
}
