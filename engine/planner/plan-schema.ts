import { z } from 'zod';
import { ValidationError } from '../errors';

/**
 * The offline planner's structured plan as a zod schema: the one source of
 * the plan's types (types.ts re-exports what is inferred here), and the
 * parser for a plan read back from storage. A stored plan is rendered into a
 * query again, so it is parsed, never cast: numbers that end up in SQL text
 * (a month, a unit divisor) and ISO dates are checked to be what they claim.
 */

/** The plan format this engine writes and reads. A plan of another version is refused, not guessed at. */
export const PLAN_VERSION = 1;

const Name = z.string().min(1);
const TableRef = z.object({ schema: z.string().nullable(), name: Name });
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'an ISO date (YYYY-MM-DD)');
const Index = z.number().int().nonnegative();

/** A column of a table (or a dotted field path of a collection) inside the plan's database. */
export const PlanField = z.object({ schema: z.string().nullable(), table: Name, field: Name });
export type PlanField = z.infer<typeof PlanField>;

export const AggregateFn = z.enum(['count', 'count_distinct', 'sum', 'avg', 'min', 'max']);
export type AggregateFn = z.infer<typeof AggregateFn>;

/**
 * What is computed per group (or once). `field` null means "rows of `table`".
 * `times` multiplies two columns first (price × quantity lines); `divideBy`
 * converts units (milliseconds shown as minutes).
 */
export const PlanMeasure = z.object({
  fn: AggregateFn,
  table: TableRef,
  field: PlanField.nullable(),
  times: PlanField.nullable(),
  divideBy: z.number().positive().nullable(),
  label: z.string(),
  /** In words, for the explanation: "number of tracks", "total of invoice total". */
  phrase: z.string(),
  /** Computed only for a condition ("teachers with at least two courses"), not shown as a column. */
  hidden: z.boolean().optional(),
});
export type PlanMeasure = z.infer<typeof PlanMeasure>;

export const TimeBucket = z.enum(['day', 'week', 'month', 'quarter', 'year']);
export type TimeBucket = z.infer<typeof TimeBucket>;

/**
 * A grouping. A field grouping shows that field (optionally bucketed by
 * time); an entity grouping ("per artist") groups by the table's key and
 * shows its display fields.
 */
export const PlanDimension = z.object({
  fields: z.array(PlanField),
  key: z.array(PlanField),
  bucket: TimeBucket.nullable(),
  label: z.string(),
  phrase: z.string(),
});
export type PlanDimension = z.infer<typeof PlanDimension>;

export const CompareOp = z.enum(['eq', 'neq', 'gt', 'gte', 'lt', 'lte']);
export type CompareOp = z.infer<typeof CompareOp>;
export const Scalar = z.union([z.string(), z.number(), z.boolean()]);
export type Scalar = z.infer<typeof Scalar>;

export const PlanFilter = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('compare'), field: PlanField, op: CompareOp, value: Scalar, caseInsensitive: z.boolean(), phrase: z.string() }),
  z.object({ kind: z.literal('in'), field: PlanField, values: z.array(Scalar), negate: z.boolean(), phrase: z.string() }),
  z.object({ kind: z.literal('between'), field: PlanField, low: z.number(), high: z.number(), phrase: z.string() }),
  z.object({ kind: z.literal('text'), field: PlanField, op: z.enum(['contains', 'starts_with', 'ends_with']), value: z.string(), phrase: z.string() }),
  /** Half-open [from, to) on ISO dates (YYYY-MM-DD); null ends are open. */
  z.object({ kind: z.literal('date_range'), field: PlanField, from: IsoDate.nullable(), to: IsoDate.nullable(), phrase: z.string() }),
  /** The column has a value (or, with present false, has none): "customers with a company". */
  z.object({ kind: z.literal('presence'), field: PlanField, present: z.boolean(), phrase: z.string() }),
  /** The month of the year (1..12) regardless of year: "in March". */
  z.object({ kind: z.literal('month_of_year'), field: PlanField, month: z.number().int().min(1).max(12), phrase: z.string() }),
  /** Compared with the column's average over the whole table: "dogs with an age below the average". */
  z.object({ kind: z.literal('vs_average'), field: PlanField, op: CompareOp, phrase: z.string() }),
  /**
   * The row has (or, with present false, has no) row in another table that points at it:
   * "teachers who teach any course", "dogs that never had a treatment". `field` is the row's key;
   * `via` the other table's column holding it.
   */
  z.object({ kind: z.literal('related'), field: PlanField, via: PlanField, present: z.boolean(), phrase: z.string() }),
]);
export type PlanFilter = z.infer<typeof PlanFilter>;

