import { calibrate, type PlanSignals } from './confidence';
import type { AggregateIntent, Intent } from './intent';
import { distance, joinTree, multiplies, type JoinTree } from './joins';
import { CONCEPT_STEMS, DURATION_MS, type Concept } from './lexicon';
import { isRevenueItem, type Item } from './linker';
import type { IndexedField, IndexedTable, SchemaIndex } from './schema-index';
import { SCORES } from './scores';
import { labelOf, plural } from './text';
import type { AggregateFn, PlanDimension, PlanField, PlanMeasure, QueryPlan, TimeBucket } from './types';

interface Choice {
  table: IndexedTable;
  score: number;
  field?: IndexedField;
  /** Price × quantity lines. */
  times?: IndexedField;
  /** A value's column chosen by its role rather than seen among the samples. */
  guessed?: boolean;
  /** An age in years (older is more), where "age" otherwise means a birth date (older is earlier). */
  ageInYears?: boolean;
}

interface Slot {
  name: string;
  choices: Choice[];
  /** Sums and averages must not read repeated rows. */
  additive: boolean;
}

export interface Resolution {
  plan: QueryPlan;
  confidence: number;
  signals: PlanSignals;
}

export class Unanswerable extends Error {}

const DEFAULT_TOP = 10;
const CREATOR_STEMS = new Set(['artist', 'author', 'compos', 'director', 'writer', 'band', 'singer', 'creator', 'maker', 'manufactur', 'publish', 'brand', 'vendor', 'supplier', 'perform']);
const LOCATION_STEMS = new Set(['countri', 'citi', 'state', 'region', 'provinc', 'town', 'place', 'locat', 'area', 'nation']);

export const fieldRef = (f: IndexedField): PlanField => ({ schema: f.table.schema, table: f.table.name, field: f.name });
const tableRef = (t: IndexedTable) => ({ schema: t.schema, name: t.name });

/** Human name of a table: "invoice line" for InvoiceLine. */
export const tableWords = (t: IndexedTable) => t.words.join(' ');
export const fieldWords = (f: IndexedField) => f.words.join(' ');


function conceptChoices(index: SchemaIndex, concept: Concept): Choice[] {
  const out: Choice[] = [];
  const wantsTime = concept === 'recency' || concept === 'age';
  for (const table of index.tables) {
    for (const field of table.fields) {
      if (field.key) continue;
      if (concept === 'age' && field.numeric && field.words.includes('age')) {
        out.push({ table, field, score: SCORES.ageInYears, ageInYears: true });
        continue;
      }
      if (wantsTime ? !field.temporal : !field.numeric) continue;
      const rank = CONCEPT_STEMS[concept].findIndex((s) => field.stems.some((fs) => fs === s || fs.startsWith(s)));
      if (rank < 0) {
        // Any date column will do for "newest"; "oldest" people are found by a birth date.
        if (concept === 'recency') out.push({ table, field, score: field.stems.some((s) => s.startsWith('birth')) ? SCORES.birthDateForRecency : SCORES.anyDateForRecency });
        continue;
      }
      out.push({ table, field, score: SCORES.conceptBest - SCORES.conceptRankStep * rank });
    }
  }
  return out;
}

/** Tables with a price and a quantity column: their product is the line's amount. */
function lineAmountChoices(index: SchemaIndex): Choice[] {
  const out: Choice[] = [];
  for (const table of index.tables) {
    const price = table.fields.find((f) => f.numeric && !f.key && f.stems.some((s) => s === 'price' || s === 'cost'));
    const quantity = table.fields.find((f) => f.numeric && !f.key && f.stems.some((s) => s === 'quantiti' || s === 'qty'));
    if (price && quantity) out.push({ table, field: price, times: quantity, score: SCORES.lineAmount });
  }
  return out;
}

function temporalChoices(index: SchemaIndex, hint: Item | null): Choice[] {
  if (hint) {
    const linked = hint.fields.filter((f) => f.field.temporal).map((f) => ({ table: f.field.table, field: f.field, score: f.score }));
    if (linked.length > 0) return linked;
  }
  const out: Choice[] = [];
  for (const table of index.tables) {
    const temporal = table.fields.filter((f) => f.temporal);
    temporal.forEach((field, i) => {
      const birth = field.stems.some((s) => s.startsWith('birth') || s === 'born' || s === 'dob');
      out.push({ table, field, score: (birth ? SCORES.birthDate : SCORES.anyDate) - SCORES.laterDateStep * i });
    });
  }
  return out;
}

/**
 * The column of another table that holds `subject`'s key: the mentioned table's own foreign key,
 * else a link table's ("teachers" and "courses" through course_arrange). Single-column keys only.
 */
function relatedKey(index: SchemaIndex, subject: IndexedTable, mentioned: IndexedTable[]): { key: IndexedField; column: IndexedField } | null {
  const pointing = (child: IndexedTable) => index.edges.find((e) => e.child === child && e.parent === subject && e.pairs.length === 1 && !e.inferred);
  for (const table of mentioned) {
    const direct = pointing(table);
    if (direct) return { key: direct.pairs[0]![1], column: direct.pairs[0]![0] };
  }
  for (const table of mentioned) {
    for (const edge of index.edges) {
      if (edge.parent !== table || edge.inferred) continue;
      const link = pointing(edge.child);
      if (link) return { key: link.pairs[0]![1], column: link.pairs[0]![0] };
    }
  }
  return null;
}

