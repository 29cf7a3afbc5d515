import { fork } from 'node:child_process';
import type { Job, JobReply } from './jobs';

/** Host to child. */
export type HostMessage =
  | { type: 'run'; id: number; job: Job; /** MB the job may add to the process; the child reports going over. */ memoryMb: number | null }
  | { type: 'cancel'; id: number }
  /** Close every store handle, then exit. */
  | { type: 'close' };

/** Child to host. */
export type ChildMessage =
  | { type: 'ready'; pid: number }
  | { type: 'reply'; id: number; reply: JobReply }
  | { type: 'over-memory'; rssMb: number; capMb: number };

export interface ChildExit {
  code: number | null;
  signal: string | null;
  /** The end of what the process wrote to stderr (a native abort's message), for the log. */
  stderr: string;
}

/** One child process, however it was started. */
export interface ChildHandle {
  readonly pid: number | undefined;
  send(message: HostMessage): void;
  onMessage(listener: (message: ChildMessage) => void): void;
  /** Called once, when the process has ended (or could not start). */
  onExit(listener: (exit: ChildExit) => void): void;
  /** Ends the process at once (its native work may be stuck, so no cooperation is asked). */
  kill(): void;
}

export interface LaunchOptions {
  /** For process listings and logs: "polystore-duckdb-control". */
  name: string;
  env: Record<string, string>;
}

/**
 * Starts the child entry (engine/pool/child.ts, or its bundle). The engine
 * uses Node's fork; Electron passes an adapter over `utilityProcess`, which
 * runs Node with native modules outside the main process.
 */
export type ProcessLauncher = (options: LaunchOptions) => ChildHandle;

const STDERR_TAIL = 4_096;

/** Keeps the last few KB a process wrote. */
export class TailBuffer {
  #text = '';
  push(chunk: Buffer | string): void {
    this.#text = (this.#text + chunk.toString()).slice(-STDERR_TAIL);
  }
  toString(): string {
    return this.#text;
  }
}

const DEFAULT_CHILD = new URL('./child.ts', import.meta.url);

/**
 * Children started from TypeScript sources need tsx's loader. Hosts launched
 * with `node --import tsx` pass it on through execArgv; the `polystore` bin
 * registers tsx in-process, which children do not inherit, so add it here.
 */
export function execArgvFor(file: string): string[] | undefined {
  if (!file.endsWith('.ts') || process.execArgv.some((arg) => arg.includes('tsx'))) return undefined;
  return [...process.execArgv, '--import', import.meta.resolve('tsx')];
}

/** Node's child_process.fork with structured-clone messages (results keep their types) and stderr kept for the log. */
export function forkLauncher(entry: string | URL = DEFAULT_CHILD): ProcessLauncher {
  const file = entry instanceof URL ? decodeURIComponent(entry.pathname) : entry;
  const execArgv = execArgvFor(file);
  return ({ name, env }) => {
    const child = fork(file, [name], {
      ...(execArgv ? { execArgv } : {}),
      env: { ...process.env, ...env },
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const stderr = new TailBuffer();
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    let exited: ChildExit | null = null;
    const exitListeners: Array<(exit: ChildExit) => void> = [];
    const finish = (exit: ChildExit) => {
      if (exited) return;
      exited = exit;
      for (const listener of exitListeners) listener(exit);
    };
    child.on('exit', (code, signal) => finish({ code, signal, stderr: stderr.toString() }));
    // A process that could not be started emits 'error' and never 'exit'.
    child.on('error', (error) => {
      if (child.exitCode === null && child.signalCode === null && child.pid === undefined) finish({ code: null, signal: null, stderr: error.message });
    });
    return {
      pid: child.pid,
      send(message) {
        // A message to a process that has just died is lost; its exit is reported separately.
        if (child.connected) child.send(message, (error) => void error);
      },
      onMessage: (listener) => child.on('message', (message) => listener(message as ChildMessage)),
      onExit(listener) {
        if (exited) listener(exited);
        else exitListeners.push(listener);
      },
      kill: () => void child.kill('SIGKILL'),
    };
  };
}
