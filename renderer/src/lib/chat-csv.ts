import type { ResultColumn } from '../../../engine/contract/index';
import { asCells, type CellsOrRows } from '../../../engine/contract/result-columns';
import { tsvField } from './table-copy';

/** Excel reads a UTF-8 file as such only with a byte order mark. */
export const CSV_BOM = '\uFEFF';

const NUMBER_LIKE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab / carriage
 * return) as a formula; a leading quote keeps such text text. Numbers written
 * as strings (exact decimals, big integers) are left alone.
 */
function defuse(text: string): string {
  return /^[=+\-@\t\r]/.test(text) && !NUMBER_LIKE.test(text) ? `'${text}` : text;
}

function field(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (typeof value === 'string') text = defuse(value);
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') text = String(value);
  else text = JSON.stringify(value) ?? '';
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * RFC 4180 CSV of a result: a header of column names, CRLF line ends, fields
 * quoted only when they need it, nulls as empty fields, documents and arrays
 * as compact JSON.
 */
export function toCsv(columns: readonly Pick<ResultColumn, 'name'>[], source: CellsOrRows): string {
  const cells = asCells(source);
  const lines = [columns.map((c) => field(c.name)).join(',')];
  for (let r = 0; r < cells.rowCount; r++) lines.push(columns.map((_, i) => field(cells.get(r, i))).join(','));
  return lines.join('\r\n') + '\r\n';
}

/**
 * Tab-separated text of a result, for tools that split on tabs: a header of
 * column names, CRLF line ends, nulls empty, documents as compact JSON. Fields
 * are written as a copy from the table writes them (quoted only for a tab, a
 * line break or a leading quote), and defused against formulas as in the CSV.
 */
export function toTsvFile(columns: readonly Pick<ResultColumn, 'name'>[], source: CellsOrRows): string {
  const cells = asCells(source);
  const cell = (value: unknown) => tsvField(typeof value === 'string' ? defuse(value) : value);
  const lines = [columns.map((c) => cell(c.name)).join('\t')];
  for (let r = 0; r < cells.rowCount; r++) lines.push(columns.map((_, i) => cell(cells.get(r, i))).join('\t'));
  return lines.join('\r\n') + '\r\n';
}

/** "Customers by country" on 2026-03-01 → "customers-by-country-2026-03-01.csv". */
export function csvFileName(title: string, now: Date = new Date()): string {
  const slug =
    title
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60)
      .replace(/-+$/, '') || 'result';
  const date = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
  return `${slug}-${date}.csv`;
}
