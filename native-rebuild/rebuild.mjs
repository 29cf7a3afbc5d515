#!/usr/bin/env node
// Switches the native modules that are not N-API (better-sqlite3) between
// Node's ABI (tests, CLI, browser host) and Electron's ABI (the desktop app).
//
//   node native-rebuild/rebuild.mjs node [--if-needed]
//   node native-rebuild/rebuild.mjs electron [--arch arm64|x64]
//
// Each build is cached under node_modules/.cache/polystore-native, so switching
// back and forth copies a file instead of compiling again.
//
// Why the environment is scrubbed: npm exports its configuration to scripts as
// npm_config_* variables. A machine whose npm config sets `nodedir` (this CI's
// does: nodedir=/usr) would make node-gyp compile against Node's headers
// whatever target we name, producing a module Electron refuses to load. The
// Electron build therefore removes every header-selecting variable and lets
// @electron/rebuild fetch Electron's headers; the result is verified by loading
// it in Electron itself when Electron is available.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
export const NON_NAPI_MODULES = ['better-sqlite3'];
const HEADER_VARS = ['npm_config_nodedir', 'npm_config_target', 'npm_config_runtime', 'npm_config_disturl', 'npm_config_dist_url', 'npm_config_build_from_source'];

function moduleDir(name) {
  return path.dirname(require.resolve(`${name}/package.json`));
}

function binaryOf(name) {
  const dir = path.join(moduleDir(name), 'build', 'Release');
  const file = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.endsWith('.node') && !f.startsWith('test_')) : undefined;
  return file ? path.join(dir, file) : null;
}

function cachePath(name, tag) {
  return path.join(root, 'node_modules', '.cache', 'polystore-native', name, `${tag}.node`);
}

function markerPath(name) {
  return path.join(moduleDir(name), 'build', 'Release', '.polystore-abi');
}

function currentTag(name) {
  try {
    return fs.readFileSync(markerPath(name), 'utf8').trim();
  } catch {
    return null;
  }
}

function remember(name, tag) {
  const bin = binaryOf(name);
  if (!bin) throw new Error(`${name}: no compiled binary after the build`);
  fs.mkdirSync(path.dirname(cachePath(name, tag)), { recursive: true });
  fs.copyFileSync(bin, cachePath(name, tag));
  fs.writeFileSync(markerPath(name), tag + '\n');
}

function restore(name, tag) {
  const cached = cachePath(name, tag);
  const bin = binaryOf(name);
  if (!bin || !fs.existsSync(cached)) return false;
  fs.copyFileSync(cached, bin);
  fs.writeFileSync(markerPath(name), tag + '\n');
  return true;
}

/** Loads the module in a fresh Node process: the only honest ABI check. */
function loadsInNode(name) {
  const probe = name === 'better-sqlite3' ? `new (require('better-sqlite3'))(':memory:').close()` : `require(${JSON.stringify(name)})`;
  const result = spawnSync(process.execPath, ['-e', probe], { cwd: root, encoding: 'utf8' });
  return { ok: result.status === 0, error: result.stderr.split('\n').find((l) => l.includes('NODE_MODULE_VERSION') || l.includes('Error')) ?? '' };
}

function electronBinary() {
  const result = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], { cwd: root, encoding: 'utf8', timeout: 15 * 60_000 });
  return result.status === 0 && fs.existsSync(result.stdout) ? result.stdout : null;
}

function forNode({ ifNeeded }) {
  const tag = `node-${process.versions.modules}-${process.platform}-${process.arch}`;
  for (const name of NON_NAPI_MODULES) {
    if (ifNeeded && loadsInNode(name).ok) {
      if (currentTag(name) !== tag) remember(name, tag);
      continue;
    }
    if (restore(name, tag) && loadsInNode(name).ok) {
      console.log(`${name}: restored the Node build (${tag}) from cache`);
      continue;
    }
    console.log(`${name}: compiling for Node ${process.version} (ABI ${process.versions.modules})…`);
    const env = { ...process.env };
    for (const key of ['npm_config_target', 'npm_config_runtime', 'npm_config_disturl', 'npm_config_dist_url']) delete env[key];
    const result = spawnSync('npm', ['rebuild', name, '--foreground-scripts'], { cwd: root, env, stdio: 'inherit' });
    const check = loadsInNode(name);
    if (result.status !== 0 || !check.ok) throw new Error(`${name}: the Node build does not load: ${check.error}`);
    remember(name, tag);
  }
}

async function forElectron({ arch }) {
  const electronVersion = require('electron/package.json').version;
  const tag = `electron-${electronVersion}-${process.platform}-${arch}`;
  for (const name of NON_NAPI_MODULES) {
    if (currentTag(name) === tag) continue;
    if (restore(name, tag)) {
      console.log(`${name}: restored the Electron build (${tag}) from cache`);
      continue;
    }
    for (const key of HEADER_VARS) delete process.env[key];
    console.log(`${name}: compiling for Electron ${electronVersion} (${arch})…`);
    const { rebuild } = await import('@electron/rebuild');
    await rebuild({ buildPath: root, electronVersion, arch, onlyModules: [name], force: true, mode: 'sequential' });
    remember(name, tag);
  }
  const electron = electronBinary();
  if (electron) {
    const result = spawnSync(electron, ['-e', `new (require('better-sqlite3'))(':memory:').close()`], {
      cwd: root,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`better-sqlite3 does not load in Electron ${electronVersion}:\n${result.stderr}`);
    console.log(`verified: native modules load in Electron ${electronVersion}`);
  } else {
    console.log('Electron is not available on this machine, so the Electron build was not load-tested.');
  }
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const [target, ...rest] = process.argv.slice(2);
  const archFlag = rest.indexOf('--arch');
  try {
    if (target === 'node') forNode({ ifNeeded: rest.includes('--if-needed') });
    else if (target === 'electron') await forElectron({ arch: archFlag >= 0 ? rest[archFlag + 1] : process.arch });
    else {
      console.error('usage: rebuild.mjs node [--if-needed] | electron [--arch arm64|x64]');
      process.exit(2);
    }
  } catch (error) {
    console.error(`native rebuild failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
