import type { CompareIntent } from '../intent';
import { DURATION_MS } from '../lexicon';
import type { Item } from '../linker';
import { conceptChoices, durationUnit, fieldChoices, tableChoices, type Choice } from './choices';
import type { Resolver } from './context';
import { finishMeasure } from './measures';
import { entityDimension, fieldDimension, fieldRef, fieldWords, namedDimension } from './plan-parts';
import { Unanswerable } from './unanswerable';

/** "more than 10", "between 1 and 5", "above the average", "with at least two albums". */
export function resolveComparisons(ctx: Resolver): void {
  for (const c of ctx.intent.compares) {
    if (c.countOf) countCondition(ctx, c, c.countOf);
    else if (c.average) averageCondition(ctx, c);
    else numericComparison(ctx, c);
  }
}

/** "artists with more than 10 albums": count the other table per subject row, and keep the groups whose count qualifies (HAVING). */
function countCondition(ctx: Resolver, c: CompareIntent, countOf: Item): void {
  const { plan, remainingFields } = ctx;
  const entity = plan.shape === 'aggregate' ? null : ctx.slots[ctx.rootSlot]!;
  if (entity === null || c.op === 'between' || c.op === 'in') throw new Unanswerable('a condition on a count only works on a simple listing');
  // "nationalities shared by at least two people": the values of a column, grouped; else the rows listed.
  // A listed column of the very table counted ("nationalities shared by two people") also groups by value.
  const countedTables = new Set(countOf.tables.map((t) => t.table));
  const byValue =
    plan.shape === 'distinct' ||
    (plan.shape === 'list' && remainingFields.length > 0 && remainingFields.every((f) => f.fields.some((x) => countedTables.has(x.field.table) && !x.field.key && !x.field.table.display.includes(x.field))));
  if (byValue && plan.shape === 'list') {
    const item = remainingFields.shift()!;
    ctx.rootSlot = ctx.addSlot(`"${item.text}"`, fieldChoices(item, (f) => countedTables.has(f.table)));
  }
  plan.shape = 'aggregate';
  const countSlot = ctx.addSlot(`"${countOf.text}"`, tableChoices(countOf));
  const entitySlot = ctx.rootSlot;
  ctx.rootSlot = countSlot;
  const op = c.op;
  // "the names and ids of courses with at most 2 sections": the columns named are what each group shows.
  const entityTables = new Set(ctx.slots[entitySlot]!.choices.map((x) => x.table));
  const shown = byValue ? [] : remainingFields.filter((item) => item.fields.some((f) => entityTables.has(f.field.table)));
  for (const item of shown) ctx.useField(item);
  ctx.finals.unshift((pick, tree) => {
    const grouped = pick[entitySlot]!;
    plan.columns = [];
    const named = shown.flatMap((item) => item.fields.filter((f) => f.field.table === grouped.table).slice(0, 1).map((f) => f.field));
    plan.dimensions.push(byValue && grouped.field ? fieldDimension(grouped.field, null) : named.length > 0 ? namedDimension(grouped.table, named) : entityDimension(grouped.table));
    finishMeasure(ctx, { slot: countSlot, fn: 'count' }, null)(pick, tree);
    // The count is the condition, not the answer: "names of teachers who teach at least two courses".
    plan.measures[plan.measures.length - 1]!.hidden = true;
    plan.having.push({ measure: plan.measures.length - 1, op, value: c.value, phrase: c.phrase });
  });
}

/** "below the average": the column compared with its own average. */
function averageCondition(ctx: Resolver, c: CompareIntent): void {
  const slot = ctx.addSlot(`"${c.phrase}"`, c.target ? fieldChoices(c.target, (f) => f.numeric) : []);
  const op = c.op === 'between' || c.op === 'in' ? 'eq' : c.op;
  ctx.finals.push((pick) => ctx.plan.filters.push({ kind: 'vs_average', field: fieldRef(pick[slot]!.field!), op, phrase: c.phrase }));
}

/** "longer than 5 minutes", "between 1 and 5": a number compared, in the column's own unit. */
function numericComparison(ctx: Resolver, c: CompareIntent): void {
  let choices: Choice[] = c.target ? fieldChoices(c.target, (f) => f.numeric) : [];
  if (choices.length === 0 && c.concept) choices = conceptChoices(ctx.index, c.concept);
  if (choices.length === 0) {
    // "invoices over 10": the subject's money-like column, a guess.
    choices = conceptChoices(ctx.index, 'revenue');
    ctx.guesses.push(`which column "${c.phrase}" compares`);
  }
  const slot = ctx.addSlot(`"${c.phrase}"`, choices);
  ctx.finals.push((pick) => {
    const { plan } = ctx;
    const field = pick[slot]!.field!;
    let factor = c.unit?.factor ?? 1;
    if (c.unit && c.unit.concept === 'length' && c.unit.unit !== 'money' && c.unit.unit !== 'byte') {
      const stored = durationUnit(field);
      if (stored) factor = DURATION_MS[c.unit.unit] / DURATION_MS[stored];
      else ctx.guesses.push(`the unit of ${fieldWords(field)}`);
    }
    const scale = (n: number) => Number((n * factor).toPrecision(12));
    if (c.op === 'between') plan.filters.push({ kind: 'between', field: fieldRef(field), low: scale(c.value), high: scale(c.high!), phrase: c.phrase });
    else if (c.op === 'in') plan.filters.push({ kind: 'in', field: fieldRef(field), values: c.values.map(scale), negate: false, phrase: c.phrase });
    else plan.filters.push({ kind: 'compare', field: fieldRef(field), op: c.op, value: scale(c.value), caseInsensitive: false, phrase: c.phrase });
  });
}
