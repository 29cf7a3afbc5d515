import { multiplies } from '../joins';
import { findTable, planJoins, PlanError } from '../plan-tables';
import type { IndexedTable, SchemaIndex } from '../schema-index';
import type { CompareOp, PlanField, PlanFilter, PlanMeasure, QueryPlan, Scalar } from '../types';
import type { PlanRenderer, SqlDialect } from './types';

const OPERATORS: Record<CompareOp, string> = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };
const RESERVED_ALIASES = new Set(['as', 'at', 'by', 'do', 'if', 'in', 'is', 'no', 'of', 'on', 'or', 'to', 'all', 'and', 'any', 'asc', 'end', 'for', 'not', 'set', 'top', 'use', 'desc', 'from', 'into', 'join', 'key', 'left', 'like', 'null', 'only', 'over', 'then', 'true', 'when', 'with']);

/** Escapes LIKE wildcards with `!` (every dialect gets ESCAPE '!'). */
function likeEscape(value: string): string {
  return value.replace(/[!%_]/g, (c) => `!${c}`);
}

function aliasFor(table: IndexedTable, taken: Set<string>): string {
  const initials = table.words.map((w) => w[0]).join('').replace(/[^a-z]/g, '') || 't';
  let alias = initials;
  for (let n = 2; taken.has(alias) || RESERVED_ALIASES.has(alias); n++) alias = `${initials}${n}`;
  taken.add(alias);
  return alias;
}

