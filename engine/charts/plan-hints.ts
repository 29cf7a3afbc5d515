import { outputLabels } from '../planner/dialects/sql-builder';
import { parseStoredPlan } from '../planner/plan-schema';
import type { ChartHints } from './profile';

/**
 * What the offline planner's plan says about the output columns: which are
 * groupings (and bucketed by time) and which are aggregates. A stored plan
 * that does not have this shape gives no hints (the data alone decides).
 */
export function chartHintsFromPlan(stored: unknown): ChartHints {
  const parsed = parseStoredPlan(stored);
  if (!parsed.ok) return {};
  const plan = parsed.plan;
  try {
    const labels = outputLabels(plan);
    const timeBuckets: Record<string, string> = {};
    plan.dimensions.forEach((dim, k) => {
      if (dim.bucket) for (const name of labels.dimensions[k] ?? []) timeBuckets[name] = dim.bucket;
    });
    const groups = plan.dimensions.map((dim, k) => ({ columns: labels.dimensions[k] ?? [], label: dim.label })).filter((g) => g.columns.length > 1);
    return { dimensions: labels.dimensions.flat(), measures: labels.measures, timeBuckets, groups };
  } catch {
    return {};
  }
}
