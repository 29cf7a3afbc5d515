import type { MetadataDocument } from '../contract/metadata.contract';
import type { PlanSignals } from './confidence';
import type { LexiconExtension } from './lexicon';
import type { QueryPlan } from './plan-schema';

export type PlannerDialect = 'postgres' | 'mysql' | 'duckdb' | 'mongodb';

/**
 * The plan's types are inferred from its zod schema (plan-schema.ts), so a
 * plan read back from storage is parsed against the same definition the
 * planner writes.
 */
export type {
  AggregateFn,
  CompareOp,
  OrderTarget,
  PlanDimension,
  PlanField,
  PlanFilter,
  PlanHaving,
  PlanMeasure,
  PlanOrder,
  PlanShape,
  QueryPlan,
  Scalar,
  TimeBucket,
} from './plan-schema';

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
  /** The source's own synonym groups, merged over the built-in ones (engine/planner/data/synonyms.json). */
  lexicon?: LexiconExtension;
}

export type PlannerResult =
  /** `signals`: what the confidence was computed from (absent for follow-ups), for evaluations. */
  | { ok: true; query: string; dialect: PlannerDialect; explanation: string; confidence: number; plan: QueryPlan; signals?: PlanSignals }
  | { ok: false; reason: string; suggestions: string[] };
