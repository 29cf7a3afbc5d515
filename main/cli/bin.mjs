#!/usr/bin/env node
// The `polystore` command. It runs the CLI's bundle in dist/node (built by
// scripts/node-bundle.mjs during `npm ci`), so a start does not compile the
// engine. The bundle is never stale: if any source it was built from changed
// since, it is rebuilt first; if it cannot be built (no esbuild, a read-only
// checkout), the TypeScript sources run through tsx as before.
//
// POLYSTORE_BUNDLE_DIR points at another bundle folder (tests of the staleness check).
import { pathToFileURL } from 'node:url';
import { ensureNodeBundle } from '../../scripts/node-bundle.mjs';

const argv = process.argv.slice(2);
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
  process.exitCode = await runCli(argv, processIO(), { workerFile: bundle.workerFile, childFile: bundle.childFile });
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { runCli, processIO } = await import('./index.ts');
  process.exitCode = await runCli(argv, processIO());
}
