import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EngineError, PreviewLimitError, TimeoutError } from '../../../../engine/errors';
import { awaitReply, type Dispatched } from '../../../../engine/pool/dispatch';
import type { JobReply } from '../../../../engine/pool/jobs';

/** Every wait for a job ends: with its value, its typed error, CANCELLED, or its deadline's error. */
function scripted(options: { started?: Promise<void> } = {}) {
  let settle!: (reply: JobReply) => void;
  const calls: string[] = [];
  const dispatched: Dispatched = {
    reply: new Promise<JobReply>((resolve) => (settle = resolve)),
    started: options.started ?? Promise.resolve(),
    cancel: () => calls.push('cancel'),
    // As a process lane does: abandoning settles the job's own reply.
    abandon: () => {
      calls.push('abandon');
      settle({ ok: false, error: { code: 'CANCELLED', message: 'abandoned' } });
    },
  };
  return { dispatched, calls, settle };
}

const base = { kind: 'connector.validate', graceMs: 50, deadlineMs: 60_000, overrun: () => new TimeoutError('too slow') };

test('a reply is the value, or the job error rebuilt with its code and details', async () => {
  const a = scripted();
  a.settle({ ok: true, value: 42 });
  assert.is(await awaitReply(a.dispatched, base), 42);
  const b = scripted();
  b.settle({ ok: false, error: { code: 'CONNECTOR', message: 'no', details: { kind: 'MEMORY_LIMIT' } } });
  try {
    await awaitReply(b.dispatched, base);
    assert.unreachable();
  } catch (error) {
    assert.instance(error, EngineError);
    assert.is((error as EngineError).code, 'CONNECTOR');
    assert.equal((error as EngineError).details, { kind: 'MEMORY_LIMIT' });
  }
});

test('at the deadline the job is cancelled and abandoned, and the caller hears the deadline error, not the abandoned reply', async () => {
  const { dispatched, calls } = scripted();
  try {
    await awaitReply(dispatched, { ...base, deadlineMs: 10, overrun: () => new PreviewLimitError('over budget') });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, PreviewLimitError);
  }
  assert.equal(calls, ['cancel', 'abandon']);
});

test('the deadline counts from when a thread or process took the job', async () => {
  let start!: () => void;
  const { dispatched, calls, settle } = scripted({ started: new Promise<void>((resolve) => (start = resolve)) });
  const waiting = awaitReply(dispatched, { ...base, deadlineMs: 10 });
  // Not started: no deadline runs, however long the process takes to start.
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(calls, []);
  start();
  settle({ ok: true, value: 'done' });
  assert.is(await waiting, 'done');
});

test('a job no thread or process takes is given up at its start deadline with UNAVAILABLE', async () => {
  const { dispatched, calls } = scripted({ started: new Promise<void>(() => {}) });
  try {
    await awaitReply(dispatched, { ...base, startDeadlineMs: 10 });
    assert.unreachable();
  } catch (error) {
    assert.is((error as EngineError).code, 'UNAVAILABLE');
    assert.is((error as EngineError).details?.kind, 'JOB_NOT_STARTED');
  }
  assert.equal(calls, ['cancel', 'abandon']);
});

test('a cancel reaches the job; a job that ignores it is abandoned after the grace period and the caller hears CANCELLED', async () => {
  const controller = new AbortController();
  const { dispatched, calls } = scripted();
  const waiting = awaitReply(dispatched, { ...base, signal: controller.signal });
  controller.abort();
  try {
    await waiting;
    assert.unreachable();
  } catch (error) {
    assert.is((error as EngineError).code, 'CANCELLED');
  }
  assert.equal(calls, ['cancel', 'abandon']);
});

test('a job that fails with its own error after a cancel is reported as CANCELLED', async () => {
  const controller = new AbortController();
  const { dispatched, calls, settle } = scripted();
  const waiting = awaitReply(dispatched, { ...base, signal: controller.signal, graceMs: 60_000 });
  controller.abort();
  settle({ ok: false, error: { code: 'CONNECTOR', message: 'canceling statement due to user request' } });
  try {
    await waiting;
    assert.unreachable();
  } catch (error) {
    assert.is((error as EngineError).code, 'CANCELLED');
  }
  assert.equal(calls, ['cancel']);
});

test.run();
