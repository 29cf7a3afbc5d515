import { decodeFrame, encodeFrame } from '../contract/binary-frame';
import { encodeColumns, findColumnsProblem, type ResultColumns } from '../contract/result-columns';
import { findRowsProblem } from '../contract/result-rows';
import { EngineError } from '../errors';

/**
 * How a result's rows are kept in `query_results.columns_blob` (migration
 * 0160): encoded into columns once, when the run is stored, so every open
 * reads buffers instead of parsing rows. Results stored before 0160 hold
 * `rows_json` only and are converted as they are read.
 */
export function storedColumnsBlob(rows: readonly (readonly unknown[])[], width: number): Uint8Array {
  return encodeFrame(encodeColumns(rows, width));
}

/** A stored result that cannot be read back: a typed error with the reason, never the rows (user data). */
function damaged(resultId: string, reason: string, message: string): EngineError {
  return new EngineError('INTERNAL', `The stored rows of result ${resultId} are damaged (${message}): run the query again to store them anew.`, {
    reason: 'STORED_RESULT_DAMAGED',
    problem: reason,
    resultId,
  });
}

/** The stored columns of a result with `width` columns, read from its blob, or from its rows' JSON when it was stored before 0160. */
export function readStoredColumns(resultId: string, stored: { columns_blob: Uint8Array | null; rows_json: string }, width: number): ResultColumns {
  if (stored.columns_blob !== null) {
    const frame = decodeFrame(stored.columns_blob);
    if (!frame.ok) throw damaged(resultId, frame.reason, frame.message);
    const problem = findColumnsProblem(frame.value, width);
    if (problem) throw damaged(resultId, problem.reason, problem.message);
    return frame.value as ResultColumns;
  }
  let rows: unknown;
  try {
    rows = JSON.parse(stored.rows_json);
  } catch {
    throw damaged(resultId, 'NOT_JSON', 'the rows are not JSON');
  }
  const problem = findRowsProblem(rows, width);
  if (problem) throw damaged(resultId, problem.reason, problem.message);
  return encodeColumns(rows as unknown[][], width);
}
