#!/usr/bin/env node
// Builds everything a host needs into dist/:
//   dist/renderer   the Svelte app (Vite)
//   dist/bridge     window.polystore for the browser host
//   dist/electron   main process, worker and preload for Electron
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);
const want = (part) => only.length === 0 || only.includes(part);

if (want('renderer')) {
  await viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
}

if (want('bridge') || want('renderer')) {
  await esbuild({
    entryPoints: [path.join(root, 'main/browser-host/bridge-client.ts')],
    outfile: path.join(root, 'dist/bridge/bridge.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (want('electron')) {
  const common = { bundle: true, platform: 'node', target: 'node22', sourcemap: true, logLevel: 'warning' };
  // Main, worker and child keep npm packages external: electron-builder ships them in node_modules,
  // and native modules must load from there (unpacked from the asar). The child runs DuckDB in a utility process.
  await esbuild({
    ...common,
    entryPoints: { main: path.join(root, 'main/electron/main.ts'), worker: path.join(root, 'engine/pool/worker.ts'), child: path.join(root, 'engine/pool/child.ts') },
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

console.log(`built ${only.length ? only.join(', ') : 'renderer, bridge, electron'} into dist/`);
