import type { MessagePort } from 'node:worker_threads';
import type { ApiError } from '../contract/errors';
import type { ExplainEstimate, MetadataDocument, QueryResult, SelfTestReport, Verdict } from '../contract/index';
import type { FileCheck, FileProvenance, ImportReport } from '../connectors/files/provenance';
import type { ConnectionSpec, ConnectionTestResult } from '../connectors/types';
import type { PlannerInput, PlannerResult } from '../planner/planner';

/**
 * Every kind of work the worker pool runs, with its input and output. A kind
 * added here and not handled in worker.ts fails to compile.
 */
export interface JobSpecs {
  'pool.selfTest': { input: { cpuProbeMs?: number; hostThreadId: number }; output: SelfTestReport };
  /** Starts a thread and loads the worker's modules, so the first real job does not wait for them. */
  'pool.warmUp': { input: object; output: { threadId: number } };
  'connector.test': { input: { spec: ConnectionSpec }; output: ConnectionTestResult };
  'connector.metadata': { input: { spec: ConnectionSpec }; output: MetadataDocument };
  'connector.validate': { input: { spec: ConnectionSpec; query: string }; output: Verdict };
  'connector.execute': { input: { spec: ConnectionSpec; query: string; timeoutMs: number; maxRows: number; maxBytes: number }; output: QueryResult };
  'connector.explain': { input: { spec: ConnectionSpec; query: string }; output: ExplainEstimate };
  'files.import': { input: { spec: ConnectionSpec; sizeLimitBytes: number }; output: ImportReport };
  'files.check': { input: { provenance: FileProvenance[]; verifyHash?: boolean }; output: FileCheck[] };
  'planner.plan': { input: { input: PlannerInput }; output: PlannerResult };
  /** The planner's decline, with rephrasings it has planned, for a question whose query the store rejected. */
  'planner.decline': { input: { input: PlannerInput; why: string }; output: PlannerResult };
}

export type JobKind = keyof JobSpecs;
export type Job<K extends JobKind = JobKind> = K extends JobKind ? { kind: K } & JobSpecs[K]['input'] : never;
export type JobOutput<K extends JobKind> = JobSpecs[K]['output'];

/** What crosses into a worker: the job plus a port on which the worker says `started` and the host sends `cancel`. */
export interface JobEnvelope {
  job: Job;
  cancelPort: MessagePort;
}

/** What comes back. Errors travel as values because structured clone drops error classes. */
export type JobReply =
  | { ok: true; value: unknown }
  | { ok: false; error: ApiError; /** redacted detail of an unexpected error, for the host's log */ internal?: string };

export function assertNever(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
