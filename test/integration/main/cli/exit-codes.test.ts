import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EXIT_CODES } from '../../../../main/cli/context';
import { cli } from '../../../support/cli';
import { TEST_PIN } from '../../../support/engine';
import { tempDir } from '../../../support/tmp';

const dir = tempDir();
const base = ['--data-dir', dir.path, '--json'];
test.after(() => dir.remove());

test('--help lists every exit code, RATE_LIMITED with its own', async () => {
  const help = await cli(['--help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, /Exit codes:/);
  for (const [code, status] of Object.entries(EXIT_CODES)) assert.match(help.stdout, new RegExp(`^  ${status}\\s+.*\\b${code}\\b`, 'm'), code);
  assert.is(Object.values(EXIT_CODES).filter((s) => s === EXIT_CODES.RATE_LIMITED).length, 1, 'RATE_LIMITED shares its exit status with nothing');
});

test('a refusal to try again later exits with RATE_LIMITED (10) and says when, with retryAfterMs under --json', async () => {
  assert.is((await cli(['init', '--pin-stdin', ...base], { stdin: `${TEST_PIN}\n` })).code, 0);
  // Five wrong PINs block unlocking for a while: the RATE_LIMITED a script meets without any server.
  for (let i = 0; i < 5; i++) assert.is((await cli(['sources', 'list', ...base], { env: { POLYSTORE_PIN: '999999' } })).code, EXIT_CODES.FORBIDDEN);
  const blocked = await cli(['sources', 'list', ...base], { env: { POLYSTORE_PIN: TEST_PIN } });
  assert.is(blocked.code, 10);
  const { error } = JSON.parse(blocked.stderr) as { error: { code: string; message: string; retryAfterMs?: number } };
  assert.is(error.code, 'RATE_LIMITED');
  assert.ok(typeof error.retryAfterMs === 'number' && error.retryAfterMs > 0, JSON.stringify(error));
  assert.match(error.message, /Try again in \d+ s/);
  const plain = await cli(['sources', 'list', '--data-dir', dir.path], { env: { POLYSTORE_PIN: TEST_PIN } });
  assert.is(plain.code, 10);
  assert.match(plain.stderr, /^error: .*Try again in \d+ s.*\(RATE_LIMITED\)\n$/);
});

test.run();
