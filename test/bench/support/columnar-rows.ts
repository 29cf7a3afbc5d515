/**
 * A prototype columnar wire format for a result's rows, measured by
 * result-handoff.bench.ts against the row arrays the app sends today. Not used
 * by the app: the bench keeps it so the numbers in BENCHMARKS.md can be
 * reproduced when the hand-off is redesigned.
 *
 * Each column crosses as one of:
 *   - numbers (and nulls): a Float64Array plus a null mask;
 *   - text (and nulls): all values joined into one string plus a Uint32Array
 *     of end offsets, so a structured clone copies two buffers instead of
 *     100,000 strings;
 *   - booleans (and nulls): a Uint8Array (0, 1, 2 = null);
 *   - anything else (documents, mixed types): the cells as they are.
 */

export type ColumnData =
  | { kind: 'number'; values: Float64Array; nulls: Uint8Array | null }
  | { kind: 'text'; text: string; ends: Uint32Array; nulls: Uint8Array | null }
  | { kind: 'boolean'; values: Uint8Array }
  | { kind: 'cells'; values: unknown[] };

export interface ColumnarRows {
  length: number;
  columns: ColumnData[];
}

const BOOLEAN_NULL = 2;

function kindOf(rows: readonly (readonly unknown[])[], c: number): ColumnData['kind'] {
  let kind: ColumnData['kind'] | null = null;
  for (const row of rows) {
    const value = row[c];
    if (value === null) continue;
    const k = typeof value === 'number' ? 'number' : typeof value === 'string' ? 'text' : typeof value === 'boolean' ? 'boolean' : 'cells';
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
    const parts: string[] = new Array<string>(n);
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
  return { kind, values: rows.map((row) => row[c]) };
}

export function encodeColumnar(rows: readonly (readonly unknown[])[], width: number): ColumnarRows {
  const columns: ColumnData[] = [];
  for (let c = 0; c < width; c++) columns.push(encodeColumn(rows, c));
  return { length: rows.length, columns };
}

/** One cell, read where it lies: what a table reading columns would do for the rows it shows. */
export function cellAt(data: ColumnarRows, r: number, c: number): unknown {
  const column = data.columns[c]!;
  switch (column.kind) {
    case 'number':
      return column.nulls?.[r] ? null : column.values[r];
    case 'text':
      return column.nulls?.[r] ? null : column.text.slice(r === 0 ? 0 : column.ends[r - 1], column.ends[r]);
    case 'boolean':
      return column.values[r] === BOOLEAN_NULL ? null : column.values[r] === 1;
    case 'cells':
      return column.values[r];
  }
}

/** Back to row arrays, as every renderer component reads them today. */
export function decodeColumnar(data: ColumnarRows): unknown[][] {
  const width = data.columns.length;
  const rows: unknown[][] = new Array<unknown[]>(data.length);
  for (let r = 0; r < data.length; r++) {
    const row = new Array<unknown>(width);
    for (let c = 0; c < width; c++) row[c] = cellAt(data, r, c);
    rows[r] = row;
  }
  return rows;
}
