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
import { choose, treeOf, type Chosen } from './resolve/choose';
import type { Choice } from './resolve/choices';
import { Resolver } from './resolve/context';
import { Unanswerable } from './resolve/unanswerable';
import { SCORES } from './scores';
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
  /** Another reading that scores exactly as well and differs in one decision: the question is ambiguous there. */
  tie: Tie | null;
}

/** Two equally good readings of one decision (which column "price" means, say). */
export interface Tie {
  /** The decision, as the resolver names it: `"price"`, `a date for "per month"`. */
  decision: string;
  chosen: Choice;
  other: Choice;
  /** The plan of the other reading. */
  otherPlan: QueryPlan;
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
  return resolveWith(index, intent, null);
}

/** Resolves with the best combination, or with the given choice (by position) in every slot. */
function resolveWith(index: SchemaIndex, intent: Intent, forced: number[] | null): Resolution {
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

  const chosen = forced ? forcedChoice(index, ctx, forced) : choose(index, ctx.slots, ctx.rootSlot);
  const { pick, tree, margin } = chosen;
  const rival = forced || margin > SCORES.tieMargin ? null : rivalOf(ctx, pick, chosen.runnerUp);
  if (rival?.subjectsOwn) return resolveWith(index, intent, rival.positions);
  const tie = rival ? tieWith(index, intent, ctx, pick, rival) : null;
  const root = pick[ctx.rootSlot]!.table;
  ctx.plan.database = root.database;
  ctx.plan.subject = tableRef(root);
  for (const f of ctx.finals) f(pick, tree);
  finishPlan(ctx, root);

  const signals = planSignals(ctx, pick, tree, margin);
  return { plan: ctx.plan, confidence: calibrate(signals), signals, tie };
}

function forcedChoice(index: SchemaIndex, ctx: Resolver, positions: number[]): Chosen {
  const pick = ctx.slots.map((slot, i) => slot.choices[positions[i]!]!);
  const tree = treeOf(index, pick, ctx.rootSlot);
  if (!tree) throw new Unanswerable('the tables it mentions are not connected by any foreign key');
  return { pick, tree, margin: 0, runnerUp: null };
}

/** A runner-up reading as good as the best, differing in one decision (a slot) only. */
interface Rival {
  slot: number;
  /** The runner-up's choice in every slot, by position. */
  positions: number[];
  /** The runner-up's choice there is the subject's own column and the best's is not: take it, nothing to ask. */
  subjectsOwn: boolean;
}

/**
 * When the best reading has a runner-up with the same score that differs in one decision only,
 * that decision is a coin toss. Where one side is a column of the question's subject ("names of
 * visitors who visited museums": the visitors' names), it wins; two columns of one table ("names":
 * first and last name) are usually parts of one thing the question names, and stay as chosen.
 * Otherwise (the battle's name or the ship's?) the planner asks.
 */
function rivalOf(ctx: Resolver, pick: Choice[], runnerUp: Choice[] | null): Rival | null {
  if (!runnerUp) return null;
  const differing = pick.flatMap((c, i) => (c === runnerUp[i] ? [] : [i]));
  if (differing.length !== 1) return null;
  const slot = differing[0]!;
  const [best, other] = [pick[slot]!, runnerUp[slot]!];
  if (best.table === other.table) return null;
  const subject = slot === ctx.rootSlot ? null : pick[ctx.rootSlot]!.table;
  if (subject && best.table === subject) return null;
  return { slot, positions: runnerUp.map((c, i) => ctx.slots[i]!.choices.indexOf(c)), subjectsOwn: subject !== null && other.table === subject };
}

/** The tie to ask about: the other reading resolved in full (null if it cannot be). */
function tieWith(index: SchemaIndex, intent: Intent, ctx: Resolver, pick: Choice[], rival: Rival): Tie | null {
  try {
    const other = resolveWith(index, intent, rival.positions);
    return { decision: ctx.slots[rival.slot]!.name, chosen: pick[rival.slot]!, other: ctx.slots[rival.slot]!.choices[rival.positions[rival.slot]!]!, otherPlan: other.plan };
  } catch (error) {
    if (error instanceof Unanswerable) return null;
    throw error;
  }
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
