/**
 * Copying from the results table: a cell, a rectangle of cells or whole rows,
 * as tab-separated text that spreadsheets paste into cells. Values are copied
 * as they arrived (12.5, not "12.50"; the ISO date, not the locale's).
 */
import { asCells, type CellsOrRows } from '../../../engine/contract/result-columns';

/** A cell by its position in the table as shown (sorted, filtered, hidden columns left out). */
export interface CellAt {
  row: number;
  column: number;
}

export interface CellRange {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** The rectangle between where a selection started and where it ends, whichever way it was dragged. */
export function rangeOf(anchor: CellAt, focus: CellAt): CellRange {
  return {
    top: Math.min(anchor.row, focus.row),
    bottom: Math.max(anchor.row, focus.row),
    left: Math.min(anchor.column, focus.column),
    right: Math.max(anchor.column, focus.column),
  };
}

export function inRange(range: CellRange | null, row: number, column: number): boolean {
  return !!range && row >= range.top && row <= range.bottom && column >= range.left && column <= range.right;
}

/**
 * One value as a TSV field: nulls empty, documents as JSON. Text with a tab or a line break, or that
 * starts with a quote, is quoted (quotes doubled), as spreadsheets copy it; other quotes stay as they are.
 */
export function tsvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : typeof value === 'object' ? (JSON.stringify(value) ?? '') : String(value);
  return /[\t\r\n]|^"/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The selected cells as TSV. `source` holds the rows in the order shown, `columns`
 * the indexes of the visible columns into each row, in the order shown.
 */
export function toTsv(source: CellsOrRows, columns: readonly number[], range: CellRange): string {
  const cells = asCells(source);
  const lines: string[] = [];
  for (let r = range.top; r <= range.bottom && r < cells.rowCount; r++) {
    const fields: string[] = [];
    for (let c = range.left; c <= range.right && c < columns.length; c++) fields.push(tsvField(cells.get(r, columns[c]!)));
    lines.push(fields.join('\t'));
  }
  return lines.join('\n');
}

/** "1 cell", "3 cells", "2 rows" — what the copy line says was copied. */
export function describeCopy(range: CellRange, columnCount: number): string {
  const rows = range.bottom - range.top + 1;
  const cells = rows * (range.right - range.left + 1);
  if (range.left === 0 && range.right === columnCount - 1 && columnCount > 1) return `Copied ${rows === 1 ? '1 row' : `${rows.toLocaleString()} rows`} as TSV`;
  return `Copied ${cells === 1 ? '1 cell' : `${cells.toLocaleString()} cells`} as TSV`;
}
