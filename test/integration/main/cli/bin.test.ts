import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pkg from '../../../../package.json' with { type: 'json' };
import { cliProcess } from '../../../support/cli';
import { repoRoot, tempDir } from '../../../support/tmp';

test('`npx polystore --version` works from the installed bin', () => {
  const result = spawnSync('npx', ['--no-install', 'polystore', '--version'], { cwd: repoRoot, encoding: 'utf8' });
  assert.is(result.status, 0, result.stderr);
  assert.is(result.stdout.trim(), pkg.version);
  assert.ok(path.isAbsolute(repoRoot));
});

test('the bin runs a worker job (in a thread, from the bundle worker entry) and exits cleanly', () => {
  const dir = tempDir();
  const env = { POLYSTORE_PIN: '480613' };
  assert.is(cliProcess(['init', '--data-dir', dir.path], { env }).code, 0);
  const run = cliProcess(['selftest', '--json', '--data-dir', dir.path], { env });
  dir.remove();
  assert.is(run.code, 0, run.stderr);
  assert.is(run.json<{ offMainThread: boolean }>().offMainThread, true);
});

test('errors exit non-zero with the JSON error on stderr', () => {
  const run = cliProcess(['selftest', '--cpu-probe-ms', 'nope', '--json']);
  assert.is.not(run.code, 0);
  assert.is(run.stdout, '');
  assert.match(run.stderr, /"error":\{"code":"VALIDATION"/);
});

test.run();
