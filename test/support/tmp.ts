import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh temporary folder; `remove()` deletes it. */
export function tempDir(prefix = 'polystore-test-'): { path: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { path: dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/** The repository this checkout was cloned from (a CI clone lives elsewhere on the same machine). */
function originCheckout(): string | null {
  try {
    const url = execFileSync('git', ['config', '--get', 'remote.origin.url'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    return url && !/^[a-z]+:\/\//i.test(url) && !url.includes('@') ? path.resolve(repoRoot, url.replace(/^file:\/\//, '')) : null;
  } catch {
    return null;
  }
}

/**
 * The shared test data (Chinook, Pagila, Mongo samples, awkward files), read
 * in place and never copied into the repo. It sits next to the checkout
 * (../shared/testdata); a clone made elsewhere finds it next to its origin,
 * and POLYSTORE_TESTDATA overrides both.
 */
function findTestdata(): string {
  const ancestors: string[] = [];
  for (let dir = path.dirname(repoRoot); dir !== path.dirname(dir); dir = path.dirname(dir)) ancestors.push(path.join(dir, 'shared', 'testdata'));
  const origin = originCheckout();
  const candidates = [
    process.env.POLYSTORE_TESTDATA,
    ...(origin ? [path.resolve(origin, '..', 'shared', 'testdata')] : []),
    ...ancestors,
    '/work/shared/testdata',
  ].filter((c): c is string => Boolean(c));
  const found = candidates.find((c) => fs.existsSync(path.join(c, 'MANIFEST.md')));
  if (!found) throw new Error(`The shared test data was not found (looked in: ${candidates.join(', ')}). Set POLYSTORE_TESTDATA.`);
  return found;
}

export const testdataDir = findTestdata();
export const artifactsDir = path.join(repoRoot, 'test-artifacts');
