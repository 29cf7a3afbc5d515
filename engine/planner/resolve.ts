import { calibrate, type PlanSignals } from './confidence';
import type { Intent } from './intent';
import type { JoinTree } from './joins';
import { resolveComparisons } from './resolve/comparisons';
import {
  noteIgnoredColumns,
  resolveBooleans,
  resolveDateFilters,
  resolveGroupings,
  resolveGuessedValues,
  resolvePresence,
  resolveTextFilters,
  resolveValueFilters,
} from './resolve/conditions';
import { choose } from './resolve/choose';
import type { Choice } from './resolve/choices';
import { Resolver } from './resolve/context';
import { finishPlan, resolveExplicitOrder, resolveListedColumns, resolveRelatedRows } from './resolve/listing';
import { tableRef } from './resolve/plan-parts';
import { resolveSubjectAndMeasures } from './resolve/subject';
import type { SchemaIndex } from './schema-index';
import type { QueryPlan } from './types';

export type { Choice } from './resolve/choices';
export { defaultColumns, entityDimension, fieldDimension, fieldRef, fieldWords, sameField, tableWords } from './resolve/plan-parts';
export { Unanswerable } from './resolve/unanswerable';

export interface Resolution {
  plan: QueryPlan;
  confidence: number;
  signals: PlanSignals;
}

/**
 * Turns intents into a plan: every open decision (which table a word means,
 * which column a value belongs to, which date column "in 2023" filters) is a
 * slot with scored choices; the combination with the best total score minus
 * the joins it needs wins, and sums never cross a one-to-many join.
 *
 * Each step below reads one part of the intent, opens its slots and leaves a final
 * that completes the plan once the choice is made; the order of the steps matters
 * (a count condition regroups what the subject step set up, listed columns are what is left).
 */
export function resolve(index: SchemaIndex, intent: Intent): Resolution {
  const ctx = new Resolver(index, intent);
  resolveSubjectAndMeasures(ctx);
  resolveGroupings(ctx);
  resolveDateFilters(ctx);
  resolveValueFilters(ctx);
  resolveGuessedValues(ctx);
  resolveTextFilters(ctx);
  resolveBooleans(ctx);
  resolvePresence(ctx);
  noteIgnoredColumns(ctx);
  resolveComparisons(ctx);
  resolveExplicitOrder(ctx);
  resolveListedColumns(ctx);
  resolveRelatedRows(ctx);

  const { pick, tree, margin } = choose(index, ctx.slots, ctx.rootSlot);
  const root = pick[ctx.rootSlot]!.table;
  ctx.plan.database = root.database;
  ctx.plan.subject = tableRef(root);
  for (const f of ctx.finals) f(pick, tree);
  finishPlan(ctx, root);

  const signals = planSignals(ctx, pick, tree, margin);
  return { plan: ctx.plan, confidence: calibrate(signals), signals };
}

/** What the calibration reads: how much of the question was understood, guessed, and how clearly the best reading won. */
function planSignals(ctx: Resolver, pick: Choice[], tree: JoinTree, margin: number): PlanSignals {
  const { intent, guesses, plan } = ctx;
  return {
    unknownWords: intent.unknown.length - intent.unknownVerbs,
    unknownVerbs: intent.unknownVerbs,
    contentWords: intent.contentWords,
    guesses: guesses.length,
    margin,
    joins: tree.steps.length,
    inferredJoin: tree.inferred,
    linkQuality: Math.min(1, pick.reduce((sum, c) => sum + c.score, 0) / Math.max(1, pick.length)),
    ignoredMentions: guesses.filter((g) => g.startsWith('ignored')).length,
    shape: plan.shape,
    conditions: plan.filters.length + plan.having.length,
    unreadLogic: intent.unreadLogic,
  };
}
