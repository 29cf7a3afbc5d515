import type { SafeObject } from './safe-metadata';
import type { PromptTemplate } from './templates/index';
import { terms } from './terms';
import { estimateTokens } from './tokens';

export interface SelectionInput {
  objects: SafeObject[];
  template: PromptTemplate;
  question: string;
  /** Earlier questions, oldest first: a follow-up rarely repeats the table it is about. */
  previousQuestions: string[];
  /** Earlier queries: the tables they used stay in view. */
  previousQueries: string[];
  tokenBudget: number;
  multiDatabase: boolean;
}

export interface Selection {
  /** Chosen objects, most relevant first (the metadata order when everything fits). */
  objects: SafeObject[];
  rendered: string[];
  tokens: number;
  /** Everything fitted, so nothing was chosen. */
  complete: boolean;
}

const DEFAULT_MAX_COLUMNS = 80;
/** Beyond this many objects a prompt grows without helping the model. */
const MAX_OBJECTS = 60;
/** Candidates in a row that did not fit before the search stops: the budget is as good as spent. */
const MAX_MISSES = 12;
/** The best matches that join paths are searched between, and the longest path (in foreign keys). */
const MAX_PATH_SEEDS = 6;
const MAX_PATH_LENGTH = 3;

/**
 * Picks the tables (or collections) a question needs within a token budget.
 * Small schemas go in whole. Otherwise objects are scored against the
 * question's stemmed terms (name, columns, comments, sample values, weighted
 * by rarity), tables the conversation used stay in, tables on the join path
 * between two matches come with them, foreign-key neighbours follow, and the
 * best are added until the budget is spent.
 */
export function selectObjects(input: SelectionInput): Selection {
  const { objects, template, tokenBudget } = input;
  const cache = new Map<SafeObject, { text: string; tokens: number }>();
  const render = (object: SafeObject, maxColumns = DEFAULT_MAX_COLUMNS, relevantFields?: ReadonlySet<string>) => {
    const reusable = maxColumns === DEFAULT_MAX_COLUMNS;
    let hit = reusable ? cache.get(object) : undefined;
    if (!hit) {
      const text = template.renderObject(object, { multiDatabase: input.multiDatabase, maxColumns, ...(relevantFields ? { relevantFields } : {}) });
      hit = { text, tokens: estimateTokens(text) + 1 };
      if (reusable) cache.set(object, hit);
    }
    return hit;
  };

  // Whole schema, when a cheap estimate says it may fit and the real count agrees.
  if (roughTokens(objects) <= tokenBudget * 1.5 && objects.length <= MAX_OBJECTS * 4) {
    const all = objects.map((o) => render(o));
    const total = all.reduce((sum, r) => sum + r.tokens, 0);
    if (total <= tokenBudget) return { objects, rendered: all.map((r) => r.text), tokens: total, complete: true };
  }

  // Terms of the question, and (fading with age) of the questions before it.
  const weighted = new Map<string, number>();
  const addTerms = (text: string, weight: number) => {
    for (const t of terms(text)) weighted.set(t, Math.max(weighted.get(t) ?? 0, weight));
  };
  input.previousQuestions.forEach((q, i, all) => addTerms(q, 0.5 ** (all.length - i)));
  addTerms(input.question, 1);
  const questionTerms = new Set(terms(input.question));

  const index = buildIndex(objects, new Set(weighted.keys()));
  const { priority, links } = prioritize(index, { ...input, weighted });
  const ranked = [...priority.entries()].sort((a, b) => b[1] - a[1] || index[a[0]]!.object.key.localeCompare(index[b[0]]!.object.key));

  const chosen = new Set<number>();
  const picked: Array<{ object: SafeObject; text: string }> = [];
  let tokens = 0;
  let misses = 0;
  const take = (i: number, r: { text: string; tokens: number }) => {
    chosen.add(i);
    picked.push({ object: index[i]!.object, text: r.text });
    tokens += r.tokens;
  };
  for (const [i] of ranked) {
    if (chosen.size >= MAX_OBJECTS || misses >= MAX_MISSES) break;
    if (chosen.has(i)) continue;
    const item = index[i]!;
    let r = render(item.object);
    if (chosen.size === 0 && r.tokens > tokenBudget) {
      // The best match alone is too wide: keep its keys and the columns the question names.
      const relevant = new Set(item.object.fields.filter((f) => terms(f.name).some((t) => questionTerms.has(t))).map((f) => f.name));
      for (const maxColumns of [40, 20, 10, 5]) {
        r = render(item.object, maxColumns, relevant);
        if (r.tokens <= tokenBudget) break;
      }
      take(i, r);
      continue;
    }
    // A match comes with the tables that join it to a better one, if they all fit.
    const path = (links.get(i) ?? []).filter((j) => !chosen.has(j)).map((j) => [j, render(index[j]!.object)] as const);
    const pathTokens = path.reduce((sum, [, pr]) => sum + pr.tokens, 0);
    if (tokens + r.tokens + pathTokens <= tokenBudget) {
      take(i, r);
      for (const [j, pr] of path) take(j, pr);
      misses = 0;
    } else if (tokens + r.tokens <= tokenBudget) {
      take(i, r);
      misses = 0;
    } else misses++;
  }
  return { objects: picked.map((p) => p.object), rendered: picked.map((p) => p.text), tokens, complete: false };
}

