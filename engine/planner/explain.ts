import { MONTH_NAMES } from './lexicon';
import { splitName } from './text';
import { plural } from './text';
import type { PlanField, PlanFilter, QueryPlan } from './types';

const words = (name: string) => splitName(name).join(' ');

function fieldPhrase(plan: QueryPlan, f: PlanField): string {
  const leaf = words(f.field.split('.').pop()!);
  return f.table === plan.subject.name ? leaf : `${words(f.table)} ${leaf}`;
}

const quoted = (v: unknown) => (typeof v === 'string' ? `"${v}"` : String(v));

function filterPhrase(plan: QueryPlan, f: PlanFilter): string {
  const field = fieldPhrase(plan, f.field);
  switch (f.kind) {
    case 'compare': {
      if (typeof f.value === 'boolean') return f.value === (f.op === 'eq') ? `${field} is true` : `${field} is false`;
      const op = { eq: 'is', neq: 'is not', gt: 'is over', gte: 'is at least', lt: 'is under', lte: 'is at most' }[f.op];
      return `${field} ${op} ${typeof f.value === 'string' ? f.value : f.value}`;
    }
    case 'in':
      return `${field} is ${f.negate ? 'none' : 'one'} of ${f.values.map(String).join(', ')}`;
    case 'between':
      return `${field} is between ${f.low} and ${f.high}`;
    case 'text':
      return `${field} ${{ contains: 'contains', starts_with: 'starts with', ends_with: 'ends with' }[f.op]} ${quoted(f.value)}`;
    case 'date_range':
      if (/^(in|on|between|before|after|since|up to) /.test(f.phrase)) return `${field} is ${f.phrase}`;
      if (f.from && f.to) return `${field} is from ${f.from} up to (not including) ${f.to}`;
      if (f.from) return `${field} is on or after ${f.from}`;
      return `${field} is before ${f.to}`;
    case 'month_of_year':
      return `${field} is in ${MONTH_NAMES[f.month - 1]} (any year)`;
    case 'presence':
      return f.present ? `${field} is filled in` : `${field} is empty`;
    case 'vs_average': {
      const op = { eq: 'equals', neq: 'differs from', gt: 'is above', gte: 'is at least', lt: 'is below', lte: 'is at most' }[f.op];
      return `${field} ${op} its average`;
    }
    case 'related':
      return f.present ? `it has at least one ${f.via.table.replace(/_/g, ' ')}` : `it has no ${f.via.table.replace(/_/g, ' ')}`;
    default:
      return '';
  }
}

function filtersPhrase(plan: QueryPlan): string {
  if (plan.filters.length === 0) return '';
  return ` where ${plan.filters.map((f) => filterPhrase(plan, f)).join(' and ')}`;
}

function orderPhrase(plan: QueryPlan): string {
  const o = plan.order[0];
  if (!o) return '';
  const dir = o.direction === 'desc' ? 'highest first' : 'lowest first';
  if (o.target.kind === 'field') return `, sorted by ${fieldPhrase(plan, o.target.field)} (${o.direction === 'desc' ? 'descending' : 'ascending'})`;
  if (o.target.kind === 'measure') return `, ${dir}`;
  return `, in ${plan.dimensions[o.target.index]?.bucket ? 'date' : 'alphabetical'} order`;
}

/** A plain-words account of what the query does: "Counts customers where country is Brazil." */
export function explain(plan: QueryPlan, rowLimit: number): string {
  if (plan.combine) {
    const { combine, ...first } = plan;
    const joiner = combine.op === 'intersect' ? 'that are also in' : 'that are not in';
    const second = explain(combine.plan, rowLimit);
    return `${explain(first, rowLimit).replace(/\.$/, '')}, ${joiner}: ${second.charAt(0).toLowerCase()}${second.slice(1)}`;
  }
  const subject = plural(words(plan.subject.name));
  const limit = Math.min(plan.limit ?? rowLimit, rowLimit);
  const having = plan.having.map((h) => ` keeping those whose ${plan.measures[h.measure]?.phrase ?? 'count'} is ${{ eq: '', neq: 'not ', gt: 'over ', gte: 'at least ', lt: 'under ', lte: 'at most ' }[h.op]}${h.value}`).join('');
  let text: string;
  switch (plan.shape) {
    case 'count':
      text = `Counts ${subject}${filtersPhrase(plan)}`;
      break;
    case 'distinct':
      text = `Lists the distinct values of ${fieldPhrase(plan, plan.columns[0]!)} in ${subject}${filtersPhrase(plan)}, up to ${limit}`;
      break;
    case 'list':
      text = `Lists ${plan.columns.map((c) => fieldPhrase(plan, c)).join(', ')} of ${plan.limit ? `the first ${limit} ` : ''}${subject}${filtersPhrase(plan)}${orderPhrase(plan)}${plan.limit ? '' : ` (at most ${limit} rows)`}`;
      break;
    case 'aggregate': {
      const measures = plan.measures.map((m) => m.phrase).join(' and ');
      if (plan.dimensions.length === 0) {
        text = `Computes the ${measures} over ${subject}${filtersPhrase(plan)}`;
        break;
      }
      const dims = plan.dimensions.map((d) => d.phrase).join(' and ');
      const top = plan.limit !== null && plan.order[0]?.target.kind === 'measure' ? `${plan.order[0].direction === 'desc' ? 'Top' : 'Bottom'} ${plan.limit} ${plural(dims)} by ${measures}` : null;
      text = top ? `${top}${filtersPhrase(plan)}${having}` : `The ${measures} per ${dims}${filtersPhrase(plan)}${having}${orderPhrase(plan)}`;
      break;
    }
  }
  const guessed = plan.guesses.length > 0 ? ` Guessed: ${plan.guesses.join('; ')}.` : '';
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.${guessed}`;
}
