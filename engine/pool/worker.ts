import { toApiError } from '../errors';
import { redactor } from '../log/redact';
import { assertNever, type Job, type JobEnvelope, type JobReply } from './jobs';
import { runSelfTest } from './selftest';

function handle(job: Job, signal: AbortSignal): Promise<unknown> {
  switch (job.kind) {
    case 'pool.selfTest':
      return runSelfTest(job, signal);
    default:
      return assertNever(job.kind);
  }
}

/** Piscina entry point: one job in, one reply out; never throws. */
export default async function runJob({ job, cancelPort }: JobEnvelope): Promise<JobReply> {
  const controller = new AbortController();
  cancelPort.once('message', () => controller.abort());
  try {
    return { ok: true, value: await handle(job, controller.signal) };
  } catch (error) {
    let internal: string | undefined;
    const apiError = toApiError(error, (e) => {
      internal = redactor.redact(e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e));
    });
    return internal === undefined ? { ok: false, error: apiError } : { ok: false, error: apiError, internal };
  } finally {
    cancelPort.close();
  }
}
