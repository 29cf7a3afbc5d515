import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Result } from '../../engine/contract/errors';
import type { HostKind } from '../../engine/contract/index';

/**
 * The packaged app's smoke test (`PolyStoreIQ --smoke-test`): proves, from
 * inside the installed app, what only a real build can show — the worker
 * pool's entries load from the asar, the native modules (better-sqlite3,
 * DuckDB, keytar) load under Electron's ABI, a profile is created and
 * migrated, and the window renders. Each step has a deadline; the report
 * names the step that failed, and the exit code is non-zero.
 */

export interface SmokeStep {
  name: string;
  ok: boolean;
  detail: string;
}

export interface SmokeReport {
  ok: boolean;
  steps: SmokeStep[];
}

/** What the smoke test needs from an engine: its router, and a close. */
export interface SmokeEngine {
  router: { dispatch(channel: string, payload: unknown, ctx: { host: HostKind }): Promise<Result<unknown>> };
  close(): Promise<void>;
}

export interface SmokeDeps {
  host: HostKind;
  openEngine: (dataDir: string) => Promise<SmokeEngine>;
  /** Loads the renderer in a (hidden) window; resolves with what it saw, rejects if it did not render. */
  renderWindow: () => Promise<string>;
  /** Per step; a hung step fails the run instead of hanging the release job. */
  stepTimeoutMs?: number;
}

/** Generous: a cold start of the pool on a CI Mac, with native modules loading for the first time. */
export const SMOKE_STEP_TIMEOUT_MS = 60_000;

/** The native modules the worker pool must load (keytar is proven by creating the profile, which writes its keys to the keychain). */
export const REQUIRED_NATIVE = ['better-sqlite3', '@duckdb/node-api'];

function withDeadline<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

async function call<T>(engine: SmokeEngine, host: HostKind, channel: string, payload?: unknown): Promise<T> {
  const result = await engine.router.dispatch(channel, payload, { host });
  if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

interface SelfTest {
  offMainThread: boolean;
  runtime: { node: string; modules: string; platform: string; arch: string };
  native: Array<{ name: string; ok: boolean; version?: string; error?: string }>;
}

export async function runSmokeTest(deps: SmokeDeps): Promise<SmokeReport> {
  const timeout = deps.stepTimeoutMs ?? SMOKE_STEP_TIMEOUT_MS;
  const steps: SmokeStep[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'polystore-smoke-'));
  let engine: SmokeEngine | null = null;

  const step = async (name: string, work: () => Promise<string>): Promise<boolean> => {
    try {
      steps.push({ name, ok: true, detail: await withDeadline(name, timeout, work()) });
      return true;
    } catch (error) {
      steps.push({ name, ok: false, detail: error instanceof Error ? error.message : String(error) });
      return false;
    }
  };

  try {
    const opened = await step('open and migrate a new profile', async () => {
      engine = await deps.openEngine(dataDir);
      const status = await call<{ state: string }>(engine, deps.host, 'auth.status');
      if (status.state !== 'setup-required') throw new Error(`a new profile should ask for setup, not be ${status.state}`);
      return `profile at ${dataDir}`;
    });
    if (opened) {
      await step('create the profile (keychain)', async () => {
        // A throwaway passphrase for a throwaway profile: never printed, gone with the folder.
        await call(engine!, deps.host, 'auth.setup', { kind: 'passphrase', secret: crypto.randomBytes(24).toString('base64url'), profileName: 'Smoke test' });
        return 'unlocked';
      });
      await step('worker pool and native modules', async () => {
        const report = await call<SelfTest>(engine!, deps.host, 'app.selfTest');
        if (!report.offMainThread) throw new Error('the job ran on the main thread');
        const failed = report.native.filter((n) => !n.ok);
        const missing = REQUIRED_NATIVE.filter((name) => !report.native.some((n) => n.name === name));
        if (failed.length || missing.length) {
          throw new Error([...failed.map((n) => `${n.name}: ${n.error ?? 'failed'}`), ...missing.map((m) => `${m}: not checked`)].join('; '));
        }
        return `${report.runtime.platform}/${report.runtime.arch} ABI ${report.runtime.modules}: ${report.native.map((n) => `${n.name} ${n.version}`).join(', ')}`;
      });
    }
    await step('render the window', deps.renderWindow);
  } finally {
    const closing: SmokeEngine | null = engine;
    if (closing) await withDeadline('closing the engine', timeout, (closing as SmokeEngine).close()).catch(() => {});
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return { ok: steps.every((s) => s.ok), steps };
}

export function formatSmokeReport(report: SmokeReport): string {
  return [...report.steps.map((s) => `${s.ok ? 'ok  ' : 'FAIL'} ${s.name}: ${s.detail}`), report.ok ? 'smoke test passed' : 'smoke test FAILED'].join('\n');
}