/** Whole years stored as numbers ("open_year", "year_of_founded"), for "in 2014" or "before 2009". */
function yearColumnChoices(index: SchemaIndex, hint: Item | null): Choice[] {
  const isYear = (f: IndexedField) => f.numeric && !f.key && f.stems.includes('year');
  const hinted = hint?.fields.filter((f) => isYear(f.field)) ?? [];
  if (hinted.length > 0) return hinted.map((f) => ({ table: f.field.table, field: f.field, score: f.score }));
  const out: Choice[] = [];
  for (const table of index.tables) for (const field of table.fields) if (isYear(field)) out.push({ table, field, score: SCORES.yearColumn });
  return out;
}

/** Columns that name who made something: artist or author tables' names, composer-like columns. */
function creatorChoices(index: SchemaIndex, score: number): Choice[] {
  const out: Choice[] = [];
  for (const table of index.tables) {
    if (table.stems.some((s) => CREATOR_STEMS.has(s))) out.push(...table.display.filter((f) => f.text).slice(0, 1).map((field) => ({ table, field, score })));
    for (const field of table.fields) if (field.text && !field.key && field.stems.some((s) => CREATOR_STEMS.has(s))) out.push({ table, field, score: score - SCORES.creatorColumnPenalty });
  }
  return out;
}

const tableChoices = (item: Item): Choice[] => item.tables.map((t) => ({ table: t.table, score: t.score }));

function fieldChoices(item: Item, accept: (f: IndexedField) => boolean): Choice[] {
  return item.fields.filter((f) => accept(f.field)).map((f) => ({ table: f.field.table, field: f.field, score: f.score }));
}

function singular(item: Item): boolean {
  const raw = item.tokens[item.tokens.length - 1]!.raw.toLowerCase();
  return !raw.endsWith('s') || raw.endsWith('ss');
}

/** The unit a duration column is stored in, from its name. */
function durationUnit(field: IndexedField): 'ms' | 's' | 'min' | 'h' | null {
  if (field.stems.some((s) => s.startsWith('milli') || s === 'ms')) return 'ms';
  if (field.stems.some((s) => s.startsWith('second') || s === 'sec' || s === 'secs')) return 's';
  if (field.stems.some((s) => s.startsWith('minut') || s === 'min' || s === 'mins')) return 'min';
  return null;
}

/**
 * Turns intents into a plan: every open decision (which table a word means,
 * which column a value belongs to, which date column "in 2023" filters) is a
 * slot with scored choices; the combination with the best total score minus
 * the joins it needs wins, and sums never cross a one-to-many join.
 */
