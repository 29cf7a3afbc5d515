import { PREVIEW_BUDGET, PREVIEW_DEADLINE_MS } from '../connectors/shared/preview-budget';
import { ConnectorError, PreviewLimitError, TimeoutError, type EngineError } from '../errors';
import type { Job, JobKind } from './jobs';

/**
 * Control work (checking, estimating, describing, testing a source) and
 * execution never share threads or processes: a validation must not queue
 * behind approved queries that run for minutes.
 */
export type Lane = 'control' | 'execute';

export interface JobPolicy<K extends JobKind> {
  lane: Lane;
  /** Work done before approval (validation, EXPLAIN): its limits are the preview budget's. */
  preview?: true;
  /** The longest the caller waits, counted from when a thread or process takes the job. */
  deadlineMs(job: Job<K>): number;
  /** What the caller is told when the deadline passes. */
  overrun(job: Job<K>, deadlineMs: number): EngineError;
  /** Memory the job may add to an isolated process (see process-lane.ts), in MB; null where unbounded. */
  memoryMb(job: Job<K>): number | null;
}

/** Past the store's own statement timeout, how long an execution may take to stop and report. */
export const EXECUTE_DEADLINE_GRACE_MS = 10_000;
/**
 * Room above a job's own memory limit for what is not the store's working
 * memory: the result as JavaScript values, the driver's buffers.
 */
export const MEMORY_SLACK_MB = 256;

const MINUTE = 60_000;
const MB = 1024 * 1024;

function timedOut(what: string) {
  return (_job: unknown, ms: number) => new TimeoutError(`${what} did not finish within ${formatMs(ms)} and was stopped.`, { kind: 'JOB_DEADLINE', deadlineMs: ms });
}

const preview = (what: string) => (_job: unknown, ms: number) =>
  new PreviewLimitError(`${what} took longer than the preview allows (${formatMs(PREVIEW_BUDGET.timeMs)}), so the query was not approved. Simplify it, or filter before computing large values.`, {
    deadlineMs: ms,
  });

const previewMemory = () => PREVIEW_BUDGET.memoryMb + MEMORY_SLACK_MB;
const fixed = (ms: number) => () => ms;
const none = () => null;

export const JOB_POLICIES: { [K in JobKind]: JobPolicy<K> } = {
  'pool.selfTest': { lane: 'execute', deadlineMs: fixed(MINUTE), overrun: timedOut('The self-test'), memoryMb: none },
  'pool.warmUp': { lane: 'control', deadlineMs: fixed(2 * MINUTE), overrun: timedOut('Starting a worker'), memoryMb: none },
  'connector.test': { lane: 'control', deadlineMs: fixed(MINUTE), overrun: timedOut('The connection test'), memoryMb: previewMemory },
  'connector.metadata': { lane: 'control', deadlineMs: fixed(5 * MINUTE), overrun: timedOut('Reading the tables and fields'), memoryMb: previewMemory },
  'connector.validate': { lane: 'control', preview: true, deadlineMs: fixed(PREVIEW_DEADLINE_MS), overrun: preview('Checking the query'), memoryMb: previewMemory },
  'connector.explain': { lane: 'control', preview: true, deadlineMs: fixed(PREVIEW_DEADLINE_MS), overrun: preview('Estimating the query'), memoryMb: previewMemory },
  'connector.execute': {
    lane: 'execute',
    deadlineMs: (job) => job.timeoutMs + EXECUTE_DEADLINE_GRACE_MS,
    overrun: timedOut('The query'),
    // The result is held as JavaScript values besides the store's working memory.
    memoryMb: (job) => job.spec.settings.memoryLimitMb + Math.ceil((job.maxBytes * 3) / MB) + MEMORY_SLACK_MB,
  },
  'files.import': { lane: 'execute', deadlineMs: fixed(60 * MINUTE), overrun: timedOut('Importing the files'), memoryMb: (job) => job.spec.settings.memoryLimitMb + MEMORY_SLACK_MB },
  // Runs before every check of a file source (is a file changed?), so it belongs with control work.
  'files.check': { lane: 'control', deadlineMs: fixed(30 * MINUTE), overrun: timedOut('Checking the files for changes'), memoryMb: none },
  'planner.plan': { lane: 'control', deadlineMs: fixed(MINUTE), overrun: timedOut('Planning the question'), memoryMb: none },
  'planner.decline': { lane: 'control', deadlineMs: fixed(MINUTE), overrun: timedOut('Finding questions to suggest'), memoryMb: none },
};

/** For a kind no policy knows (a caller outside the type system): the worker answers INTERNAL. */
const UNKNOWN: JobPolicy<JobKind> = { lane: 'execute', deadlineMs: fixed(MINUTE), overrun: timedOut('The job'), memoryMb: none };

export function policyOf<K extends JobKind>(job: Job<K>): JobPolicy<K> {
  return (Object.hasOwn(JOB_POLICIES, job.kind) ? JOB_POLICIES[job.kind as K] : UNKNOWN) as JobPolicy<K>;
}

/** What a job is told when its process went over the memory it may use. */
export function memoryOverrun(job: Job, capMb: number): EngineError {
  if (policyOf(job).preview) {
    return new PreviewLimitError(`Checking the query needed more memory than the preview allows (${PREVIEW_BUDGET.memoryMb} MB), so it was not approved. Simplify it, or filter before computing large values.`, {
      memoryMb: capMb,
    });
  }
  return new ConnectorError(`The work needed more memory than allowed (about ${capMb} MB) and was stopped. Filter or aggregate more, or raise the source's memory limit.`, {
    kind: 'MEMORY_LIMIT',
    memoryMb: capMb,
  });
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${ms} ms`;
}
