// `polystore unlock`'s side: end the profile's old session if one runs, start
// the detached session process, hand it the secret over IPC and wait (with a
// deadline) until it has unlocked and listens, or says why it could not.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiError } from '../../../engine/contract/errors';
import type { PoolEntries } from '../../shared/pool-entries';
import { findSession } from './client';
import type { SessionInfo } from './protocol';
import type { StartMessage, StartReply } from './serve-main';

/** Opening the engine and scrypt of the PIN take about a second on an idle machine; much longer on a loaded one. */
export const START_DEADLINE_MS = 120_000;

export interface StartOptions {
  dataDir: string;
  requested: string | null;
  idleTimeoutMs: number;
  secret: string;
  env: NodeJS.ProcessEnv;
  /** The bundle's entries (worker, child, keychain and session process), or null when running from sources. */
  entries: (PoolEntries & { sessionFile?: string }) | null;
}

export type StartResult = { ok: true; value: SessionInfo } | { ok: false; error: ApiError };

/** How to run the session process: the bundle's entry, or its source through tsx. */
function sessionCommand(entries: StartOptions['entries']): { args: string[]; cwd: string } {
  if (entries?.sessionFile) return { args: [entries.sessionFile], cwd: os.homedir() };
  const here = path.dirname(fileURLToPath(import.meta.url));
  // tsx is resolved from the checkout the sources are in.
  return { args: ['--import', 'tsx', path.join(here, 'serve-main.ts')], cwd: path.resolve(here, '..', '..', '..') };
}

/** Ends the session of this profile, if one runs; true when one did. */
export async function endSession(dataDir: string, requested: string | null): Promise<boolean> {
  const found = await findSession(dataDir, requested);
  if (found.kind !== 'live') return false;
  await found.client.end();
  found.client.close();
  return true;
}

export async function startSessionProcess(options: StartOptions): Promise<StartResult> {
  await endSession(options.dataDir, options.requested);
  const { args, cwd } = sessionCommand(options.entries);
  // The secret goes over IPC only: the session's environment (readable in /proc by this user's tools) does not hold it.
  const env = { ...options.env };
  delete env.POLYSTORE_PIN;
  const child = spawn(process.execPath, args, { cwd, env, detached: true, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  const message: StartMessage = {
    kind: 'start',
    config: {
      dataDir: options.dataDir,
      requested: options.requested,
      idleTimeoutMs: options.idleTimeoutMs,
      poolEntries: options.entries
        ? {
            workerFile: options.entries.workerFile,
            childFile: options.entries.childFile,
            ...(options.entries.keytarChildFile ? { keytarChildFile: options.entries.keytarChildFile } : {}),
          }
        : null,
    },
    secret: options.secret,
  };
  const reply = await new Promise<StartReply>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ ok: false, error: { code: 'TIMEOUT', message: `The unlock session did not start within ${START_DEADLINE_MS / 1000} s.` } });
    }, START_DEADLINE_MS);
    child.once('message', (answer: StartReply) => {
      clearTimeout(timer);
      resolve(answer);
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, error: { code: 'INTERNAL', message: `The unlock session could not start: ${error.message}` } });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ ok: false, error: { code: 'INTERNAL', message: `The unlock session exited before it started (${signal ?? `exit code ${code}`}).` } });
    });
    child.send(message);
  });
  if (child.connected) child.disconnect();
  child.unref();
  return reply as StartResult;
}
