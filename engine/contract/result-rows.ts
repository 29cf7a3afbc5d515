/**
 * The rows of a result, checked on the way out without a zod schema per cell.
 *
 * A zod `z.array(z.array(Cell))` parse copied every row and ran a schema per
 * cell: about 330 ms for 100,000 x 10 on the host thread (see BENCHMARKS.md,
 * result-handoff). Cells are produced by our own connectors' normalizers
 * (engine/connectors/shared/cells.ts and each store's cells), so here a plain
 * loop only confirms what the transports rely on: every row is an array as
 * wide as the columns, and every cell is JSON-safe (JSON.stringify over the
 * browser host's WebSocket would turn NaN into null, drop undefined and throw
 * on a BigInt). The rows array is passed on as it is, not copied.
 */

/** Deeper than any MongoDB document (100 levels) or PostgreSQL json value a result can hold. */
export const MAX_CELL_DEPTH = 128;

export type RowsProblemReason = 'NOT_ROWS' | 'NOT_A_ROW' | 'WRONG_WIDTH' | 'UNSAFE_CELL' | 'TOO_DEEP';

/** What is wrong with a result's rows and where: the first problem found. */
export interface RowsProblem {
  reason: RowsProblemReason;
  /** Index of the offending row (absent when `rows` itself is not an array). */
  row?: number;
  /** Index of the offending cell in its row. */
  column?: number;
  message: string;
}

/** Why a cell is not JSON-safe, or null when it is. */
export function cellProblem(value: unknown, depth: number): 'UNSAFE_CELL' | 'TOO_DEEP' | null {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : 'UNSAFE_CELL';
    case 'object': {
      if (value === null) return null;
      if (depth >= MAX_CELL_DEPTH) return 'TOO_DEEP';
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const problem = cellProblem(value[i], depth + 1);
          if (problem) return problem;
        }
        return null;
      }
      // Only plain objects: a Date, Buffer, Map or class instance would cross each transport differently.
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return 'UNSAFE_CELL';
      for (const key of Object.keys(value)) {
        const problem = cellProblem((value as Record<string, unknown>)[key], depth + 1);
        if (problem) return problem;
      }
      return null;
    }
    default:
      // undefined, bigint, function, symbol.
      return 'UNSAFE_CELL';
  }
}

/** A short name of what a bad cell holds, for the log (never the value itself: it is user data). */
function describeCell(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object' && value !== null) return (value.constructor as { name?: string } | undefined)?.name ?? 'object';
  return typeof value;
}

/**
 * The first problem with `rows` as the rows of a result with `width` columns,
 * or null when every row is an array of `width` JSON-safe cells.
 */
export function findRowsProblem(rows: unknown, width: number): RowsProblem | null {
  if (!Array.isArray(rows)) return { reason: 'NOT_ROWS', message: 'rows is not an array' };
  for (let r = 0; r < rows.length; r++) {
    const row: unknown = rows[r];
    if (!Array.isArray(row)) return { reason: 'NOT_A_ROW', row: r, message: `row ${r} is not an array` };
    if (row.length !== width) {
      return { reason: 'WRONG_WIDTH', row: r, message: `row ${r} has ${row.length} cells for ${width} columns` };
    }
    for (let c = 0; c < width; c++) {
      const value: unknown = row[c];
      // The common cells first, without a call.
      if (value === null || typeof value === 'string' || typeof value === 'boolean') continue;
      const problem = cellProblem(value, 0);
      if (problem) {
        const what = problem === 'TOO_DEEP' ? `nests deeper than ${MAX_CELL_DEPTH} levels` : `is not JSON-safe (${describeCell(value)})`;
        return { reason: problem, row: r, column: c, message: `cell ${c} of row ${r} ${what}` };
      }
    }
  }
  return null;
}

/** Where zod's superRefine reports an issue; typed structurally so this module needs no zod import. */
interface IssueSink {
  addIssue(issue: { code: 'custom'; path: (string | number)[]; message: string; params: { reason: RowsProblemReason } }): void;
}

/**
 * The refinement of every schema that carries a result's rows next to its
 * columns (`QueryResult`, `chat.result`): the rows checked in one loop, as
 * above, and reported as one zod issue at the offending row and cell.
 */
export function refineRows(result: { columns: readonly unknown[]; rows: unknown }, ctx: IssueSink): void {
  const problem = findRowsProblem(result.rows, result.columns.length);
  if (!problem) return;
  const at = [problem.row, problem.column].filter((i): i is number => i !== undefined);
  ctx.addIssue({ code: 'custom', path: ['rows', ...at], message: problem.message, params: { reason: problem.reason } });
}
