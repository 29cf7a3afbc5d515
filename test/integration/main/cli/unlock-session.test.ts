import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SessionClient } from '../../../../main/cli/session/client';
import { processAlive, readRecord, recordFile, sessionDir, SESSIONS_DIR, writeRecord } from '../../../../main/cli/session/files';
import { cli, type CliRun } from '../../../support/cli';
import { createPgDatabase, type TestDatabase } from '../../../support/databases';
import { TEST_PIN } from '../../../support/engine';
import { tempDir } from '../../../support/tmp';

// `polystore unlock`: a background session serves the CLI's calls for one profile, so later
// commands need no PIN and load no engine. Real engine, real PostgreSQL, real session processes.
const VIEWER_PIN = '730194';
const root = tempDir('polystore-session-');
// Longer than a socket path may be: the session's socket goes to a private folder under the temp folder.
const dataDir = path.join(root.path, 'a-profile-folder-whose-path-is-longer-than-a-unix-socket-path-may-be-on-macos');
const base = ['--data-dir', dataDir, '--json'];
const withPin = { POLYSTORE_PIN: TEST_PIN };
/** No PIN at all: only a live session can answer. */
const noPin = { POLYSTORE_PIN: '' };
const viewer = { POLYSTORE_PROFILE: 'Ana' };
const DEADLINE_MS = 60_000;
let db: TestDatabase;
let sourceId = '';
const CHECK = 'SELECT name FROM artist ORDER BY name LIMIT 5';

const run = (args: string[], env: NodeJS.ProcessEnv = {}, stdin?: string) => cli([...args, ...base], { env, ...(stdin ? { stdin } : {}) });
/** The JSON error: the last line of stderr (commander writes its own message before it). */
const errorOf = (r: CliRun) => JSON.parse(r.stderr.trim().split('\n').at(-1)!).error as { code: string; message: string };
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The session's pid, from its record. */
function sessionPid(requested: string | null = null): number {
  const read = readRecord(dataDir, requested);
  if (read.kind !== 'record') throw new Error(`no session record (${read.kind})`);
  return read.record.pid;
}

async function unlock(env: NodeJS.ProcessEnv, ...extra: string[]): Promise<{ pid: number; profileName: string; role: string; idleTimeoutMs: number }> {
  const started = await run(['unlock', ...extra], env);
  assert.is(started.code, 0, started.stderr);
  return started.json();
}

async function lockedAudit(): Promise<string[]> {
  const events = (await run(['audit', '--action', 'auth.locked'], withPin)).json<Array<{ details: { reason?: string } }>>();
  return events.map((e) => e.details.reason ?? '');
}

test.before(async () => {
  db = createPgDatabase('chinook');
  assert.is((await run(['init'], withPin)).code, 0);
  sourceId = (await run(['sources', 'add', 'postgres', '--name', 'chinook', '--url', `${db.url}?sslmode=disable`], withPin)).json<{ id: string }>().id;
  assert.is((await run(['metadata', sourceId], withPin)).code, 0);
});

test.after(async () => {
  for (const requested of [null, 'Ana']) {
    const read = readRecord(dataDir, requested);
    if (read.kind === 'record' && processAlive(read.record.pid)) process.kill(read.record.pid, 'SIGKILL');
  }
  db.drop();
  root.remove();
});

