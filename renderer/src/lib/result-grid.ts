import type { NormalizedType, ResultColumn } from '../../../engine/contract/index';
import { asCells, ColumnReader, type Cells, type CellsOrRows } from '../../../engine/contract/result-columns';
import { formatCell } from './chat-format';
import { compareKeys, sortKey, type SortKey } from './result-sort';

export const MIN_COLUMN_PX = 72;
export const MAX_COLUMN_PX = 360;
const CHAR_PX = 7.4;
const PADDING_PX = 26;

/**
 * Column widths for the virtualized table, where rows are laid out on their
 * own and cannot size each other: the widest of the header and a sample of
 * cells, clamped so one long text does not push everything off screen.
 */
export interface WidthText {
  header: (column: ResultColumn) => string;
  cell: (value: unknown, column: ResultColumn) => string;
}

const RAW_TEXT: WidthText = { header: (c) => c.name, cell: (v, c) => formatCell(v, c.type).text };

export function columnWidths(columns: readonly ResultColumn[], source: CellsOrRows, sample = 200, text: WidthText = RAW_TEXT): number[] {
  const cells = asCells(source);
  const n = cells.rowCount;
  // The first rows (seen first), a stride through the rest, and the last row.
  const picks = new Set<number>();
  const head = Math.min(n, Math.ceil(sample / 2));
  for (let r = 0; r < head; r++) picks.add(r);
  const step = Math.max(1, Math.floor(n / Math.max(1, sample - head)));
  for (let r = head; r < n; r += step) picks.add(r);
  if (n) picks.add(n - 1);
  return columns.map((column, i) => {
    // The header also holds the sort arrow.
    let chars = text.header(column).length + 3;
    for (const r of picks) chars = Math.max(chars, text.cell(cells.get(r, i), column).length);
    return Math.round(Math.min(MAX_COLUMN_PX, Math.max(MIN_COLUMN_PX, chars * CHAR_PX + PADDING_PX)));
  });
}

/** The cell's padding (12 px each side, ResultsTable.svelte) plus a little air, so the last digit never turns into an ellipsis. */
const ROW_NUMBER_CHROME_PX = 30;

/** The width of the row-number column for this many rows: wide enough for the last row's number. */
export function rowNumberWidth(rowCount: number): number {
  return Math.round(Math.max(44, String(rowCount).length * CHAR_PX + ROW_NUMBER_CHROME_PX));
}

/**
 * The order the rows show in when sorted by one column: indexes into the
 * rows, ascending or descending by what the column holds (result-sort.ts),
 * ties in their fetched order, nulls last in both directions. Each cell is
 * reduced to its sort key once; no object is made per row (100,000 rows open
 * and sort without building a row model), and a column of numbers sorts its
 * Float64Array as it arrived.
 */
export function sortedOrder(source: CellsOrRows, column: number, type: NormalizedType, desc: boolean): Uint32Array {
  const cells = asCells(source);
  const n = cells.rowCount;
  const typed = cells instanceof ColumnReader ? cells.columns[column] : undefined;
  if (typed?.kind === 'number') return numberOrder(typed.values, typed.nulls, desc);
  const keys = new Array<SortKey | undefined>(n);
  let numeric = true;
  let present = 0;
  for (let r = 0; r < n; r++) {
    const key = sortKey(cells.get(r, column), type);
    keys[r] = key;
    if (key === undefined) continue;
    present++;
    if (typeof key !== 'number') numeric = false;
  }
  const order = presentFirst(n, present, (r) => keys[r] === undefined);
  const dir = desc ? -1 : 1;
  const withKeys = order.subarray(0, present);
  if (numeric) {
    const values = Float64Array.from(keys, (k) => (k === undefined ? 0 : (k as number)));
    withKeys.sort((a, b) => (values[a]! - values[b]!) * dir || a - b);
  } else {
    withKeys.sort((a, b) => compareKeys(keys[a]!, keys[b]!) * dir || a - b);
  }
  return order;
}

/** Row indexes with the rows that have a value first (in fetched order) and the nulls after them. */
function presentFirst(n: number, present: number, isNull: (r: number) => boolean): Uint32Array {
  const order = new Uint32Array(n);
  let head = 0;
  let tail = present;
  for (let r = 0; r < n; r++) {
    if (isNull(r)) order[tail++] = r;
    else order[head++] = r;
  }
  return order;
}

function numberOrder(values: Float64Array, nulls: Uint8Array | null, desc: boolean): Uint32Array {
  const n = values.length;
  let present = n;
  if (nulls) for (let r = 0; r < n; r++) present -= nulls[r]!;
  const order = presentFirst(n, present, nulls ? (r) => nulls[r] === 1 : () => false);
  const dir = desc ? -1 : 1;
  order.subarray(0, present).sort((a, b) => (values[a]! - values[b]!) * dir || a - b);
  return order;
}

/** The rows with any cell that contains `needle` (lower case), as its text shows (`text`), in fetched order. */
export function matchingRows(cells: Cells, width: number, needle: string, text: (cell: unknown) => string): Uint32Array {
  const out = new Uint32Array(cells.rowCount);
  let found = 0;
  for (let r = 0; r < cells.rowCount; r++) {
    for (let c = 0; c < width; c++) {
      const cell = cells.get(r, c);
      if (cell !== null && cell !== undefined && text(cell).includes(needle)) {
        out[found++] = r;
        break;
      }
    }
  }
  return out.slice(0, found);
}
