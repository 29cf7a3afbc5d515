import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ConnectionSpec } from '../../../../engine/connectors/types';
import { SourceSettings } from '../../../../engine/contract/index';
import type { Job, JobReply } from '../../../../engine/pool/jobs';
import type { ChildExit, ChildHandle, ChildMessage, HostMessage } from '../../../../engine/pool/launcher';
import type { Lane } from '../../../../engine/pool/policy';
import { ProcessLane, type PoolEvent } from '../../../../engine/pool/process-lane';

/**
 * The process lane's rules, with a scripted child instead of a real process:
 * when jobs are sent, what a job hears when its process dies, goes over its
 * memory or is abandoned, when a control job is tried again, and when an
 * idle child is retired.
 */
class FakeChild implements ChildHandle {
  static nextPid = 1000;
  readonly pid = FakeChild.nextPid++;
  readonly sent: HostMessage[] = [];
  killed = false;
  #onMessage: ((message: ChildMessage) => void) | null = null;
  #onExit: ((exit: ChildExit) => void) | null = null;
  #onSend: Array<() => void> = [];

  send(message: HostMessage): void {
    this.sent.push(message);
    for (const listener of this.#onSend.splice(0)) listener();
  }
  onMessage(listener: (message: ChildMessage) => void): void {
    this.#onMessage = listener;
  }
  onExit(listener: (exit: ChildExit) => void): void {
    this.#onExit = listener;
  }
  kill(): void {
    this.killed = true;
    this.exit(null, 'SIGKILL');
  }
  emit(message: ChildMessage): void {
    this.#onMessage?.(message);
  }
  exit(code: number | null, signal: string | null = null): void {
    const listener = this.#onExit;
    this.#onExit = null;
    listener?.({ code, signal, stderr: '' });
  }
  runs(): Array<Extract<HostMessage, { type: 'run' }>> {
    return this.sent.filter((m): m is Extract<HostMessage, { type: 'run' }> => m.type === 'run');
  }
  /** Resolves once a message matching `match` has been sent to this child. */
  async received(match: (message: HostMessage) => boolean): Promise<void> {
    // The lane's idle timer does not keep Node alive; the waiting test must.
    const keepAlive = setInterval(() => {}, 1_000);
    try {
      while (!this.sent.some(match)) await new Promise<void>((resolve) => this.#onSend.push(resolve));
    } finally {
      clearInterval(keepAlive);
    }
  }
}

function lane(name: Lane, idleTimeoutMs = 60_000) {
  const children: FakeChild[] = [];
  const events: PoolEvent[] = [];
  const processLane = new ProcessLane({
    lane: name,
    launch: () => {
      const child = new FakeChild();
      children.push(child);
      return child;
    },
    env: {},
    idleTimeoutMs,
    onEvent: (event) => events.push(event),
  });
  return { processLane, children, events };
}

const spec: ConnectionSpec = { sourceId: 's', type: 'file', connection: { paths: ['/x.csv'] }, password: null, settings: SourceSettings.parse({ memoryLimitMb: 100 }), workDir: '/tmp/none' };
const validate: Job = { kind: 'connector.validate', spec, query: 'SELECT 1' };
const execute: Job = { kind: 'connector.execute', spec, query: 'SELECT 1', timeoutMs: 1_000, maxRows: 1, maxBytes: 1024 * 1024 };
const ok = (value: unknown): JobReply => ({ ok: true, value });

async function failed(reply: Promise<JobReply>): Promise<{ code: string; kind: unknown; message: string }> {
  const settled = await reply;
  assert.is(settled.ok, false, 'expected a failed reply');
  if (settled.ok) throw new Error('unreachable');
  return { code: settled.error.code, kind: settled.error.details?.kind, message: settled.error.message };
}

test('jobs wait for the child to say it is ready, then go to it with their memory allowance', async () => {
  const { processLane, children, events } = lane('control');
  const job = processLane.dispatch(validate);
  assert.is(children.length, 1);
  assert.equal(children[0]!.runs(), []);
  children[0]!.emit({ type: 'ready', pid: children[0]!.pid });
  await job.started;
  const [run] = children[0]!.runs();
  assert.is(run!.job, validate);
  assert.is(run!.memoryMb, 512);
  children[0]!.emit({ type: 'reply', id: run!.id, reply: ok('fine') });
  assert.equal(await job.reply, ok('fine'));
  assert.equal(events, [{ kind: 'process.started', lane: 'control', pid: children[0]!.pid }]);
  assert.equal(processLane.stats(), { processes: 1, running: 0, completed: 1 });
});

test('a control job whose process dies is run once more on a new process, then fails with PROCESS_EXITED', async () => {
  const { processLane, children } = lane('control');
  const job = processLane.dispatch(validate);
  children[0]!.emit({ type: 'ready', pid: 1 });
  children[0]!.exit(134);
  assert.is(children.length, 2, 'a new process was started for the retry');
  children[1]!.emit({ type: 'ready', pid: 2 });
  assert.is(children[1]!.runs().length, 1);
  children[1]!.exit(134);
  const error = await failed(job.reply);
  assert.is(error.code, 'CONNECTOR');
  assert.is(error.kind, 'PROCESS_EXITED');
  assert.match(error.message, /exit code 134/);
});

test('an execute job whose process dies fails at once with PROCESS_EXITED (it is not run twice)', async () => {
  const { processLane, children, events } = lane('execute');
  const job = processLane.dispatch(execute);
  children[0]!.emit({ type: 'ready', pid: 1 });
  children[0]!.exit(null, 'SIGSEGV');
  const error = await failed(job.reply);
  assert.is(error.kind, 'PROCESS_EXITED');
  assert.match(error.message, /SIGSEGV/);
  assert.is(children.length, 1);
  assert.equal(events.at(-1), { kind: 'process.exited', lane: 'execute', pid: children[0]!.pid, reason: 'crashed', code: null, signal: 'SIGSEGV' });
  // The next job starts a new process.
  processLane.dispatch(execute);
  assert.is(children.length, 2);
});

test('a process over its memory is ended: a lone preview job hears PREVIEW_LIMIT, a lone execution MEMORY_LIMIT', async () => {
  const control = lane('control');
  const check = control.processLane.dispatch(validate);
  control.children[0]!.emit({ type: 'ready', pid: 1 });
  control.children[0]!.emit({ type: 'over-memory', rssMb: 900, capMb: 512 });
  assert.ok(control.children[0]!.killed);
  const preview = await failed(check.reply);
  assert.is(preview.code, 'TIMEOUT');
  assert.is(preview.kind, 'PREVIEW_LIMIT');

  const exec = lane('execute');
  const query = exec.processLane.dispatch(execute);
  exec.children[0]!.emit({ type: 'ready', pid: 1 });
  exec.children[0]!.emit({ type: 'over-memory', rssMb: 900, capMb: 359 });
  const memory = await failed(query.reply);
  assert.is(memory.code, 'CONNECTOR');
  assert.is(memory.kind, 'MEMORY_LIMIT');
  assert.match(memory.message, /359 MB/);
});

test('with several control jobs on a process over its memory, each is tried once more, alone with its suspicion', async () => {
  const { processLane, children } = lane('control');
  const a = processLane.dispatch(validate);
  const b = processLane.dispatch(validate);
  children[0]!.emit({ type: 'ready', pid: 1 });
  children[0]!.emit({ type: 'over-memory', rssMb: 900, capMb: 512 });
  const retry = children[1]!;
  retry.emit({ type: 'ready', pid: 2 });
  const [runA, runB] = retry.runs();
  retry.emit({ type: 'reply', id: runA!.id, reply: ok('a') });
  assert.equal(await a.reply, ok('a'));
  // b goes over again: now it is the culprit.
  retry.emit({ type: 'over-memory', rssMb: 900, capMb: 512 });
  assert.is((await failed(b.reply)).kind, 'PREVIEW_LIMIT');
  assert.ok(runB);
});

test('abandoning a job ends its process; the other control jobs on it run again elsewhere', async () => {
  const { processLane, children, events } = lane('control');
  const stuck = processLane.dispatch(validate);
  const other = processLane.dispatch(validate);
  children[0]!.emit({ type: 'ready', pid: 1 });
  stuck.abandon();
  assert.ok(children[0]!.killed);
  assert.equal(events.at(-1), { kind: 'process.exited', lane: 'control', pid: children[0]!.pid, reason: 'deadline', code: null, signal: 'SIGKILL' });
  children[1]!.emit({ type: 'ready', pid: 2 });
  const [run] = children[1]!.runs();
  children[1]!.emit({ type: 'reply', id: run!.id, reply: ok('other') });
  assert.equal(await other.reply, ok('other'));
  assert.is((await stuck.reply).ok, false);
});

test('a cancel reaches the process, also when it is asked for before the process is ready', async () => {
  const { processLane, children } = lane('execute');
  const job = processLane.dispatch(execute);
  job.cancel();
  children[0]!.emit({ type: 'ready', pid: 1 });
  const [run] = children[0]!.runs();
  assert.ok(children[0]!.sent.some((m) => m.type === 'cancel' && m.id === run!.id));
});

test('an idle process is asked to close its handles, and its exit is reported as idle', async () => {
  const { processLane, children, events } = lane('execute', 5);
  const job = processLane.dispatch(execute);
  children[0]!.emit({ type: 'ready', pid: 1 });
  const [run] = children[0]!.runs();
  children[0]!.emit({ type: 'reply', id: run!.id, reply: ok(1) });
  await job.reply;
  await children[0]!.received((m) => m.type === 'close');
  assert.not.ok(children[0]!.killed);
  children[0]!.exit(0);
  assert.equal(events.at(-1), { kind: 'process.exited', lane: 'execute', pid: children[0]!.pid, reason: 'idle', code: 0, signal: null });
  assert.is(processLane.stats().processes, 0);
});

test('a process that dies before it is ready: its jobs are tried once more, then told it could not start', async () => {
  const { processLane, children } = lane('control');
  const job = processLane.dispatch(validate);
  children[0]!.exit(1);
  children[1]!.exit(1);
  const error = await failed(job.reply);
  assert.is(error.code, 'UNAVAILABLE');
  assert.is(error.kind, 'PROCESS_START_FAILED');
});

test('closing the lane closes the process and refuses new jobs', async () => {
  const { processLane, children } = lane('execute');
  const job = processLane.dispatch(execute);
  children[0]!.emit({ type: 'ready', pid: 1 });
  const closing = processLane.close();
  await children[0]!.received((m) => m.type === 'close');
  children[0]!.exit(0);
  await closing;
  assert.is((await failed(job.reply)).code, 'CANCELLED');
  assert.is((await failed(processLane.dispatch(execute).reply)).code, 'CANCELLED');
  assert.is(children.length, 1);
});

test.run();
