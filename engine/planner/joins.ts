import type { IndexedTable, JoinEdge, SchemaIndex } from './schema-index';

/** One join: `table` is added to the tree through `edge`, reached from `from`. */
export interface JoinStep {
  from: IndexedTable;
  table: IndexedTable;
  edge: JoinEdge;
  /** True when `table` is the parent (a many-to-one step that never multiplies rows). */
  up: boolean;
}

export interface JoinTree {
  root: IndexedTable;
  steps: JoinStep[];
  /** Some step follows a key found by naming convention rather than a declared one. */
  inferred: boolean;
}

/** Shortest path from any table already in the tree to `target`, as steps leading out of the tree. */
function shortestPath(index: SchemaIndex, inTree: Set<IndexedTable>, target: IndexedTable): JoinStep[] | null {
  // Breadth-first from the target back to the tree, so the path found is the shortest; ties resolve in adjacency order.
  const previous = new Map<IndexedTable, { via: JoinEdge; next: IndexedTable; up: boolean } | null>([[target, null]]);
  let frontier = [target];
  let reached: IndexedTable | null = inTree.has(target) ? target : null;
  while (frontier.length > 0 && reached === null) {
    const nextFrontier: IndexedTable[] = [];
    for (const table of frontier) {
      for (const { edge, other, up } of index.neighbours.get(table) ?? []) {
        if (previous.has(other)) continue;
        // Walking from `other` to `table` is the reverse of this step.
        previous.set(other, { via: edge, next: table, up: !up });
        if (inTree.has(other)) {
          reached = other;
          break;
        }
        nextFrontier.push(other);
      }
      if (reached) break;
    }
    frontier = nextFrontier;
  }
  if (reached === null) return null;
  const steps: JoinStep[] = [];
  let at = reached;
  for (let link = previous.get(at); link; link = previous.get(at)) {
    steps.push({ from: at, table: link.next, edge: link.via, up: link.up });
    at = link.next;
  }
  return steps;
}

/**
 * Joins connecting `root` to every table in `needed`, adding the nearest
 * table first each time (a greedy Steiner tree: exact for the chains and
 * stars real questions produce). Null when some table cannot be reached.
 */
export function joinTree(index: SchemaIndex, root: IndexedTable, needed: IndexedTable[]): JoinTree | null {
  const inTree = new Set<IndexedTable>([root]);
  const steps: JoinStep[] = [];
  const pending = [...new Set(needed)].filter((t) => t !== root);
  while (pending.length > 0) {
    let best: { at: number; path: JoinStep[] } | null = null;
    for (let i = 0; i < pending.length; i++) {
      const table = pending[i]!;
      if (inTree.has(table)) {
        best = { at: i, path: [] };
        break;
      }
      const path = shortestPath(index, inTree, table);
      if (path === null) return null;
      if (best === null || path.length < best.path.length) best = { at: i, path };
    }
    pending.splice(best!.at, 1);
    for (const step of best!.path) {
      if (inTree.has(step.table)) continue;
      inTree.add(step.table);
      steps.push(step);
    }
  }
  return { root, steps, inferred: steps.some((s) => s.edge.inferred) };
}

/** Number of joins between two tables, or Infinity when they are not connected. */
export function distance(index: SchemaIndex, a: IndexedTable, b: IndexedTable): number {
  if (a === b) return 0;
  let known = distances.get(index);
  if (!known) distances.set(index, (known = new Map()));
  const key = `${a.id}\u0001${b.id}`;
  let d = known.get(key);
  if (d === undefined) {
    const path = shortestPath(index, new Set([a]), b);
    d = path === null ? Number.POSITIVE_INFINITY : path.length;
    known.set(key, d);
  }
  return d;
}

const distances = new WeakMap<SchemaIndex, Map<string, number>>();

/**
 * Whether rows of `table` repeat in the joined result: true when, walking the
 * tree away from `table`, some step goes from a parent to its children.
 */
export function multiplies(tree: JoinTree, table: IndexedTable): boolean {
  const links = new Map<IndexedTable, Array<{ other: IndexedTable; toParent: boolean }>>();
  const link = (a: IndexedTable, b: IndexedTable, toParent: boolean) => links.set(a, [...(links.get(a) ?? []), { other: b, toParent }]);
  for (const step of tree.steps) {
    link(step.from, step.table, step.up);
    link(step.table, step.from, !step.up);
  }
  const seen = new Set<IndexedTable>([table]);
  const stack = [table];
  while (stack.length > 0) {
    const at = stack.pop()!;
    for (const { other, toParent } of links.get(at) ?? []) {
      if (seen.has(other)) continue;
      if (!toParent) return true;
      seen.add(other);
      stack.push(other);
    }
  }
  return false;
}