/** Builds SQL from a plan for one dialect: SELECT … FROM … JOIN … WHERE … GROUP BY … HAVING … ORDER BY … LIMIT. */
export function createSqlRenderer(d: SqlDialect): PlanRenderer {
  return {
    dialect: d.dialect,
    render(plan: QueryPlan, index: SchemaIndex, rowLimit: number): string {
      if (plan.combine) {
        // Each side whole (a limited second side of EXCEPT would leave rows in that it should take out);
        // the row limit and a stable order apply to the result of the set operation.
        const { combine, ...first } = plan;
        const limit = Math.max(1, Math.min(plan.limit ?? rowLimit, rowLimit));
        const op = combine.op === 'intersect' ? 'INTERSECT' : 'EXCEPT';
        return `(${renderSingle(first, index, rowLimit, true)})\n${op}\n(${renderSingle(combine.plan, index, rowLimit, true)})\nORDER BY 1 ASC\nLIMIT ${limit}`;
      }
      return renderSingle(plan, index, rowLimit, false);
    },
  };

  /** One SELECT; `whole` leaves out its ORDER BY and LIMIT (a side of a set operation). */
  function renderSingle(plan: QueryPlan, index: SchemaIndex, rowLimit: number, whole: boolean): string {
    const { tree, root, repeatsSubject } = planJoins(index, plan);
    const aliases = new Map<IndexedTable, string>();
    const taken = new Set<string>();
    aliases.set(root, aliasFor(root, taken));
    for (const step of tree.steps) aliases.set(step.table, aliasFor(step.table, taken));

    const col = (f: PlanField): string => {
      const table = findTable(index, plan.database, { schema: f.schema, name: f.table });
      if (!table.byName.has(f.field)) throw new PlanError(`The column ${f.table}.${f.field} is not in this source's metadata.`);
      return `${aliases.get(table)}.${d.quote(f.field)}`;
    };
    const literal = (v: Scalar): string => {
      if (typeof v === 'number') {
        if (!Number.isFinite(v)) throw new PlanError('A number in the question is out of range.');
        return String(v);
      }
      return typeof v === 'boolean' ? d.boolean(v) : d.string(v);
    };

    const from = [`FROM ${d.table(root.database, root.schema, root.name)} AS ${aliases.get(root)}`];
    for (const step of tree.steps) {
      const on = step.edge.pairs
        .map(([child, parent]) => `${aliases.get(step.edge.child)}.${d.quote(child.name)} = ${aliases.get(step.edge.parent)}.${d.quote(parent.name)}`)
        .join(' AND ');
      from.push(`JOIN ${d.table(step.table.database, step.table.schema, step.table.name)} AS ${aliases.get(step.table)} ON ${on}`);
    }

    const tableSql = (ref: { schema: string | null; table: string }) => {
      const t = findTable(index, plan.database, { schema: ref.schema, name: ref.table });
      return d.table(t.database, t.schema, t.name);
    };
    const where = plan.filters.map((f) => {
      // Subqueries read whole tables under their own alias, so they never change the outer rows.
      if (f.kind === 'vs_average') return `${col(f.field)} ${OPERATORS[f.op]} (SELECT AVG(sub.${d.quote(f.field.field)}) FROM ${tableSql(f.field)} AS sub)`;
      if (f.kind === 'related') return `${f.present ? '' : 'NOT '}EXISTS (SELECT 1 FROM ${tableSql(f.via)} AS sub WHERE sub.${d.quote(f.via.field)} = ${col(f.field)})`;
      return filterSql(f, col(f.field), d, literal);
    });

    const measureSql = (m: PlanMeasure): string => {
      const table = findTable(index, plan.database, m.table);
      let expr: string;
      if (m.fn === 'count' && m.field === null) expr = 'COUNT(*)';
      else if (m.fn === 'count' || m.fn === 'count_distinct') {
        // Counting rows of a table that the joins repeat: count its distinct keys.
        const target = m.field ? col(m.field) : col({ schema: table.schema, table: table.name, field: table.primaryKey[0]!.name });
        expr = m.fn === 'count_distinct' || multiplies(tree, table) ? `COUNT(DISTINCT ${target})` : `COUNT(${target})`;
      } else {
        const value = m.times ? `${col(m.field!)} * ${col(m.times)}` : col(m.field!);
        expr = `${m.fn.toUpperCase()}(${value})`;
      }
      return m.divideBy ? d.divide(expr, m.divideBy) : expr;
    };

    const select: string[] = [];
    const groupBy: string[] = [];
    const dimensionSql: string[] = [];
    let distinct = false;
    const names = outputLabels(plan);

    if (plan.shape === 'list' || plan.shape === 'distinct') {
      plan.columns.forEach((c, i) => select.push(names.columns[i] === c.field ? col(c) : `${col(c)} AS ${d.quote(names.columns[i]!)}`));
      distinct = plan.shape === 'distinct' || repeatsSubject;
    } else {
      plan.dimensions.forEach((dim, k) => {
        const shown = dim.fields.map((f) => (dim.bucket ? d.bucket(col(f), dim.bucket) : col(f)));
        shown.forEach((expr, i) => select.push(`${expr} AS ${d.quote(names.dimensions[k]![i]!)}`));
        dimensionSql.push(d.quote(names.dimensions[k]![0]!));
        groupBy.push(...dim.key.map(col), ...shown);
      });
      plan.measures.forEach((m, i) => {
        if (!m.hidden) select.push(`${measureSql(m)} AS ${d.quote(names.measures[i]!)}`);
      });
    }

    const order: string[] = [];
    for (const o of plan.order) {
      const dir = o.direction === 'desc' ? 'DESC' : 'ASC';
      if (o.target.kind === 'field') {
        const field = o.target.field;
        const expr = col(field);
        // DISTINCT can only sort by what it shows: a ranking column is shown too; the key order of a plain listing is left out.
        if (distinct && !plan.columns.some((c) => col(c) === expr)) {
          const subject = findTable(index, plan.database, plan.subject);
          if (field.table === subject.name && subject.primaryKey.some((k) => k.name === field.field)) continue;
          select.push(expr);
        }
        order.push(`${expr} ${dir}`);
      }
      else if (o.target.kind === 'measure') {
        const m = plan.measures[o.target.index];
        if (m) order.push(`${m.hidden ? measureSql(m) : d.quote(names.measures[o.target.index]!)} ${dir}`);
      } else {
        const expr = dimensionSql[o.target.index];
        if (expr) order.push(`${expr} ${dir}`);
      }
    }
    // Ties broken by the groups themselves, so the same question always returns the same rows.
    for (const expr of dimensionSql) if (!order.some((o) => o.startsWith(`${expr} `))) order.push(`${expr} ASC`);

    const scalar = (plan.shape === 'count' || plan.shape === 'aggregate') && plan.dimensions.length === 0;
    const limit = Math.max(1, Math.min(plan.limit ?? rowLimit, rowLimit));
    const lines = [`SELECT ${distinct ? 'DISTINCT ' : ''}${select.join(', ')}`, ...from];
    if (where.length > 0) lines.push(`WHERE ${where.join('\n  AND ')}`);
    if (groupBy.length > 0) lines.push(`GROUP BY ${groupBy.join(', ')}`);
    if (plan.having.length > 0) {
      lines.push(`HAVING ${plan.having.map((h) => `${measureSql(plan.measures[h.measure]!)} ${OPERATORS[h.op]} ${literal(h.value)}`).join(' AND ')}`);
    }
    if (order.length > 0 && !scalar && !whole) lines.push(`ORDER BY ${order.join(', ')}`);
    if (!scalar && !whole) lines.push(`LIMIT ${limit}`);
    return lines.join('\n');
  }
}

