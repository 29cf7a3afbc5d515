import type { DateIntent, GuessedValueIntent, TextIntent, ValueIntent } from '../intent';
import type { IndexedTable } from '../schema-index';
import { SCORES } from '../scores';
import { CREATOR_STEMS, creatorChoices, fieldChoices, LOCATION_STEMS, temporalChoices, yearColumnChoices, type Choice } from './choices';
import type { Resolver } from './context';
import { bucketSlot, dimensionSlot } from './measures';
import { fieldRef, fieldWords, sameField, tableWords } from './plan-parts';

/** "per genre", "per month": one dimension per grouping; any grouping makes the answer an aggregate. */
export function resolveGroupings(ctx: Resolver): void {
  const { intent, plan } = ctx;
  for (const g of intent.groups) {
    if (g.item) dimensionSlot(ctx, g.item);
    else if (g.bucket) bucketSlot(ctx, g.bucket);
  }
  if (intent.groups.length > 0 && plan.shape !== 'aggregate') plan.shape = 'aggregate';
}

/** "in 2023", "in March", "before 2009": a range on a date column, or on a column of whole years. */
export function resolveDateFilters(ctx: Resolver): void {
  for (const d of ctx.intent.dates) {
    const years = d.month === null ? yearColumnChoices(ctx.index, d.hint) : [];
    const slot = ctx.addSlot(`a date for "${d.phrase}"`, [...temporalChoices(ctx.index, d.hint), ...years]);
    if (!d.hint) ctx.guesses.push(`which date "${d.phrase}" refers to`);
    ctx.finals.push((pick) => addDateFilter(ctx, d, pick[slot]!));
  }
}

function addDateFilter(ctx: Resolver, d: DateIntent, c: Choice): void {
  const { plan } = ctx;
  const chosen = c.field!;
  const field = fieldRef(chosen);
  if (chosen.numeric) {
    // A year stored as a number ("founded after 2008"): the same half-open range, in years.
    const year = (iso: string) => Number(iso.slice(0, 4)) + (iso.slice(5) === '01-01' ? 0 : 1);
    if (d.from) plan.filters.push({ kind: 'compare', field, op: 'gte', value: year(d.from), caseInsensitive: false, phrase: d.phrase });
    if (d.to) plan.filters.push({ kind: 'compare', field, op: 'lt', value: year(d.to), caseInsensitive: false, phrase: d.phrase });
  } else if (d.month !== null) plan.filters.push({ kind: 'month_of_year', field, month: d.month, phrase: d.phrase });
  else plan.filters.push({ kind: 'date_range', field, from: d.from, to: d.to, phrase: d.phrase });
}

/** Values seen among a column's samples ("Rock", "Queen"): an equality (or IN) on that column. */
export function resolveValueFilters(ctx: Resolver): void {
  for (const v of ctx.intent.values) {
    const choices: Choice[] = v.item.values.map((e) => ({ table: e.field.table, field: e.field, score: e.score }));
    // "albums by Queen": a name after "by" is more likely the maker's than a same-named row elsewhere.
    const namesMaker = v.item.values.some((e) => e.field.table.stems.some((s) => CREATOR_STEMS.has(s)) || e.field.stems.some((s) => CREATOR_STEMS.has(s)));
    if (['by', 'does', 'do', 'did'].includes(v.prep) && !namesMaker) {
      for (const c of creatorChoices(ctx.index, SCORES.creatorForValue)) if (!choices.some((x) => x.field === c.field)) choices.push({ ...c, guessed: true });
    }
    const slot = ctx.addSlot(`"${v.item.text}"`, choices);
    ctx.finals.push((pick) => addValueFilter(ctx, v, pick[slot]!));
  }
}

