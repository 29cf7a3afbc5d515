import fs from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveDataDir } from '../../../../engine/paths';
import pkg from '../../../../package.json' with { type: 'json' };
import { cli } from '../../../support/cli';
import { TEST_PIN } from '../../../support/engine';
import { tempDir } from '../../../support/tmp';

const dir = tempDir();
// Data commands unlock the profile with POLYSTORE_PIN (or --pin-stdin).
process.env.POLYSTORE_PIN = TEST_PIN;
test.before(async () => {
  const init = await cli(['init', '--data-dir', dir.path]);
  if (init.code !== 0) throw new Error(init.stderr);
});
test.after(() => dir.remove());

test('--version prints the package version', async () => {
  const run = await cli(['--version']);
  assert.is(run.code, 0);
  assert.is(run.stdout.trim(), pkg.version);
});

test('--help lists the global flags and commands', async () => {
  const run = await cli(['--help']);
  assert.is(run.code, 0);
  for (const text of ['--data-dir', '--json', 'info', 'selftest']) assert.match(run.stdout, text);
});

test('global flags work before and after the command name', async () => {
  const before = await cli(['--json', '--data-dir', dir.path, 'info']);
  const after = await cli(['info', '--data-dir', dir.path, '--json']);
  assert.is(before.code, 0, before.stderr);
  assert.is(after.code, 0, after.stderr);
  assert.is(before.json<{ dataDir: string }>().dataDir, dir.path);
  assert.equal(before.json<{ host: string }>().host, 'cli');
  assert.equal(after.json(), before.json());
  assert.ok(fs.existsSync(dir.path));
});

test('POLYSTORE_HOME chooses the data folder, and --data-dir wins over it', async () => {
  const env = tempDir();
  assert.is((await cli(['init'], { env: { POLYSTORE_HOME: env.path } })).code, 0);
  const viaEnv = await cli(['info', '--json'], { env: { POLYSTORE_HOME: env.path } });
  assert.is(viaEnv.json<{ dataDir: string }>().dataDir, env.path);
  const both = await cli(['info', '--json', '--data-dir', dir.path], { env: { POLYSTORE_HOME: env.path } });
  assert.is(both.json<{ dataDir: string }>().dataDir, dir.path);
  env.remove();
});

test('the default data folder is the OS app-data folder for PolyStoreIQ', () => {
  const d = resolveDataDir(null, { HOME: '/home/u' });
  if (process.platform === 'darwin') assert.match(d, /Library\/Application Support\/PolyStoreIQ$/);
  else if (process.platform === 'linux') assert.match(d, /\.config\/PolyStoreIQ$/);
  assert.is(resolveDataDir(null, { XDG_CONFIG_HOME: '/x', POLYSTORE_HOME: '/p' }), '/p');
});

test('errors go to stderr with a non-zero exit; under --json as {error:{code,message}}', async () => {
  const human = await cli(['no-such-command']);
  assert.is.not(human.code, 0);
  assert.is(human.stdout, '');
  assert.match(human.stderr, /unknown command/);

  const json = await cli(['no-such-command', '--json']);
  assert.is.not(json.code, 0);
  const parsed = JSON.parse(json.stderr.trim().split('\n').pop()!);
  assert.is(parsed.error.code, 'VALIDATION');
  assert.match(parsed.error.message, /unknown command/);

  const badValue = await cli(['selftest', '--cpu-probe-ms', '999999', '--json', '--data-dir', dir.path]);
  assert.is(badValue.code, 2);
  assert.is(JSON.parse(badValue.stderr).error.code, 'VALIDATION');
});

test('selftest runs in the worker pool and reports native modules', async () => {
  const run = await cli(['selftest', '--json', '--data-dir', dir.path]);
  assert.is(run.code, 0, run.stderr);
  const report = run.json<{ offMainThread: boolean; native: Array<{ ok: boolean }> }>();
  assert.is(report.offMainThread, true);
  assert.ok(report.native.every((n) => n.ok));
});

test.run();