export function resolve(index: SchemaIndex, intent: Intent): Resolution {
  const slots: Slot[] = [];
  const finals: Array<(pick: Choice[], tree: JoinTree) => void> = [];
  const guesses: string[] = [];
  let rootSlot: number;

  const addSlot = (name: string, choices: Choice[], additive = false): number => {
    if (choices.length === 0) throw new Unanswerable(`nothing in the schema matches ${name}`);
    const sorted = [...choices].sort((a, b) => b.score - a.score || a.table.id.localeCompare(b.table.id));
    const best = sorted[0]!.score;
    slots.push({ name, choices: sorted.filter((c) => c.score >= best - SCORES.slotWindow), additive });
    return slots.length - 1;
  };

  const plan: QueryPlan = {
    version: 1,
    shape: 'list',
    database: '',
    subject: { schema: null, name: '' },
    columns: [],
    measures: [],
    dimensions: [],
    filters: [],
    having: [],
    order: [],
    limit: null,
    guesses,
  };

  const remainingTables = [...intent.tables];
  const remainingFields = [...intent.fields];
  const takeTable = (): Item | null => remainingTables.shift() ?? null;

  /** A slot for "which rows": the table named, else the table of a value or column named. */
  const subjectChoices = (item: Item | null): Choice[] => {
    if (item) return tableChoices(item);
    const fromValues = intent.values.flatMap((v) => v.item.values.map((e) => ({ table: e.field.table, score: SCORES.subjectFromValue })));
    const fromFields = [...remainingFields, ...intent.texts.map((t) => t.target).filter((t): t is Item => t !== null)].flatMap((i) =>
      i.fields.map((f) => ({ table: f.field.table, score: f.score * SCORES.subjectFromFieldFactor })),
    );
    const all = [...fromFields, ...fromValues];
    if (all.length > 0) guesses.push('which table to use (no table was named)');
    return all;
  };

  const measureSlot = (a: AggregateIntent, fallback: Item | null): { slot: number; fn: AggregateFn } => {
    if (a.fn === 'count') {
      const item = a.target?.tables.length ? a.target : fallback;
      return { slot: addSlot(item ? `"${item.text}"` : 'what to count', subjectChoices(item)), fn: 'count' };
    }
    if (a.fn === 'count_distinct') {
      return { slot: addSlot(`"${a.target!.text}"`, fieldChoices(a.target!, () => true)), fn: 'count_distinct' };
    }
    const accept = (f: IndexedField) => f.numeric || ((a.fn === 'min' || a.fn === 'max') && f.temporal);
    let choices: Choice[] = a.target ? fieldChoices(a.target, accept) : [];
    const revenue = a.concept === 'revenue' || isRevenueItem(a.target);
    if (revenue) choices = [...choices, ...lineAmountChoices(index), ...conceptChoices(index, 'revenue').map((c) => ({ ...c, score: c.score * SCORES.revenueConceptFactor }))];
    else if (a.concept) choices = [...choices, ...conceptChoices(index, a.concept)];
    else if (a.target && choices.length === 0 && a.target.tables.length > 0) {
      // "average of invoices": the table's main numeric column.
      const table = a.target.tables[0]!.table;
      choices = conceptChoices(index, 'revenue').filter((c) => c.table === table);
      if (choices.length > 0) guesses.push(`which column of ${tableWords(table)} to ${a.fn === 'avg' ? 'average' : a.fn}`);
    }
    return { slot: addSlot(a.target ? `"${a.target.text}"` : `the ${a.concept ?? 'measure'}`, choices, a.fn === 'sum' || a.fn === 'avg'), fn: a.fn };
  };

  const finishMeasure = (m: { slot: number; fn: AggregateFn }, a: AggregateIntent | null) => (pick: Choice[], tree: JoinTree) => {
    const c = pick[m.slot]!;
    let fn = m.fn;
    if (fn === 'count' && multiplies(tree, c.table) && c.table.primaryKey.length === 1) fn = 'count_distinct';
    const countedRows = m.fn === 'count';
    const field = countedRows ? (fn === 'count_distinct' ? c.table.primaryKey[0]! : null) : c.field!;
    let divideBy: number | null = null;
    if (a?.unitWord && field) {
      const stored = durationUnit(field);
      const wanted = a.unitWord as keyof typeof DURATION_MS;
      if (stored && stored !== wanted) divideBy = DURATION_MS[wanted] / DURATION_MS[stored];
    }
    // "invoice total", "track milliseconds": the column with its table, unless its name already says it.
    const qualified = (f: IndexedField) => (f.words[0] === c.table.words[0] || f.name.includes('.') ? fieldWords(f) : `${tableWords(c.table)} ${fieldWords(f)}`);
    const what = countedRows ? plural(tableWords(c.table)) : c.times ? `${fieldWords(c.field!)} × ${fieldWords(c.times)}` : qualified(field!);
    const fnWords: Record<AggregateFn, string> = { count: 'number of', count_distinct: 'number of', sum: 'sum of', avg: 'average', min: 'lowest', max: 'highest' };
    const fieldLabel = c.times ? 'amount' : field ? labelOf(field.words) : '';
    const label = countedRows
      ? `${labelOf(c.table.words)}_count`
      : fn === 'count_distinct'
        ? `${fieldLabel}_count`
        : `${{ sum: 'total', avg: 'avg', min: 'min', max: 'max', count: 'count', count_distinct: 'count' }[fn]}_${fieldLabel}${divideBy ? `_${a!.unitWord}` : ''}`;
    const measure: PlanMeasure = {
      fn,
      table: tableRef(c.table),
      field: field ? fieldRef(field) : null,
      times: c.times ? fieldRef(c.times) : null,
      divideBy,
      label: label === 'total_total' ? 'total' : label,
      phrase: countedRows ? `number of ${what}` : fn === 'count_distinct' ? `number of distinct ${plural(what)}` : `${fnWords[fn]} ${what}${divideBy ? ` in ${a!.unitWord === 'min' ? 'minutes' : a!.unitWord === 's' ? 'seconds' : 'hours'}` : ''}`,
    };
    plan.measures.push(measure);
  };

  const dimensionSlot = (item: Item): number => {
    const entity = item.tables.length > 0 && (item.fields.length === 0 || item.tables[0]!.score >= item.fields[0]!.score);
    const choices = entity ? tableChoices(item) : fieldChoices(item, () => true);
    const slot = addSlot(`"${item.text}"`, choices);
    finals.push((pick) => {
      const c = pick[slot]!;
      plan.dimensions.push(c.field ? fieldDimension(c.field, null) : entityDimension(c.table));
    });
    return slot;
  };

  const bucketSlot = (bucket: TimeBucket): number => {
    const hint = intent.dates.find((d) => d.hint)?.hint ?? null;
    const slot = addSlot(`a date for "per ${bucket}"`, temporalChoices(index, hint));
    finals.push((pick) => plan.dimensions.push(fieldDimension(pick[slot]!.field!, bucket)));
    return slot;
  };

  // "the age and hometown of every teacher": "every"/"each" names the rows listed, not a grouping, when the columns are the table's own.
  if (intent.aggregates.length === 0 && !intent.rank && remainingFields.length > 0 && intent.groups.length === 1 && intent.groups[0]!.item?.tables.length) {
    const entity = intent.groups[0]!.item;
    const owns = (f: Item) => f.fields.some((x) => entity.tables.some((t) => t.table === x.field.table));
    if (remainingFields.every(owns)) {
      intent.groups = [];
      remainingTables.unshift(entity);
    }
  }

  // ---- what the question is about ----
  const rank = intent.rank;
  const measures: Array<{ slot: number; fn: AggregateFn; intent: AggregateIntent | null }> = [];

  // "top 5 states by population": a column ranked per value of another column is a sum per group.
  let rankBy = rank?.by ?? null;
  if (rank && !rankBy && remainingTables.length === 0 && (rank.byItem || rank.concept) && remainingFields.some((f) => f !== rank.byItem)) {
    rankBy = { fn: 'sum', target: rank.byItem, concept: rank.concept, divideBy: null, unitWord: null };
  }
  // "the 5 largest orders by amount": a column of the ranked table itself orders a listing; nothing to add up.
  const rankedTable = remainingTables[0];
  if (rank && rankBy && rankBy.fn !== 'count' && rankBy.fn !== 'count_distinct' && rankedTable && rankBy.target?.fields.some((f) => rankedTable.tables.some((t) => t.table === f.field.table))) {
    rank.byItem = { ...rankBy.target, fields: rankBy.target.fields.filter((f) => rankedTable.tables.some((t) => t.table === f.field.table)) };
    rankBy = null;
  }
  if (rank && (rankBy || (rank.byItem === null && rank.concept === null && intent.aggregates.length > 0))) {
    // top N <entity> by <aggregate>
    const by = rankBy ?? intent.aggregates[0]!;
    plan.shape = 'aggregate';
    const entity = intent.groups.find((g) => g.item)?.item ?? takeTable() ?? remainingFields.shift() ?? null;
    if (!entity) throw new Unanswerable('it is not clear what to rank');
    let counted: Item | null = null;
    if (by.fn === 'count' && !by.target?.tables.length) {
      // "the most common countries (among customers)": count the rows that carry the column.
      counted = takeTable();
      if (!counted && entity.tables.length === 0) counted = { ...entity, tables: entity.fields.map((f) => ({ table: f.field.table, score: f.score })) };
      counted ??= entity;
    }
    const m = measureSlot(by, counted);
    measures.push({ ...m, intent: by });
    rootSlot = m.slot;
    if (!intent.groups.some((g) => g.item === entity)) intent.groups.unshift({ item: entity, bucket: null });
    plan.limit = rank.n ?? (singular(entity) ? 1 : DEFAULT_TOP);
    if (rank.n === null && !singular(entity)) guesses.push(`how many to show (showing the top ${DEFAULT_TOP})`);
    finals.push(() => plan.order.push({ target: { kind: 'measure', index: 0 }, direction: rank.direction }));
  } else if (rank) {
    // the 10 longest tracks: a listing ordered by a column
    plan.shape = 'list';
    const subject = takeTable();
    const subjectSlot = addSlot(subject ? `"${subject.text}"` : 'what to list', subjectChoices(subject));
    rootSlot = subjectSlot;
    let choices: Choice[] = rank.byItem ? fieldChoices(rank.byItem, (f) => f.numeric || f.temporal || f.text) : [];
    if (choices.length === 0 && rank.concept) {
      choices = conceptChoices(index, rank.concept);
      // "oldest invoices" have no birth date: the oldest by their own date.
      if (rank.concept === 'age') choices = [...choices, ...conceptChoices(index, 'recency').map((c) => ({ ...c, score: c.score * SCORES.recencyForAgeFactor }))];
    }
    const slot = addSlot('what to rank by', choices);
    // "oldest" is the earliest birth date (or date): age runs against the column.
    const flipped = rank.direction === 'desc' ? 'asc' : 'desc';
    plan.limit = rank.n ?? (subject && singular(subject) ? 1 : DEFAULT_TOP);
    if (rank.n === null && !(subject && singular(subject))) guesses.push(`how many to show (showing ${DEFAULT_TOP})`);
    finals.push((pick) => {
      const chosen = pick[slot]!;
      const direction = rank.concept === 'age' && !chosen.ageInYears ? flipped : rank.direction;
      plan.order.push({ target: { kind: 'field', field: fieldRef(chosen.field!) }, direction });
    });
  } else if (intent.aggregates.length > 0) {
    plan.shape = intent.groups.length > 0 ? 'aggregate' : intent.aggregates.every((a) => a.fn === 'count') ? 'count' : 'aggregate';
    for (const a of intent.aggregates) {
      const fallback = a.fn === 'count' && !a.target?.tables.length ? takeTable() : null;
      const m = measureSlot(a, fallback);
      measures.push({ ...m, intent: a });
    }
    rootSlot = measures[0]!.slot;
  } else if (intent.groups.length > 0) {
    // "revenue per month", "tracks per genre": an implicit sum of a numeric column, else a count.
    plan.shape = 'aggregate';
    const numericItem = remainingFields.find((f) => f.fields.some((x) => x.field.numeric) || isRevenueItem(f));
    if (numericItem) {
      remainingFields.splice(remainingFields.indexOf(numericItem), 1);
      const a: AggregateIntent = { fn: 'sum', target: numericItem, concept: null, divideBy: null, unitWord: null };
      if (!isRevenueItem(numericItem)) guesses.push(`that "${numericItem.text}" should be added up`);
      const m = measureSlot(a, null);
      measures.push({ ...m, intent: a });
    } else {
      const subject = takeTable();
      const a: AggregateIntent = { fn: 'count', target: subject, concept: null, divideBy: null, unitWord: null };
      if (!subject) guesses.push('what to count');
      const m = measureSlot(a, subject);
      measures.push({ ...m, intent: a });
    }
    rootSlot = measures[0]!.slot;
  } else if (intent.distinct) {
    plan.shape = 'distinct';
    const item = intent.distinct;
    // "which countries do customers come from": the table named says whose column it is.
    const qualifier = remainingTables[0];
    const slot = addSlot(`"${item.text}"`, fieldChoices(item, () => true).map((c) => ({ ...c, score: c.score + (qualifier?.tables.some((t) => t.table === c.table) ? SCORES.distinctQualifierBonus : 0) })));
    if (qualifier && qualifier.tables.some((t) => slots[slot]!.choices.some((c) => c.table === t.table))) remainingTables.shift();
    rootSlot = slot;
    finals.push((pick) => plan.columns.push(fieldRef(pick[slot]!.field!)));
  } else {
    plan.shape = 'list';
    const subject = takeTable();
    rootSlot = addSlot(subject ? `"${subject.text}"` : 'what to list', subjectChoices(subject));
    if (!subject && !intent.listing && intent.values.length === 0) throw new Unanswerable('the question names no table or collection');
  }

  for (const m of measures) finals.push(finishMeasure(m, m.intent));

  // "the record companies and the number of orchestras", "names of singers and the total sales of their songs":
  // columns named next to an aggregate, with no grouping said, are what it is computed for.
  const alongside = remainingFields.filter((f) => intent.alongside.includes(f) || intent.orderByCount);
  if (measures.length > 0 && intent.groups.length === 0 && !rank && alongside.length > 0) {
    for (const item of alongside) {
      remainingFields.splice(remainingFields.indexOf(item), 1);
      intent.groups.push({ item, bucket: null });
    }
    plan.shape = 'aggregate';
  }

  // ---- groupings ----
  for (const g of intent.groups) {
    if (g.item) dimensionSlot(g.item);
    else if (g.bucket) bucketSlot(g.bucket);
  }
  if (intent.groups.length > 0 && plan.shape !== 'aggregate') plan.shape = 'aggregate';

  // ---- filters ----
  for (const d of intent.dates) {
    const years = d.month === null ? yearColumnChoices(index, d.hint) : [];
    const slot = addSlot(`a date for "${d.phrase}"`, [...temporalChoices(index, d.hint), ...years]);
    if (!d.hint) guesses.push(`which date "${d.phrase}" refers to`);
    finals.push((pick) => {
      const chosen = pick[slot]!.field!;
      const field = fieldRef(chosen);
      if (chosen.numeric) {
        // A year stored as a number ("founded after 2008"): the same half-open range, in years.
        const year = (iso: string) => Number(iso.slice(0, 4)) + (iso.slice(5) === '01-01' ? 0 : 1);
        if (d.from) plan.filters.push({ kind: 'compare', field, op: 'gte', value: year(d.from), caseInsensitive: false, phrase: d.phrase });
        if (d.to) plan.filters.push({ kind: 'compare', field, op: 'lt', value: year(d.to), caseInsensitive: false, phrase: d.phrase });
      } else if (d.month !== null) plan.filters.push({ kind: 'month_of_year', field, month: d.month, phrase: d.phrase });
      else plan.filters.push({ kind: 'date_range', field, from: d.from, to: d.to, phrase: d.phrase });
    });
  }

  for (const v of intent.values) {
    const choices: Choice[] = v.item.values.map((e) => ({ table: e.field.table, field: e.field, score: e.score }));
    // "albums by Queen": a name after "by" is more likely the maker's than a same-named row elsewhere.
    const namesMaker = v.item.values.some((e) => e.field.table.stems.some((s) => CREATOR_STEMS.has(s)) || e.field.stems.some((s) => CREATOR_STEMS.has(s)));
    if (['by', 'does', 'do', 'did'].includes(v.prep) && !namesMaker) {
      for (const c of creatorChoices(index, SCORES.creatorForValue)) if (!choices.some((x) => x.field === c.field)) choices.push({ ...c, guessed: true });
    }
    const slot = addSlot(`"${v.item.text}"`, choices);
    finals.push((pick) => {
      const c = pick[slot]!;
      const field = fieldRef(c.field!);
      if (c.guessed) {
        plan.filters.push({ kind: 'compare', field, op: v.negate ? 'neq' : 'eq', value: v.item.raw, caseInsensitive: true, phrase: '' });
        guesses.push(`that "${v.item.raw}" is a ${fieldWords(c.field!)} of ${tableWords(c.table)}`);
        return;
      }
      const entry = v.item.values.find((e) => e.field === c.field)!;
      if (entry.spellings) {
        plan.filters.push({ kind: 'in', field, values: entry.spellings, negate: v.negate, phrase: '' });
        return;
      }
      // Several values for one column become IN (…).
      const existing = plan.filters.find((f) => (f.kind === 'in' || (f.kind === 'compare' && (f.op === 'eq' || f.op === 'neq'))) && sameField(f.field, field));
      if (existing && existing.kind === 'compare' && (existing.op === 'neq') === v.negate) {
        plan.filters.splice(plan.filters.indexOf(existing), 1, { kind: 'in', field, values: [existing.value, entry.value], negate: v.negate, phrase: '' });
      } else if (existing && existing.kind === 'in' && existing.negate === v.negate) {
        existing.values.push(entry.value);
      } else {
        plan.filters.push({ kind: 'compare', field, op: v.negate ? 'neq' : 'eq', value: entry.value, caseInsensitive: false, phrase: '' });
      }
    });
  }

  for (const g of intent.guessed) {
    const subject = slots[rootSlot]?.choices[0]?.table ?? null;
    const other = ['by', 'of', 'does', 'do', 'did', 'for', 'with'].includes(g.prep);
    const display = (table: IndexedTable, score: number): Choice[] =>
      table.display.filter((f) => f.text).slice(0, 1).map((field) => ({ table, field, score: other && table === subject ? score - SCORES.guessedSubjectPenalty : score }));
    let choices: Choice[] = [];
    if (g.owner) choices = g.owner.tables.flatMap((t) => display(t.table, SCORES.guessedOwnerName));
    if (choices.length === 0 && ['by', 'does', 'do', 'did'].includes(g.prep)) choices = creatorChoices(index, SCORES.guessedCreator);
    if (choices.length === 0 && ['from', 'in', 'at', 'near'].includes(g.prep)) {
      for (const table of index.tables) for (const field of table.fields) if (field.text && !field.key && LOCATION_STEMS.has(field.stems[field.stems.length - 1]!)) choices.push({ table, field, score: field.stems.includes('citi') ? SCORES.guessedCity : SCORES.guessedPlace });
    }
    if (choices.length === 0) choices = index.tables.flatMap((table) => display(table, SCORES.guessedAnyName));
    const slot = addSlot(`"${g.raw}"`, choices);
    guesses.push(`what "${g.raw}" is (it is not among the sampled values)`);
    finals.push((pick) => {
      const field = fieldRef(pick[slot]!.field!);
      plan.filters.push({ kind: 'compare', field, op: g.negate ? 'neq' : 'eq', value: g.raw, caseInsensitive: true, phrase: '' });
    });
  }

  for (const t of intent.texts) {
    let choices = t.target ? fieldChoices(t.target, (f) => f.text || f.array) : [];
    if (choices.length === 0) {
      // "tracks containing 'love'": the subject's name column.
      const subjectTables = slots[rootSlot]?.choices.map((c) => c.table) ?? [];
      choices = subjectTables.flatMap((table) => table.display.slice(0, 1).map((field) => ({ table, field, score: SCORES.textInSubjectName })));
      if (choices.length === 0) choices = index.tables.flatMap((table) => table.display.slice(0, 1).map((field) => ({ table, field, score: SCORES.textInAnyName })));
      guesses.push(`which column "${t.value}" is looked for in`);
    }
    const slot = addSlot(`text "${t.value}"`, choices);
    finals.push((pick) => {
      const field = fieldRef(pick[slot]!.field!);
      if (t.op === 'equals' || t.op === 'not_equals') plan.filters.push({ kind: 'compare', field, op: t.op === 'equals' ? 'eq' : 'neq', value: t.value, caseInsensitive: true, phrase: '' });
      else plan.filters.push({ kind: 'text', field, op: t.op, value: t.value, phrase: '' });
    });
  }

  for (const b of intent.booleans) {
    let choices = fieldChoices(b.item, (f) => f.boolean);
    if (choices.length === 0) {
      choices = index.tables.flatMap((table) => table.fields.filter((f) => f.boolean && f.words.join('') === b.item.text).map((field) => ({ table, field, score: SCORES.booleanByName })));
    }
    if (choices.length === 0) continue;
    const slot = addSlot(`"${b.item.text}"`, choices);
    finals.push((pick) => plan.filters.push({ kind: 'compare', field: fieldRef(pick[slot]!.field!), op: 'eq', value: b.value, caseInsensitive: false, phrase: '' }));
  }

  for (const p of intent.presence) {
    const slot = addSlot(`"${p.item.text}"`, fieldChoices(p.item, (f) => !f.key));
    finals.push((pick) => plan.filters.push({ kind: 'presence', field: fieldRef(pick[slot]!.field!), present: p.present, phrase: '' }));
  }

  // Columns named but used by no rule in an answer that is not a listing: something was not understood.
  if (plan.shape !== 'list' && plan.shape !== 'distinct') for (const f of remainingFields) if (f !== intent.distinct) guesses.push(`ignored "${f.text}"`);

  for (const c of intent.compares) {
    if (c.countOf) {
      // "artists with more than 10 albums": count the other table per subject row.
      const entity = plan.shape === 'aggregate' ? null : slots[rootSlot]!;
      if (entity === null || c.op === 'between' || c.op === 'in') throw new Unanswerable('a condition on a count only works on a simple listing');
      // "nationalities shared by at least two people": the values of a column, grouped; else the rows listed.
      // A listed column of the very table counted ("nationalities shared by two people") also groups by value.
      const countedTables = new Set(c.countOf.tables.map((t) => t.table));
      const byValue = plan.shape === 'distinct' || (plan.shape === 'list' && remainingFields.length > 0 && remainingFields.every((f) => f.fields.some((x) => countedTables.has(x.field.table) && !x.field.key && !x.field.table.display.includes(x.field))));
      if (byValue && plan.shape === 'list') {
        const item = remainingFields.shift()!;
        const valueSlot = addSlot(`"${item.text}"`, fieldChoices(item, (f) => countedTables.has(f.table)));
        rootSlot = valueSlot;
      }
      plan.shape = 'aggregate';
      const countSlot = addSlot(`"${c.countOf.text}"`, tableChoices(c.countOf));
      const entitySlot = rootSlot;
      rootSlot = countSlot;
      const op = c.op;
      // "the names and ids of courses with at most 2 sections": the columns named are what each group shows.
      const entityTables = new Set(slots[entitySlot]!.choices.map((x) => x.table));
      const shown = byValue ? [] : remainingFields.filter((item) => item.fields.some((f) => entityTables.has(f.field.table)));
      for (const item of shown) remainingFields.splice(remainingFields.indexOf(item), 1);
      finals.unshift((pick, tree) => {
        const grouped = pick[entitySlot]!;
        plan.columns = [];
        const named = shown.flatMap((item) => item.fields.filter((f) => f.field.table === grouped.table).slice(0, 1).map((f) => f.field));
        plan.dimensions.push(byValue && grouped.field ? fieldDimension(grouped.field, null) : named.length > 0 ? namedDimension(grouped.table, named) : entityDimension(grouped.table));
        finishMeasure({ slot: countSlot, fn: 'count' }, null)(pick, tree);
        // The count is the condition, not the answer: "names of teachers who teach at least two courses".
        plan.measures[plan.measures.length - 1]!.hidden = true;
        plan.having.push({ measure: plan.measures.length - 1, op, value: c.value, phrase: c.phrase });
      });
      continue;
    }
    if (c.average) {
      const slot = addSlot(`"${c.phrase}"`, c.target ? fieldChoices(c.target, (f) => f.numeric) : []);
      const op = c.op === 'between' || c.op === 'in' ? 'eq' : c.op;
      finals.push((pick) => plan.filters.push({ kind: 'vs_average', field: fieldRef(pick[slot]!.field!), op, phrase: c.phrase }));
      continue;
    }
    let choices = c.target ? fieldChoices(c.target, (f) => f.numeric) : [];
    if (choices.length === 0 && c.concept) choices = conceptChoices(index, c.concept);
    if (choices.length === 0) {
      // "invoices over 10": the subject's money-like column, a guess.
      choices = conceptChoices(index, 'revenue');
      guesses.push(`which column "${c.phrase}" compares`);
    }
    const slot = addSlot(`"${c.phrase}"`, choices);
    finals.push((pick) => {
      const field = pick[slot]!.field!;
      let factor = c.unit?.factor ?? 1;
      if (c.unit && c.unit.concept === 'length' && c.unit.unit !== 'money' && c.unit.unit !== 'byte') {
        const stored = durationUnit(field);
        if (stored) factor = DURATION_MS[c.unit.unit] / DURATION_MS[stored];
        else guesses.push(`the unit of ${fieldWords(field)}`);
      }
      const scale = (n: number) => Number((n * factor).toPrecision(12));
      if (c.op === 'between') plan.filters.push({ kind: 'between', field: fieldRef(field), low: scale(c.value), high: scale(c.high!), phrase: c.phrase });
      else if (c.op === 'in') plan.filters.push({ kind: 'in', field: fieldRef(field), values: c.values.map(scale), negate: false, phrase: c.phrase });
      else plan.filters.push({ kind: 'compare', field: fieldRef(field), op: c.op, value: scale(c.value), caseInsensitive: false, phrase: c.phrase });
    });
  }

  // ---- explicit order ----
  const order = intent.order;
  /** "in descending order" with nothing named: the listing's own order, reversed once its columns are known. */
  let listDirection: 'asc' | 'desc' = 'asc';
  if (order) {
    let choices: Choice[] = order.target ? fieldChoices(order.target, () => true) : [];
    if (choices.length === 0 && order.target?.tables.length) {
      choices = tableChoices(order.target).flatMap((c) => c.table.display.slice(0, 1).map((field) => ({ ...c, field })));
    }
    if (choices.length === 0 && order.concept) choices = conceptChoices(index, order.concept);
    if (choices.length > 0) {
      const slot = addSlot('the sort column', choices);
      finals.push((pick) => {
        plan.order = [{ target: { kind: 'field', field: fieldRef(pick[slot]!.field!) }, direction: order.direction ?? 'asc' }];
      });
    } else if (order.target === null && order.direction) {
      finals.push(() => {
        if (plan.order.length > 0) plan.order = plan.order.map((o) => ({ ...o, direction: order.direction! }));
        else if (plan.shape === 'list' || plan.shape === 'distinct') listDirection = order.direction!;
        else plan.order.push({ target: defaultOrderTarget(plan), direction: order.direction! });
      });
    }
  }

  // ---- remaining mentions: listed columns and context tables ----
  const columnSlots: number[] = [];
  if (plan.shape === 'list') {
    for (const item of remainingFields) {
      const choices = fieldChoices(item, () => true);
      if (choices.length === 0) continue;
      const top = choices.filter((c) => c.score === Math.max(...choices.map((x) => x.score)));
      const slot = addSlot(`"${item.text}"`, choices);
      columnSlots.push(slot);
      // "names" → first and last name: every best-scoring column of the same table.
      finals.push((pick) => {
        const chosen = pick[slot]!;
        const sameTable = top.filter((x) => x.table === chosen.table);
        for (const c of sameTable.length > 0 ? sameTable : [chosen]) if (!plan.columns.some((p) => sameField(p, fieldRef(c.field!)))) plan.columns.push(fieldRef(c.field!));
      });
    }
  }
  for (const item of remainingTables) {
    const slot = addSlot(`"${item.text}"`, tableChoices(item));
    if (plan.shape === 'list' && intent.alongside.includes(item)) {
      finals.push((pick) => {
        const shown = pick[slot]!.table.display.find((f) => f.text) ?? pick[slot]!.table.display[0];
        if (shown && plan.columns.length > 0 && !plan.columns.some((c) => sameField(c, fieldRef(shown)))) plan.columns.push(fieldRef(shown));
      });
    }
  }

  // ---- rows with (or without) rows of another table ----
  for (const r of intent.related) {
    const subject = slots[rootSlot]!.choices[0]!.table;
    const via = relatedKey(index, subject, r.item.tables.map((t) => t.table));
    if (!via) {
      // No key says how they relate: a positive mention is an ordinary join; a negative one cannot be answered safely.
      if (!r.present) throw new Unanswerable(`it is not clear how ${tableWords(subject)} relate to "${r.item.text}"`);
      addSlot(`"${r.item.text}"`, tableChoices(r.item));
      continue;
    }
    finals.push((pick) => {
      if (pick[rootSlot]!.table !== subject) return;
      if (plan.filters.some((f) => f.kind === 'related' && sameField(f.via, fieldRef(via.column)) && f.present === r.present)) return;
      plan.filters.push({ kind: 'related', field: fieldRef(via.key), via: fieldRef(via.column), present: r.present, phrase: r.item.text });
    });
  }

  // ---- choose ----
  const { pick, tree, margin } = choose(index, slots, rootSlot);
  const root = pick[rootSlot]!.table;
  plan.database = root.database;
  plan.subject = tableRef(root);
  for (const f of finals) f(pick, tree);

  if (plan.shape === 'list') {
    // Named columns are the answer, as asked; with none named, what says which row it is, and what it was sorted or filtered by.
    if (plan.columns.length === 0) {
      plan.columns = defaultColumns(root).map(fieldRef);
      for (const o of plan.order) if (o.target.kind === 'field' && !plan.columns.some((c) => sameField(c, (o.target as { field: PlanField }).field))) plan.columns.push(o.target.field);
      for (const f of plan.filters) {
        if ((f.kind === 'compare' && f.op !== 'eq') || f.kind === 'between') if (f.field.table === root.name && !plan.columns.some((c) => sameField(c, f.field))) plan.columns.push(f.field);
      }
    }
    // "in alphabetical order" sorts by the listed text; "the earnings of poker players in descending order" by the one column listed.
    const byText = intent.alphabetical ? plan.columns.find((c) => c.table === root.name && root.fields.some((f) => f.name === c.field && f.text)) : undefined;
    const onlyColumn = intent.order?.direction && !intent.order.target && plan.columns.length === 1 ? plan.columns[0] : undefined;
    const sortBy = byText ?? onlyColumn;
    if (plan.order.length === 0) plan.order.push({ target: sortBy ? { kind: 'field', field: sortBy } : defaultOrderTarget(plan, root), direction: listDirection });
    // Ties keep the table's key order, so the same question lists the same rows in the same order every time.
    const tieBreak = root.primaryKey[0];
    if (tieBreak && plan.order.every((o) => o.target.kind !== 'field' || !sameField(o.target.field, fieldRef(tieBreak)))) plan.order.push({ target: { kind: 'field', field: fieldRef(tieBreak) }, direction: 'asc' });
  }
  if (plan.shape === 'distinct' && plan.order.length === 0) plan.order.push({ target: { kind: 'field', field: plan.columns[0]! }, direction: listDirection });
  if (plan.shape === 'aggregate' && plan.order.length === 0 && plan.dimensions.length > 0) {
    const bucket = plan.dimensions.findIndex((d) => d.bucket !== null);
    plan.order.push(bucket >= 0 ? { target: { kind: 'dimension', index: bucket }, direction: 'asc' } : { target: { kind: 'measure', index: 0 }, direction: 'desc' });
  }
  if (plan.shape === 'count' && plan.measures.length === 0) throw new Unanswerable('nothing to count');

  const signals: PlanSignals = {
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
  return { plan, confidence: calibrate(signals), signals };
}

export function sameField(a: PlanField, b: PlanField): boolean {
  return a.table === b.table && a.field === b.field && a.schema === b.schema;
}

function defaultOrderTarget(plan: QueryPlan, root?: IndexedTable): QueryPlan['order'][number]['target'] {
  if (plan.shape === 'list' && root && root.primaryKey.length > 0) return { kind: 'field', field: fieldRef(root.primaryKey[0]!) };
  if (plan.shape === 'list' || plan.shape === 'distinct') return { kind: 'field', field: plan.columns[0]! };
  if (plan.measures.length > 0 && plan.dimensions.every((d) => d.bucket === null)) return { kind: 'measure', index: 0 };
  return { kind: 'dimension', index: 0 };
}

/** Columns of a plain listing: what names a row, else the key and a few columns. */
export function defaultColumns(table: IndexedTable): IndexedField[] {
  if (table.display.length > 0) return table.display;
  const rest = table.fields.filter((f) => !f.key && !f.array && f.type !== 'object' && f.type !== 'binary' && f.type !== 'json');
  const ordered = [...rest.filter((f) => f.temporal), ...rest.filter((f) => f.numeric), ...rest.filter((f) => !f.temporal && !f.numeric)];
  return [...table.primaryKey.filter((f) => f.name !== '_id'), ...ordered].slice(0, 6);
}

export function entityDimension(table: IndexedTable): PlanDimension {
  const shown = table.display.length > 0 ? table.display : table.primaryKey;
  const key = table.primaryKey.filter((k) => !shown.includes(k));
  return { fields: shown.map(fieldRef), key: key.map(fieldRef), bucket: null, label: labelOf(table.words), phrase: tableWords(table) };
}

/** One group per row of `table` (grouped by its key), showing the columns the question named. */
function namedDimension(table: IndexedTable, fields: IndexedField[]): PlanDimension {
  const key = table.primaryKey.filter((k) => !fields.includes(k));
  return { fields: fields.map(fieldRef), key: key.map(fieldRef), bucket: null, label: labelOf(table.words), phrase: tableWords(table) };
}

export function fieldDimension(field: IndexedField, bucket: TimeBucket | null): PlanDimension {
  return { fields: [fieldRef(field)], key: [], bucket, label: bucket ?? labelOf(field.words.slice(-3)), phrase: bucket ? `${bucket} of ${fieldWords(field)}` : fieldWords(field) };
}

/** Tries the combinations of the slots' choices and keeps the best-scoring one that can be joined. */
function choose(index: SchemaIndex, allSlots: Slot[], rootSlot: number): { pick: Choice[]; tree: JoinTree; margin: number } {
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
      if (best) second = Math.max(second, best.score);
      best = { pick, tree, score };
    } else second = Math.max(second, score);
  }
  if (best === null) throw new Unanswerable('the tables it mentions are not connected by any foreign key');
  if (best.score < SCORES.lowestAcceptable) throw new Unanswerable('adding this up would count some rows more than once');
  return { pick: best.pick, tree: best.tree, margin: best.score - second };
}

export type { Choice };