/** A condition on a measure, after grouping ("artists with more than 10 albums"). */
export const PlanHaving = z.object({ measure: Index, op: CompareOp, value: z.number(), phrase: z.string() });
export type PlanHaving = z.infer<typeof PlanHaving>;

export const OrderTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('measure'), index: Index }),
  z.object({ kind: z.literal('dimension'), index: Index }),
  z.object({ kind: z.literal('field'), field: PlanField }),
]);
export type OrderTarget = z.infer<typeof OrderTarget>;

export const PlanOrder = z.object({ target: OrderTarget, direction: z.enum(['asc', 'desc']) });
export type PlanOrder = z.infer<typeof PlanOrder>;

export const PlanShape = z.enum(['count', 'list', 'aggregate', 'distinct']);
export type PlanShape = z.infer<typeof PlanShape>;

/**
 * The structured plan: what to compute, independent of dialect and of join
 * paths (those are derived again each time it is rendered, so a follow-up can
 * add a grouping on another table and get the right joins). Plain JSON.
 */
const SinglePlan = z.object({
  version: z.literal(PLAN_VERSION),
  shape: PlanShape,
  database: z.string(),
  /** The table whose rows are listed or counted (the root of the joins). */
  subject: TableRef,
  /** Listed columns (list and distinct shapes). */
  columns: z.array(PlanField),
  measures: z.array(PlanMeasure),
  dimensions: z.array(PlanDimension),
  filters: z.array(PlanFilter),
  having: z.array(PlanHaving),
  order: z.array(PlanOrder),
  /** A limit the question asked for ("top 5"); the row limit still caps it. */
  limit: z.number().int().positive().nullable(),
  /** Words the planner had to guess about, each lowering the confidence. */
  guesses: z.array(z.string()),
});

export const SetOperation = z.enum(['intersect', 'except']);
export type SetOperation = z.infer<typeof SetOperation>;

/**
 * A plan, optionally combined with a second one by a set operation: "states
 * that have both owners and professionals" is the owners' states INTERSECT the
 * professionals'. One level only: the second plan has no combination itself.
 */
export const QueryPlan = SinglePlan.extend({
  combine: z.object({ op: SetOperation, plan: SinglePlan, phrase: z.string() }).optional(),
});
export type QueryPlan = z.infer<typeof QueryPlan>;

/** Why a stored plan was not used: written by another plan version, or not the shape of a plan. */
export type StoredPlanProblem = 'VERSION' | 'SHAPE';

/**
 * A stored plan that cannot be used. Its details name the problem and the
 * paths of the fields that failed, never the values (a filter value is the
 * user's data).
 */
export class StoredPlanError extends ValidationError {
  readonly problem: StoredPlanProblem;
  constructor(problem: StoredPlanProblem, message: string, details: { version?: unknown; paths?: string[] }) {
    super(message, { reason: problem === 'VERSION' ? 'PLAN_VERSION' : 'PLAN_SHAPE', ...details });
    this.problem = problem;
  }
}

export type StoredPlanParse = { ok: true; plan: QueryPlan } | { ok: false; error: StoredPlanError };

/** Paths of at most this many failing fields go into the error: enough to find the fault, short enough to log. */
const MAX_REPORTED_PATHS = 5;

function versionOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null && 'version' in value ? (value as { version: unknown }).version : undefined;
}

/** Reads a plan back from storage (a chat message, a chart's hints): the plan, or why it cannot be used. */
export function parseStoredPlan(value: unknown): StoredPlanParse {
  const version = versionOf(value);
  if (version !== undefined && version !== PLAN_VERSION) {
    const shown = typeof version === 'number' && Number.isInteger(version) ? version : 'unknown';
    return { ok: false, error: new StoredPlanError('VERSION', `The stored plan has version ${shown}; this version of PolyStoreIQ reads version ${PLAN_VERSION}.`, { version: shown }) };
  }
  const parsed = QueryPlan.safeParse(value);
  if (parsed.success) return { ok: true, plan: parsed.data };
  const paths = parsed.error.issues.slice(0, MAX_REPORTED_PATHS).map((issue) => issue.path.join('.') || '(plan)');
  return { ok: false, error: new StoredPlanError('SHAPE', 'The stored plan is not a plan this version of PolyStoreIQ can read.', { paths }) };
}
