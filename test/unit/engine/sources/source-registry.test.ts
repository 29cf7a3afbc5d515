import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MemorySecretStore } from '../../../../engine/secrets/secret-store';
import { openTestEngine, type TestEngine } from '../../../support/engine';
import { testdataDir } from '../../../support/tmp';

let te: TestEngine;
let secrets: MemorySecretStore;
test.before.each(async () => {
  secrets = new MemorySecretStore();
  te = await openTestEngine({ secrets, unlocked: true });
});
test.after.each(() => te.close());

const pg = { host: 'db.example.com', port: 5432, database: 'analytics', user: 'reader' };

test('a password goes to the keychain; the database and every channel hold only a reference', async () => {
  const source = await te.ok('sources.create', { name: 'Prod', type: 'postgres', connection: pg, password: 'p@ss w0rd!' });
  assert.is(source.hasSecret, true);
  assert.equal(secrets.valuesUnder('source:'), ['p@ss w0rd!']);
  const row = te.engine.db.prepare('SELECT * FROM sources WHERE id = ?').get(source.id) as Record<string, unknown>;
  assert.is(row.secret_ref, `source:${source.id}`);
  assert.not.match(JSON.stringify(row), /p@ss/);
  assert.not.match(JSON.stringify(await te.ok('sources.list')), /p@ss/);
  assert.not.match(JSON.stringify(await te.ok('sources.get', { id: source.id })), /p@ss/);
  // Only the engine can get it back, for a job.
  const spec = await te.engine.sources.connectionSpec(source.id);
  assert.is(spec.password, 'p@ss w0rd!');
});

test('from a URL: the password moves to the keychain, the stored details have none', async () => {
  const source = await te.ok('sources.create', {
    name: 'Url',
    type: 'postgres',
    url: 'postgres://reader:s%40cret%2F1@db.example.com:6543/sales?sslmode=verify-full&sslrootcert=/etc/ca.pem&connect_timeout=5',
  });
  assert.equal(source.connection, { host: 'db.example.com', port: 6543, database: 'sales', user: 'reader', tls: { mode: 'verify', caFile: '/etc/ca.pem' }, connectTimeoutMs: 5000 });
  assert.equal(secrets.valuesUnder('source:'), ['s@cret/1']);
  assert.not.match(JSON.stringify(te.engine.db.prepare('SELECT * FROM sources').all()), /s%40cret|s@cret/);
});

test('bad connection details get VALIDATION naming the field', async () => {
  const cases: Array<[unknown, string]> = [
    [{ ...pg, port: 70000 }, 'connection.port'],
    [{ ...pg, port: 0 }, 'connection.port'],
    [{ ...pg, host: 'bad host!' }, 'connection.host'],
    [{ ...pg, host: '' }, 'connection.host'],
    [{ ...pg, database: '' }, 'connection.database'],
    [{ ...pg, tls: { mode: 'verify' } }, 'connection.tls.caFile'],
    [{ ...pg, tls: { mode: 'sometimes' } }, 'connection.tls.mode'],
  ];
  for (const [connection, field] of cases) {
    const r = await te.call('sources.create', { name: 'x', type: 'postgres', connection } as never);
    assert.is(r.ok, false, JSON.stringify(connection));
    if (!r.ok) {
      assert.is(r.error.code, 'VALIDATION');
      const named = JSON.stringify(r.error.details);
      assert.ok(named.includes(field.replace(/^connection\./, '')), `${field} not named in ${named}`);
    }
  }
  const badUrl = await te.call('sources.create', { name: 'x', type: 'mysql', url: 'mysql://u:secret@h:notaport/db' });
  assert.ok(!badUrl.ok && badUrl.error.code === 'VALIDATION' && badUrl.error.details?.field === 'url');
  assert.not.match(JSON.stringify(badUrl), /secret/);
});

test('file sources: each path must exist and be readable; the failing one is named', async () => {
  const good = path.join(testdataDir, 'files/duckdb-csv/titanic.csv');
  const r = await te.call('sources.create', { name: 'F', type: 'file', connection: { paths: [good, '/no/such/file.csv'] } });
  assert.ok(!r.ok && r.error.code === 'VALIDATION');
  if (!r.ok) {
    assert.is(r.error.details?.field, 'connection.paths.1');
    assert.match(r.error.message, /File not found: \/no\/such\/file\.csv/);
  }
  const dir = await te.call('sources.create', { name: 'F', type: 'file', connection: { paths: [testdataDir] } });
  assert.ok(!dir.ok && /Not a file/.test(dir.error.message));
  const ok = await te.ok('sources.create', { name: 'F', type: 'file', connection: { paths: [good] } });
  assert.equal(ok.connection, { paths: [good] });
  assert.is(ok.capabilities.filePreview, true);
  assert.is(ok.capabilities.sql, true);
});

