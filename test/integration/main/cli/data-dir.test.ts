import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli } from '../../../support/cli';
import { tempDir } from '../../../support/tmp';

const dir = tempDir();
const file = path.join(dir.path, 'not-a-folder');
fs.writeFileSync(file, 'x');

test('--data-dir on a file: a clear VALIDATION error naming it, not a raw EEXIST', async () => {
  const run = await cli(['--data-dir', file, '--json', 'sources', 'list']);
  assert.is(run.code, 2);
  assert.equal(JSON.parse(run.stderr), {
    error: { code: 'VALIDATION', message: `The profile folder ${file} is a file, not a folder. Choose another profile folder (--data-dir or POLYSTORE_HOME).` },
  });
});

test('--data-dir under a file: the file in the way is named, not a raw ENOTDIR', async () => {
  const run = await cli(['--data-dir', path.join(file, 'profile'), 'auth', 'status']);
  assert.is(run.code, 2);
  assert.match(run.stderr, `cannot be created: ${file} is a file, not a folder.`);
  assert.not.match(run.stderr, /ENOTDIR|INTERNAL/);
});

test('--data-dir under /proc ends with a clear error instead of looping for ever', async () => {
  const run = await cli(['--data-dir', '/proc/1/polystore/profile', 'auth', 'status']);
  assert.is(run.code, 2);
  assert.match(run.stderr, 'The profile folder /proc/1/polystore/profile cannot be created in /proc/1: that place does not allow new folders (ENOENT).');
});

test('a missing --data-dir is created, owner-only, folder by folder', async () => {
  const target = path.join(dir.path, 'a', 'b', 'profile');
  const run = await cli(['--data-dir', target, '--json', 'auth', 'status']);
  assert.is(run.code, 0, run.stderr);
  assert.is(run.json<{ state: string }>().state, 'setup-required');
  for (const folder of [path.join(dir.path, 'a'), path.join(dir.path, 'a', 'b'), target]) assert.is(fs.statSync(folder).mode & 0o777, 0o700, folder);
});

test.after(() => dir.remove());
test.run();
