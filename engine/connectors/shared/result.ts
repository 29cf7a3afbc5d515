import type { QueryResult, ResultColumn } from '../../contract/index';

/** The unified result every connector returns, with the same truncation notice for every store. */
export function unifiedResult(input: { columns: ResultColumn[]; rows: unknown[][]; truncated: boolean; maxRows: number; started: number }): QueryResult {
  return {
    columns: input.columns,
    rows: input.rows,
    rowCount: input.rows.length,
    truncated: input.truncated,
    rowLimit: input.maxRows,
    elapsedMs: Math.round((performance.now() - input.started) * 100) / 100,
    notices: input.truncated ? [`Showing the first ${input.maxRows} rows; the query returned more.`] : [],
  };
}
