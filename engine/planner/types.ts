import type { MetadataDocument } from '../contract/metadata.contract';
import type { PlanSignals } from './confidence';

export type PlannerDialect = 'postgres' | 'mysql' | 'duckdb' | 'mongodb';

/** A column of a table (or a dotted field path of a collection) inside the plan's database. */
export interface PlanField {
  schema: string | null;
  table: string;
  field: string;
}

export type AggregateFn = 'count' | 'count_distinct' | 'sum' | 'avg' | 'min' | 'max';

/**
 * What is computed per group (or once). `field` null means "rows of `table`".
 * `times` multiplies two columns first (price × quantity lines); `divideBy`
 * converts units (milliseconds shown as minutes).
 */
export interface PlanMeasure {
  fn: AggregateFn;
  table: { schema: string | null; name: string };
  field: PlanField | null;
  times: PlanField | null;
  divideBy: number | null;
  label: string;
  /** In words, for the explanation: "number of tracks", "total of invoice total". */
  phrase: string;
}

export type TimeBucket = 'day' | 'week' | 'month' | 'quarter' | 'year';

/**
 * A grouping. A field grouping shows that field (optionally bucketed by
 * time); an entity grouping ("per artist") groups by the table's key and
 * shows its display fields.
 */
export interface PlanDimension {
  fields: PlanField[];
  key: PlanField[];
  bucket: TimeBucket | null;
  label: string;
  phrase: string;
}

export type CompareOp = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte';
export type Scalar = string | number | boolean;

export type PlanFilter =
  | { kind: 'compare'; field: PlanField; op: CompareOp; value: Scalar; caseInsensitive: boolean; phrase: string }
  | { kind: 'in'; field: PlanField; values: Scalar[]; negate: boolean; phrase: string }
  | { kind: 'between'; field: PlanField; low: number; high: number; phrase: string }
  | { kind: 'text'; field: PlanField; op: 'contains' | 'starts_with' | 'ends_with'; value: string; phrase: string }
  /** Half-open [from, to) on ISO dates (YYYY-MM-DD); null ends are open. */
  | { kind: 'date_range'; field: PlanField; from: string | null; to: string | null; phrase: string }
  /** The column has a value (or, with present false, has none): "customers with a company". */
  | { kind: 'presence'; field: PlanField; present: boolean; phrase: string }
  /** The month of the year (1..12) regardless of year: "in March". */
  | { kind: 'month_of_year'; field: PlanField; month: number; phrase: string };

/** A condition on a measure, after grouping ("artists with more than 10 albums"). */
export interface PlanHaving {
  measure: number;
  op: CompareOp;
  value: number;
  phrase: string;
}

export type OrderTarget = { kind: 'measure'; index: number } | { kind: 'dimension'; index: number } | { kind: 'field'; field: PlanField };

export interface PlanOrder {
  target: OrderTarget;
  direction: 'asc' | 'desc';
}

export type PlanShape = 'count' | 'list' | 'aggregate' | 'distinct';

/**
 * The structured plan: what to compute, independent of dialect and of join
 * paths (those are derived again each time it is rendered, so a follow-up can
 * add a grouping on another table and get the right joins). Plain JSON.
 */
export interface QueryPlan {
  version: 1;
  shape: PlanShape;
  database: string;
  /** The table whose rows are listed or counted (the root of the joins). */
  subject: { schema: string | null; name: string };
  /** Listed columns (list and distinct shapes). */
  columns: PlanField[];
  measures: PlanMeasure[];
  dimensions: PlanDimension[];
  filters: PlanFilter[];
  having: PlanHaving[];
  order: PlanOrder[];
  /** A limit the question asked for ("top 5"); the row limit still caps it. */
  limit: number | null;
  /** Words the planner had to guess about, each lowering the confidence. */
  guesses: string[];
}

export interface PlannerTurn {
  question: string;
  plan: QueryPlan;
}

export interface PlannerInput {
  question: string;
  metadata: MetadataDocument;
  dialect: PlannerDialect;
  rowLimit: number;
  history?: PlannerTurn[];
}

export type PlannerResult =
  /** `signals`: what the confidence was computed from (absent for follow-ups), for evaluations. */
  | { ok: true; query: string; dialect: PlannerDialect; explanation: string; confidence: number; plan: QueryPlan; signals?: PlanSignals }
  | { ok: false; reason: string; suggestions: string[] };