test('after `polystore unlock`, check and ask answer through the session without the PIN, with the same JSON as in-process', async () => {
  const inProcessCheck = await run(['check', sourceId, '--query', CHECK], withPin);
  assert.is(inProcessCheck.code, 0, inProcessCheck.stderr);
  const inProcessAsk = await run(['ask', sourceId, 'how many customers are there'], withPin);
  assert.is(inProcessAsk.code, 0, inProcessAsk.stderr);
  assert.is(errorOf(await run(['check', sourceId, '--query', CHECK], noPin)).code, 'LOCKED', 'no session yet: no PIN, no answer');

  const info = await unlock(withPin, '--for', '10m');
  assert.equal([info.profileName, info.role, info.idleTimeoutMs], ['Owner', 'owner', 600_000]);
  assert.ok(processAlive(info.pid));

  const checked = await run(['check', sourceId, '--query', CHECK], noPin);
  assert.is(checked.code, 0, checked.stderr);
  assert.equal(checked.json(), inProcessCheck.json());
  const refused = await run(['check', sourceId, '--query', 'DELETE FROM artist'], noPin);
  assert.is(refused.code, 0, refused.stderr);
  assert.is(refused.json<{ allowed: boolean }>().allowed, false);

  const asked = await run(['ask', sourceId, 'how many customers are there'], noPin);
  assert.is(asked.code, 0, asked.stderr);
  type Ask = { query: string; dialect: string; provider: string; verdict: unknown; approval: { token: string } | null };
  const pick = (a: Ask) => ({ query: a.query, dialect: a.dialect, provider: a.provider, verdict: a.verdict, approved: a.approval !== null });
  assert.equal(pick(asked.json<Ask>()), pick(inProcessAsk.json<Ask>()));
  // An error keeps its code and exit status through the session.
  const missing = await run(['check', 'src_nope', '--query', CHECK], noPin);
  assert.is(missing.code, 3, missing.stderr);
  assert.is(errorOf(missing).code, 'NOT_FOUND');
});

test('the session folder, record and socket are private to this user (0700 / 0600), and the socket sits in a private temp folder when the profile path is long', () => {
  const read = readRecord(dataDir, null);
  assert.is(read.kind, 'record');
  if (read.kind !== 'record') return;
  assert.is(modeOf(path.join(dataDir, SESSIONS_DIR)), 0o700);
  assert.is(modeOf(sessionDir(dataDir, null)), 0o700);
  assert.is(modeOf(recordFile(dataDir, null)), 0o600);
  assert.ok(!path.resolve(read.record.socketPath).startsWith(dataDir), read.record.socketPath);
  assert.ok(Buffer.byteLength(read.record.socketPath) <= 100);
  assert.is(modeOf(path.dirname(read.record.socketPath)), 0o700);
  assert.is(modeOf(read.record.socketPath), 0o600);
  const record = fs.readFileSync(recordFile(dataDir, null), 'utf8');
  assert.not.match(record, TEST_PIN, 'the record holds no PIN');
});

test('a request with a wrong token is refused, and the session keeps serving the right one', async () => {
  const read = readRecord(dataDir, null);
  if (read.kind !== 'record') throw new Error('no session');
  const wrong = read.record.token.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
  let refusal = '';
  await SessionClient.connect(read.record.socketPath, wrong).then(
    () => assert.unreachable('a wrong token was accepted'),
    (error: Error) => (refusal = error.message),
  );
  assert.match(refusal, /wrong session token/);
  assert.not.match(refusal, read.record.token);
  const client = await SessionClient.connect(read.record.socketPath, read.record.token);
  const status = await client.call('auth.status', undefined);
  client.close();
  assert.is(status.ok && (status.value as { state: string }).state, 'unlocked');
});

test('`polystore lock` ends the session: its process exits, its files are removed, the audit log records the lock, and commands need the PIN again', async () => {
  const pid = sessionPid();
  const locked = await run(['lock'], {});
  assert.equal(locked.json(), { ended: true });
  await until('the session process exits', () => !processAlive(pid));
  assert.is(readRecord(dataDir, null).kind, 'none');
  assert.is(errorOf(await run(['check', sourceId, '--query', CHECK], noPin)).code, 'LOCKED');
  assert.equal((await run(['lock'], {})).json(), { ended: false });
  assert.ok((await lockedAudit()).includes('manual'));
});

test('a session ends by itself after its idle time (--for), locking the profile', async () => {
  const { pid } = await unlock(withPin, '--for', '1s');
  await until('the idle session exits', () => !processAlive(pid));
  assert.is(readRecord(dataDir, null).kind, 'none');
  assert.is(errorOf(await run(['check', sourceId, '--query', CHECK], noPin)).code, 'LOCKED');
  assert.ok((await lockedAudit()).includes('idle'));
});

