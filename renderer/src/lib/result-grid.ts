import type { ResultColumn } from '../../../engine/contract/index';
import { formatCell } from './chat-format';

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

export function columnWidths(columns: readonly ResultColumn[], rows: readonly (readonly unknown[])[], sample = 200, text: WidthText = RAW_TEXT): number[] {
  // The first rows (seen first), a stride through the rest, and the last row.
  const picks = new Set<number>();
  const head = Math.min(rows.length, Math.ceil(sample / 2));
  for (let r = 0; r < head; r++) picks.add(r);
  const step = Math.max(1, Math.floor(rows.length / Math.max(1, sample - head)));
  for (let r = head; r < rows.length; r += step) picks.add(r);
  if (rows.length) picks.add(rows.length - 1);
  return columns.map((column, i) => {
    // The header also holds the sort arrow.
    let chars = text.header(column).length + 3;
    for (const r of picks) chars = Math.max(chars, text.cell(rows[r]![i], column).length);
    return Math.round(Math.min(MAX_COLUMN_PX, Math.max(MIN_COLUMN_PX, chars * CHAR_PX + PADDING_PX)));
  });
}

/** The width of the row-number column for this many rows. */
export function rowNumberWidth(rowCount: number): number {
  return Math.round(Math.max(44, String(rowCount).length * CHAR_PX + 22));
}

/** An array Svelte leaves alone: its proxies wrap only plain arrays and objects. */
class GridRows<T> extends Array<T> {}

/**
 * The rows as the table's `data`. @tanstack/svelte-table keeps the table's
 * options in a deep `$state` (createRuneWritableAtom in its reactivity.svelte.js),
 * so a plain array there is wrapped in Svelte proxies, and building the row
 * model then read every row through one: about 400 of 650 ms for 100,000 rows
 * in Chromium (BENCHMARKS.md, rendering). The same rows, in an array Svelte
 * does not proxy; the rows themselves are not copied.
 */
export function gridRows<T>(rows: readonly T[]): T[] {
  return Object.setPrototypeOf(rows.slice(), GridRows.prototype) as T[];
}
