#!/usr/bin/env node
// The Node hosts as a build output: the `polystore` CLI and the browser host,
// with the worker-thread and child-process entries they start, bundled by
// esbuild into dist/node/<digest>/ (digest = SHA-256 of the sources it was
// built from). Starting from the bundle instead of compiling the engine
// through tsx on every run is what makes `polystore --version` take tens of
// milliseconds instead of a second.
//
//   node scripts/node-bundle.mjs            build if any source changed (npm's `prepare` runs this)
//   node scripts/node-bundle.mjs --force    build even if current
//
// dist/node/current.json names the current build and records every source it
// read (scripts/lib/freshness.mjs); main/cli/bin.mjs checks it on each start
// and rebuilds when a source changed, so the bundle is never stale.
//
// Each build gets its own folder and current.json is replaced atomically, so a
// process still running an older build keeps finding its lazily loaded chunks,
// and two processes rebuilding at once cannot leave a half-written bundle.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compareInputs, inputsDigest, readManifest, snapshotInputs, writeManifest } from './lib/freshness.mjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_OUT_DIR = path.join(repoRoot, 'dist', 'node');
const MANIFEST = 'current.json';
/** Older builds are removed after this long: a host started from one may still load its chunks and workers for a while. */
const KEEP_OLD_BUILDS_MS = 24 * 60 * 60_000;
/** Bump when the bundle's layout or what a host expects of it changes, so older builds are not reused. */
const BUNDLE_FORMAT = 3;

export const ENTRY_POINTS = {
  cli: 'main/cli/index.ts',
  // The detached process of `polystore unlock` (main/cli/session/serve-main.ts).
  'cli-session': 'main/cli/session/serve-main.ts',
  // The CLI's keychain process (engine/secrets/child-keytar.ts): a stuck keychain call cannot keep a finished command alive.
  'keytar-child': 'engine/secrets/keytar-child.ts',
  'browser-host': 'main/browser-host/launch.ts',
  worker: 'engine/pool/worker.ts',
  child: 'engine/pool/child.ts',
};

/**
 * Packages loaded from node_modules at run time instead of being bundled:
 * native addons (their .node binaries load from their own folders), packages
 * that locate their own files (libpg-query's WebAssembly, Piscina's worker),
 * and optional peers the drivers probe for with require() inside a try.
 */
const EXTERNAL = [
  'better-sqlite3',
  'keytar',
  '@duckdb/*',
  'libpg-query',
  'piscina',
  'tsx',
  'vite',
  'pg-native',
  'kerberos',
  'snappy',
  '@mongodb-js/zstd',
  'mongodb-client-encryption',
  'gcp-metadata',
  'socks',
  'aws4',
  '@aws-sdk/credential-providers',
  'bufferutil',
  'utf-8-validate',
];

/**
 * zod bundles the error messages of 60-odd languages (370 KB, half the zod chunk) behind `z.locales`,
 * and every thread that loads a schema (the host and each pool worker) parses them at start-up. The
 * engine sets no locale, so zod's default English is all a host needs: the other languages are left out.
 */
