import type { MessagePort } from 'node:worker_threads';
import type { ApiError } from '../contract/errors';
import type { SelfTestReport } from '../contract/app.contract';

/**
 * Every kind of work the worker pool runs, with its input and output. A kind
 * added here and not handled in worker.ts fails to compile.
 */
export interface JobSpecs {
  'pool.selfTest': { input: { cpuProbeMs?: number; hostThreadId: number }; output: SelfTestReport };
}

export type JobKind = keyof JobSpecs;
export type Job<K extends JobKind = JobKind> = K extends JobKind ? { kind: K } & JobSpecs[K]['input'] : never;
export type JobOutput<K extends JobKind> = JobSpecs[K]['output'];

/** What crosses into a worker: the job plus a port on which the host sends `cancel`. */
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
