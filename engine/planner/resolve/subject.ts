import type { AggregateIntent, RankIntent } from '../intent';
import { isRevenueItem, type Item } from '../linker';
import { SCORES } from '../scores';
import { conceptChoices, fieldChoices, singular, type Choice } from './choices';
import type { Resolver } from './context';
import { finishMeasure, measureSlot, type MeasureSlot } from './measures';
import { fieldRef } from './plan-parts';
import { Unanswerable } from './unanswerable';

const DEFAULT_TOP = 10;

/** A measure with the aggregate it was read from. */
type Measure = MeasureSlot & { intent: AggregateIntent | null };

/**
 * What the question is about: the rows listed, the values asked for, or what is counted or added up
 * (the rank / aggregates / groups / distinct / list shapes). Sets the plan's shape and the root slot.
 */
export function resolveSubjectAndMeasures(ctx: Resolver): void {
  eachNamesListedRows(ctx);
  const measures = subjectAndMeasures(ctx);
  for (const m of measures) ctx.finals.push(finishMeasure(ctx, m, m.intent));
  groupByColumnsAlongside(ctx, measures.length > 0);
}

/** "the age and hometown of every teacher": "every"/"each" names the rows listed, not a grouping, when the columns are the table's own. */
function eachNamesListedRows(ctx: Resolver): void {
  const { intent, remainingFields } = ctx;
  if (intent.aggregates.length === 0 && !intent.rank && remainingFields.length > 0 && intent.groups.length === 1 && intent.groups[0]!.item?.tables.length) {
    const entity = intent.groups[0]!.item;
    const owns = (f: Item) => f.fields.some((x) => entity.tables.some((t) => t.table === x.field.table));
    if (remainingFields.every(owns)) {
      intent.groups = [];
      ctx.remainingTables.unshift(entity);
    }
  }
}

function subjectAndMeasures(ctx: Resolver): Measure[] {
  const { intent } = ctx;
  const rank = intent.rank;
  if (rank) {
    const rankBy = rankAggregate(ctx, rank);
    if (rankBy || (rank.byItem === null && rank.concept === null && intent.aggregates.length > 0)) return rankByAggregate(ctx, rank, rankBy ?? intent.aggregates[0]!);
    rankedListing(ctx, rank);
    return [];
  }
  if (intent.aggregates.length > 0) return aggregates(ctx);
  if (intent.groups.length > 0) return implicitAggregate(ctx);
  if (intent.distinct) distinctValues(ctx, intent.distinct);
  else plainListing(ctx);
  return [];
}

/** The aggregate a ranking orders groups by, or null when it orders the rows of a table by a column. */
function rankAggregate(ctx: Resolver, rank: RankIntent): AggregateIntent | null {
  const { remainingTables, remainingFields } = ctx;
  // "top 5 states by population": a column ranked per value of another column is a sum per group.
  let rankBy = rank.by ?? null;
  if (!rankBy && remainingTables.length === 0 && (rank.byItem || rank.concept) && remainingFields.some((f) => f !== rank.byItem)) {
    rankBy = { fn: 'sum', target: rank.byItem, concept: rank.concept, divideBy: null, unitWord: null };
  }
  // "the 5 largest orders by amount": a column of the ranked table itself orders a listing; nothing to add up.
  const rankedTable = remainingTables[0];
  if (rankBy && rankBy.fn !== 'count' && rankBy.fn !== 'count_distinct' && rankedTable && rankBy.target?.fields.some((f) => rankedTable.tables.some((t) => t.table === f.field.table))) {
    rank.byItem = { ...rankBy.target, fields: rankBy.target.fields.filter((f) => rankedTable.tables.some((t) => t.table === f.field.table)) };
    rankBy = null;
  }
  return rankBy;
}

/** top N <entity> by <aggregate> */
function rankByAggregate(ctx: Resolver, rank: RankIntent, by: AggregateIntent): Measure[] {
  const { intent, plan } = ctx;
  plan.shape = 'aggregate';
  const entity = intent.groups.find((g) => g.item)?.item ?? ctx.takeTable() ?? ctx.remainingFields.shift() ?? null;
  if (!entity) throw new Unanswerable('it is not clear what to rank');
  let counted: Item | null = null;
  if (by.fn === 'count' && !by.target?.tables.length) {
    // "the most common countries (among customers)": count the rows that carry the column.
    counted = ctx.takeTable();
    if (!counted && entity.tables.length === 0) counted = { ...entity, tables: entity.fields.map((f) => ({ table: f.field.table, score: f.score })) };
    counted ??= entity;
  }
  const m = measureSlot(ctx, by, counted);
  ctx.rootSlot = m.slot;
  if (!intent.groups.some((g) => g.item === entity)) intent.groups.unshift({ item: entity, bucket: null });
  plan.limit = rank.n ?? (singular(entity) ? 1 : DEFAULT_TOP);
  if (rank.n === null && !singular(entity)) ctx.guesses.push(`how many to show (showing the top ${DEFAULT_TOP})`);
  ctx.finals.push(() => plan.order.push({ target: { kind: 'measure', index: 0 }, direction: rank.direction }));
  return [{ ...m, intent: by }];
}

