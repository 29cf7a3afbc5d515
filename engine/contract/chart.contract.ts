import { z } from 'zod';

/**
 * What a result is drawn as. Grouped and stacked bars are `bar` with a
 * `series`; a bubble chart is `scatter` with a `size`; `single` is the KPI
 * card of a one-row result; `table` means nothing fits better than the table.
 */
export const ChartType = z.enum(['line', 'area', 'bar', 'scatter', 'pie', 'doughnut', 'histogram', 'single', 'table']);
export type ChartType = z.infer<typeof ChartType>;

/** One way to draw a result. Columns are named as in `QueryResult.columns`. */
export const ChartSpec = z.object({
  type: ChartType,
  /** The column along the x axis (the labels of a pie, the binned column of a histogram); null for `single` and `table`. */
  x: z.string().nullable(),
  /** Columns joined to name each category (first and last name), when one column alone does not; `x` is the first of them. */
  label: z.array(z.string()).optional(),
  /** The measured columns, one dataset each (the values of `single`). */
  y: z.array(z.string()),
  /** A column whose values split one measure into several lines or bars. */
  series: z.string().optional(),
  stacked: z.boolean().optional(),
  /** Bars run left to right (long labels or many categories). */
  horizontal: z.boolean().optional(),
  /** Scatter: the column that sizes each point. */
  size: z.string().optional(),
  /** Bars and pies: only the first N categories by value are drawn. */
  topN: z.number().int().positive().optional(),
  /** With topN: the rest are summed as one "Other" category (only for a measure that adds up, such as a count or a sum). */
  other: z.boolean().optional(),
  /** Histogram: how many bins. */
  bins: z.number().int().positive().optional(),
});
export type ChartSpec = z.infer<typeof ChartSpec>;

/** The chart a result is shown with first, the others it can switch to (from the same rows), and why, in plain words. */
export const ChartRecommendation = z.object({
  recommended: ChartSpec,
  alternatives: z.array(ChartSpec),
  reason: z.string(),
});
export type ChartRecommendation = z.infer<typeof ChartRecommendation>;
