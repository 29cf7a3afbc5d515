import type { SchemaIndex } from '../schema-index';
import type { PlannerDialect, QueryPlan, TimeBucket } from '../types';

/** Turns a plan into the query text of one store. */
export interface PlanRenderer {
  readonly dialect: PlannerDialect;
  render(plan: QueryPlan, index: SchemaIndex, rowLimit: number): string;
}

/** What differs between the SQL dialects; the rest of SQL generation is shared (sql-builder.ts). */
export interface SqlDialect {
  readonly dialect: 'postgres' | 'mysql' | 'duckdb';
  quote(identifier: string): string;
  /** A table as written after FROM / JOIN. */
  table(database: string, schema: string | null, name: string): string;
  string(value: string): string;
  boolean(value: boolean): string;
  /** A date literal from YYYY-MM-DD. */
  date(isoDate: string): string;
  /** The start of the period containing `expr` (a year as an integer). */
  bucket(expr: string, bucket: TimeBucket): string;
  /** The month number (1..12) of `expr`. */
  monthOf(expr: string): string;
  /** Case-insensitive LIKE with `!` as the escape character; the pattern is already escaped. */
  likeInsensitive(expr: string, pattern: string): string;
  equalsInsensitive(expr: string, value: string): string;
  /** Division that never truncates, whatever the operand types. */
  divide(expr: string, by: number): string;
}
