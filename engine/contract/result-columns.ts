/**
 * A result's rows as columns: how the engine stores a result and hands it to
 * the page (`chat.result`), and how the page reads it.
 *
 * Handing the page 100,000 row arrays costs about one structured clone of them
 * (~180-230 ms, BENCHMARKS.md result-handoff), whatever the transport: the
 * page has to make a million JS values. Columns cross as a few buffers and are
 * read in place: the table reads only the rows it shows. Each column is one of
 *   - numbers (and nulls): a Float64Array plus a null mask (1 = null);
 *   - text (and nulls): every value joined into one string plus a Uint32Array
 *     of end offsets (UTF-16 units) and a null mask, so an empty string and a
 *     null stay distinct;
 *   - booleans (and nulls): a Uint8Array (0, 1, 2 = null);
 *   - anything else (documents, arrays, a column of mixed types): the cells as
 *     they are.
 * Cells keep their meaning: dates, timestamps, decimals and big integers that
 * arrive as text stay text; a column is numbers only when every value is one.
 */
import { cellProblem } from './result-rows';

export type ColumnData =
  | { kind: 'number'; values: Float64Array; nulls: Uint8Array | null }
  | { kind: 'text'; text: string; ends: Uint32Array; nulls: Uint8Array | null }
  | { kind: 'boolean'; values: Uint8Array }
  | { kind: 'cells'; values: unknown[] };

export interface ResultColumns {
  rowCount: number;
  columns: ColumnData[];
}

/** A grid of cells read by position: the page's tables, charts and exports read results through this. */
export interface Cells {
  readonly rowCount: number;
  get(row: number, column: number): unknown;
}

const BOOLEAN_NULL = 2;

type Kind = ColumnData['kind'];

function kindOf(rows: readonly (readonly unknown[])[], c: number): Kind {
  let kind: Kind | null = null;
  for (let r = 0; r < rows.length; r++) {
    const value = rows[r]![c];
    if (value === null) continue;
    const k: Kind = typeof value === 'number' ? 'number' : typeof value === 'string' ? 'text' : typeof value === 'boolean' ? 'boolean' : 'cells';
    if (k === 'cells') return k;
    if (kind === null) kind = k;
    else if (kind !== k) return 'cells';
  }
  return kind ?? 'cells';
}

function encodeColumn(rows: readonly (readonly unknown[])[], c: number): ColumnData {
  const n = rows.length;
  const kind = kindOf(rows, c);
  if (kind === 'number') {
    const values = new Float64Array(n);
    let nulls: Uint8Array | null = null;
    for (let r = 0; r < n; r++) {
      const value = rows[r]![c];
      if (value === null) (nulls ??= new Uint8Array(n))[r] = 1;
      else values[r] = value as number;
    }
    return { kind, values, nulls };
  }
  if (kind === 'text') {
    const parts = new Array<string>(n);
    const ends = new Uint32Array(n);
    let nulls: Uint8Array | null = null;
    let at = 0;
    for (let r = 0; r < n; r++) {
      const value = rows[r]![c];
      if (value === null) {
        (nulls ??= new Uint8Array(n))[r] = 1;
        parts[r] = '';
      } else {
        parts[r] = value as string;
        at += (value as string).length;
      }
      ends[r] = at;
    }
    return { kind, text: parts.join(''), ends, nulls };
  }
  if (kind === 'boolean') {
    const values = new Uint8Array(n);
    for (let r = 0; r < n; r++) {
      const value = rows[r]![c];
      values[r] = value === null ? BOOLEAN_NULL : value ? 1 : 0;
    }
    return { kind, values };
  }
  const values = new Array<unknown>(n);
  for (let r = 0; r < n; r++) values[r] = rows[r]![c];
  return { kind, values };
}

/** Rows (each `width` cells, as the connectors produce them) as columns. */
export function encodeColumns(rows: readonly (readonly unknown[])[], width: number): ResultColumns {
  const columns: ColumnData[] = [];
  for (let c = 0; c < width; c++) columns.push(encodeColumn(rows, c));
  return { rowCount: rows.length, columns };
}

/** One cell of a column, read where it lies. */
export function cellOf(column: ColumnData, r: number): unknown {
  switch (column.kind) {
    case 'number':
      return column.nulls !== null && column.nulls[r] === 1 ? null : column.values[r];
    case 'text':
      return column.nulls !== null && column.nulls[r] === 1 ? null : column.text.slice(r === 0 ? 0 : column.ends[r - 1], column.ends[r]);
    case 'boolean':
      return column.values[r] === BOOLEAN_NULL ? null : column.values[r] === 1;
    case 'cells':
      return column.values[r];
  }
}

/** A result's columns read by row and column; `row(r)` makes one row array (for the few rows an export or a copy needs). */
export class ColumnReader implements Cells {
  readonly rowCount: number;
  readonly columns: readonly ColumnData[];

  constructor(data: ResultColumns) {
    this.rowCount = data.rowCount;
    this.columns = data.columns;
  }

  get width(): number {
    return this.columns.length;
  }

  get(row: number, column: number): unknown {
    return cellOf(this.columns[column]!, row);
  }

  row(r: number): unknown[] {
    const out = new Array<unknown>(this.columns.length);
    for (let c = 0; c < this.columns.length; c++) out[c] = cellOf(this.columns[c]!, r);
    return out;
  }

  /** Every row as an array: costs about what the rows cost to make, so only for small results and tests. */
  rows(): unknown[][] {
    return Array.from({ length: this.rowCount }, (_, r) => this.row(r));
  }
}

/** Row arrays (a preview, a test) read as cells. */
export function rowCells(rows: readonly (readonly unknown[])[]): Cells {
  return { rowCount: rows.length, get: (r, c) => rows[r]?.[c] ?? null };
}