function isGenericName(field: string): boolean {
  return /^(name|title|label)$/i.test(field);
}

/** Output column names of a plan, unique, in select order. Also what the Mongo renderer names its fields. */
export function outputLabels(plan: QueryPlan): { columns: string[]; dimensions: string[][]; measures: string[] } {
  const taken = new Set<string>();
  const label = (wanted: string): string => {
    let name = wanted;
    for (let n = 2; taken.has(name); n++) name = `${wanted}_${n}`;
    taken.add(name);
    return name;
  };
  const leaf = (field: string) => field.split('.').pop()!;
  const columnNames = plan.columns.map((c) => leaf(c.field));
  const columns = plan.columns.map((c) => label(columnNames.filter((n) => n === leaf(c.field)).length > 1 ? `${c.table}_${leaf(c.field)}` : leaf(c.field)));
  const dimensions = plan.dimensions.map((dim) =>
    dim.fields.map((f) => label(dim.bucket ? dim.label : dim.fields.length > 1 || !isGenericName(leaf(f.field)) ? leaf(f.field) : dim.label)),
  );
  const measures = plan.measures.map((m) => label(m.label));
  return { columns, dimensions, measures };
}

function filterSql(f: PlanFilter, expr: string, d: SqlDialect, literal: (v: Scalar) => string): string {
  switch (f.kind) {
    case 'compare':
      if (f.caseInsensitive && typeof f.value === 'string') {
        const eq = d.equalsInsensitive(expr, f.value);
        return f.op === 'neq' ? `NOT (${eq})` : eq;
      }
      return `${expr} ${OPERATORS[f.op]} ${literal(f.value)}`;
    case 'in':
      return `${expr} ${f.negate ? 'NOT IN' : 'IN'} (${f.values.map(literal).join(', ')})`;
    case 'between':
      return `${expr} BETWEEN ${literal(f.low)} AND ${literal(f.high)}`;
    case 'text': {
      const v = likeEscape(f.value);
      const pattern = f.op === 'contains' ? `%${v}%` : f.op === 'starts_with' ? `${v}%` : `%${v}`;
      return d.likeInsensitive(expr, pattern);
    }
    case 'date_range': {
      const parts: string[] = [];
      if (f.from) parts.push(`${expr} >= ${d.date(f.from)}`);
      if (f.to) parts.push(`${expr} < ${d.date(f.to)}`);
      return parts.join(' AND ') || 'TRUE';
    }
    case 'month_of_year':
      return `${d.monthOf(expr)} = ${f.month}`;
    case 'presence':
      return `${expr} IS ${f.present ? 'NOT ' : ''}NULL`;
    case 'vs_average':
    case 'related':
      throw new PlanError('A subquery filter is rendered with its tables.');
    default: {
      const never: never = f;
      throw new PlanError(`Unknown filter ${JSON.stringify(never)}`);
    }
  }
}
