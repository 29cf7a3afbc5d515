/**
 * Entry of a child process that runs jobs for stores with native drivers
 * (DuckDB). Started by process-lane.ts through Node's fork or Electron's
 * utilityProcess. It runs jobs concurrently, reports going over the memory
 * its jobs may use (the host then ends it), and on `close` closes every store
 * handle before it exits, so no native handle is destroyed with a query still
 * pending in it.
 */
import { closeConnectors } from '../connectors/registry';
import type { ChildMessage, HostMessage } from './launcher';
import { assertNever } from './jobs';
import { replyTo } from './worker';

interface ParentChannel {
  send(message: ChildMessage): void;
  onMessage(listener: (message: HostMessage) => void): void;
}

/** Electron's utility process gets a MessagePort-like `process.parentPort`; a forked Node process has `process.send`. */
interface ElectronParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

function parentChannel(): ParentChannel {
  const port = (process as { parentPort?: ElectronParentPort }).parentPort;
  if (port) {
    return { send: (message) => port.postMessage(message), onMessage: (listener) => port.on('message', (event) => listener(event.data as HostMessage)) };
  }
  if (!process.send) throw new Error('child.ts must be started as a child process with an IPC channel');
  return {
    send: (message) => void process.send?.(message),
    onMessage: (listener) => process.on('message', (message) => listener(message as HostMessage)),
  };
}

/** How often the process checks its resident memory against what its jobs may use. */
const MEMORY_CHECK_MS = 100;
const MB = 1024 * 1024;

const channel = parentChannel();
const rssMb = () => Math.round(process.memoryUsage.rss() / MB);
/** Per job: what it may add, and the process's size when it started (memory kept from earlier jobs is not its own). */
const running = new Map<number, { controller: AbortController; memoryMb: number | null; startMb: number }>();
let overReported = false;
let closing = false;

async function run(id: number, message: Extract<HostMessage, { type: 'run' }>): Promise<void> {
  const controller = new AbortController();
  running.set(id, { controller, memoryMb: message.memoryMb, startMb: rssMb() });
  try {
    channel.send({ type: 'reply', id, reply: await replyTo(message.job, controller.signal) });
  } finally {
    running.delete(id);
  }
}

async function close(): Promise<void> {
  if (closing) return;
  closing = true;
  for (const job of running.values()) job.controller.abort();
  // Interrupts what still runs and closes connections and instances once their calls have returned.
  await closeConnectors();
  process.exit(0);
}

channel.onMessage((message) => {
  switch (message.type) {
    case 'run':
      void run(message.id, message);
      return;
    case 'cancel':
      running.get(message.id)?.controller.abort();
      return;
    case 'close':
      void close();
      return;
    default:
      assertNever(message);
  }
});

/**
 * DuckDB's memory_limit covers its buffer manager, not every allocation (a
 * constant folded into a multi-GB string is not counted), so the process
 * watches its own resident size: grown past what its running jobs may add
 * since the oldest of them started, it tells the host, which ends it. Only
 * while jobs run, and measured from their start: memory the allocator kept
 * from earlier jobs is free for reuse, not a job's.
 */
setInterval(() => {
  let allowedMb = 0;
  let fromMb = Infinity;
  for (const job of running.values()) {
    if (job.memoryMb === null) continue;
    allowedMb = Math.max(allowedMb, job.memoryMb);
    fromMb = Math.min(fromMb, job.startMb);
  }
  if (allowedMb === 0 || overReported) return;
  const now = rssMb();
  if (now > fromMb + allowedMb) {
    overReported = true;
    channel.send({ type: 'over-memory', rssMb: now, capMb: allowedMb });
  }
}, MEMORY_CHECK_MS).unref();

channel.send({ type: 'ready', pid: process.pid });