/** Cells, or row arrays (the chat card's preview rows, tests). */
export type CellsOrRows = Cells | readonly (readonly unknown[])[];

export function asCells(source: CellsOrRows): Cells {
  return Array.isArray(source) ? rowCells(source) : (source as Cells);
}

/** Some rows of `cells`, in the order of `rows` (a filter's matches, a sort order): no cell is copied. */
export function pickRows(cells: Cells, rows: ArrayLike<number>): Cells {
  return { rowCount: rows.length, get: (r, c) => cells.get(rows[r]!, c) };
}

export type ColumnsProblemReason = 'NOT_COLUMNS' | 'WRONG_WIDTH' | 'WRONG_LENGTH' | 'BAD_OFFSETS' | 'BAD_VALUE' | 'UNSAFE_CELL' | 'TOO_DEEP';

export interface ColumnsProblem {
  reason: ColumnsProblemReason;
  /** The offending column, when one is. */
  column?: number;
  /** The offending row of that column, when one is. */
  row?: number;
  message: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

function maskProblem(mask: unknown, n: number): boolean {
  return mask !== null && !(mask instanceof Uint8Array && mask.length === n);
}

/** What is wrong with one column of `n` rows, or null. One pass over its values; the column is not copied. */
function columnProblem(column: unknown, n: number, c: number): ColumnsProblem | null {
  const at = (reason: ColumnsProblemReason, message: string, row?: number): ColumnsProblem =>
    row === undefined ? { reason, column: c, message: `column ${c}: ${message}` } : { reason, column: c, row, message: `column ${c}, row ${row}: ${message}` };
  if (!isObject(column)) return at('NOT_COLUMNS', 'is not a column');
  switch (column.kind) {
    case 'number': {
      const { values, nulls } = column;
      if (!(values instanceof Float64Array) || values.length !== n) return at('WRONG_LENGTH', `values are not a Float64Array of ${n}`);
      if (maskProblem(nulls, n)) return at('WRONG_LENGTH', `the null mask is not a Uint8Array of ${n}`);
      for (let r = 0; r < n; r++) {
        // NaN and infinities are not cells (JSON has none, and a NaN would read as a number, not a null).
        if (!Number.isFinite(values[r]!)) return at('BAD_VALUE', 'is not a finite number', r);
      }
      return null;
    }
    case 'text': {
      const { text, ends, nulls } = column;
      if (typeof text !== 'string') return at('NOT_COLUMNS', 'text is not a string');
      if (!(ends instanceof Uint32Array) || ends.length !== n) return at('WRONG_LENGTH', `the end offsets are not a Uint32Array of ${n}`);
      if (maskProblem(nulls, n)) return at('WRONG_LENGTH', `the null mask is not a Uint8Array of ${n}`);
      let previous = 0;
      for (let r = 0; r < n; r++) {
        const end = ends[r]!;
        if (end < previous) return at('BAD_OFFSETS', 'the end offsets go backwards', r);
        previous = end;
      }
      if (previous !== text.length) return at('BAD_OFFSETS', 'the end offsets do not end with the text');
      return null;
    }
    case 'boolean': {
      const { values } = column;
      if (!(values instanceof Uint8Array) || values.length !== n) return at('WRONG_LENGTH', `values are not a Uint8Array of ${n}`);
      for (let r = 0; r < n; r++) if (values[r]! > BOOLEAN_NULL) return at('BAD_VALUE', 'is not a boolean or null', r);
      return null;
    }
    case 'cells': {
      const { values } = column;
      if (!Array.isArray(values) || values.length !== n) return at('WRONG_LENGTH', `cells are not an array of ${n}`);
      for (let r = 0; r < n; r++) {
        const value: unknown = values[r];
        if (value === null || typeof value === 'string' || typeof value === 'boolean') continue;
        const problem = cellProblem(value, 0);
        if (problem) return at(problem, problem === 'TOO_DEEP' ? 'nests too deep' : 'is not JSON-safe', r);
      }
      return null;
    }
    default:
      return at('NOT_COLUMNS', 'has no known kind');
  }
}

/**
 * The first problem with `data` as the columns of a result with `width`
 * columns, or null: every column exactly `rowCount` long, offsets rising and
 * ending with the text, masks the right size, numbers finite, booleans 0/1/2,
 * other cells JSON-safe. What every reader may then rely on.
 */
export function findColumnsProblem(data: unknown, width: number): ColumnsProblem | null {
  if (!isObject(data) || !Array.isArray(data.columns)) return { reason: 'NOT_COLUMNS', message: 'not a result of columns' };
  const n = data.rowCount;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return { reason: 'NOT_COLUMNS', message: 'rowCount is not a count' };
  if (data.columns.length !== width) return { reason: 'WRONG_WIDTH', message: `${data.columns.length} columns of data for ${width} columns` };
  for (let c = 0; c < width; c++) {
    const problem = columnProblem(data.columns[c], n, c);
    if (problem) return problem;
  }
  return null;
}

/** Where zod's superRefine reports an issue; typed structurally so this module needs no zod import. */
interface IssueSink {
  addIssue(issue: { code: 'custom'; path: (string | number)[]; message: string; params: { reason: ColumnsProblemReason } }): void;
}

/** The refinement of a schema that carries `data` (columns) next to the result's `columns`: one issue at the offending column and row. */
export function refineColumns(result: { columns: readonly unknown[]; data: unknown }, ctx: IssueSink): void {
  const problem = findColumnsProblem(result.data, result.columns.length);
  if (!problem) return;
  const at = [problem.column, problem.row].filter((i): i is number => i !== undefined);
  ctx.addIssue({ code: 'custom', path: ['data', ...(at.length ? ['columns', ...at] : [])], message: problem.message, params: { reason: problem.reason } });
}
