import type { AggregateIntent } from '../intent';
import { multiplies, type JoinTree } from '../joins';
import { DURATION_MS } from '../lexicon';
import { isRevenueItem, type Item } from '../linker';
import type { IndexedField } from '../schema-index';
import { SCORES } from '../scores';
import { labelOf, plural } from '../text';
import type { AggregateFn, PlanMeasure, TimeBucket } from '../types';
import { conceptChoices, durationUnit, fieldChoices, lineAmountChoices, tableChoices, temporalChoices, type Choice } from './choices';
import type { Resolver } from './context';
import { entityDimension, fieldDimension, fieldRef, fieldWords, tableRef, tableWords } from './plan-parts';

/** A measure's slot (what is counted or added up) and its function. */
export interface MeasureSlot {
  slot: number;
  fn: AggregateFn;
}

/** Opens the slot for what an aggregate reads: the rows counted, or the column summed or averaged. */
export function measureSlot(ctx: Resolver, a: AggregateIntent, fallback: Item | null): MeasureSlot {
  const { index } = ctx;
  if (a.fn === 'count') {
    const item = a.target?.tables.length ? a.target : fallback;
    return { slot: ctx.addSlot(item ? `"${item.text}"` : 'what to count', ctx.subjectChoices(item)), fn: 'count' };
  }
  if (a.fn === 'count_distinct') {
    return { slot: ctx.addSlot(`"${a.target!.text}"`, fieldChoices(a.target!, () => true)), fn: 'count_distinct' };
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
    if (choices.length > 0) ctx.guesses.push(`which column of ${tableWords(table)} to ${a.fn === 'avg' ? 'average' : a.fn}`);
  }
  return { slot: ctx.addSlot(a.target ? `"${a.target.text}"` : `the ${a.concept ?? 'measure'}`, choices, a.fn === 'sum' || a.fn === 'avg'), fn: a.fn };
}

const FN_WORDS: Record<AggregateFn, string> = { count: 'number of', count_distinct: 'number of', sum: 'sum of', avg: 'average', min: 'lowest', max: 'highest' };
const FN_LABELS: Record<AggregateFn, string> = { sum: 'total', avg: 'avg', min: 'min', max: 'max', count: 'count', count_distinct: 'count' };

/** The final that adds the measure of `m`'s chosen table or column to the plan. */
export const finishMeasure = (ctx: Resolver, m: MeasureSlot, a: AggregateIntent | null) => (pick: Choice[], tree: JoinTree) => {
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
  const fieldLabel = c.times ? 'amount' : field ? labelOf(field.words) : '';
  const label = countedRows ? `${labelOf(c.table.words)}_count` : fn === 'count_distinct' ? `${fieldLabel}_count` : `${FN_LABELS[fn]}_${fieldLabel}${divideBy ? `_${a!.unitWord}` : ''}`;
  const measure: PlanMeasure = {
    fn,
    table: tableRef(c.table),
    field: field ? fieldRef(field) : null,
    times: c.times ? fieldRef(c.times) : null,
    divideBy,
    label: label === 'total_total' ? 'total' : label,
    phrase: countedRows ? `number of ${what}` : fn === 'count_distinct' ? `number of distinct ${plural(what)}` : `${FN_WORDS[fn]} ${what}${divideBy ? ` in ${a!.unitWord === 'min' ? 'minutes' : a!.unitWord === 's' ? 'seconds' : 'hours'}` : ''}`,
  };
  ctx.plan.measures.push(measure);
};

/** "per genre", "by country": a grouping by a table's rows or by a column's values. */
export function dimensionSlot(ctx: Resolver, item: Item): number {
  const entity = item.tables.length > 0 && (item.fields.length === 0 || item.tables[0]!.score >= item.fields[0]!.score);
  const choices = entity ? tableChoices(item) : fieldChoices(item, () => true);
  const slot = ctx.addSlot(`"${item.text}"`, choices);
  ctx.finals.push((pick) => {
    const c = pick[slot]!;
    ctx.plan.dimensions.push(c.field ? fieldDimension(c.field, null) : entityDimension(c.table));
  });
  return slot;
}

/** "per month": a grouping by a date column's month (or year...). */
export function bucketSlot(ctx: Resolver, bucket: TimeBucket): number {
  const hint = ctx.intent.dates.find((d) => d.hint)?.hint ?? null;
  const slot = ctx.addSlot(`a date for "per ${bucket}"`, temporalChoices(ctx.index, hint));
  ctx.finals.push((pick) => ctx.plan.dimensions.push(fieldDimension(pick[slot]!.field!, bucket)));
  return slot;
}