test('names are unique (case-insensitive): CONFLICT', async () => {
  await te.ok('sources.create', { name: 'Sales', type: 'postgres', connection: pg });
  const dup = await te.call('sources.create', { name: 'sales', type: 'mysql', connection: { ...pg, port: 3306 } });
  assert.ok(!dup.ok && dup.error.code === 'CONFLICT' && dup.error.details?.field === 'name');
});

test('update: rename, new connection resets the status, password replaced or removed', async () => {
  const s = await te.ok('sources.create', { name: 'A', type: 'mysql', connection: { ...pg, port: 3306 }, password: 'one' });
  te.engine.sources.recordTest(s.id, { ok: true, latencyMs: 3, serverVersion: '10.11', canWrite: false, writeDetails: [], risks: [] });
  assert.is((await te.ok('sources.get', { id: s.id })).status, 'CONNECTED');
  const renamed = await te.ok('sources.update', { id: s.id, name: 'B' });
  assert.is(renamed.name, 'B');
  assert.is(renamed.status, 'CONNECTED');
  const moved = await te.ok('sources.update', { id: s.id, connection: { ...pg, port: 3307 }, password: 'two' });
  assert.is(moved.status, 'UNTESTED');
  assert.equal(secrets.valuesUnder('source:'), ['two']);
  const noPassword = await te.ok('sources.update', { id: s.id, password: null });
  assert.is(noPassword.hasSecret, false);
  assert.equal(secrets.valuesUnder('source:'), []);
  const audit = await te.ok('audit.list', { sourceId: s.id });
  assert.equal(audit.events.map((e) => e.action), ['source.updated', 'source.updated', 'source.updated', 'source.created']);
});

test('disabled sources are refused by the execution pre-check (FORBIDDEN, SOURCE_DISABLED), and audited', async () => {
  const s = await te.ok('sources.create', { name: 'A', type: 'postgres', connection: pg, password: 'x1y2' });
  assert.is((await te.ok('sources.disable', { id: s.id })).status, 'DISABLED');
  try {
    await te.engine.sources.connectionSpec(s.id);
    assert.unreachable('should refuse');
  } catch (error) {
    const e = error as { code: string; details: { reason: string } };
    assert.is(e.code, 'FORBIDDEN');
    assert.is(e.details.reason, 'SOURCE_DISABLED');
  }
  assert.is(te.engine.audit.list({ action: 'source.refused' }).events.length, 1);
  assert.is((await te.ok('sources.enable', { id: s.id })).status, 'UNTESTED');
  assert.is((await te.engine.sources.connectionSpec(s.id)).password, 'x1y2');
});

test('remove deletes the keychain entry and the source folder; unknown ids are NOT_FOUND', async () => {
  const s = await te.ok('sources.create', { name: 'A', type: 'postgres', connection: pg, password: 'gone' });
  const spec = await te.engine.sources.connectionSpec(s.id);
  assert.ok(fs.existsSync(spec.workDir));
  await te.ok('sources.remove', { id: s.id });
  assert.equal(secrets.valuesUnder('source:'), []);
  assert.not.ok(fs.existsSync(spec.workDir));
  const missing = await te.call('sources.get', { id: s.id });
  assert.ok(!missing.ok && missing.error.code === 'NOT_FOUND');
});

test('if the keychain refuses, nothing is stored and the error says why', async () => {
  const failing = new MemorySecretStore();
  // Refuses source passwords only: the engine's own integrity key and PIN state must still be storable to set up the profile.
  const store = failing.set.bind(failing);
  failing.set = async (account, secret) => {
    if (!account.startsWith('source:')) return store(account, secret);
    throw Object.assign(new Error('The OS keychain is not available. Install gnome-keyring…'), { name: 'UnavailableError' });
  };
  const other = await openTestEngine({ secrets: failing, unlocked: true });
  const r = await other.call('sources.create', { name: 'A', type: 'postgres', connection: pg, password: 'pw' });
  assert.is(r.ok, false);
  assert.equal(await other.ok('sources.list'), []);
  await other.close();
});

test('sources.types lists the four stores with their capability flags', async () => {
  const types = await te.ok('sources.types');
  assert.equal(types.map((t) => t.type).sort(), ['file', 'mongodb', 'mysql', 'postgres']);
  const mongo = types.find((t) => t.type === 'mongodb')!;
  assert.is(mongo.capabilities.aggregationPipeline, true);
  assert.is(mongo.capabilities.sql, false);
  assert.is(mongo.defaultPort, 27017);
});

test.run();
