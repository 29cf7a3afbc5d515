/**
 * Well-formed but minimal explain output in the shape MongoDB 7.0 gives
 * (explainVersion 1): a queryPlanner with a winning plan of classic stages,
 * plus executionStats when the verbosity asks for them. There are no
 * indexes besides `_id`, so every plan is a collection scan unless the
 * filter is an exact `_id` match.
 */
import type { Doc } from './store';

export interface PlanInput {
  ns: string;
  filter: Doc;
  sort?: Doc;
  skip?: number;
  limit?: number;
  projection?: Doc;
}

const isOperatorFree = (v: unknown) =>
  v === null || typeof v !== 'object' || !Object.keys(v as object).some((k) => k.startsWith('$'));

export function findPlan(input: PlanInput): Doc {
  const keys = Object.keys(input.filter);
  let plan: Doc =
    keys.length === 1 && keys[0] === '_id' && isOperatorFree(input.filter._id) && !input.sort
      ? { stage: 'IDHACK' }
      : { stage: 'COLLSCAN', filter: input.filter, direction: 'forward' };
  if (input.sort && Object.keys(input.sort).length > 0) {
    plan = { stage: 'SORT', sortPattern: input.sort, memLimit: 104857600, ...(input.limit ? { limitAmount: input.limit } : {}), type: 'simple', inputStage: plan };
  } else if (input.limit) {
    plan = { stage: 'LIMIT', limitAmount: input.limit, inputStage: plan };
  }
  if (input.skip) plan = { stage: 'SKIP', skipAmount: input.skip, inputStage: plan };
  if (input.projection && Object.keys(input.projection).length > 0) {
    plan = { stage: 'PROJECTION_DEFAULT', transformBy: input.projection, inputStage: plan };
  }
  return plan;
}

export function queryPlanner(ns: string, filter: Doc, winningPlan: Doc): Doc {
  return {
    namespace: ns,
    indexFilterSet: false,
    parsedQuery: filter,
    maxIndexedOrSolutionsReached: false,
    maxIndexedAndSolutionsReached: false,
    maxScansToExplodeReached: false,
    winningPlan,
    rejectedPlans: [],
  };
}

export function executionStats(winningPlan: Doc, nReturned: number, docsExamined: number, millis: number): Doc {
  return {
    executionSuccess: true,
    nReturned,
    executionTimeMillis: millis,
    totalKeysExamined: winningPlan.stage === 'IDHACK' ? nReturned : 0,
    totalDocsExamined: docsExamined,
    executionStages: { ...winningPlan, nReturned, works: docsExamined + 1, advanced: nReturned, isEOF: 1 },
  };
}

/** Leading $match stages are what the server would push down into the $cursor stage. */
export function splitPushdown(pipeline: Doc[]): { filter: Doc; rest: Doc[] } {
  const matches: Doc[] = [];
  let i = 0;
  for (; i < pipeline.length; i++) {
    const stage = pipeline[i]!;
    if (!('$match' in stage) || Object.keys(stage).length !== 1) break;
    matches.push(stage.$match as Doc);
  }
  const filter = matches.length === 0 ? {} : matches.length === 1 ? matches[0]! : { $and: matches };
  return { filter, rest: pipeline.slice(i) };
}
