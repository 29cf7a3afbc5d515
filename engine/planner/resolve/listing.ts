import type { OrderIntent } from '../intent';
import type { IndexedTable } from '../schema-index';
import type { PlanField } from '../types';
import { conceptChoices, fieldChoices, relatedKey, tableChoices, type Choice } from './choices';
import type { Resolver } from './context';
import { defaultColumns, defaultOrderTarget, fieldRef, sameField, tableWords } from './plan-parts';
import { Unanswerable } from './unanswerable';

/** "sorted by name", "in descending order": the sort column named, or the direction of the answer's own order. */
export function resolveExplicitOrder(ctx: Resolver): void {
  const order = ctx.intent.order;
  if (!order) return;
  const { plan } = ctx;
  const choices = orderChoices(ctx, order);
  if (choices.length > 0) {
    const slot = ctx.addSlot('the sort column', choices);
    ctx.finals.push((pick) => {
      plan.order = [{ target: { kind: 'field', field: fieldRef(pick[slot]!.field!) }, direction: order.direction ?? 'asc' }];
    });
  } else if (order.target === null && order.direction) {
    ctx.finals.push(() => {
      if (plan.order.length > 0) plan.order = plan.order.map((o) => ({ ...o, direction: order.direction! }));
      else if (plan.shape === 'list' || plan.shape === 'distinct') ctx.listDirection = order.direction!;
      else plan.order.push({ target: defaultOrderTarget(plan), direction: order.direction! });
    });
  }
}

function orderChoices(ctx: Resolver, order: OrderIntent): Choice[] {
  let choices: Choice[] = order.target ? fieldChoices(order.target, () => true) : [];
  if (choices.length === 0 && order.target?.tables.length) {
    choices = tableChoices(order.target).flatMap((c) => c.table.display.slice(0, 1).map((field) => ({ ...c, field })));
  }
  if (choices.length === 0 && order.concept) choices = conceptChoices(ctx.index, order.concept);
  return choices;
}

/** The remaining mentions: columns a listing shows, and tables that only join in (or show their name beside it). */
export function resolveListedColumns(ctx: Resolver): void {
  const { plan, intent } = ctx;
  if (plan.shape === 'list') for (const item of ctx.remainingFields) listedColumn(ctx, item.text, fieldChoices(item, () => true));
  for (const item of ctx.remainingTables) {
    const slot = ctx.addSlot(`"${item.text}"`, tableChoices(item));
    if (plan.shape === 'list' && intent.alongside.includes(item)) {
      ctx.finals.push((pick) => {
        const shown = pick[slot]!.table.display.find((f) => f.text) ?? pick[slot]!.table.display[0];
        if (shown && plan.columns.length > 0 && !plan.columns.some((c) => sameField(c, fieldRef(shown)))) plan.columns.push(fieldRef(shown));
      });
    }
  }
}

function listedColumn(ctx: Resolver, text: string, choices: Choice[]): void {
  if (choices.length === 0) return;
  const { plan } = ctx;
  const top = choices.filter((c) => c.score === Math.max(...choices.map((x) => x.score)));
  const slot = ctx.addSlot(`"${text}"`, choices);
  // "names" → first and last name: every best-scoring column of the same table.
  ctx.finals.push((pick) => {
    const chosen = pick[slot]!;
    const sameTable = top.filter((x) => x.table === chosen.table);
    for (const c of sameTable.length > 0 ? sameTable : [chosen]) if (!plan.columns.some((p) => sameField(p, fieldRef(c.field!)))) plan.columns.push(fieldRef(c.field!));
  });
}

/** "teachers who have not been arranged", "dogs that went through any treatment": rows with (or without) rows of another table. */
export function resolveRelatedRows(ctx: Resolver): void {
  const { plan } = ctx;
  for (const r of ctx.intent.related) {
    const subject = ctx.slots[ctx.rootSlot]!.choices[0]!.table;
    const via = relatedKey(ctx.index, subject, r.item.tables.map((t) => t.table));
    if (!via) {
      // No key says how they relate: a positive mention is an ordinary join; a negative one cannot be answered safely.
      if (!r.present) throw new Unanswerable(`it is not clear how ${tableWords(subject)} relate to "${r.item.text}"`);
      ctx.addSlot(`"${r.item.text}"`, tableChoices(r.item));
      continue;
    }
    ctx.finals.push((pick) => {
      if (pick[ctx.rootSlot]!.table !== subject) return;
      if (plan.filters.some((f) => f.kind === 'related' && sameField(f.via, fieldRef(via.column)) && f.present === r.present)) return;
      plan.filters.push({ kind: 'related', field: fieldRef(via.key), via: fieldRef(via.column), present: r.present, phrase: r.item.text });
    });
  }
}

/** What every answer shape still needs once the choices are made: a listing's columns, an order, and ties broken. */
export function finishPlan(ctx: Resolver, root: IndexedTable): void {
  const { plan } = ctx;
  if (plan.shape === 'list') finishListing(ctx, root);
  if (plan.shape === 'distinct' && plan.order.length === 0) plan.order.push({ target: { kind: 'field', field: plan.columns[0]! }, direction: ctx.listDirection });
  if (plan.shape === 'aggregate' && plan.order.length === 0 && plan.dimensions.length > 0) {
    const bucket = plan.dimensions.findIndex((d) => d.bucket !== null);
    plan.order.push(bucket >= 0 ? { target: { kind: 'dimension', index: bucket }, direction: 'asc' } : { target: { kind: 'measure', index: 0 }, direction: 'desc' });
  }
  if (plan.shape === 'count' && plan.measures.length === 0) throw new Unanswerable('nothing to count');
}

function finishListing(ctx: Resolver, root: IndexedTable): void {
  const { plan, intent } = ctx;
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
  if (plan.order.length === 0) plan.order.push({ target: sortBy ? { kind: 'field', field: sortBy } : defaultOrderTarget(plan, root), direction: ctx.listDirection });
  // Ties keep the table's key order, so the same question lists the same rows in the same order every time.
  const tieBreak = root.primaryKey[0];
  if (tieBreak && plan.order.every((o) => o.target.kind !== 'field' || !sameField(o.target.field, fieldRef(tieBreak)))) plan.order.push({ target: { kind: 'field', field: fieldRef(tieBreak) }, direction: 'asc' });
}
