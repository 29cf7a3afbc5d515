import type { Intent } from './intent';
import { joinTree } from './joins';
import type { Item } from './linker';
import { planTables } from './plan-tables';
import { entityDimension, fieldDimension, fieldRef, sameField, Unanswerable, type Choice } from './resolve';
import type { IndexedField, IndexedTable, SchemaIndex } from './schema-index';
import type { AggregateFn, PlanFilter, QueryPlan } from './types';

const FOLLOW_UP_START =
  /^\s*(now|only|just|and|but|also|what about|how about|same|instead|then|ok(ay)?|break|split|group|sort|order|show only|limit|exclude|excluding|without|except|remove|drop the|reverse|ascending|descending|for all|all time|per|by|in|for|top|bottom|first|the top|make it|change|use|show (it|them|that|those|me the same)|do the same)\b/i;
const CONTINUES = /^\s*(now|only|just|and|but|also|what about|how about|same|instead|then)\b/i;
const REFERS_BACK = /\b(it|them|those|that|these|instead|same|too|as well|the previous|the last one)\b/i;

/**
 * A follow-up changes the previous plan rather than asking afresh: it starts
 * like one ("now only…", "what about…", "break it down by…") or names no
 * table and leans on the previous answer.
 */
export function isFollowUp(question: string, intent: Intent): boolean {
  if (FOLLOW_UP_START.test(question)) {
    // "by country" alone is a follow-up; "top 5 artists by …" with its own subject is a new question.
    const newSubject = intent.tables.length > 0 && !CONTINUES.test(question);
    return !newSubject;
  }
  const namesTable = intent.tables.length > 0 || intent.aggregates.some((a) => a.target?.tables.length) || intent.rank?.by?.target?.tables.length;
  return !namesTable && REFERS_BACK.test(question);
}

/** The choice closest (in joins) to the tables the plan already reads, weighed with its link score. */
function pickNear(index: SchemaIndex, plan: QueryPlan, choices: Choice[]): Choice {
  const tables = planTables(index, plan);
  const root = tables[0]!;
  let best: { c: Choice; score: number } | null = null;
  for (const c of choices) {
    if (c.table.database !== root.database) continue;
    const tree = joinTree(index, root, [...tables, c.table]);
    if (!tree) continue;
    const score = c.score - 0.25 * (tree.steps.length - (joinTree(index, root, tables)?.steps.length ?? 0));
    if (!best || score > best.score) best = { c, score };
  }
  if (!best) throw new Unanswerable('the follow-up names something that cannot be joined to the previous question');
  return best.c;
}

const fieldChoices = (item: Item, accept: (f: IndexedField) => boolean): Choice[] =>
  item.fields.filter((f) => accept(f.field)).map((f) => ({ table: f.field.table, field: f.field, score: f.score }));

function temporalFieldFor(index: SchemaIndex, plan: QueryPlan, hint: Item | null): IndexedField {
  const existing = plan.filters.find((f) => f.kind === 'date_range' || f.kind === 'month_of_year');
  if (existing && !hint) {
    const table = index.tables.find((t) => t.database === plan.database && t.name === existing.field.table && t.schema === existing.field.schema);
    const field = table?.byName.get(existing.field.field);
    if (field) return field;
  }
  const bucket = plan.dimensions.find((d) => d.bucket);
  if (bucket && !hint) {
    const f = bucket.fields[0]!;
    const table = index.tables.find((t) => t.database === plan.database && t.name === f.table && t.schema === f.schema);
    const field = table?.byName.get(f.field);
    if (field) return field;
  }
  let choices: Choice[] = hint ? fieldChoices(hint, (f) => f.temporal) : [];
  if (choices.length === 0) {
    choices = index.tables.flatMap((table: IndexedTable) =>
      table.fields.filter((f) => f.temporal).map((field, i) => ({ table, field, score: (field.stems.some((s) => s.startsWith('birth')) ? 0.3 : 0.55) - 0.02 * i })),
    );
  }
  if (choices.length === 0) throw new Unanswerable('there is no date column to filter on');
  return pickNear(index, plan, choices).field!;
}

const AGG_WORDS: Record<string, AggregateFn> = { average: 'avg', avg: 'avg', mean: 'avg', total: 'sum', sum: 'sum', maximum: 'max', max: 'max', highest: 'max', minimum: 'min', min: 'min', lowest: 'min' };

/**
 * Applies a follow-up's changes to a copy of the previous plan: a new period
 * replaces the old one, a new value replaces the value of the same column,
 * groupings are added, limits and order are changed.
 */