function addValueFilter(ctx: Resolver, v: ValueIntent, c: Choice): void {
  const { plan } = ctx;
  const field = fieldRef(c.field!);
  if (c.guessed) {
    plan.filters.push({ kind: 'compare', field, op: v.negate ? 'neq' : 'eq', value: v.item.raw, caseInsensitive: true, phrase: '' });
    ctx.guesses.push(`that "${v.item.raw}" is a ${fieldWords(c.field!)} of ${tableWords(c.table)}`);
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
}

/** A quoted or capitalised value not among the samples: which column it is, guessed from the words around it. */
export function resolveGuessedValues(ctx: Resolver): void {
  for (const g of ctx.intent.guessed) {
    const slot = ctx.addSlot(`"${g.raw}"`, guessedValueChoices(ctx, g));
    ctx.guesses.push(`what "${g.raw}" is (it is not among the sampled values)`);
    ctx.finals.push((pick) => {
      const field = fieldRef(pick[slot]!.field!);
      ctx.plan.filters.push({ kind: 'compare', field, op: g.negate ? 'neq' : 'eq', value: g.raw, caseInsensitive: true, phrase: '' });
    });
  }
}

function guessedValueChoices(ctx: Resolver, g: GuessedValueIntent): Choice[] {
  const { index } = ctx;
  const subject = ctx.subjectSlot()?.choices[0]?.table ?? null;
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
  return choices;
}

/** "containing 'love'", "named 'Bob'": a text condition on the column named, else on a name column. */
export function resolveTextFilters(ctx: Resolver): void {
  for (const t of ctx.intent.texts) {
    const slot = ctx.addSlot(`text "${t.value}"`, textChoices(ctx, t));
    ctx.finals.push((pick) => {
      const field = fieldRef(pick[slot]!.field!);
      if (t.op === 'equals' || t.op === 'not_equals') ctx.plan.filters.push({ kind: 'compare', field, op: t.op === 'equals' ? 'eq' : 'neq', value: t.value, caseInsensitive: true, phrase: '' });
      else ctx.plan.filters.push({ kind: 'text', field, op: t.op, value: t.value, phrase: '' });
    });
  }
}

function textChoices(ctx: Resolver, t: TextIntent): Choice[] {
  let choices = t.target ? fieldChoices(t.target, (f) => f.text || f.array) : [];
  if (choices.length === 0) {
    // "tracks containing 'love'": the subject's name column.
    const subjectTables = ctx.subjectSlot()?.choices.map((c) => c.table) ?? [];
    choices = subjectTables.flatMap((table) => table.display.slice(0, 1).map((field) => ({ table, field, score: SCORES.textInSubjectName })));
    if (choices.length === 0) choices = ctx.index.tables.flatMap((table) => table.display.slice(0, 1).map((field) => ({ table, field, score: SCORES.textInAnyName })));
    ctx.guesses.push(`which column "${t.value}" is looked for in`);
  }
  return choices;
}

/** "explicit tracks", "not active": a yes/no column. */
export function resolveBooleans(ctx: Resolver): void {
  for (const b of ctx.intent.booleans) {
    let choices = fieldChoices(b.item, (f) => f.boolean);
    if (choices.length === 0) {
      choices = ctx.index.tables.flatMap((table) => table.fields.filter((f) => f.boolean && f.words.join('') === b.item.text).map((field) => ({ table, field, score: SCORES.booleanByName })));
    }
    if (choices.length === 0) continue;
    const slot = ctx.addSlot(`"${b.item.text}"`, choices);
    ctx.finals.push((pick) => ctx.plan.filters.push({ kind: 'compare', field: fieldRef(pick[slot]!.field!), op: 'eq', value: b.value, caseInsensitive: false, phrase: '' }));
  }
}

/** "with an email", "without a fax": the column is (or is not) filled in. */
export function resolvePresence(ctx: Resolver): void {
  for (const p of ctx.intent.presence) {
    const slot = ctx.addSlot(`"${p.item.text}"`, fieldChoices(p.item, (f) => !f.key));
    ctx.finals.push((pick) => ctx.plan.filters.push({ kind: 'presence', field: fieldRef(pick[slot]!.field!), present: p.present, phrase: '' }));
  }
}

/** Columns named but used by no rule in an answer that is not a listing: something was not understood. */
export function noteIgnoredColumns(ctx: Resolver): void {
  const { plan, intent } = ctx;
  if (plan.shape !== 'list' && plan.shape !== 'distinct') for (const f of ctx.remainingFields) if (f !== intent.distinct) ctx.guesses.push(`ignored "${f.text}"`);
}
