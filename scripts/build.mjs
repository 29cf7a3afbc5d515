#!/usr/bin/env node
// Builds everything a host needs into dist/:
//   dist/renderer   the Svelte app (Vite)
//   dist/bridge     window.polystore for the browser host
//   dist/electron   main process, worker and preload for Electron
//   dist/node       the CLI and the browser host for Node (scripts/node-bundle.mjs)
//
//   node scripts/build.mjs [renderer] [bridge] [electron] [node] [--if-changed]
//
// With --if-changed, the renderer (and its bridge) is rebuilt only when a
// source it was built from changed: dist/renderer-build.json records them
// (scripts/lib/freshness.mjs). `npm start` uses this, so starting the app
// twice does not build the same renderer twice.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compareInputs, readManifest, snapshotInputs, writeManifest } from './lib/freshness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RENDERER_MANIFEST = path.join(root, 'dist', 'renderer-build.json');
/** Folders snapshotted before the renderer build, so an edit made while it runs leaves the result stale. */
const RENDERER_SOURCE_DIRS = ['renderer', 'engine', 'main'];
/** Files that change the renderer's output without being one of its modules. */
const RENDERER_BUILD_INPUTS = ['scripts/build.mjs', 'scripts/lib/freshness.mjs', 'vite.config.ts', 'svelte.config.js', 'package.json', 'package-lock.json', 'tsconfig.json'];

/** Whether dist/renderer and dist/bridge were built from the sources as they are now. */
export function rendererBuildIsCurrent() {
  const manifest = readManifest(RENDERER_MANIFEST);
  if (!manifest || !Array.isArray(manifest.inputs)) return false;
  if (!fs.existsSync(path.join(root, 'dist', 'renderer', 'index.html')) || !fs.existsSync(path.join(root, 'dist', 'bridge', 'bridge.js'))) return false;
  const { changed, retimed } = compareInputs(root, manifest.inputs);
  if (changed.length > 0) return false;
  if (retimed) writeManifest(RENDERER_MANIFEST, { ...manifest, inputs: retimed });
  return true;
}

const isSourceFile = (file) => !file.includes(`${path.sep}node_modules${path.sep}`) && !file.startsWith('\0') && fs.existsSync(file) && fs.statSync(file).isFile();

function listFiles(dirs) {
  return dirs.flatMap((dir) =>
    fs
      .readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name)),
  );
}

/** A Vite plugin that collects the files the build read (ids without their ?query). */
function moduleRecorder(read) {
  return {
    name: 'polystore:record-inputs',
    buildEnd() {
      for (const id of this.getModuleIds()) read.add(id.split('?')[0]);
    },
  };
}

async function buildBridge(esbuild) {
  return esbuild({
    entryPoints: [path.join(root, 'main/browser-host/bridge-client.ts')],
    outfile: path.join(root, 'dist/bridge/bridge.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
  });
}

/** Builds the renderer and the bridge, and records what they were built from. */
async function buildRenderer(esbuild) {
  const { build: viteBuild } = await import('vite');
  const before = new Map(snapshotInputs(root, [...listFiles(RENDERER_SOURCE_DIRS), ...RENDERER_BUILD_INPUTS]).map((input) => [input.file, input]));
  const read = new Set();
  await viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn', plugins: [moduleRecorder(read)] });
  const bridge = await buildBridge(esbuild);
  for (const file of Object.keys(bridge.metafile.inputs)) read.add(path.resolve(root, file));
  const files = [...read].filter(isSourceFile).map((file) => path.relative(root, file).split(path.sep).join('/'));
  const inputs = [...new Set([...files, ...RENDERER_BUILD_INPUTS])].sort().map((file) => before.get(file) ?? snapshotInputs(root, [file])[0]);
  writeManifest(RENDERER_MANIFEST, { builtAt: new Date().toISOString(), inputs });
}

async function buildElectron(esbuild) {
  const common = { bundle: true, platform: 'node', target: 'node22', sourcemap: true, logLevel: 'warning' };
  // Main, worker and child keep npm packages external: electron-builder ships them in node_modules,
  // and native modules must load from there (unpacked from the asar). The child runs DuckDB in a utility
  // process, keytar-child the OS keychain (keytar) in another.
  await esbuild({
    ...common,
    entryPoints: {
      main: path.join(root, 'main/electron/main.ts'),
      worker: path.join(root, 'engine/pool/worker.ts'),
      child: path.join(root, 'engine/pool/child.ts'),
      'keytar-child': path.join(root, 'engine/secrets/keytar-child.ts'),
    },
    outdir: path.join(root, 'dist/electron'),
    outExtension: { '.js': '.mjs' },
    format: 'esm',
    packages: 'external',
  });
  // A sandboxed preload can require only `electron`: everything else is bundled in.
  await esbuild({
    ...common,
    entryPoints: [path.join(root, 'preload/index.ts')],
    outfile: path.join(root, 'dist/electron/preload.cjs'),
    format: 'cjs',
    external: ['electron'],
  });
}

async function main(args) {
  const ifChanged = args.includes('--if-changed');
  const only = args.filter((a) => !a.startsWith('--'));
  const want = (part) => only.length === 0 || only.includes(part);
  const skipRenderer = want('renderer') && ifChanged && rendererBuildIsCurrent();
  if (skipRenderer && only.length === 1) return console.log('dist/renderer is current');
  const { build: esbuild } = await import('esbuild');
  const built = [];
  if (want('renderer')) {
    if (skipRenderer) console.log('dist/renderer is current');
    else {
      await buildRenderer(esbuild);
      built.push('renderer', 'bridge');
    }
  } else if (want('bridge')) {
    await buildBridge(esbuild);
    built.push('bridge');
  }
  if (want('electron')) {
    await buildElectron(esbuild);
    built.push('electron');
  }
  if (want('node')) {
    const { buildNodeBundle } = await import('./node-bundle.mjs');
    await buildNodeBundle();
    built.push('node');
  }
  if (built.length > 0) console.log(`built ${built.join(', ')} into dist/`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(process.argv.slice(2));
