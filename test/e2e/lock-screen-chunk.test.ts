/**
 * The lock screen is the first thing every start shows, so the page's entry script holds the
 * lock screen and the status bar, and the pages behind the lock (Workspace.svelte: charts,
 * highlighting, the contract's schemas) are a chunk fetched afterwards. Checked on the build
 * the e2e suite runs against (scripts/test.mjs builds dist/renderer when it is stale).
 */
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot } from '../support/tmp';

const dist = path.join(repoRoot, 'dist', 'renderer');

function entryScript(): string {
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const src = /<script type="module"[^>]*src="\/([^"]+)"/.exec(html)?.[1];
  if (!src) throw new Error(`dist/renderer/index.html names no module script:\n${html}`);
  return fs.readFileSync(path.join(dist, src), 'utf8');
}

test('the entry script has the lock screen and leaves the pages to their own chunk', () => {
  const entry = entryScript();
  assert.ok(entry.includes('lock-screen'), 'the lock screen is in the entry script');
  // Markers of the pages behind the lock: the owner-only notice and the chart library.
  assert.not.ok(entry.includes('owner-only-page'), 'the pages are not in the entry script');
  assert.not.ok(/Chart\.js|chartjs/i.test(entry), 'Chart.js is not in the entry script');
  const chunks = fs.readdirSync(path.join(dist, 'assets')).filter((f) => /^Workspace-.*\.js$/.test(f));
  assert.is(chunks.length, 1, 'one Workspace chunk');
  assert.ok(fs.readFileSync(path.join(dist, 'assets', chunks[0]!), 'utf8').includes('owner-only-page'));
  assert.ok(entry.includes(chunks[0]!), 'the entry script loads the Workspace chunk');
});

test.run();
