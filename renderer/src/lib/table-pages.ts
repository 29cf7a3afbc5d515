/**
 * Pages of a result table, as an alternative to scrolling it: which rows a
 * page holds. Pages are counted from 0 here and shown from 1; rows are
 * indexes into the rows as shown (filtered and sorted), so a row keeps its
 * absolute number on every page.
 */

/** The page sizes offered; the first rows of a large result still open without a scroll. */
export const PAGE_SIZES = [25, 50, 100, 500] as const;
export const DEFAULT_PAGE_SIZE = 100;

/** How many pages `rowCount` rows make; no rows is still one (empty) page, so "Page 1 of 1". */
export function pageCount(rowCount: number, pageSize: number): number {
  return Math.max(1, Math.ceil(rowCount / pageSize));
}

/** `page` moved inside the pages there are (the rows shrank under a filter, or a page past the end was asked for). */
export function clampPage(page: number, rowCount: number, pageSize: number): number {
  const last = pageCount(rowCount, pageSize) - 1;
  return Math.min(last, Math.max(0, Number.isFinite(page) ? Math.floor(page) : 0));
}

/** The rows of a page: `start` inclusive, `end` exclusive (start === end when there are no rows). */
export interface PageRows {
  start: number;
  end: number;
}

export function pageRows(page: number, rowCount: number, pageSize: number): PageRows {
  const start = clampPage(page, rowCount, pageSize) * pageSize;
  return { start: Math.min(start, rowCount), end: Math.min(rowCount, start + pageSize) };
}

/** The page that holds `row`: a new page size keeps the first row the user was reading in view. */
export function pageOf(row: number, rowCount: number, pageSize: number): number {
  return clampPage(Math.floor(row / pageSize), rowCount, pageSize);
}

/** The page a pager button or key goes to from `page`. */
export type PageMove = 'first' | 'previous' | 'next' | 'last';

export function movePage(page: number, move: PageMove, rowCount: number, pageSize: number): number {
  const target = move === 'first' ? 0 : move === 'previous' ? page - 1 : move === 'next' ? page + 1 : pageCount(rowCount, pageSize) - 1;
  return clampPage(target, rowCount, pageSize);
}

/** PageUp and PageDown turn pages (only when the table shows pages; scrolling keeps the keys' usual meaning). */
export function pageKeyMove(key: string): PageMove | null {
  return key === 'PageDown' ? 'next' : key === 'PageUp' ? 'previous' : null;
}

/** A page size from storage or a select's value, if it is one of those offered. */
export function parsePageSize(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && (PAGE_SIZES as readonly number[]).includes(n) ? n : null;
}
