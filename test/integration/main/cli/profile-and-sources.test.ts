import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KeychainSecretStore } from '../../../../engine/secrets/keychain';
import { cli, cliProcess } from '../../../support/cli';
import { TEST_PIN } from '../../../support/engine';
import { tempDir, testdataDir } from '../../../support/tmp';

const dir = tempDir();
const base = ['--data-dir', dir.path, '--json'];
const env = { POLYSTORE_PIN: TEST_PIN };
test.after(() => dir.remove());

test('data commands before init fail clearly', async () => {
  const run = await cli(['sources', 'list', ...base], { env });
  assert.is(run.code, 4);
  assert.equal(JSON.parse(run.stderr).error.code, 'LOCKED');
  assert.match(JSON.parse(run.stderr).error.message, /polystore init/);
});

test('init creates the profile with the PIN from --pin-stdin; a weak PIN is refused', async () => {
  const weak = await cli(['init', '--pin-stdin', ...base], { stdin: '111111\n' });
  assert.is(weak.code, 2);
  assert.match(JSON.parse(weak.stderr).error.message, /repeated digit/);
  const run = await cli(['init', '--pin-stdin', ...base], { stdin: `${TEST_PIN}\n` });
  assert.is(run.code, 0, run.stderr);
  assert.is(run.json<{ state: string }>().state, 'unlocked');
  const again = await cli(['init', '--pin-stdin', ...base], { stdin: `${TEST_PIN}\n` });
  assert.is(JSON.parse(again.stderr).error.code, 'CONFLICT');
});

test('every data command unlocks with --pin-stdin or POLYSTORE_PIN, and fails clearly without or with a wrong one', async () => {
  const missing = await cli(['sources', 'list', ...base]);
  assert.is(missing.code, 4);
  assert.match(JSON.parse(missing.stderr).error.message, /--pin-stdin.*POLYSTORE_PIN/);
  const wrong = await cli(['sources', 'list', ...base], { env: { POLYSTORE_PIN: '999999' } });
  assert.is(wrong.code, 5);
  assert.match(JSON.parse(wrong.stderr).error.message, /Wrong PIN/);
  const viaStdin = await cli(['sources', 'list', '--pin-stdin', ...base], { stdin: `${TEST_PIN}\n` });
  assert.is(viaStdin.code, 0, viaStdin.stderr);
  assert.equal(viaStdin.json(), []);
  const viaEnv = await cli(['sources', 'list', ...base], { env });
  assert.is(viaEnv.code, 0);
});

let pgId = '';
test('sources add postgres --url: the password goes to the keychain; --json prints the record with its id and no secret', async () => {
  const run = await cli(['sources', 'add', 'postgres', '--name', 'Chinook PG', '--url', 'postgres://analyst:Sup3r%23Secret@127.0.0.1:5432/chinook?sslmode=disable', ...base], { env });
  assert.is(run.code, 0, run.stderr);
  const record = run.json<{ id: string; hasSecret: boolean; connection: { user: string; tls: { mode: string } } }>();
  assert.match(record.id, /^src_/);
  assert.is(record.hasSecret, true);
  assert.equal(record.connection.user, 'analyst');
  assert.equal(record.connection.tls, { mode: 'off' });
  assert.not.match(run.stdout, /Sup3r/);
  pgId = record.id;
  assert.is(await new KeychainSecretStore().get(`source:${pgId}`), 'Sup3r#Secret');
});

test('sources add mysql with --password-stdin after the PIN on stdin', async () => {
  const run = await cli(
    ['sources', 'add', 'mysql', '--name', 'Chinook My', '--host', '127.0.0.1', '--database', 'Chinook', '--user', 'root', '--password-stdin', '--pin-stdin', ...base],
    { stdin: `${TEST_PIN}\nmy-pass-123\n` },
  );
  assert.is(run.code, 0, run.stderr);
  const record = run.json<{ id: string; connection: { port: number }; hasSecret: boolean }>();
  assert.is(record.connection.port, 3306);
  assert.is(await new KeychainSecretStore().get(`source:${record.id}`), 'my-pass-123');
});

test('sources add file with paths; a missing file is named in a VALIDATION error', async () => {
  const csv = path.join(testdataDir, 'files/duckdb-csv/titanic.csv');
  const ok = await cli(['sources', 'add', 'file', '--name', 'Titanic', csv, ...base], { env });
  assert.is(ok.code, 0, ok.stderr);
  assert.equal(ok.json<{ connection: unknown }>().connection, { paths: [csv] });
  const bad = await cli(['sources', 'add', 'file', '--name', 'Nope', '/nope.csv', ...base], { env });
  assert.is(bad.code, 2);
  assert.match(JSON.parse(bad.stderr).error.message, /File not found: \/nope\.csv/);
  const badPort = await cli(['sources', 'add', 'postgres', '--name', 'P', '--host', 'h', '--port', '99999', '--database', 'd', '--user', 'u', ...base], { env });
  assert.is(badPort.code, 2);
  assert.match(JSON.parse(badPort.stderr).error.message, /connection\.port/);
});

