import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { processAlive, readRecord } from '../../../../main/cli/session/files';
import { cli, type CliRun } from '../../../support/cli';
import { openTestEngine, TEST_PIN, type TestEngine } from '../../../support/engine';
import { tempDir } from '../../../support/tmp';

// An unlock session (`polystore unlock`) holds an unlock made with the PIN it was started with. The app,
// another process on the same profile, may change that PIN or lock the profile meanwhile: the session must
// then serve nothing more, say why, and end. Real engines, real session processes, the real keychain.
const NEW_PIN = '915372';
const root = tempDir('polystore-session-app-');
const dataDir = root.path;
const base = ['--data-dir', dataDir, '--json'];
/** No PIN at all: only a live session can answer. */
const noPin = { POLYSTORE_PIN: '' };
const DEADLINE_MS = 60_000;

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => cli([...args, ...base], { env });
/** The JSON error: the last line of stderr. */
const errorOf = (r: CliRun) => JSON.parse(r.stderr.trim().split('\n').at(-1)!).error as { code: string; message: string };

async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function unlock(pin: string): Promise<number> {
  const started = await run(['unlock'], { POLYSTORE_PIN: pin });
  assert.is(started.code, 0, started.stderr);
  return started.json<{ pid: number }>().pid;
}

/** The app: an engine of its own on the same profile folder, unlocked with `pin`. */
async function openApp(pin: string): Promise<TestEngine> {
  const app = await openTestEngine({ dataDir, host: 'electron', keepDataDir: true });
  await app.ok('auth.unlock', { secret: pin });
  return app;
}

test.before(async () => {
  const init = await run(['init'], { POLYSTORE_PIN: TEST_PIN });
  assert.is(init.code, 0, init.stderr);
});

test.after(() => {
  const read = readRecord(dataDir, null);
  if (read.kind === 'record' && processAlive(read.record.pid)) process.kill(read.record.pid, 'SIGKILL');
  root.remove();
});

test('a settings change in the app leaves the session serving; a PIN change in the app ends it: the next command gets LOCKED and no data, and the session exits', async () => {
  const pid = await unlock(TEST_PIN);
  const app = await openApp(TEST_PIN);
  try {
    await app.ok('settings.update', { autoLockMinutes: 30 });
    const listed = await run(['sources', 'list'], noPin);
    assert.is(listed.code, 0, listed.stderr);
    assert.equal(listed.json(), []);
    assert.ok(processAlive(pid), 'the session still runs after an unrelated change');

    await app.ok('auth.changeSecret', { current: TEST_PIN, next: { kind: 'pin', secret: NEW_PIN } });
    const refused = await run(['sources', 'list'], noPin);
    assert.is(refused.code, 4, refused.stderr);
    assert.is(refused.stdout, '', 'no data was served');
    assert.is(errorOf(refused).code, 'LOCKED');
    assert.match(errorOf(refused).message, /PIN or passphrase was changed/);
    assert.match(errorOf(refused).message, /polystore unlock/);
    await until('the session process exits', () => !processAlive(pid));
    assert.is(readRecord(dataDir, null).kind, 'none');

    // No session now, and no PIN: the command runs in-process and is refused as locked, not served.
    assert.is(errorOf(await run(['sources', 'list'], noPin)).code, 'LOCKED');
    assert.is(errorOf(await run(['sources', 'list'], { POLYSTORE_PIN: TEST_PIN })).code, 'FORBIDDEN', 'the old PIN no longer unlocks');
    const audit = await run(['audit', '--action', 'auth.locked'], { POLYSTORE_PIN: NEW_PIN });
    assert.is(audit.code, 0, audit.stderr);
    const reasons = audit.json<Array<{ details: { reason?: string; host?: string } }>>().map((e) => `${e.details.host}:${e.details.reason}`);
    assert.ok(reasons.includes('cli:secret-changed'), `the session's end is audited: ${reasons.join(', ')}`);
  } finally {
    await app.close();
  }
});

test('locking the profile in the app ends its session: the next command gets LOCKED and no data', async () => {
  const pid = await unlock(NEW_PIN);
  const app = await openApp(NEW_PIN);
  try {
    const listed = await run(['sources', 'list'], noPin);
    assert.is(listed.code, 0, listed.stderr);
    await app.ok('auth.lock');
    const refused = await run(['sources', 'list'], noPin);
    assert.is(refused.code, 4, refused.stderr);
    assert.is(refused.stdout, '');
    assert.match(errorOf(refused).message, /locked in the app/);
    await until('the session process exits', () => !processAlive(pid));
    assert.is(readRecord(dataDir, null).kind, 'none');
  } finally {
    await app.close();
  }
});

test.run();
