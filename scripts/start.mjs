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
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

const electron = electronAvailability();
if (electron.binary) {
  run(process.execPath, ['scripts/build.mjs', ...(dev ? ['electron', 'bridge'] : [])]);
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
  if (!dev) run(process.execPath, ['scripts/build.mjs', 'renderer']);
  else run(process.execPath, ['scripts/build.mjs', 'bridge']);
  run(process.execPath, ['native-rebuild/rebuild.mjs', 'node', '--if-needed']);
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/browser-host/launch.ts', ...(dev ? ['--dev'] : []), ...passThrough], {
    cwd: root,
    stdio: 'inherit',
  });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code) => process.exit(code ?? 0));
}
