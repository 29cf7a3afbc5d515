import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { probeChromiumVersion } from '../../../scripts/e2e-electron/chromium-version';
import { chromiumVersionOf, electronSpecFiles, fileOutcome, RunPlanError } from '../../../scripts/e2e-electron/plan';
import { ELECTRON_SPECS } from '../../e2e/hosts';
import { repoRoot, tempDir } from '../../support/tmp';

const e2eDir = path.join(repoRoot, 'test', 'e2e');
const uvu = (total: number, passed: number, skipped = 0) => `  Total:     ${total}\n  Passed:    ${passed}\n  Skipped:   ${skipped}\n  Duration:  1.00ms\n`;

test('a spec file is counted as scripts/test.mjs counts it: skipped, no tests, a crash and a non-zero exit all fail', () => {
  assert.equal(fileOutcome(uvu(5, 5), 0), { passed: 5, failed: 0, notRun: [] });
  assert.equal(fileOutcome(uvu(5, 3), 1), { passed: 3, failed: 2, notRun: [] });
  assert.equal(fileOutcome(uvu(5, 4, 1), 0), { passed: 4, failed: 1, notRun: [] }, 'skipped is not passed');
  assert.equal(fileOutcome(uvu(0, 0), 0).failed, 1, 'a file with no tests');
  assert.equal(fileOutcome('Error: E2E_APP does not exist', 1), { passed: 0, failed: 1, notRun: [] }, 'a crash before uvu reports');
  assert.equal(fileOutcome(uvu(2, 2), 1).failed, 1, 'a non-zero exit after passing tests (a failing after hook)');
});

test('the tests a spec leaves out of the Electron run are reported with their reason, not counted as passed', () => {
  const output = `[not in the Electron run] export the full result as CSV: the app saves an export through its native save dialog\n${uvu(16, 16)}`;
  assert.equal(fileOutcome(output, 0), { passed: 16, failed: 0, notRun: ['export the full result as CSV: the app saves an export through its native save dialog'] });
});

test('the run takes the listed specs, or those a filter names, and refuses a filter that names none', () => {
  assert.equal(electronSpecFiles(e2eDir), ELECTRON_SPECS.map((s) => path.join(e2eDir, s)));
  assert.equal(electronSpecFiles(e2eDir, 'results'), [path.join(e2eDir, 'results.test.ts')]);
  assert.throws(() => electronSpecFiles(e2eDir, 'app-shell'), (e: unknown) => e instanceof RunPlanError && /no spec of the Electron run matches "app-shell"/.test(e.message));
  const empty = tempDir('polystore-e2e-dir-');
  try {
    assert.throws(() => electronSpecFiles(empty.path), (e: unknown) => e instanceof RunPlanError && /lists .*chat\.test\.ts.* for the Electron run, but there is no such spec/.test(e.message));
  } finally {
    empty.remove();
  }
});

test("DevTools' version answer gives the Chromium version; anything else gives none", () => {
  assert.is(chromiumVersionOf({ Browser: 'Chrome/142.0.7444.52', 'User-Agent': 'Mozilla/5.0 … Electron/39.0.0' }), '142.0.7444.52');
  assert.is(chromiumVersionOf({ Browser: 'HeadlessChrome/156.0.8078.129' }), '156.0.8078.129');
  assert.is(chromiumVersionOf({ Browser: 'Firefox/140' }), null);
  assert.is(chromiumVersionOf(null), null);
});

test('the probe reads the version from a running Chromium (Debian Chromium standing in for the app) and ends it', async () => {
  const expected = /(\d+\.\d+\.\d+\.\d+)/.exec(execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }))![1];
  const version = await probeChromiumVersion('/usr/bin/chromium', { args: ['--headless', '--no-sandbox', '--disable-gpu', 'about:blank'], timeoutMs: 60_000 });
  assert.is(version, expected);
  const refused = await probeChromiumVersion('/bin/false', { timeoutMs: 30_000 }).then(
    () => null,
    (error: unknown) => String(error),
  );
  assert.match(refused ?? 'no error', /\/bin\/false exited \(1\) before DevTools answered/);
});

test('npm run test:e2e:electron fails loudly without E2E_APP, or with the bundle instead of its executable: it never passes with nothing run', () => {
  const run = (env: NodeJS.ProcessEnv) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/e2e-electron/run.ts'], { cwd: repoRoot, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, out: r.stdout + r.stderr };
  };
  const missing = run({});
  assert.is(missing.status, 1);
  assert.match(missing.out, 'needs E2E_APP');
  assert.match(missing.out, /^0 passed, 1 failed$/m);
  const bundle = tempDir('polystore-app-');
  try {
    const folder = run({ E2E_APP: bundle.path });
    assert.is(folder.status, 1);
    assert.match(folder.out, "E2E_APP is a folder, not the app's executable");
    assert.match(folder.out, /^0 passed, 1 failed$/m);
  } finally {
    bundle.remove();
  }
});

test("the macOS CI job runs the Electron run after the smoke test, against the app installed from the DMG, with PostgreSQL and the test data", () => {
  const ci = yaml.load(fs.readFileSync(path.join(repoRoot, '.github/workflows/ci.yml'), 'utf8')) as { jobs: Record<string, { steps: Array<{ run?: string; env?: Record<string, string> }> }> };
  const steps = ci.jobs['macos-build']!.steps;
  const at = (text: string) => steps.findIndex((s) => s.run?.includes(text));
  const e2e = at('npm run test:e2e:electron');
  assert.ok(e2e > at('scripts/release/smoke-installed.sh') && at('scripts/release/smoke-installed.sh') > at('electron-builder --mac'), 'after packaging and the smoke test');
  for (const before of ['pg_ctl', 'TESTDATA_URL', 'hdiutil attach', 'npm run rebuild:node']) assert.ok(at(before) >= 0 && at(before) < e2e, before);
  const env = steps[e2e]!.env!;
  assert.match(env.E2E_APP!, /\/Applications\/PolyStoreIQ\.app\/Contents\/MacOS\/PolyStoreIQ$/);
  assert.is(env.POLYSTORE_PGUSER, 'postgres');
  assert.ok(env.POLYSTORE_TESTDATA);
  assert.is(env.E2E_CHROMEDRIVER, undefined, "the runner's chromedriver matches its Chrome, not the app: WebdriverIO fetches the app's");
});

test.run();
