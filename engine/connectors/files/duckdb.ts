import os from 'node:os';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { CancelledError, TimeoutError, type EngineError } from '../../errors';
import { quoteLiteral } from './names';

/**
 * Settings every DuckDB instance of a file source starts with: nothing is
 * fetched or loaded from outside (the extensions PolyStoreIQ needs, parquet and
 * json, are linked into the binary).
 */
const BASE_CONFIG: Record<string, string> = {
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  allow_community_extensions: 'false',
  allow_unsigned_extensions: 'false',
  allow_persistent_secrets: 'false',
};

/** Threads one query or import may use: DuckDB parallelises scans and aggregates, but leaves the app a core. */
export const WORK_THREADS = Math.max(1, Math.min(4, os.availableParallelism() - 1));

export interface LockdownOptions {
  /** Open the database read-only (queries) or read-write (imports). */
  readOnly: boolean;
  /** Files DuckDB may read besides its own database file. */
  allowedPaths: readonly string[];
  /** Folders DuckDB may read and write in (imports stage transcoded copies there). */
  allowedDirectories?: readonly string[];
  /**
   * DuckDB's memory_limit: a query whose working memory would exceed it (and
   * cannot spill) fails with "Out of Memory Error" instead of growing the process.
   */
  memoryLimitMb: number;
  /** Threads DuckDB may use for one query. */
  threads: number;
}

/**
 * Opens a DuckDB database whose file access is limited to the given paths and
 * whose configuration is then locked, so no statement can widen it again:
 * `enable_external_access=false` stops COPY TO, ATTACH, INSTALL/LOAD of
 * anything not built in and reads of any other file; `lock_configuration`
 * stops SET/RESET of global settings. `allowed_paths` cannot be passed at
 * creation (the C API rejects list-valued options), so it is SET on a first
 * connection before access is disabled.
 */
export async function openLockedDatabase(databasePath: string, options: LockdownOptions): Promise<DuckDBInstance> {
  const instance = await DuckDBInstance.create(databasePath, {
    ...BASE_CONFIG,
    memory_limit: `${Math.max(1, Math.floor(options.memoryLimitMb))}MB`,
    threads: String(Math.max(1, Math.floor(options.threads))),
    ...(options.readOnly ? { access_mode: 'READ_ONLY' } : {}),
  });
  const setup = await instance.connect();
  try {
    const list = (items: readonly string[]) => `[${items.map(quoteLiteral).join(', ')}]`;
    await setup.run(`SET allowed_paths = ${list(options.allowedPaths)}`);
    await setup.run(`SET allowed_directories = ${list(options.allowedDirectories ?? [])}`);
    await setup.run('SET enable_external_access = false');
    await setup.run('SET lock_configuration = true');
  } catch (error) {
    setup.closeSync();
    instance.closeSync();
    throw error;
  }
  setup.closeSync();
  return instance;
}

/** A DuckDB error without the SQL excerpt DuckDB appends (the caller knows its query). */
export function duckdbMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\n+LINE \d+:[\s\S]*$/, '').trim();
}

/** DuckDB's error class ("Binder Error", "Permission Error", …), when the message starts with one. */
export function duckdbErrorKind(message: string): string | null {
  return /^([A-Za-z ]+? Error):/.exec(message)?.[1] ?? null;
}

/** DuckDB could not get the memory a query needed within its memory_limit. */
export function isOutOfMemory(error: unknown): boolean {
  return duckdbErrorKind(duckdbMessage(error)) === 'Out of Memory Error';
}

export interface InterruptOptions {
  signal: AbortSignal;
  /** No deadline when null. */
  timeoutMs: number | null;
  /** For messages: "The query", "Reading titanic.csv". */
  what: string;
  /** The error for a call stopped at its deadline (TimeoutError by default). */
  timeoutError?: (timeoutMs: number) => EngineError;
}

/**
 * Runs DuckDB work on one connection so that a deadline or an abort interrupts
 * it inside DuckDB (DuckDB has no statement timeout of its own) and the caller
 * hears TimeoutError or CancelledError. The call waits until DuckDB has really
 * returned: DuckDB runs in a child process (pool/process-lane.ts) whose host
 * ends it when a call does not honour the interrupt in time, so native work is
 * never abandoned inside a live process. `whenSettled` runs exactly once, when
 * the work has finished (so the connection is closed only when idle).
 */
export async function interruptible<T>(
  connection: DuckDBConnection,
  options: InterruptOptions,
  work: (stopped: () => boolean) => Promise<T>,
  whenSettled: () => void,
): Promise<T> {
  if (options.signal.aborted) {
    whenSettled();
    throw new CancelledError();
  }
  let reason: 'timeout' | 'cancel' | null = null;
  const stop = (why: 'timeout' | 'cancel') => {
    if (reason) return;
    reason = why;
    connection.interrupt();
  };
  const onAbort = () => stop('cancel');
  options.signal.addEventListener('abort', onAbort, { once: true });
  const deadline = options.timeoutMs === null ? undefined : setTimeout(() => stop('timeout'), options.timeoutMs);
  try {
    const outcome = await Promise.resolve()
      .then(() => work(() => reason !== null))
      .then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
    if (reason === 'timeout') {
      const timeoutMs = options.timeoutMs ?? 0;
      throw options.timeoutError?.(timeoutMs) ?? new TimeoutError(`${options.what} took longer than ${formatMs(timeoutMs)} and was stopped.`, { timeoutMs });
    }
    if (reason === 'cancel') throw new CancelledError();
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  } finally {
    clearTimeout(deadline);
    options.signal.removeEventListener('abort', onAbort);
    whenSettled();
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${ms} ms`;
}
