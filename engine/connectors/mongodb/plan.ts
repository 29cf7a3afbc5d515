/**
 * An ExplainEstimate from `explain` at queryPlanner verbosity (the plan only:
 * nothing runs). MongoDB gives no row estimate there, so it is derived:
 * a collection scan reads the whole collection (its estimated count), an
 * `_id` lookup one document; limits, skips, $count, $sample and grouping to a
 * single document tighten it; stages whose output cannot be sized ($group by a
 * key, $unwind, $unionWith, $bucket…) make it unknown (null) until a later
 * limit bounds it again. estimatedCost is the number of documents the scan
 * examines, where known.
 */
import type { Document } from 'mongodb';
import type { ExplainEstimate } from '../../contract/index';
import type { MongoQueryDocument } from './query-document';

const FULL_SCAN_WARNING_DOCS = 100_000;
const SINGLE_DOC_STAGES = new Set(['IDHACK', 'EXPRESS_IXSCAN', 'EXPRESS_IDHACK', 'EXPRESS_CLUSTERED_IXSCAN']);

function winningPlan(explain: Document): Document | null {
  const planner = explain.queryPlanner ?? explain.stages?.[0]?.$cursor?.queryPlanner ?? explain.shards?.[0]?.queryPlanner ?? null;
  const plan = planner?.winningPlan;
  if (!plan) return null;
  // Slot-based engine plans nest the classic-looking tree under queryPlan.
  return plan.queryPlan ?? plan;
}

/** Stage names from the scan outwards, descending into shards and multi-input stages. */
function planStages(plan: Document | null): Document[] {
  if (!plan) return [];
  const inner: Document[] = [];
  if (plan.inputStage) inner.push(...planStages(plan.inputStage));
  for (const child of plan.inputStages ?? []) inner.push(...planStages(child));
  for (const shard of plan.shards ?? []) inner.push(...planStages(shard.winningPlan?.queryPlan ?? shard.winningPlan));
  return [...inner, plan];
}

const minOf = (a: number | null, b: number) => (a === null ? b : Math.min(a, b));

/** Rows after each pipeline stage, from its own specification. */
function pipelineRows(pipeline: Document[], start: number | null): number | null {
  let rows = start;
  for (const stage of pipeline) {
    const [name, spec] = Object.entries(stage)[0] ?? ['', null];
    switch (name) {
      case '$limit':
        rows = minOf(rows, Number(spec));
        break;
      case '$skip':
        rows = rows === null ? null : Math.max(0, rows - Number(spec));
        break;
      case '$sample':
        rows = minOf(rows, Number((spec as Document)?.size ?? 0));
        break;
      case '$count':
      case '$facet':
        rows = 1;
        break;
      case '$group':
        rows = (spec as Document)?._id === null ? 1 : null;
        break;
      case '$bucketAuto':
        rows = minOf(rows, Number((spec as Document)?.buckets ?? 0));
        break;
      case '$unwind':
      case '$unionWith':
      case '$bucket':
      case '$sortByCount':
      case '$densify':
      case '$fill':
      case '$graphLookup':
        rows = null;
        break;
      case '$documents':
        rows = Array.isArray(spec) ? spec.length : null;
        break;
      default:
        // $match may only shrink; $project, $sort, $lookup and the like keep the count.
        break;
    }
  }
  return rows;
}

export function estimateFromExplain(explain: Document, query: MongoQueryDocument, collectionCount: number | null): ExplainEstimate {
  const stages = planStages(winningPlan(explain));
  const names = stages.map((s) => String(s.stage));
  const scanned = names.some((n) => SINGLE_DOC_STAGES.has(n))
    ? 1
    : names.includes('COLLSCAN')
      ? collectionCount
      : names.includes('RECORD_STORE_FAST_COUNT')
        ? 0
        : null;
  let rows: number | null = scanned;
  for (const s of stages) {
    if (typeof s.limitAmount === 'number') rows = minOf(rows, s.limitAmount);
  }
  switch (query.operation) {
    case 'find':
      if (query.skip) rows = rows === null ? null : Math.max(0, rows - query.skip);
      if (query.limit) rows = minOf(rows, query.limit);
      break;
    case 'aggregate':
      rows = pipelineRows(query.pipeline, rows);
      break;
    case 'count':
      rows = 1;
      break;
    case 'distinct':
      rows = null;
      break;
  }
  const pipelineNames = Array.isArray(explain.stages) ? explain.stages.slice(1).map((s: Document) => Object.keys(s)[0] ?? '?') : [];
  const summary = [...names, ...pipelineNames].join(' → ') || 'no plan reported';
  const warnings: string[] = [];
  if (names.includes('COLLSCAN') && collectionCount !== null && collectionCount >= FULL_SCAN_WARNING_DOCS) {
    warnings.push(`Reads every document of the collection (about ${collectionCount.toLocaleString('en')}): no index serves this filter.`);
  }
  return { estimatedRows: rows, estimatedCost: scanned, summary, warnings };
}
