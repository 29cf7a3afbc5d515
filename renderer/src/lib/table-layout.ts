import { MAX_COLUMN_PX, MIN_COLUMN_PX } from './result-grid';
import { DEFAULT_PAGE_SIZE, parsePageSize } from './table-pages';

/**
 * How the user arranged a result's table: columns they widened or narrowed
 * and columns they hid, by column name. A display preference of this window,
 * so it lives in localStorage (like the theme), one entry per result, and
 * only for the results opened most recently.
 */
export interface TableLayout {
  widths: Record<string, number>;
  hidden: string[];
}

export const EMPTY_LAYOUT: TableLayout = { widths: {}, hidden: [] };
const PREFIX = 'polystore.table.';
const INDEX_KEY = 'polystore.table-index';
/** Layouts kept; the oldest opened is forgotten first. */
export const KEPT_LAYOUTS = 200;
/** A column dragged wider than the clamp of automatic widths may go this far. */
export const MAX_RESIZED_PX = MAX_COLUMN_PX * 3;

type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** A stored layout, or the empty one when it is missing or not what we wrote (parse, don't cast). */
export function parseLayout(text: string | null): TableLayout {
  if (!text) return EMPTY_LAYOUT;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return EMPTY_LAYOUT;
  }
  if (!value || typeof value !== 'object') return EMPTY_LAYOUT;
  const { widths, hidden } = value as Record<string, unknown>;
  const cleanWidths: Record<string, number> = {};
  if (widths && typeof widths === 'object') {
    for (const [name, px] of Object.entries(widths)) if (typeof px === 'number' && Number.isFinite(px)) cleanWidths[name] = clampWidth(px);
  }
  const cleanHidden = Array.isArray(hidden) ? hidden.filter((h): h is string => typeof h === 'string') : [];
  return { widths: cleanWidths, hidden: cleanHidden };
}

export function clampWidth(px: number): number {
  return Math.round(Math.min(MAX_RESIZED_PX, Math.max(MIN_COLUMN_PX, px)));
}

export function loadLayout(store: Store, resultId: string): TableLayout {
  return parseLayout(store.getItem(PREFIX + resultId));
}

/** Saves a result's layout and forgets the oldest beyond KEPT_LAYOUTS. */
export function saveLayout(store: Store, resultId: string, layout: TableLayout): void {
  const index = parseIndex(store.getItem(INDEX_KEY)).filter((id) => id !== resultId);
  index.push(resultId);
  while (index.length > KEPT_LAYOUTS) store.removeItem(PREFIX + index.shift()!);
  store.setItem(INDEX_KEY, JSON.stringify(index));
  store.setItem(PREFIX + resultId, JSON.stringify(layout));
}

function parseIndex(text: string | null): string[] {
  try {
    const value: unknown = JSON.parse(text ?? '[]');
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

/** Hides or shows a column; the last visible column cannot be hidden (a table of nothing helps no one). */
export function toggleHidden(layout: TableLayout, name: string, allNames: readonly string[]): TableLayout {
  if (layout.hidden.includes(name)) return { ...layout, hidden: layout.hidden.filter((h) => h !== name) };
  const visible = allNames.filter((n) => !layout.hidden.includes(n));
  if (visible.length <= 1) return layout;
  return { ...layout, hidden: [...layout.hidden, name] };
}

export function withWidth(layout: TableLayout, name: string, px: number | null): TableLayout {
  const widths = { ...layout.widths };
  if (px === null) delete widths[name];
  else widths[name] = clampWidth(px);
  return { ...layout, widths };
}

/**
 * Whether tables scroll or show pages, and how many rows a page holds. Unlike
 * the columns, one choice for every table of this window: widths belong to a
 * result because its columns are its own, but reading by pages is a habit of
 * the reader. Kept per result, it would go back to scrolling for every new
 * question (most results are opened once) and never be seen again.
 */
export type TableView = 'scroll' | 'pages';
export interface TablePaging {
  view: TableView;
  pageSize: number;
}

export const DEFAULT_PAGING: TablePaging = { view: 'scroll', pageSize: DEFAULT_PAGE_SIZE };
const PAGING_KEY = 'polystore.table-paging';

/** A stored paging choice; what is missing or not ours falls back to the default, field by field. */
export function parsePaging(text: string | null): TablePaging {
  let value: unknown;
  try {
    value = JSON.parse(text ?? 'null');
  } catch {
    return DEFAULT_PAGING;
  }
  if (!value || typeof value !== 'object') return DEFAULT_PAGING;
  const { view, pageSize } = value as Record<string, unknown>;
  return {
    view: view === 'pages' || view === 'scroll' ? view : DEFAULT_PAGING.view,
    pageSize: parsePageSize(pageSize) ?? DEFAULT_PAGING.pageSize,
  };
}

export function loadPaging(store: Pick<Storage, 'getItem'>): TablePaging {
  return parsePaging(store.getItem(PAGING_KEY));
}

export function savePaging(store: Pick<Storage, 'setItem'>, paging: TablePaging): void {
  store.setItem(PAGING_KEY, JSON.stringify(paging));
}
