#!/usr/bin/env node
// `npm start`: the desktop app where Electron can run, the browser host elsewhere.
//
//   npm start                 Electron window (macOS, Windows, Linux with a display)
//   npm start -- --browser    force the browser host
//   npm run dev               hot reload (Vite) in the same host
//
// Electron 42+ fetches its binary on first launch rather than at install, so
// `npm ci` never needs the network for it; if that fetch fails (an offline or
// locked-down machine), we say why and fall back to the browser host.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rendererBuildIsCurrent } from './build.mjs';
import { ensureNodeBundle } from './node-bundle.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const dev = args.includes('--dev');
const forceBrowser = args.includes('--browser') || process.env.POLYSTORE_HOST === 'browser';
const passThrough = args.filter((a) => a !== '--dev' && a !== '--browser');

function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** Returns the Electron binary, or why there is none. */
function electronAvailability() {
  if (forceBrowser) return { reason: 'the browser host was requested' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'there is no graphical display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  }
  const probe = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 15 * 60_000,
  });
  if (probe.status === 0 && probe.stdout && fs.existsSync(probe.stdout)) return { binary: probe.stdout };
  const detail = (probe.stderr || '').split('\n').find((l) => /fetch failed|ENOTFOUND|ECONN|EAI_AGAIN|403|404|Error/.test(l)) ?? 'unknown error';
  return { reason: `Electron's binary is not installed and could not be downloaded (${detail.trim()})` };
}

/** The renderer is rebuilt only when one of its sources changed (scripts/build.mjs --if-changed). */
function buildRendererIfChanged() {
  if (!rendererBuildIsCurrent()) run(process.execPath, ['scripts/build.mjs', 'renderer']);
}

/**
 * Whether better-sqlite3 loads here. It is tried in this process, which will
 * run the engine, instead of in a fresh one (native-rebuild's check): that
 * saves two Node start-ups on every `npm start`.
 */
function nativeModulesLoad() {
  try {
    const Database = createRequire(path.join(root, 'package.json'))('better-sqlite3');
    new Database(':memory:').close();
    return true;
  } catch {
    return false;
  }
}

/** Runs the browser host in this process from its bundle (dist/node), or through tsx when the bundle cannot be built. */
async function startBrowserHost() {
  const hostArgs = [...(dev ? ['--dev'] : []), ...passThrough];
  const bundle = await ensureNodeBundle({ onStale: () => console.log('Building the engine for Node (dist/node)…') });
  if (bundle) {
    const { runBrowserHost } = await import(pathToFileURL(bundle.browserHost).href);
    await runBrowserHost(hostArgs, { workerFile: bundle.workerFile, childFile: bundle.childFile });
    return;
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/browser-host/launch.ts', ...hostArgs], { cwd: root, stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code) => process.exit(code ?? 0));
}

const electron = electronAvailability();
if (electron.binary) {
  if (!dev) buildRendererIfChanged();
  run(process.execPath, ['scripts/build.mjs', 'electron', ...(dev ? ['bridge'] : [])]);
  run(process.execPath, ['native-rebuild/rebuild.mjs', 'electron']);
  const env = { ...process.env };
  let vite;
  if (dev) {
    const { createServer } = await import('vite');
    vite = await createServer({ configFile: path.join(root, 'vite.config.ts') });
    await vite.listen();
    env.POLYSTORE_RENDERER_URL = vite.resolvedUrls.local[0];
  }
  const child = spawn(electron.binary, ['.', ...passThrough], { cwd: root, env, stdio: 'inherit' });
  child.on('exit', (code) => {
    void vite?.close();
    process.exit(code ?? 0);
  });
} else {
  console.log(`PolyStoreIQ: not starting the desktop window because ${electron.reason}.`);
  console.log('Starting the browser host instead: the same app, served on 127.0.0.1 with a per-launch token.\n');
  if (!dev) buildRendererIfChanged();
  else run(process.execPath, ['scripts/build.mjs', 'bridge']);
  if (nativeModulesLoad() || process.env.POLYSTORE_START_REBUILT) await startBrowserHost();
  else {
    // A module built for Electron stays loaded in this process even after the rebuild: start afresh (once).
    run(process.execPath, ['native-rebuild/rebuild.mjs', 'node']);
    const again = spawnSync(process.execPath, process.argv.slice(1), { cwd: root, stdio: 'inherit', env: { ...process.env, POLYSTORE_START_REBUILT: '1' } });
    process.exit(again.status ?? 1);
  }
}
