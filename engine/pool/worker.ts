import { connectorFor } from '../connectors/registry';
import { planQuestion } from '../planner/planner';
import { indexSchema } from '../planner/schema-index';
import { helpfulDecline } from '../planner/suggestions';
import { threadId } from 'node:worker_threads';
import { toApiError } from '../errors';
import { redactor } from '../log/redact';
import { releaseAfter } from './heap-release';
import { assertNever, type Job, type JobEnvelope, type JobReply } from './jobs';
import { runSelfTest } from './selftest';

/** DuckDB's file import, loaded by the first job that needs it (see connectors/registry.ts). */
const filesImport = () => import('../connectors/files/import');

/** Dispatches a job to the code that does it. Runs in a worker thread or a child process (child.ts). */
export async function handleJob(job: Job, signal: AbortSignal): Promise<unknown> {
  // The password arrives in memory for this job only; any error text mentioning it is masked.
  if ('spec' in job && job.spec) redactor.register(job.spec.password);
  switch (job.kind) {
    case 'pool.selfTest':
      return runSelfTest(job, signal);
    case 'pool.warmUp':
      return { threadId };
    case 'connector.test':
      return (await connectorFor(job.spec.type)).testConnection(job.spec, signal);
    case 'connector.metadata':
      return (await connectorFor(job.spec.type)).fetchMetadata(job.spec, signal);
    case 'connector.validate':
      return (await connectorFor(job.spec.type)).validate(job.query, job.spec, signal);
    case 'connector.execute':
      return (await connectorFor(job.spec.type)).execute(job.spec, job.query, { timeoutMs: job.timeoutMs, maxRows: job.maxRows, maxBytes: job.maxBytes, signal });
    case 'connector.explain':
      return (await connectorFor(job.spec.type)).explain(job.spec, job.query, signal);
    case 'files.import':
      return (await filesImport()).importFiles(job.spec, { sizeLimitBytes: job.sizeLimitBytes, signal });
    case 'files.check':
      return (await filesImport()).checkFiles(job.provenance, { signal, verifyHash: job.verifyHash ?? false });
    case 'planner.plan':
      return planQuestion(job.input);
    case 'planner.decline': {
      const { input, why } = job;
      // Every word was understood: the store rejected the query written from them.
      return helpfulDecline({ why, question: input.question, index: indexSchema(input.metadata), unmatched: [], plan: (q) => planQuestion({ ...input, question: q, history: [] }) });
    }
    default:
      return assertNever(job);
  }
}

/** Runs one job to a reply that can cross a thread or process boundary; never throws. */
export async function replyTo(job: Job, signal: AbortSignal): Promise<JobReply> {
  try {
    const value = await handleJob(job, signal);
    releaseAfter(value);
    return { ok: true, value };
  } catch (error) {
    let internal: string | undefined;
    const apiError = toApiError(error, (e) => {
      internal = redactor.redact(e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e));
    });
    if (apiError.details) apiError.details = redactor.redactValue(apiError.details);
    apiError.message = redactor.redact(apiError.message);
    return internal === undefined ? { ok: false, error: apiError } : { ok: false, error: apiError, internal };
  }
}

/** Piscina entry point: one job in, one reply out; never throws. */
export default async function runJob({ job, cancelPort }: JobEnvelope): Promise<JobReply> {
  const controller = new AbortController();
  cancelPort.once('message', () => controller.abort());
  // The job's deadline counts from here: not from a thread still starting or loading its modules.
  cancelPort.postMessage('started');
  try {
    return await replyTo(job, controller.signal);
  } finally {
    cancelPort.close();
  }
}