export function applyFollowUp(index: SchemaIndex, previous: QueryPlan, intent: Intent, question: string): QueryPlan {
  const plan: QueryPlan = structuredClone(previous);
  plan.guesses = [...previous.guesses];
  let changed = false;
  const lower = question.toLowerCase();

  if (/\b(for all (years|time|dates)|all time|remove the (date|year|time) filter|any (year|date|time))\b/.test(lower)) {
    plan.filters = plan.filters.filter((f) => f.kind !== 'date_range' && f.kind !== 'month_of_year');
    changed = true;
  }
  if (/\b(remove|without|drop|clear) (the |all )?(filters?|conditions?)\b/.test(lower)) {
    plan.filters = [];
    changed = true;
  }

  // A new period replaces the old one.
  if (intent.dates.length > 0) {
    const field = fieldRef(temporalFieldFor(index, plan, intent.dates[0]!.hint));
    plan.filters = plan.filters.filter((f) => f.kind !== 'date_range' && f.kind !== 'month_of_year');
    for (const d of intent.dates) {
      plan.filters.push(d.month !== null ? { kind: 'month_of_year', field, month: d.month, phrase: d.phrase } : { kind: 'date_range', field, from: d.from, to: d.to, phrase: d.phrase });
    }
    changed = true;
  }

  // "what about Canada": the value replaces the value of the same column; otherwise it is one more filter.
  for (const v of intent.values) {
    const sameColumn = plan.filters.find((f) => (f.kind === 'compare' || f.kind === 'in') && v.item.values.some((e) => sameField(fieldRef(e.field), f.field)));
    if (sameColumn) {
      const entry = v.item.values.find((e) => sameField(fieldRef(e.field), sameColumn.field))!;
      const replaced: PlanFilter = entry.spellings
        ? { kind: 'in', field: sameColumn.field, values: entry.spellings, negate: v.negate, phrase: '' }
        : { kind: 'compare', field: sameColumn.field, op: v.negate ? 'neq' : 'eq', value: entry.value, caseInsensitive: false, phrase: '' };
      plan.filters.splice(plan.filters.indexOf(sameColumn), 1, replaced);
      // "also Canada" / "and Canada too" widen instead of replace.
      if (/\b(also|too|as well|and)\b/.test(lower) && !/^\s*and (what|how)\b/.test(lower) && sameColumn.kind === 'compare' && !v.negate) {
        plan.filters.splice(plan.filters.indexOf(replaced), 1, { kind: 'in', field: sameColumn.field, values: [sameColumn.value, entry.value], negate: false, phrase: '' });
      }
    } else {
      const c = pickNear(index, plan, v.item.values.map((e) => ({ table: e.field.table, field: e.field, score: e.score })));
      const entry = v.item.values.find((e) => e.field === c.field)!;
      plan.filters.push(
        entry.spellings
          ? { kind: 'in', field: fieldRef(c.field!), values: entry.spellings, negate: v.negate, phrase: '' }
          : { kind: 'compare', field: fieldRef(c.field!), op: v.negate ? 'neq' : 'eq', value: entry.value, caseInsensitive: false, phrase: '' },
      );
    }
    changed = true;
  }

  for (const g of intent.guessed) {
    // "what about Oslo": the column of the previous case-insensitive value, else give up on it.
    const previousGuess = plan.filters.find((f) => f.kind === 'compare' && f.caseInsensitive);
    if (!previousGuess || previousGuess.kind !== 'compare') throw new Unanswerable(`it is not clear what "${g.raw}" is`);
    plan.filters.splice(plan.filters.indexOf(previousGuess), 1, { ...previousGuess, value: g.raw, op: g.negate ? 'neq' : 'eq' });
    changed = true;
  }

  for (const t of intent.texts) {
    const choices = t.target ? fieldChoices(t.target, (f) => f.text) : [];
    const subject = index.tables.find((x) => x.database === plan.database && x.name === plan.subject.name && x.schema === plan.subject.schema);
    const field = choices.length > 0 ? pickNear(index, plan, choices).field! : subject?.display[0];
    if (!field) throw new Unanswerable(`it is not clear which column "${t.value}" is looked for in`);
    plan.filters.push(
      t.op === 'equals' || t.op === 'not_equals'
        ? { kind: 'compare', field: fieldRef(field), op: t.op === 'equals' ? 'eq' : 'neq', value: t.value, caseInsensitive: true, phrase: '' }
        : { kind: 'text', field: fieldRef(field), op: t.op, value: t.value, phrase: '' },
    );
    changed = true;
  }

  for (const c of intent.compares) {
    if (c.countOf || c.op === 'between') continue;
    const choices = c.target ? fieldChoices(c.target, (f) => f.numeric) : [];
    if (choices.length === 0) continue;
    const field = pickNear(index, plan, choices).field!;
    plan.filters.push(
      c.op === 'in'
        ? { kind: 'in', field: fieldRef(field), values: c.values, negate: false, phrase: c.phrase }
        : { kind: 'compare', field: fieldRef(field), op: c.op, value: c.value, caseInsensitive: false, phrase: c.phrase },
    );
    changed = true;
  }

  // "break it down by country", "per month instead"
  for (const g of intent.groups) {
    if (plan.shape === 'list' || plan.shape === 'distinct') {
      const subject = index.tables.find((t) => t.database === plan.database && t.name === plan.subject.name && t.schema === plan.subject.schema)!;
      plan.shape = 'aggregate';
      plan.columns = [];
      plan.measures = [{ fn: 'count', table: plan.subject, field: null, times: null, divideBy: null, label: `${subject.words.join('_')}_count`, phrase: `number of ${subject.words.join(' ')}s` }];
      plan.order = [];
      plan.limit = null;
    }
    if (plan.shape === 'count') plan.shape = 'aggregate';
    if (g.bucket) {
      const field = temporalFieldFor(index, plan, null);
      plan.dimensions = plan.dimensions.filter((d) => d.bucket === null);
      plan.dimensions.push(fieldDimension(field, g.bucket));
    } else if (g.item) {
      const entity = g.item.tables.length > 0 && (g.item.fields.length === 0 || g.item.tables[0]!.score >= g.item.fields[0]!.score);
      const choices: Choice[] = entity ? g.item.tables.map((t) => ({ table: t.table, score: t.score })) : fieldChoices(g.item, () => true);
      if (choices.length === 0) continue;
      const c = pickNear(index, plan, choices);
      if (/\binstead\b/.test(lower)) plan.dimensions = [];
      plan.dimensions.push(c.field ? fieldDimension(c.field, null) : entityDimension(c.table));
    }
    if (!plan.order.some((o) => o.target.kind === 'measure')) {
      const bucket = plan.dimensions.findIndex((d) => d.bucket !== null);
      plan.order = [bucket >= 0 ? { target: { kind: 'dimension', index: bucket }, direction: 'asc' } : { target: { kind: 'measure', index: 0 }, direction: 'desc' }];
    }
    changed = true;
  }

  // "only the top 3", "bottom 5"
  if (intent.rank) {
    if (intent.rank.n !== null) plan.limit = intent.rank.n;
    if (plan.shape === 'aggregate' && plan.dimensions.length > 0) {
      plan.order = [{ target: { kind: 'measure', index: 0 }, direction: intent.rank.direction }];
    } else if (plan.order[0]) {
      plan.order[0] = { ...plan.order[0], direction: intent.rank.direction };
    }
    changed = true;
  } else {
    const limit = /\b(?:only|just|first|limit(?: it)? to|show)\s+(\d+)\b/.exec(lower);
    if (limit) {
      plan.limit = Number(limit[1]);
      changed = true;
    }
  }

  // "sort ascending", "sort by name"
  if (intent.order) {
    const o = intent.order;
    const choices = o.target ? fieldChoices(o.target, () => true) : [];
    if (choices.length > 0) {
      const field = pickNear(index, plan, choices).field!;
      plan.order = [{ target: { kind: 'field', field: fieldRef(field) }, direction: o.direction ?? 'asc' }];
      if (plan.shape === 'list' && !plan.columns.some((c) => sameField(c, fieldRef(field)))) plan.columns.push(fieldRef(field));
      if (plan.shape === 'aggregate') throw new Unanswerable('sorting grouped results by a column that is not shown');
    } else if (o.direction) {
      plan.order = plan.order.length > 0 ? plan.order.map((x, i) => (i === 0 ? { ...x, direction: o.direction! } : x)) : [{ target: { kind: 'measure', index: 0 }, direction: o.direction }];
    }
    changed = true;
  }

  // "what about the average?" / "show the total instead"
  for (const word of lower.replace(/\b(highest|lowest|largest|smallest) first\b/g, '').match(/\b[a-z]+\b/g) ?? []) {
    const fn = AGG_WORDS[word];
    const m = plan.measures[0];
    if (!fn || !m || m.field === null || m.fn === fn || m.fn === 'count' || m.fn === 'count_distinct') continue;
    const names = { avg: 'average', sum: 'total', max: 'highest', min: 'lowest', count: 'number of', count_distinct: 'number of' };
    plan.measures[0] = { ...m, fn, label: m.label.replace(/^(total|avg|min|max)_/, `${{ avg: 'avg', sum: 'total', max: 'max', min: 'min', count: 'count', count_distinct: 'count' }[fn]}_`), phrase: m.phrase.replace(/^(total|average|highest|lowest)/, names[fn]) };
    if (plan.shape === 'count') plan.shape = 'aggregate';
    changed = true;
    break;
  }

  if (!changed) throw new Unanswerable('the follow-up does not say what to change');
  return plan;
}
