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
  /**
   * The one-off read of a store's own catalog (functions, relations, types) that layer 1 judges against. It is our
   * fixed query, not the user's, and is cached: it gets a budget of its own so a busy server or machine does not
   * turn a cold cache into a refusal of an ordinary query.
   */
  catalogMs: 10_000,
} as const;

/**
 * The host's backstop for one validate or explain job: the store enforces PREVIEW_BUDGET itself (statement timeout,
 * interrupt, maxTimeMS); this only ends a job that did not honour it, leaving room for connecting and a cold catalog.
 */
export const PREVIEW_DEADLINE_MS = PREVIEW_BUDGET.timeMs + PREVIEW_BUDGET.catalogMs + 3_000;
