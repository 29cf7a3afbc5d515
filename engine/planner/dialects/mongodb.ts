import { findTable, planTables, PlanError } from '../plan-tables';
import type { SchemaIndex } from '../schema-index';
import type { PlanFilter, PlanMeasure, QueryPlan, Scalar, TimeBucket } from '../types';
import { outputLabels } from './sql-builder';
import type { PlanRenderer } from './types';

type Doc = Record<string, unknown>;

const OPERATORS = { eq: '$eq', neq: '$ne', gt: '$gt', gte: '$gte', lt: '$lt', lte: '$lte' } as const;

function regexEscape(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Extended JSON date, so the query stays plain JSON that the guardrail and the driver both read. */
const date = (isoDate: string) => ({ $date: `${isoDate}T00:00:00Z` });

function condition(f: PlanFilter): [string, unknown] {
  const path = f.field.field;
  switch (f.kind) {
    case 'compare':
      if (f.caseInsensitive && typeof f.value === 'string') {
        const regex = { $regex: `^${regexEscape(f.value)}$`, $options: 'i' };
        return [path, f.op === 'neq' ? { $not: regex } : regex];
      }
      return [path, f.op === 'eq' ? f.value : { [OPERATORS[f.op]]: f.value }];
    case 'in':
      return [path, { [f.negate ? '$nin' : '$in']: f.values }];
    case 'between':
      return [path, { $gte: f.low, $lte: f.high }];
    case 'text': {
      const v = regexEscape(f.value);
      return [path, { $regex: f.op === 'contains' ? v : f.op === 'starts_with' ? `^${v}` : `${v}$`, $options: 'i' }];
    }
    case 'date_range': {
      const range: Doc = {};
      if (f.from) range.$gte = date(f.from);
      if (f.to) range.$lt = date(f.to);
      return [path, range];
    }
    case 'month_of_year':
      return ['$expr', { $eq: [{ $month: `$${path}` }, f.month] }];
    case 'presence':
      // Missing and null alike: {field: null} matches both.
      return [path, f.present ? { $ne: null } : null];
    case 'vs_average':
    case 'related':
      throw new PlanError('Comparing with an average or with another collection needs a model for MongoDB sources.');
    default: {
      const never: never = f;
      throw new PlanError(`Unknown filter ${JSON.stringify(never)}`);
    }
  }
}

/** One filter document; repeated keys (two conditions on one field) go under $and. */
function filterDoc(filters: PlanFilter[]): Doc {
  const pairs = filters.map(condition);
  const keys = pairs.map(([k]) => k);
  if (new Set(keys).size === keys.length) return Object.fromEntries(pairs);
  return { $and: pairs.map(([k, v]) => ({ [k]: v })) };
}

function bucketExpr(path: string, bucket: TimeBucket): unknown {
  if (bucket === 'year') return { $year: `$${path}` };
  return { $dateTrunc: { date: `$${path}`, unit: bucket, ...(bucket === 'week' ? { startOfWeek: 'monday' } : {}) } };
}

function accumulator(m: PlanMeasure): unknown {
  if (m.fn === 'count') return { $sum: 1 };
  const value = m.times ? { $multiply: [`$${m.field!.field}`, `$${m.times.field}`] } : `$${m.field!.field}`;
  if (m.fn === 'count_distinct') return { $addToSet: value };
  return { [`$${m.fn}`]: value };
}

/** Builds the query document of engine/connectors/mongodb/query-document.ts: find, count or aggregate. */
export const mongodbRenderer: PlanRenderer = {
  dialect: 'mongodb',
  render(plan: QueryPlan, index: SchemaIndex, rowLimit: number): string {
    if (plan.combine) throw new PlanError('Combining two listings ("both ... and ...") needs a model for MongoDB sources.');
    const tables = planTables(index, plan);
    if (tables.length > 1) throw new PlanError('A MongoDB query here reads one collection; this question needs several.');
    const collection = findTable(index, plan.database, plan.subject);
    const base = { collection: collection.name, database: collection.database };
    const filter = filterDoc(plan.filters);
    const limit = Math.max(1, Math.min(plan.limit ?? rowLimit, rowLimit));
    const names = outputLabels(plan);
    const arrayField = (path: string) => collection.byName.get(path)?.array === true;

    if (plan.shape === 'count' && plan.dimensions.length === 0 && plan.measures.every((m) => m.fn === 'count')) {
      return JSON.stringify({ ...base, operation: 'count', filter }, null, 2);
    }
    if (plan.shape === 'list') {
      const projection: Doc = Object.fromEntries(plan.columns.map((c) => [c.field, 1]));
      if (!plan.columns.some((c) => c.field === '_id')) projection._id = 0;
      const sort: Record<string, 1 | -1> = {};
      for (const o of plan.order) if (o.target.kind === 'field') sort[o.target.field.field] = o.direction === 'desc' ? -1 : 1;
      return JSON.stringify({ ...base, operation: 'find', filter, projection, ...(Object.keys(sort).length ? { sort } : {}), limit }, null, 2);
    }

    const pipeline: Doc[] = [];
    if (Object.keys(filter).length > 0) pipeline.push({ $match: filter });
    if (plan.shape === 'distinct') {
      const path = plan.columns[0]!.field;
      const name = names.columns[0]!;
      if (arrayField(path)) pipeline.push({ $unwind: `$${path}` });
      pipeline.push({ $group: { _id: `$${path}` } }, { $sort: { _id: 1 } }, { $limit: limit }, { $project: { _id: 0, [name]: '$_id' } });
      return JSON.stringify({ ...base, operation: 'aggregate', pipeline }, null, 2);
    }

    // Arrays are grouped by element ("per product"), as people mean it.
    for (const dim of plan.dimensions) for (const f of dim.fields) if (arrayField(f.field)) pipeline.push({ $unwind: `$${f.field}` });
    const id: Doc = {};
    plan.dimensions.forEach((dim, k) => dim.fields.forEach((f, i) => (id[names.dimensions[k]![i]!] = dim.bucket ? bucketExpr(f.field, dim.bucket) : `$${f.field}`)));
    for (const dim of plan.dimensions) for (const key of dim.key) id[`key_${key.field.replace(/\W/g, '_')}`] = `$${key.field}`;
    const group: Doc = { _id: Object.keys(id).length > 0 ? id : null };
    plan.measures.forEach((m, i) => (group[names.measures[i]!] = accumulator(m)));
    pipeline.push({ $group: group });

    const project: Doc = { _id: 0 };
    plan.dimensions.forEach((_, k) => names.dimensions[k]!.forEach((name) => (project[name] = `$_id.${name}`)));
    plan.measures.forEach((m, i) => {
      const name = names.measures[i]!;
      let value: unknown = m.fn === 'count_distinct' ? { $size: `$${name}` } : 1;
      if (m.divideBy) value = { $divide: [value === 1 ? `$${name}` : value, m.divideBy] };
      project[name] = value;
    });
    pipeline.push({ $project: project });
    if (plan.having.length > 0) {
      const having: Doc = {};
      for (const h of plan.having) having[names.measures[h.measure]!] = { [OPERATORS[h.op]]: h.value satisfies Scalar };
      pipeline.push({ $match: having });
    }
    const sort: Record<string, 1 | -1> = {};
    for (const o of plan.order) {
      const dir = o.direction === 'desc' ? -1 : 1;
      if (o.target.kind === 'measure') sort[names.measures[o.target.index]!] = dir;
      else if (o.target.kind === 'dimension') sort[names.dimensions[o.target.index]![0]!] = dir;
    }
    for (const dimNames of names.dimensions) if (!(dimNames[0]! in sort)) sort[dimNames[0]!] = 1;
    if (Object.keys(sort).length > 0) pipeline.push({ $sort: sort });
    if (plan.dimensions.length > 0) pipeline.push({ $limit: limit });
    return JSON.stringify({ ...base, operation: 'aggregate', pipeline }, null, 2);
  },
};