/** Where a term occurs in an object. */
const IN_NAME = 1;
const IN_FIELD = 2;
const IN_COMMENT = 4;
const IN_VALUE = 8;

interface Indexed {
  object: SafeObject;
  /** Distinct terms of the object's name, for name coverage. */
  nameTerms: number;
  /** Question terms found in this object, with where (IN_* bits). */
  hits: Map<string, number>;
  outgoing: Set<number>;
  incoming: Set<number>;
}

/**
 * Only the question's terms are looked up: a full inverted index of a
 * thousand tables would cost more than the whole selection.
 */
function buildIndex(objects: SafeObject[], wanted: ReadonlySet<string>): Indexed[] {
  const index: Indexed[] = objects.map((object) => {
    const hits = new Map<string, number>();
    const mark = (text: string, bit: number) => {
      for (const t of terms(text)) if (wanted.has(t)) hits.set(t, (hits.get(t) ?? 0) | bit);
    };
    const nameTerms = terms(object.name);
    mark(object.name, IN_NAME);
    if (object.comment) mark(object.comment, IN_COMMENT);
    for (const f of object.fields) {
      mark(f.name, IN_FIELD);
      if (f.comment) mark(f.comment, IN_COMMENT);
      for (const v of f.samples) if (typeof v === 'string') mark(v, IN_VALUE);
    }
    return { object, nameTerms: new Set(nameTerms).size, hits, outgoing: new Set<number>(), incoming: new Set<number>() };
  });

  // Resolve references by (database, schema, name), falling back to the name alone.
  const byQualified = new Map<string, number>();
  const byName = new Map<string, number>();
  objects.forEach((o, i) => {
    byQualified.set(`${o.database}\u0000${o.schema ?? ''}\u0000${o.name}`, i);
    if (!byName.has(o.name)) byName.set(o.name, i);
  });
  const resolve = (from: SafeObject, schema: string | null, table: string) =>
    byQualified.get(`${from.database}\u0000${schema ?? from.schema ?? ''}\u0000${table}`) ?? byName.get(table);
  index.forEach((item, i) => {
    const targets = [
      ...item.object.fields.flatMap((f) => (f.foreignKey ? [resolve(item.object, f.foreignKey.schema, f.foreignKey.table)] : [])),
      ...item.object.compositeForeignKeys.map((fk) => resolve(item.object, fk.refSchema, fk.refTable)),
    ];
    for (const j of targets) {
      if (j === undefined || j === i) continue;
      item.outgoing.add(j);
      index[j]!.incoming.add(i);
    }
  });
  return index;
}

