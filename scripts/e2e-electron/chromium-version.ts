/**
 * The Chromium version inside a packaged Electron app, read from the app itself: it is started once
 * with DevTools on a free port and a throwaway profile, asked /json/version, and ended. chromedriver
 * must match that version, and WebdriverIO must be told it (else it runs `<app> --version`, which
 * starts the app and waits). Nothing here knows Electron: any Chromium answers the same way, which
 * is how it is tested on a machine without the app.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromiumVersionOf } from './plan';

export interface ProbeOptions {
  /** More arguments for the executable (the tests pass --headless to Chromium). */
  args?: string[];
  /** How long the app may take to open DevTools. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

const POLL_MS = 200;
/** How long the app may take to end once asked to (then it is killed). */
const EXIT_GRACE_MS = 10_000;

/** The DevTools port: from DevToolsActivePort in the profile folder, or the "DevTools listening on" line. */
function devtoolsPort(userDataDir: string, stderr: string): number | null {
  const file = path.join(userDataDir, 'DevToolsActivePort');
  if (fs.existsSync(file)) {
    const port = Number(fs.readFileSync(file, 'utf8').split('\n')[0]);
    if (port > 0) return port;
  }
  const m = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(stderr);
  return m ? Number(m[1]) : null;
}

export async function probeChromiumVersion(executable: string, options: ProbeOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'polystore-probe-chromium-'));
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'polystore-probe-home-'));
  const child = spawn(executable, ['--remote-debugging-port=0', `--user-data-dir=${userDataDir}`, ...(options.args ?? [])], {
    // A throwaway profile: the probe never opens the user's.
    env: { ...(options.env ?? process.env), POLYSTORE_HOME: home },
    stdio: ['ignore', 'ignore', 'pipe'],
    // Its own process group, so ending it ends its helpers (GPU, renderer, the app's utility processes).
    detached: true,
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  let exited: string | null = null;
  const ended = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `exited (${signal ?? code})`;
      resolve();
    });
    child.once('error', (error) => {
      exited = `could not start: ${error.message}`;
      resolve();
    });
  });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (exited) throw new Error(`${executable} ${exited} before DevTools answered; its last output:\n${stderr.slice(-2_000)}`);
      const port = devtoolsPort(userDataDir, stderr);
      if (port) {
        const answer = await fetch(`http://127.0.0.1:${port}/json/version`, { signal: AbortSignal.timeout(5_000) })
          .then((r) => (r.ok ? r.json() : null))
          .catch(() => null);
        const version = chromiumVersionOf(answer);
        if (version) return version;
      }
      if (Date.now() > deadline) throw new Error(`${executable} did not answer DevTools' /json/version within ${timeoutMs / 1000} s; its last output:\n${stderr.slice(-2_000)}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    if (!exited && child.pid) {
      const signal = (name: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, name);
        } catch {
          child.kill(name);
        }
      };
      signal('SIGTERM');
      const killer = setTimeout(() => signal('SIGKILL'), EXIT_GRACE_MS);
      await ended;
      clearTimeout(killer);
    }
    fs.rmSync(userDataDir, { recursive: true, force: true, maxRetries: 5 });
    fs.rmSync(home, { recursive: true, force: true, maxRetries: 5 });
  }
}
