#!/usr/bin/env node
// The `polystore` command. It runs the CLI's bundle in dist/node (built by
// scripts/node-bundle.mjs during `npm ci`), so a start does not compile the
// engine. The bundle is never stale: if any source it was built from changed
// since, it is rebuilt first; if it cannot be built (no esbuild, a read-only
// checkout), the TypeScript sources run through tsx as before.
//
// POLYSTORE_BUNDLE_DIR points at another bundle folder (tests of the staleness check).
import fs from 'node:fs';

const argv = process.argv.slice(2);

// `polystore --version` alone is answered here, from package.json (where the engine's APP_VERSION
// comes from too): no bundle check, no commander, no zod.
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  process.stdout.write(`${JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  process.exitCode = await run();
}

async function run() {
  const { pathToFileURL } = await import('node:url');
  const { ensureNodeBundle } = await import('../../scripts/node-bundle.mjs');
  const outDir = process.env.POLYSTORE_BUNDLE_DIR || undefined;
  // Notes go to a terminal only: scripts read stderr as the JSON error of --json.
  const note = (text) => process.stderr.isTTY && process.stderr.write(`polystore: ${text}\n`);

  const bundle = await ensureNodeBundle({
    ...(outDir ? { outDir } : {}),
    onStale: () => note('the sources changed since the CLI was built; rebuilding it…'),
    onBuildError: (error) => note(`could not build the CLI (${error instanceof Error ? error.message.split('\n')[0] : error}); running from sources`),
  });

  if (bundle) {
    const { runCli, processIO } = await import(pathToFileURL(bundle.cli).href);
    return runCli(argv, processIO(), { workerFile: bundle.workerFile, childFile: bundle.childFile, sessionFile: bundle.sessionFile, keytarChildFile: bundle.keytarChildFile });
  }
  const { register } = await import('tsx/esm/api');
  register();
  const { runCli, processIO } = await import('./index.ts');
  return runCli(argv, processIO());
}