/** the 10 longest tracks: a listing ordered by a column */
function rankedListing(ctx: Resolver, rank: RankIntent): void {
  const { plan } = ctx;
  plan.shape = 'list';
  const subject = ctx.takeTable();
  ctx.rootSlot = ctx.addSlot(subject ? `"${subject.text}"` : 'what to list', ctx.subjectChoices(subject));
  let choices: Choice[] = rank.byItem ? fieldChoices(rank.byItem, (f) => f.numeric || f.temporal || f.text) : [];
  if (choices.length === 0 && rank.concept) {
    choices = conceptChoices(ctx.index, rank.concept);
    // "oldest invoices" have no birth date: the oldest by their own date.
    if (rank.concept === 'age') choices = [...choices, ...conceptChoices(ctx.index, 'recency').map((c) => ({ ...c, score: c.score * SCORES.recencyForAgeFactor }))];
  }
  const slot = ctx.addSlot('what to rank by', choices);
  // "oldest" is the earliest birth date (or date): age runs against the column.
  const flipped = rank.direction === 'desc' ? 'asc' : 'desc';
  plan.limit = rank.n ?? (subject && singular(subject) ? 1 : DEFAULT_TOP);
  if (rank.n === null && !(subject && singular(subject))) ctx.guesses.push(`how many to show (showing ${DEFAULT_TOP})`);
  ctx.finals.push((pick) => {
    const chosen = pick[slot]!;
    const direction = rank.concept === 'age' && !chosen.ageInYears ? flipped : rank.direction;
    plan.order.push({ target: { kind: 'field', field: fieldRef(chosen.field!) }, direction });
  });
}

/** "how many ...", "the average ...": the aggregates asked for. */
function aggregates(ctx: Resolver): Measure[] {
  const { intent, plan } = ctx;
  plan.shape = intent.groups.length > 0 ? 'aggregate' : intent.aggregates.every((a) => a.fn === 'count') ? 'count' : 'aggregate';
  const measures: Measure[] = [];
  for (const a of intent.aggregates) {
    const fallback = a.fn === 'count' && !a.target?.tables.length ? ctx.takeTable() : null;
    const m = measureSlot(ctx, a, fallback);
    measures.push({ ...m, intent: a });
  }
  ctx.rootSlot = measures[0]!.slot;
  return measures;
}

/** "revenue per month", "tracks per genre": an implicit sum of a numeric column, else a count. */
function implicitAggregate(ctx: Resolver): Measure[] {
  ctx.plan.shape = 'aggregate';
  const numericItem = ctx.remainingFields.find((f) => f.fields.some((x) => x.field.numeric) || isRevenueItem(f));
  let a: AggregateIntent;
  let fallback: Item | null = null;
  if (numericItem) {
    ctx.useField(numericItem);
    a = { fn: 'sum', target: numericItem, concept: null, divideBy: null, unitWord: null };
    if (!isRevenueItem(numericItem)) ctx.guesses.push(`that "${numericItem.text}" should be added up`);
  } else {
    const subject = ctx.takeTable();
    a = { fn: 'count', target: subject, concept: null, divideBy: null, unitWord: null };
    if (!subject) ctx.guesses.push('what to count');
    fallback = subject;
  }
  const m = measureSlot(ctx, a, fallback);
  ctx.rootSlot = m.slot;
  return [{ ...m, intent: a }];
}

/** "which countries do customers come from": the distinct values of a column. */
function distinctValues(ctx: Resolver, item: Item): void {
  ctx.plan.shape = 'distinct';
  // The table named says whose column it is.
  const qualifier = ctx.remainingTables[0];
  const choices = fieldChoices(item, () => true).map((c) => ({ ...c, score: c.score + (qualifier?.tables.some((t) => t.table === c.table) ? SCORES.distinctQualifierBonus : 0) }));
  const slot = ctx.addSlot(`"${item.text}"`, choices);
  if (qualifier && qualifier.tables.some((t) => ctx.slots[slot]!.choices.some((c) => c.table === t.table))) ctx.remainingTables.shift();
  ctx.rootSlot = slot;
  ctx.finals.push((pick) => ctx.plan.columns.push(fieldRef(pick[slot]!.field!)));
}

/** Rows of the table named (or of the value's or column's table). */
function plainListing(ctx: Resolver): void {
  const { intent } = ctx;
  ctx.plan.shape = 'list';
  const subject = ctx.takeTable();
  ctx.rootSlot = ctx.addSlot(subject ? `"${subject.text}"` : 'what to list', ctx.subjectChoices(subject));
  if (!subject && !intent.listing && intent.values.length === 0) throw new Unanswerable('the question names no table or collection');
}

/**
 * "the record companies and the number of orchestras", "names of singers and the total sales of their songs":
 * columns named next to an aggregate, with no grouping said, are what it is computed for.
 */
function groupByColumnsAlongside(ctx: Resolver, measured: boolean): void {
  const { intent } = ctx;
  const alongside = ctx.remainingFields.filter((f) => intent.alongside.includes(f) || intent.orderByCount);
  if (measured && intent.groups.length === 0 && !intent.rank && alongside.length > 0) {
    for (const item of alongside) {
      ctx.useField(item);
      intent.groups.push({ item, bucket: null });
    }
    ctx.plan.shape = 'aggregate';
  }
}