const ZOD_ENGLISH_ONLY = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: path.join(path.dirname(args.importer), '..', 'locales', 'index.js'), namespace: 'zod-locales' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(path.join(path.dirname(args.path), 'en.js'))};`,
      resolveDir: path.dirname(args.path),
    }));
  },
};

/** Files that change the output without being imported by it. */
const BUILD_INPUTS = ['scripts/node-bundle.mjs', 'scripts/lib/freshness.mjs', 'package.json', 'package-lock.json', 'tsconfig.json'];
/** Folders whose files are snapshotted before the build, so an edit made while esbuild runs makes the result stale. */
const SOURCE_DIRS = ['engine', 'main'];

/** Bundled CommonJS packages call require(); an ESM bundle has none unless we make one. */
const REQUIRE_SHIM = "import { createRequire as __polystoreCreateRequire } from 'node:module'; const require = __polystoreCreateRequire(import.meta.url);";

/** Paths of a build's entries, for a host to load and to hand to the engine's pool. */
export function bundleEntries(dir) {
  return {
    dir,
    cli: path.join(dir, 'cli.mjs'),
    browserHost: path.join(dir, 'browser-host.mjs'),
    workerFile: path.join(dir, 'worker.mjs'),
    childFile: path.join(dir, 'child.mjs'),
    sessionFile: path.join(dir, 'cli-session.mjs'),
    keytarChildFile: path.join(dir, 'keytar-child.mjs'),
  };
}

function listSources(root) {
  return SOURCE_DIRS.flatMap((dir) =>
    fs
      .readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && /\.(ts|mts|js|mjs|json)$/.test(entry.name))
      .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name)),
  );
}

/** The current build, or why there is none: `{ entries }` when every recorded source is unchanged, else `{ stale }`. */
export function checkNodeBundle({ root = repoRoot, outDir = DEFAULT_OUT_DIR } = {}) {
  const manifestFile = path.join(outDir, MANIFEST);
  const manifest = readManifest(manifestFile);
  if (!manifest || manifest.format !== BUNDLE_FORMAT || !Array.isArray(manifest.inputs)) return { stale: ['(no build yet)'] };
  const entries = bundleEntries(path.join(outDir, manifest.build));
  if (!fs.existsSync(entries.cli)) return { stale: ['(build folder missing)'] };
  const { changed, retimed } = compareInputs(root, manifest.inputs);
  if (changed.length > 0) return { stale: changed };
  if (retimed) {
    try {
      writeManifest(manifestFile, { ...manifest, inputs: retimed });
    } catch {
      // A read-only checkout: the build is still current, it is only checked more slowly.
    }
  }
  return { entries };
}

/** Builds the bundle into a new folder and makes it current; returns its entries. */
export async function buildNodeBundle({ root = repoRoot, outDir = DEFAULT_OUT_DIR } = {}) {
  const { build } = await import('esbuild');
  const before = new Map(snapshotInputs(root, [...listSources(root), ...BUILD_INPUTS]).map((input) => [input.file, input]));
  const staging = path.join(outDir, `.staging-${process.pid}-${Date.now()}`);
  const result = await build({
    absWorkingDir: root,
    entryPoints: ENTRY_POINTS,
    outdir: staging,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    banner: { js: REQUIRE_SHIM },
    plugins: [ZOD_ENGLISH_ONLY],
    metafile: true,
    logLevel: 'warning',
  });
  const read = Object.keys(result.metafile.inputs).filter((file) => !file.includes('node_modules/') && !file.startsWith('<'));
  const inputs = [...new Set([...read, ...BUILD_INPUTS])].sort().map((file) => before.get(file) ?? snapshotInputs(root, [file])[0]);
  const build_ = `${BUNDLE_FORMAT}-${inputsDigest(inputs).slice(0, 16)}`;
  const finalDir = path.join(outDir, build_);
  try {
    fs.renameSync(staging, finalDir);
  } catch {
    // Another process finished the same build first: its folder has the same content.
    fs.rmSync(staging, { recursive: true, force: true });
  }
  writeManifest(path.join(outDir, MANIFEST), { format: BUNDLE_FORMAT, build: build_, builtAt: new Date().toISOString(), inputs });
  removeOldBuilds(outDir, build_);
  return bundleEntries(finalDir);
}

function removeOldBuilds(outDir, current) {
  const cutoff = Date.now() - KEEP_OLD_BUILDS_MS;
  for (const entry of fs.readdirSync(outDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === current) continue;
    const dir = path.join(outDir, entry.name);
    if (fs.statSync(dir).mtimeMs < cutoff) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The current build, rebuilt first if a source changed; null when it cannot be built (no esbuild, read-only checkout). */
export async function ensureNodeBundle(options = {}) {
  const checked = checkNodeBundle(options);
  if (checked.entries) return checked.entries;
  options.onStale?.(checked.stale);
  try {
    return await buildNodeBundle(options);
  } catch (error) {
    options.onBuildError?.(error);
    return null;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const force = process.argv.includes('--force');
  const checked = force ? { stale: ['--force'] } : checkNodeBundle();
  if (checked.entries) console.log(`dist/node is current (${path.basename(checked.entries.dir)})`);
  else {
    const started = performance.now();
    const entries = await buildNodeBundle();
    console.log(`built ${path.relative(repoRoot, entries.dir)} in ${Math.round(performance.now() - started)} ms`);
  }
}
