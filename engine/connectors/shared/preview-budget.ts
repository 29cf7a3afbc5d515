/**
 * What checking and estimating a query may cost before anyone approved it.
 * Validation and EXPLAIN run under these limits, separate from (and much
 * smaller than) the source's execution limits, so a query that folds a huge
 * constant at plan time costs at most this much and is refused with
 * PreviewLimitError instead of tying up the server or the app.
 */
export const PREVIEW_BUDGET = {
  /** Server-side statement timeout for EXPLAIN, and the deadline for a whole validate call. */
  timeMs: 2_000,
  /** Memory a store may use for the preview, where it can be capped (DuckDB). */
  memoryMb: 256,
} as const;
