import { distance, joinTree, multiplies, type JoinTree } from '../joins';
import type { IndexedTable, SchemaIndex } from '../schema-index';
import { SCORES } from '../scores';
import type { Choice, Slot } from './choices';
import { Unanswerable } from './unanswerable';

/** The best combination of choices, how far ahead of the next one it is, and that next one (null when there is none). */
export interface Chosen {
  pick: Choice[];
  tree: JoinTree;
  margin: number;
  runnerUp: Choice[] | null;
}

/** Tries the combinations of the slots' choices and keeps the best-scoring one that can be joined. */
export function choose(index: SchemaIndex, allSlots: Slot[], rootSlot: number): Chosen {
  // Keep, per slot, the few choices that score best once their distance to the settled tables is counted.
  const anchors = new Set<IndexedTable>([allSlots[rootSlot]!.choices[0]!.table]);
  for (const slot of allSlots) if (new Set(slot.choices.map((c) => c.table)).size === 1) anchors.add(slot.choices[0]!.table);
  const near = (t: IndexedTable) => Math.min(...[...anchors].map((a) => distance(index, a, t)));
  const slots = allSlots.map((slot) => {
    const ranked = slot.choices.map((c) => ({ c, adjusted: c.score - SCORES.joinCost * near(c.table) })).sort((a, b) => b.adjusted - a.adjusted);
    const best = ranked[0]!.adjusted;
    return { ...slot, choices: ranked.filter((r) => r.adjusted >= best - SCORES.nearWindow).slice(0, SCORES.nearChoices).map((r) => r.c) };
  });
  let widths = slots.map((s) => s.choices.length);
  const product = () => widths.reduce((a, b) => a * b, 1);
  for (let cap: number = SCORES.narrowFrom; product() > SCORES.maxCombinations && cap >= 1; cap--) widths = widths.map((w) => Math.min(w, cap));
  let best: { pick: Choice[]; tree: JoinTree; score: number } | null = null;
  let second = Number.NEGATIVE_INFINITY;
  let runnerUp: Choice[] | null = null;
  const counter = widths.map(() => 0);
  const total = product();
  // Many combinations need the same tables: plan their joins once.
  const trees = new Map<string, JoinTree | null>();
  for (let n = 0; n < total; n++) {
    let rest = n;
    for (let i = 0; i < widths.length; i++) {
      counter[i] = rest % widths[i]!;
      rest = Math.floor(rest / widths[i]!);
    }
    const pick = counter.map((c, i) => slots[i]!.choices[c]!);
    const root = pick[rootSlot]!.table;
    if (pick.some((c) => c.table.database !== root.database)) continue;
    const tables = [...new Set(pick.map((c) => c.table))];
    const treeKey = `${root.id}\u0002${tables.map((t) => t.id).sort().join('\u0002')}`;
    let tree = trees.get(treeKey);
    if (tree === undefined) trees.set(treeKey, (tree = joinTree(index, root, tables)));
    if (!tree) continue;
    let score = pick.reduce((s, c) => s + c.score, 0) - SCORES.joinCost * tree.steps.length - (tree.inferred ? SCORES.inferredJoinCost : 0);
    for (let i = 0; i < slots.length; i++) if (slots[i]!.additive && multiplies(tree, pick[i]!.table)) score -= SCORES.repeatedSumCost;
    // Readings that repeat the rows being listed or counted are less likely meant.
    if (multiplies(tree, root)) score -= SCORES.repeatedRootCost;
    if (best === null || score > best.score) {
      if (best && best.score > second) [second, runnerUp] = [best.score, best.pick];
      best = { pick, tree, score };
    } else if (score > second) [second, runnerUp] = [score, pick];
  }
  if (best === null) throw new Unanswerable('the tables it mentions are not connected by any foreign key');
  if (best.score < SCORES.lowestAcceptable) throw new Unanswerable('adding this up would count some rows more than once');
  return { pick: best.pick, tree: best.tree, margin: best.score - second, runnerUp };
}

/** The join tree of a given combination (another reading of the question); null when its tables cannot be joined. */
export function treeOf(index: SchemaIndex, pick: Choice[], rootSlot: number): JoinTree | null {
  const root = pick[rootSlot]!.table;
  return joinTree(index, root, [...new Set(pick.map((c) => c.table))]);
}
