import { joinTree, multiplies, type JoinTree } from './joins';
import type { IndexedTable, SchemaIndex } from './schema-index';
import type { PlanField, QueryPlan } from './types';

export class PlanError extends Error {}

/** The table a plan names, looked up in the index. */
export function findTable(index: SchemaIndex, database: string, ref: { schema: string | null; name: string }): IndexedTable {
  const table = index.tables.find((t) => t.database === database && t.schema === ref.schema && t.name === ref.name);
  if (!table) throw new PlanError(`The table ${ref.name} is not in this source's metadata.`);
  return table;
}

/** Every table a plan reads from: subject, measures, groupings, filters, order and columns. */
export function planTables(index: SchemaIndex, plan: QueryPlan): IndexedTable[] {
  const refs: Array<{ schema: string | null; name: string }> = [plan.subject];
  const field = (f: PlanField) => refs.push({ schema: f.schema, name: f.table });
  plan.columns.forEach(field);
  for (const m of plan.measures) {
    refs.push(m.table);
    if (m.field) field(m.field);
    if (m.times) field(m.times);
  }
  for (const d of plan.dimensions) [...d.fields, ...d.key].forEach(field);
  for (const f of plan.filters) field(f.field);
  for (const o of plan.order) if (o.target.kind === 'field') field(o.target.field);
  const tables: IndexedTable[] = [];
  for (const ref of refs) {
    const table = findTable(index, plan.database, ref);
    if (!tables.includes(table)) tables.push(table);
  }
  return tables;
}

/** The joins a plan needs, rooted at its subject (the rows it lists or counts). */
export function planJoins(index: SchemaIndex, plan: QueryPlan): { tree: JoinTree; root: IndexedTable; repeatsSubject: boolean } {
  const tables = planTables(index, plan);
  const root = tables[0]!;
  const tree = joinTree(index, root, tables);
  if (!tree) throw new PlanError('The tables this plan needs are not connected by foreign keys.');
  return { tree, root, repeatsSubject: multiplies(tree, root) };
}