test('sources types lists each kind with its default port and what it cannot do; show says what a source can do', async () => {
  const run = await cli(['sources', 'types', ...base], { env });
  assert.is(run.code, 0, run.stderr);
  const types = run.json<Array<{ type: string; defaultPort: number | null; capabilities: Record<string, boolean> }>>();
  assert.equal(types.map((t) => [t.type, t.defaultPort]), [['postgres', 5432], ['mysql', 3306], ['mongodb', 27017], ['file', null]]);
  const human = await cli(['sources', 'types', '--data-dir', dir.path], { env });
  assert.match(human.stdout, /^mongodb\s+MongoDB\s+27017\s+mongodb:\/\/user@host:27017\/db\s+10000\s+30000\s+sql, filePreview *$/m);
  const mongo = await cli(['sources', 'add', 'mongodb', '--name', 'Mongo defaults', '--host', 'h', '--database', 'd', ...base], { env });
  assert.is(mongo.code, 0, mongo.stderr);
  const added = mongo.json<{ id: string; connection: { hosts: Array<{ port: number }>; tls: { mode: string } } }>();
  assert.equal([added.connection.hosts[0]!.port, added.connection.tls.mode], [27017, 'off'], 'the engine’s defaults for MongoDB');
  const shown = await cli(['sources', 'show', added.id, '--data-dir', dir.path], { env });
  assert.match(shown.stdout, /^cannot: +sql, filePreview *$/m);
  assert.is((await cli(['sources', 'remove', added.id, ...base], { env })).code, 0);
});

test('sources list | show | disable | enable | remove with --json', async () => {
  const list = (await cli(['sources', 'list', ...base], { env })).json<Array<{ id: string; name: string }>>();
  assert.equal(list.map((s) => s.name), ['Chinook My', 'Chinook PG', 'Titanic']);
  const shown = (await cli(['sources', 'show', pgId, ...base], { env })).json<{ id: string; status: string }>();
  assert.equal([shown.id, shown.status], [pgId, 'UNTESTED']);
  assert.is((await cli(['sources', 'disable', pgId, ...base], { env })).json<{ status: string }>().status, 'DISABLED');
  assert.is((await cli(['sources', 'enable', pgId, ...base], { env })).json<{ status: string }>().status, 'UNTESTED');
  const removed = await cli(['sources', 'remove', pgId, ...base], { env });
  assert.equal(removed.json(), { id: pgId, removed: true });
  assert.is(await new KeychainSecretStore().get(`source:${pgId}`), null);
  const gone = await cli(['sources', 'show', pgId, ...base], { env });
  assert.is(gone.code, 3);
  assert.is(JSON.parse(gone.stderr).error.code, 'NOT_FOUND');
});

test('audit --json prints an array of events, filterable by source, action and time', async () => {
  const all = (await cli(['audit', ...base], { env })).json<Array<{ action: string; sourceId: string | null; at: string }>>();
  assert.ok(Array.isArray(all));
  const actions = new Set(all.map((e) => e.action));
  for (const a of ['profile.created', 'auth.unlocked', 'auth.unlock_failed', 'source.created', 'source.disabled', 'source.enabled', 'source.removed']) assert.ok(actions.has(a), a);
  const forSource = (await cli(['audit', '--source', pgId, ...base], { env })).json<Array<{ action: string }>>();
  assert.equal(forSource.map((e) => e.action), ['source.removed', 'source.enabled', 'source.disabled', 'source.created']);
  const failed = (await cli(['audit', '--action', 'auth.unlock_failed', ...base], { env })).json<unknown[]>();
  assert.is(failed.length, 1);
  const none = (await cli(['audit', '--since', new Date(Date.now() + 60_000).toISOString(), ...base], { env })).json<unknown[]>();
  assert.equal(none, []);
  const badAction = await cli(['audit', '--action', 'nope', ...base], { env });
  assert.is(badAction.code, 2);
});

test('auth change-secret reads the current and the new secret from stdin', async () => {
  const run = await cli(['auth', 'change-secret', ...base], { stdin: `${TEST_PIN}\n246813\n` });
  assert.is(run.code, 0, run.stderr);
  const old = await cli(['sources', 'list', ...base], { env });
  assert.is(old.code, 5);
  const fresh = await cli(['sources', 'list', ...base], { env: { POLYSTORE_PIN: '246813' } });
  assert.is(fresh.code, 0);
});

test('the real bin, as a QA script runs it: human output and exit codes', () => {
  const list = cliProcess(['sources', 'list', '--data-dir', dir.path], { env: { POLYSTORE_PIN: '246813' } });
  assert.is(list.code, 0, list.stderr);
  assert.match(list.stdout, /Chinook My\s+mysql\s+UNTESTED/);
  const status = cliProcess(['auth', 'status', '--json', '--data-dir', dir.path]);
  assert.is(status.json<{ state: string }>().state, 'locked');
});

test.run();
