import type { QueryResult, ResultColumn } from '../../contract/index';

/** The unified result every connector returns, with the same truncation notice for every store. */
export function unifiedResult(input: {
  columns: ResultColumn[];
  rows: unknown[][];
  truncated: boolean;
  maxRows: number;
  started: number;
  /** Set when the byte budget, not the row limit, cut the result short. */
  truncatedByBytes?: { maxBytes: number };
}): QueryResult {
  const truncatedBy = input.truncatedByBytes ? 'bytes' : input.truncated ? 'rows' : null;
  const notices =
    truncatedBy === 'bytes'
      ? [`Showing the first ${input.rows.length} rows: the result reached the ${formatBytes(input.truncatedByBytes!.maxBytes)} size limit.`]
      : truncatedBy === 'rows'
        ? [`Showing the first ${input.maxRows} rows; the query returned more.`]
        : [];
  return {
    columns: input.columns,
    rows: input.rows,
    rowCount: input.rows.length,
    truncated: truncatedBy !== null,
    truncatedBy,
    rowLimit: input.maxRows,
    elapsedMs: Math.round((performance.now() - input.started) * 100) / 100,
    notices,
  };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024) return `${Math.round((bytes / (1024 * 1024 * 1024)) * 10) / 10} GB`;
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}
