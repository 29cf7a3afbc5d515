import { z } from 'zod';
import { refineRows } from './result-rows';

/** Column types normalized across stores, so tables and charts treat all sources alike. */
export const NormalizedType = z.enum([
  'string',
  'integer',
  'decimal',
  'float',
  'boolean',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'interval',
  'json',
  'binary',
  'uuid',
  'array',
  'object',
  'objectId',
  'null',
  'unknown',
]);
export type NormalizedType = z.infer<typeof NormalizedType>;

export const ResultColumn = z.object({
  name: z.string(),
  type: NormalizedType,
  nativeType: z.string(),
});
export type ResultColumn = z.infer<typeof ResultColumn>;

/**
 * A cell as it crosses the boundary: JSON-safe. Integers beyond 2^53 and
 * decimals are strings (no silent precision loss), dates and times ISO-8601
 * strings, binary `\x`-prefixed hex, nested documents and arrays as JSON.
 */
export const Cell = z.unknown();
export type Cell = z.infer<typeof Cell>;

/**
 * A result's rows. Only "an array" here: the object holding them checks them
 * in one loop with `refineRows` (width and JSON-safe cells), not a schema per
 * cell, see result-rows.ts. Passed on uncopied.
 */
export const ResultRows = z.custom<Cell[][]>((value) => Array.isArray(value), 'must be an array of rows');

/** The unified result: the same shape for PostgreSQL, MySQL, MongoDB and files. */
export const QueryResult = z.object({
  columns: z.array(ResultColumn),
  rows: ResultRows,
  rowCount: z.number().int().nonnegative(),
  /** True when the store had more rows than the row limit (or more bytes than the byte limit) allowed. */
  truncated: z.boolean(),
  /** Which limit cut the result short, when `truncated`. */
  truncatedBy: z.enum(['rows', 'bytes']).nullable().default(null),
  rowLimit: z.number().int().positive(),
  elapsedMs: z.number().nonnegative(),
  /** Time until the first row, where the store reports it separately. */
  notices: z.array(z.string()).default([]),
}).superRefine(refineRows);
export type QueryResult = z.infer<typeof QueryResult>;

/** Why the guardrail refused (or flagged) a query. Codes are stable; messages are for people. */
export const VerdictReasonCode = z.enum([
  'EMPTY_QUERY',
  'PARSE_ERROR',
  'MULTIPLE_STATEMENTS',
  'NOT_A_QUERY',
  'WRITE_CTE',
  'SELECT_INTO',
  'LOCKING_CLAUSE',
  'EXPLAIN_ANALYZE',
  'FORBIDDEN_FUNCTION',
  'FILE_ACCESS',
  'VARIABLE_ASSIGNMENT',
  'FORBIDDEN_STAGE',
  'FORBIDDEN_OPERATOR',
  'INVALID_DOCUMENT',
  'TOO_LONG',
  /** A table, view or collection outside what the source exposes, or a catalog object that holds secrets. */
  'FORBIDDEN_RELATION',
  /** The query names another database (or catalog) than the source's own. */
  'CROSS_DATABASE',
  /** MongoDB: a key such as __proto__ or constructor that would change what the server receives. */
  'UNSAFE_KEY',
  /** Checking or estimating the query exceeded the preview's own time or memory budget. */
  'PREVIEW_LIMIT',
]);
export type VerdictReasonCode = z.infer<typeof VerdictReasonCode>;

export const VerdictReason = z.object({
  code: VerdictReasonCode,
  message: z.string(),
  /** Where in the query text, when the parser says. */
  position: z.number().int().nonnegative().optional(),
});
export type VerdictReason = z.infer<typeof VerdictReason>;

export const Verdict = z.object({
  allowed: z.boolean(),
  reasons: z.array(VerdictReason),
  /** What kind of statement the parser saw (select, values, explain, find, aggregate, …). */
  statementKind: z.string().nullable(),
});
export type Verdict = z.infer<typeof Verdict>;

export const ExplainEstimate = z.object({
  estimatedRows: z.number().nonnegative().nullable(),
  estimatedCost: z.number().nonnegative().nullable(),
  /** A short, human-readable plan summary (first lines of the plan). */
  summary: z.string(),
  warnings: z.array(z.string()).default([]),
});
export type ExplainEstimate = z.infer<typeof ExplainEstimate>;

export const Dialect = z.enum(['postgres', 'mysql', 'duckdb', 'mongodb']);
export type Dialect = z.infer<typeof Dialect>;
