import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseStoredPlan, PlanFilter, StoredPlanError } from '../../../../engine/planner/plan-schema';
import type { QueryPlan } from '../../../../engine/planner/types';
import { answer, converse } from './helpers';

/** Questions whose plans, together, use every filter kind, HAVING, ordering, time buckets, a product measure and a unit divisor. */
const QUESTIONS = [
  'total sales per country in 2023',
  'how many customers are from Brazil or Canada',
  'tracks longer than 5 minutes',
  'invoices in March',
  'tracks whose name contains love',
  'monthly revenue in 2023',
  'artists with more than 10 albums',
  'average track length in minutes per genre',
  'top 5 customers by total spent',
  'invoices with a total between 5 and 10',
  'how many customers without an email',
  'total sales per genre',
  'invoices with a total below the average',
  'artists without any albums',
];

/** A plan as it comes back from SQLite: JSON text parsed again. */
const stored = (plan: QueryPlan): unknown => JSON.parse(JSON.stringify(plan));

const realPlan = (): Record<string, unknown> => stored(answer('total sales per country in 2023').plan) as Record<string, unknown>;

function rejected(value: unknown): StoredPlanError {
  const parsed = parseStoredPlan(value);
  if (parsed.ok) throw new Error('the plan was accepted');
  assert.instance(parsed.error, StoredPlanError);
  return parsed.error;
}

test('a plan the planner wrote reads back from storage unchanged, for every part a plan can have', () => {
  const parts = new Set<string>();
  for (const question of QUESTIONS) {
    const plan = answer(question).plan;
    const parsed = parseStoredPlan(stored(plan));
    assert.ok(parsed.ok, `${question}: ${parsed.ok ? '' : JSON.stringify(parsed.error.details)}`);
    if (parsed.ok) assert.equal(parsed.plan, plan, question);
    for (const f of plan.filters) parts.add(f.kind);
    if (plan.having.length) parts.add('having');
    if (plan.order.length) parts.add('order');
    if (plan.dimensions.some((d) => d.bucket)) parts.add('bucket');
    if (plan.measures.some((m) => m.times)) parts.add('times');
    if (plan.measures.some((m) => m.divideBy)) parts.add('divideBy');
  }
  // Every filter kind the schema knows: a kind added to the plan fails here until a question above writes it.
  const filterKinds = PlanFilter.options.map((option) => option.shape.kind.value);
  const expected = [...filterKinds, 'having', 'order', 'bucket', 'times', 'divideBy'];
  assert.equal([...parts].sort(), expected.sort(), 'the questions no longer cover every part of a plan');
});

test('a follow-up plan reads back unchanged too', () => {
  const plan = converse(['total sales per country', 'now only for 2023']).plan;
  const parsed = parseStoredPlan(stored(plan));
  assert.ok(parsed.ok);
  if (parsed.ok) assert.equal(parsed.plan, plan);
});

test('a plan of another version is refused as such, not read as this one', () => {
  const error = rejected({ ...realPlan(), version: 2 });
  assert.is(error.problem, 'VERSION');
  assert.is(error.code, 'VALIDATION');
  assert.is(error.details?.reason, 'PLAN_VERSION');
  assert.match(error.message, /version 2/);
});

test('a plan missing a field is refused, naming the field', () => {
  const plan = realPlan();
  delete plan.filters;
  const error = rejected(plan);
  assert.is(error.problem, 'SHAPE');
  assert.equal(error.details?.paths, ['filters']);
});

test('a filter of a kind the planner does not write is refused', () => {
  const plan = realPlan();
  const filters = plan.filters as Array<Record<string, unknown>>;
  filters[0] = { ...filters[0], kind: 'raw_sql' };
  assert.equal(rejected(plan).details?.paths, ['filters.0.kind']);
});

test('values that would be written into SQL text must be what they claim (a month, an ISO date)', () => {
  const plan = realPlan();
  const filters = plan.filters as Array<Record<string, unknown>>;
  const field = filters[0]!.field;
  rejected({ ...plan, filters: [{ kind: 'month_of_year', field, month: '1) OR (1=1', phrase: '' }] });
  rejected({ ...plan, filters: [{ kind: 'month_of_year', field, month: 13, phrase: '' }] });
  rejected({ ...plan, filters: [{ kind: 'date_range', field, from: "2023-01-01' OR 'x'='x", to: null, phrase: '' }] });
});

test('the refusal names paths, never the stored values (a filter value is the user\'s data)', () => {
  const plan = realPlan();
  const filters = plan.filters as Array<Record<string, unknown>>;
  filters[0] = { ...filters[0], kind: 'secret-kind-s3cr3t', value: 'hunter2-s3cr3t' };
  const error = rejected(plan);
  assert.not.match(JSON.stringify({ message: error.message, details: error.details }), 's3cr3t');
});

test('something that is not a plan at all is refused', () => {
  for (const value of [null, 'plan', 42, [], {}]) assert.is(rejected(value).problem, 'SHAPE');
});

test.run();
