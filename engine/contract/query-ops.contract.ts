import { z } from 'zod';
import { channel, Id } from './channel';
import { CreateSourceInput, LoginRisk } from './sources.contract';
import { MetadataDocument } from './metadata.contract';
import { ChartRecommendation } from './chart.contract';
import { Dialect, ExplainEstimate, QueryResult, Verdict } from './query.contract';

const QueryText = z.string().min(1, 'is required').max(100_000, 'is too long (100 KB at most)');

export const ConnectionErrorKind = z.enum([
  'HOST_UNREACHABLE',
  'PORT_CLOSED',
  'AUTH_FAILED',
  'DATABASE_NOT_FOUND',
  'TLS_REQUIRED',
  'TLS_INVALID',
  'TIMEOUT',
  'FILE_UNREADABLE',
  'UNKNOWN',
]);

/** `polystore sources test ID` prints exactly this shape. */
export const ConnectionTest = z.object({
  ok: z.boolean(),
  latencyMs: z.number().nonnegative(),
  serverVersion: z.string().nullable(),
  canWrite: z.boolean().nullable(),
  writeDetails: z.array(z.string()),
  /** What this login could do beyond reading the source (layer 3); empty for a least-privilege login. */
  risks: z.array(LoginRisk).default([]),
  error: z.object({ kind: ConnectionErrorKind, message: z.string() }).optional(),
});
export type ConnectionTest = z.infer<typeof ConnectionTest>;

export const SourceFile = z.object({
  path: z.string(),
  status: z.enum(['imported', 'failed']),
  table: z.string().nullable(),
  format: z.string().nullable(),
  encoding: z.string().nullable(),
  sizeBytes: z.number().nullable(),
  rowCount: z.number().nullable(),
  importedAt: z.string().nullable(),
  notes: z.array(z.string()),
  error: z.string().nullable(),
  /** The file changed on disk (or moved) since it was imported; `stale` says how. */
  changed: z.boolean(),
  /**
   * Set when the file no longer matches its import: the last good import is
   * still what queries read (a Parquet view reads the file itself) until the
   * user refreshes the source (metadata.get with refresh), which imports again.
   */
  stale: z
    .object({
      reason: z.enum(['changed', 'missing', 'unreadable']),
      message: z.string(),
    })
    .nullable()
    .default(null),
});
export type SourceFile = z.infer<typeof SourceFile>;

export const Approval = z.object({ token: z.string(), expiresAt: z.string() });

export const PreparedQuery = z.object({
  sourceId: z.string(),
  query: z.string(),
  dialect: Dialect,
  verdict: Verdict,
  /** Estimated rows and cost, where the store can explain; null when it cannot or explain failed. */
  explain: ExplainEstimate.nullable(),
  explainError: z.string().nullable(),
  /** Issued only when the guardrail allowed the query and the store could plan it (see explainError when it could not). */
  approval: Approval.nullable(),
});
export type PreparedQuery = z.infer<typeof PreparedQuery>;

export const RunResult = z.object({
  runId: z.string(),
  resultId: z.string(),
  sourceId: z.string(),
  query: z.string(),
  result: QueryResult,
  /** How the result is best drawn, and the alternatives (absent only where nothing computed it). */
  chart: ChartRecommendation.optional(),
});
export type RunResult = z.infer<typeof RunResult>;

/** At prepare: the limits the approval binds instead of the source's. At run: lower ones (more than approved is refused). */
const RunLimits = {
  maxRows: z.number().int().min(1).max(1_000_000).optional(),
  timeoutMs: z.number().int().min(100).max(3_600_000).optional(),
};

export const queryOpsChannels = {
  'sources.test': channel({
    summary: 'Tests a connection: latency, server version and whether the login can write.',
    input: z.strictObject({ id: Id }),
    output: ConnectionTest,
  }),
  'sources.testDraft': channel({
    summary: 'Tests connection details before they are saved (nothing is stored).',
    input: CreateSourceInput,
    output: ConnectionTest,
  }),
  'sources.files': channel({
    summary: 'The files of a file source with their import provenance or error.',
    input: z.strictObject({ id: Id }),
    output: z.array(SourceFile),
  }),
  'metadata.get': channel({
    summary: 'Schemas, tables and fields of a source; cached with a TTL unless refresh is set.',
    input: z.strictObject({ sourceId: Id, refresh: z.boolean().optional() }),
    output: MetadataDocument,
  }),
  'query.check': channel({
    summary: 'Runs the guardrail on a query without executing it.',
    input: z.strictObject({ sourceId: Id, query: QueryText }),
    output: Verdict,
  }),
  'query.prepare': channel({
    summary: 'Validates a query, estimates its cost, and issues a single-use approval token (binding the row limit and timeout) if it is allowed.',
    input: z.strictObject({ sourceId: Id, query: QueryText, sessionId: Id.optional(), messageId: Id.optional(), ...RunLimits }),
    output: PreparedQuery,
  }),
  'query.run': channel({
    summary: 'Runs exactly the query an approval token was issued for, once.',
    input: z.strictObject({ token: z.string().min(10).max(4096), runId: Id.optional(), ...RunLimits }),
    output: RunResult,
  }),
  'query.deny': channel({
    summary: 'Denies an approval: the query will never run with it.',
    input: z.strictObject({ token: z.string().min(10).max(4096) }),
    output: z.object({ denied: z.literal(true) }),
  }),
  'query.cancel': channel({
    summary: 'Cancels a running query on the server.',
    input: z.strictObject({ runId: Id }),
    output: z.object({ cancelled: z.boolean() }),
  }),
};
