import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli } from '../../../support/cli';
import { TEST_PIN } from '../../../support/engine';
import { tempDir } from '../../../support/tmp';

// `polystore sources add sample`: the sample data from a terminal, as the README's quick start shows it.
const dir = tempDir();
const env = { POLYSTORE_PIN: TEST_PIN };
const base = ['--data-dir', dir.path];
const run = (...args: string[]) => cli([...args, ...base], { env });
test.after(() => dir.remove());

interface SourceJson {
  id: string;
  name: string;
  type: string;
  status: string;
}

test.before(async () => {
  const init = await cli(['init', ...base], { env });
  assert.is(init.code, 0, init.stderr);
});

let sampleId = '';
test('sources add sample adds a ready file source, and prints example questions to ask', async () => {
  const added = await run('sources', 'add', 'sample', '--json');
  assert.is(added.code, 0, added.stderr);
  const source = added.json<SourceJson>();
  sampleId = source.id;
  assert.equal([source.name, source.type, source.status], ['Chinook music store (sample)', 'file', 'CONNECTED']);
  const text = await run('sources', 'add', 'sample');
  assert.is(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`polystore ask ${sampleId} "How many tracks are there\\?"`));
});

test('asking twice gives the same source; after remove it can be added again', async () => {
  const list = (await run('sources', 'list', '--json')).json<SourceJson[]>();
  assert.equal(list.map((s) => s.id), [sampleId]);
  assert.is((await run('sources', 'remove', sampleId, '--json')).code, 0);
  const again = (await run('sources', 'add', 'sample', '--json')).json<SourceJson>();
  assert.is.not(again.id, sampleId);
  assert.is(again.status, 'CONNECTED');
  sampleId = again.id;
});

test('an example question runs end to end: ask, then run the token', async () => {
  const asked = (await run('ask', sampleId, 'How many tracks are there?', '--json')).json<{ approval: { token: string } }>();
  const ran = await run('run', asked.approval.token, '--json');
  assert.is(ran.code, 0, ran.stderr);
  assert.equal(ran.json<{ rows: unknown[][] }>().rows, [[3503]]);
});

test('sources add of another type still requires --name', async () => {
  const missing = await run('sources', 'add', 'file', '/etc/hostname', '--json');
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /required option '--name <name>' not specified/);
});

test.run();
