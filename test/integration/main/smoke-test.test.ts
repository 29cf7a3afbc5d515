import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openEngine } from '../../../engine/engine';
import { ok } from '../../../engine/contract/errors';
import { formatSmokeReport, runSmokeTest, type SmokeEngine } from '../../../main/shared/smoke-test';

const window = async () => 'rendered';

test('the smoke test opens and migrates a new profile, stores its keys in the real keychain and loads the native modules in the worker pool', async () => {
  const report = await runSmokeTest({ host: 'cli', openEngine: (dataDir) => openEngine({ dataDir, host: 'cli', healthIntervalMs: 0, maxThreads: 1 }), renderWindow: window });
  assert.ok(report.ok, formatSmokeReport(report));
  assert.equal(
    report.steps.map((s) => s.name),
    ['open and migrate a new profile', 'create the profile (keychain)', 'worker pool and native modules', 'render the window'],
  );
  assert.match(report.steps[2]!.detail, /better-sqlite3 \d+\.\d+\.\d+ \(sqlite [\d.]+\), @duckdb\/node-api \d/);
  assert.match(formatSmokeReport(report), /smoke test passed$/);
});

test('a native module that does not load fails the smoke test and names the module', async () => {
  const engine: SmokeEngine = {
    router: {
      dispatch: async (channel) => {
        if (channel === 'auth.status') return ok({ state: 'setup-required' });
        if (channel === 'auth.setup') return ok({ state: 'unlocked' });
        return ok({
          offMainThread: true,
          runtime: { node: '22', modules: '136', platform: 'darwin', arch: 'arm64' },
          native: [
            { name: 'better-sqlite3', ok: true, version: '12.0.0' },
            { name: '@duckdb/node-api', ok: false, error: 'was compiled against a different Node.js version (NODE_MODULE_VERSION 115)' },
          ],
        });
      },
    },
    close: async () => {},
  };
  const report = await runSmokeTest({ host: 'electron', openEngine: async () => engine, renderWindow: window });
  assert.not.ok(report.ok);
  const failed = report.steps.filter((s) => !s.ok);
  assert.is(failed.length, 1);
  assert.is(failed[0]!.name, 'worker pool and native modules');
  assert.match(failed[0]!.detail, /@duckdb\/node-api: was compiled against a different Node\.js version/);
  assert.match(formatSmokeReport(report), /FAIL worker pool and native modules/);
});

test('a step that hangs fails at its deadline instead of hanging the release job; a window that does not render fails', async () => {
  const report = await runSmokeTest({
    host: 'electron',
    openEngine: () => new Promise<SmokeEngine>(() => {}),
    renderWindow: async () => {
      throw new Error('the page did not load: ERR_FILE_NOT_FOUND');
    },
    stepTimeoutMs: 300,
  });
  assert.not.ok(report.ok);
  assert.equal(
    report.steps.map((s) => [s.name, s.ok]),
    [
      ['open and migrate a new profile', false],
      ['render the window', false],
    ],
  );
  assert.match(report.steps[0]!.detail, /did not finish within/);
  assert.match(report.steps[1]!.detail, /ERR_FILE_NOT_FOUND/);
});

test.run();
