import type { IndexedField, IndexedTable } from '../schema-index';
import { labelOf } from '../text';
import type { PlanDimension, PlanField, QueryPlan, TimeBucket } from '../types';

export const fieldRef = (f: IndexedField): PlanField => ({ schema: f.table.schema, table: f.table.name, field: f.name });
export const tableRef = (t: IndexedTable) => ({ schema: t.schema, name: t.name });

/** Human name of a table: "invoice line" for InvoiceLine. */
export const tableWords = (t: IndexedTable) => t.words.join(' ');
export const fieldWords = (f: IndexedField) => f.words.join(' ');

export function sameField(a: PlanField, b: PlanField): boolean {
  return a.table === b.table && a.field === b.field && a.schema === b.schema;
}

export function defaultOrderTarget(plan: QueryPlan, root?: IndexedTable): QueryPlan['order'][number]['target'] {
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
export function namedDimension(table: IndexedTable, fields: IndexedField[]): PlanDimension {
  const key = table.primaryKey.filter((k) => !fields.includes(k));
  return { fields: fields.map(fieldRef), key: key.map(fieldRef), bucket: null, label: labelOf(table.words), phrase: tableWords(table) };
}

export function fieldDimension(field: IndexedField, bucket: TimeBucket | null): PlanDimension {
  return { fields: [fieldRef(field)], key: [], bucket, label: bucket ?? labelOf(field.words.slice(-3)), phrase: bucket ? `${bucket} of ${fieldWords(field)}` : fieldWords(field) };
}
