import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli } from '../../../support/cli';
import { TEST_PIN } from '../../../support/engine';
import { tempDir } from '../../../support/tmp';

const VIEWER_PIN = '730194';
const dir = tempDir();
const base = ['--data-dir', dir.path, '--json'];
const owner = { POLYSTORE_PIN: TEST_PIN };
const viewer = { POLYSTORE_PIN: VIEWER_PIN, POLYSTORE_PROFILE: 'Ana' };
test.after(() => dir.remove());

const errorOf = (run: { stderr: string }) => JSON.parse(run.stderr).error as { code: string; message: string };

test('the owner adds a viewer with its own PIN and shares one source; the viewer lists only that source, and owner commands exit FORBIDDEN', async () => {
  assert.is((await cli(['init', '--pin-stdin', ...base], { stdin: `${TEST_PIN}\n` })).code, 0);
  const add = async (name: string) => (await cli(['sources', 'add', 'postgres', '--name', name, '--url', `postgres://reader@127.0.0.1:1/${name}`, ...base], { env: owner })).json<{ id: string }>().id;
  const sales = await add('Sales');
  await add('Payroll');
  // The owner's PIN comes from --pin-stdin, then the viewer's.
  const added = await cli(['profiles', 'add-viewer', 'Ana', '--pin-stdin', ...base], { stdin: `${TEST_PIN}\n${VIEWER_PIN}\n` });
  assert.is(added.code, 0, added.stderr);
  const ana = added.json<{ id: string; role: string }>();
  assert.is(ana.role, 'viewer');
  const shared = await cli(['profiles', 'share', ana.id, sales, ...base], { env: owner });
  assert.is(shared.code, 0, shared.stderr);
  const list = await cli(['profiles', 'list', ...base], { env: owner });
  assert.equal(list.json<Array<{ name: string; role: string; sharedSourceIds: string[] }>>().map((p) => [p.name, p.role, p.sharedSourceIds]), [
    ['Owner', 'owner', []],
    ['Ana', 'viewer', [sales]],
  ]);

  const seen = await cli(['sources', 'list', ...base], { env: viewer });
  assert.is(seen.code, 0, seen.stderr);
  assert.equal(seen.json<Array<{ name: string }>>().map((s) => s.name), ['Sales']);
  for (const args of [['profiles', 'list'], ['audit'], ['sources', 'remove', sales], ['sources', 'add', 'postgres', '--name', 'X', '--url', 'postgres://a@127.0.0.1:1/x']]) {
    const run = await cli([...args, ...base], { env: viewer });
    assert.is(run.code, 5, `${args.join(' ')}: ${run.stderr}`);
    assert.is(errorOf(run).code, 'FORBIDDEN');
  }
  const status = await cli(['auth', 'status', ...base], { env: viewer });
  assert.is(status.json<{ state: string }>().state, 'locked', 'auth status is open: it does not unlock');
});

test('an unknown --profile name fails clearly; the owner removes the viewer, whose PIN then opens nothing', async () => {
  const unknown = await cli(['sources', 'list', '--profile', 'Bo', ...base], { env: owner });
  assert.is(unknown.code, 3);
  assert.match(errorOf(unknown).message, /no profile named "Bo".*Owner, Ana/);
  const ana = (await cli(['profiles', 'list', ...base], { env: owner })).json<Array<{ id: string; name: string }>>().find((p) => p.name === 'Ana')!;
  assert.is((await cli(['profiles', 'remove', ana.id, ...base], { env: owner })).code, 0);
  const after = await cli(['sources', 'list', ...base], { env: viewer });
  assert.is(errorOf(after).code, 'NOT_FOUND');
});

test.run();