test('--for is validated: 1s to 8h', async () => {
  for (const bad of ['0s', '9h', 'soon', '-5m']) {
    const r = await run(['unlock', '--for', bad], withPin);
    assert.is(r.code, 2, `${bad}: ${r.stderr}`);
    assert.is(errorOf(r).code, 'VALIDATION');
  }
  assert.is(readRecord(dataDir, null).kind, 'none');
});

test('a wrong PIN starts no session', async () => {
  const r = await run(['unlock'], { POLYSTORE_PIN: '000000' });
  assert.is(r.code, 5, r.stderr);
  assert.is(errorOf(r).code, 'FORBIDDEN');
  assert.match(errorOf(r).message, /Wrong PIN/);
  assert.not.match(r.stderr, '000000');
  assert.is(readRecord(dataDir, null).kind, 'none');
});

test('a killed session leaves a stale record and socket: the CLI notices at once, runs in-process and removes them', async () => {
  const { pid } = await unlock(withPin);
  const read = readRecord(dataDir, null);
  if (read.kind !== 'record') throw new Error('no session');
  process.kill(pid, 'SIGKILL');
  await until('the killed session is gone', () => !processAlive(pid));
  assert.ok(fs.existsSync(read.record.socketPath), 'a killed session leaves its socket file');
  const fallback = await run(['check', sourceId, '--query', CHECK], withPin);
  assert.is(fallback.code, 0, fallback.stderr);
  assert.is(fallback.stderr, '', 'the note about the session is for a terminal only');
  assert.is(readRecord(dataDir, null).kind, 'none');
  assert.not.ok(fs.existsSync(read.record.socketPath));
});

test('a record whose process lives but whose socket nobody listens on is not used: the CLI runs in-process', async () => {
  const dir = sessionDir(dataDir, null);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const deadDir = tempDir('polystore-dead-');
  const socketPath = path.join(deadDir.path, 's.sock');
  // A socket file with no listener behind it (its server closed without removing it).
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.writeFileSync(socketPath, '');
  writeRecord(recordFile(dataDir, null), { version: 1, pid: process.pid, requested: null, socketPath, token: 'a'.repeat(64), startedAt: new Date().toISOString(), idleTimeoutMs: 60_000 });
  const r = await run(['check', sourceId, '--query', CHECK], withPin);
  assert.is(r.code, 0, r.stderr);
  assert.is(errorOf(await run(['check', sourceId, '--query', CHECK], noPin)).code, 'LOCKED');
  fs.rmSync(recordFile(dataDir, null));
  deadDir.remove();
});

test("a viewer's session serves only what the viewer may do: FORBIDDEN for owner commands and sources not shared with it; the owner has no session from it", async () => {
  const added = await run(['profiles', 'add-viewer', 'Ana', '--pin-stdin'], {}, `${TEST_PIN}\n${VIEWER_PIN}\n`);
  assert.is(added.code, 0, added.stderr);
  const info = await unlock({ ...viewer, POLYSTORE_PIN: VIEWER_PIN });
  assert.equal([info.profileName, info.role], ['Ana', 'viewer']);
  const asViewer = { ...viewer, ...noPin };
  const listed = await run(['sources', 'list'], asViewer);
  assert.is(listed.code, 0, listed.stderr);
  assert.equal(listed.json(), []);
  for (const args of [['check', sourceId, '--query', CHECK], ['profiles', 'list'], ['sources', 'add', 'postgres', '--name', 'X', '--url', 'postgres://a@127.0.0.1:1/x']]) {
    const r = await run(args, asViewer);
    assert.is(r.code, 5, `${args.join(' ')}: ${r.stderr}`);
    assert.is(errorOf(r).code, 'FORBIDDEN');
  }
  assert.is(errorOf(await run(['check', sourceId, '--query', CHECK], noPin)).code, 'LOCKED', "the viewer's session is not the owner's");
  const pid = sessionPid('Ana');
  assert.equal((await run(['lock'], viewer)).json(), { ended: true });
  await until("the viewer's session exits", () => !processAlive(pid));
});

test.run();
