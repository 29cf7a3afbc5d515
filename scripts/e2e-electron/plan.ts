/**
 * The pure parts of the Electron E2E run (scripts/e2e-electron/run.ts): which spec files it runs,
 * what a spec may not use to be in it, and how a spec file's output is counted. Unit-tested in
 * test/unit/scripts/e2e-electron.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isRendererChannel } from '../../engine/contract/renderer-channels';
import { BROWSER_HOST_ONLY, ELECTRON_SPECS } from '../../test/e2e/hosts';
import { NOT_RUN_MARK } from '../../test/support/e2e-hosts';

/** A run that cannot be what it claims: a missing spec, a filter that matches nothing. */
export class RunPlanError extends Error {
  override name = 'RunPlanError';
}

/** The spec files (*.test.ts) directly in test/e2e. */
export function e2eSpecNames(e2eDir: string): string[] {
  return fs
    .readdirSync(e2eDir, { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.test.ts'))
    .map((d) => d.name)
    .sort();
}

export interface Classification {
  /** Specs in neither list. */
  unclassified: string[];
  /** Specs in both lists. */
  both: string[];
  /** Listed specs with no file. */
  missing: string[];
}

/** How the specs present sit in the two lists of test/e2e/hosts.ts. */
export function classify(specs: readonly string[], electron: readonly string[] = ELECTRON_SPECS, browserOnly: Readonly<Record<string, string>> = BROWSER_HOST_ONLY): Classification {
  const inElectron = new Set(electron);
  const inBrowser = new Set(Object.keys(browserOnly));
  const present = new Set(specs);
  return {
    unclassified: specs.filter((s) => !inElectron.has(s) && !inBrowser.has(s)),
    both: specs.filter((s) => inElectron.has(s) && inBrowser.has(s)),
    missing: [...inElectron, ...inBrowser].filter((s) => !present.has(s)).sort(),
  };
}

/**
 * What in a spec's source only the browser host has: `app.launched` (its in-process engine and
 * server) and app.call on channels the app's page cannot call. A spec with any of these cannot be
 * in the Electron run.
 */
export function browserHostNeeds(source: string): string[] {
  const needs: string[] = [];
  if (/\.launched\b/.test(source)) needs.push('app.launched');
  for (const m of source.matchAll(/\.call\(\s*'([a-z]+\.[A-Za-z]+)'/g)) {
    if (!isRendererChannel(m[1]) && !needs.includes(m[1]!)) needs.push(m[1]!);
  }
  return needs;
}

/** The spec files the Electron run includes (all, or those whose name contains `filter`); throws rather than run fewer than listed by mistake. */
export function electronSpecFiles(e2eDir: string, filter?: string): string[] {
  const present = new Set(e2eSpecNames(e2eDir));
  const missing = ELECTRON_SPECS.filter((s) => !present.has(s));
  if (missing.length) throw new RunPlanError(`test/e2e/hosts.ts lists ${missing.join(', ')} for the Electron run, but there is no such spec in ${e2eDir}`);
  const chosen = ELECTRON_SPECS.filter((s) => !filter || s.includes(filter));
  if (!chosen.length) throw new RunPlanError(`no spec of the Electron run matches "${filter}" (the run has: ${ELECTRON_SPECS.join(', ')})`);
  return chosen.map((s) => path.join(e2eDir, s));
}

export interface FileOutcome {
  passed: number;
  failed: number;
  /** Tests the spec left out of this run, with why (browserHostTest's lines). */
  notRun: string[];
}

/**
 * Counts one spec file's run from uvu's output, as scripts/test.mjs does: a skipped test is a
 * failure, a file with no tests is a failure, and a non-zero exit with nothing failed is one.
 */
export function fileOutcome(output: string, exitCode: number | null): FileOutcome {
  const num = (label: string) => {
    const m = output.match(new RegExp(`${label}:\\s+(\\d+)`));
    return m ? Number(m[1]) : null;
  };
  const total = num('Total');
  const passed = num('Passed') ?? 0;
  const skipped = num('Skipped') ?? 0;
  let failed = total === null ? 1 : total - passed - skipped;
  failed += skipped;
  if (exitCode !== 0 && failed === 0) failed = 1;
  if (total === 0) failed = Math.max(failed, 1);
  const notRun = output
    .split('\n')
    .filter((l) => l.startsWith(NOT_RUN_MARK))
    .map((l) => l.slice(NOT_RUN_MARK.length).trim());
  return { passed, failed, notRun };
}

/** The Chromium version in DevTools' /json/version answer ("Chrome/142.0.7444.52", "HeadlessChrome/…"). */
export function chromiumVersionOf(jsonVersion: unknown): string | null {
  const browser = (jsonVersion as { Browser?: unknown } | null)?.Browser;
  if (typeof browser !== 'string') return null;
  const m = /^(?:Headless)?Chrome\/(\d+\.\d+\.\d+\.\d+)$/.exec(browser.trim());
  return m ? m[1]! : null;
}