/** Each candidate's priority, and the join-path objects that should come with a match. */
function prioritize(
  index: Indexed[],
  input: SelectionInput & { weighted: ReadonlyMap<string, number> },
): { priority: Map<number, number>; links: Map<number, number[]> } {
  const n = index.length;
  const { weighted } = input;
  const df = new Map<string, number>();
  for (const item of index) for (const t of item.hits.keys()) df.set(t, (df.get(t) ?? 0) + 1);

  const questionLower = ` ${input.question.toLowerCase()} `;
  const usedBefore = input.previousQueries.join('\n').toLowerCase();
  const scores = index.map((item) => {
    let score = 0;
    let nameHits = 0;
    for (const [t, where] of item.hits) {
      const idf = Math.log(1 + n / df.get(t)!);
      if (where & IN_NAME) nameHits++;
      const hit = (where & IN_NAME ? 3 : 0) + (where & IN_FIELD ? 1.5 : 0) + (where & IN_COMMENT ? 1 : 0) + (where & IN_VALUE ? 2 : 0);
      score += weighted.get(t)! * idf * hit;
    }
    // "invoice" is about the invoice table more than about invoice_tag_history.
    if (nameHits > 0) score *= 0.5 + (0.5 * nameHits) / item.nameTerms;
    const name = item.object.name.toLowerCase();
    if (name.length > 2 && questionLower.includes(name)) score += 3;
    if (usedBefore && name.length > 1 && new RegExp(`(^|[^a-z0-9_])${escapeRegExp(name)}($|[^a-z0-9_])`).test(usedBefore)) score += 4;
    return score;
  });

  const priority = new Map<number, number>();
  const bump = (i: number, p: number) => {
    if (p > (priority.get(i) ?? 0)) priority.set(i, p);
  };
  scores.forEach((s, i) => {
    if (s > 0) bump(i, s);
  });
  const seeds = [...priority.keys()].sort((a, b) => scores[b]! - scores[a]!);
  // Tables on the shortest join path between two of the best matches: the
  // joins a question needs are rarely spelled out ("countries" -> customer,
  // "Rock tracks" -> track, and invoice_line links them through invoice).
  // They join the prompt together with the lower-ranked end of the path.
  const links = new Map<number, number[]>();
  const top = seeds.slice(0, MAX_PATH_SEEDS);
  top.forEach((a, rank) => {
    const parent = shortestPaths(index, a, MAX_PATH_LENGTH);
    for (const b of top.slice(rank + 1)) {
      if (!parent.has(b)) continue;
      const path: number[] = [];
      for (let x = parent.get(b)!; x !== a && x !== -1; x = parent.get(x)!) path.push(x);
      for (const x of path) bump(x, 0.9 * scores[b]!);
      if (path.length) links.set(b, [...(links.get(b) ?? []), ...path]);
    }
  });
  // Lookup tables a match points to, and tables that point to a match, come after.
  for (const i of seeds) for (const j of index[i]!.outgoing) bump(j, scores[i]! * 0.25);
  for (const i of seeds) for (const j of index[i]!.incoming) bump(j, scores[i]! * 0.2);

  if (priority.size === 0) {
    // Nothing matched: offer the most connected objects, which tend to be the core of a schema.
    index.forEach((item, i) => bump(i, 0.001 * (1 + item.incoming.size + item.outgoing.size)));
  }
  return { priority, links };
}

/** Breadth-first over foreign keys in both directions: each reached object's predecessor (-1 for the start). */
function shortestPaths(index: Indexed[], start: number, maxLength: number): Map<number, number> {
  const parent = new Map<number, number>([[start, -1]]);
  let frontier = [start];
  for (let depth = 0; depth < maxLength && frontier.length; depth++) {
    const next: number[] = [];
    for (const i of frontier) {
      for (const j of [...index[i]!.outgoing, ...index[i]!.incoming]) {
        if (parent.has(j)) continue;
        parent.set(j, i);
        next.push(j);
      }
    }
    frontier = next;
  }
  return parent;
}

/** A whole schema's tokens estimated from its text lengths, to skip rendering one far over budget. */
function roughTokens(objects: SafeObject[]): number {
  let chars = 0;
  for (const o of objects) {
    chars += o.name.length + (o.comment?.length ?? 0) + 30;
    for (const f of o.fields) chars += f.name.length + f.nativeType.length + (f.comment?.length ?? 0) + f.samples.join(', ').length + 12;
  }
  return chars / 4;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
