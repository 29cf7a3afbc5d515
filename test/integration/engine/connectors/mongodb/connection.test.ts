import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMongoConnector } from '../../../../../engine/connectors/mongodb/connector';
import type { ConnectionTestResult, Connector } from '../../../../../engine/connectors/types';
import { LoginRisk } from '../../../../../engine/contract/index';
import { selfSignedCertificate, type Certificate } from '../../../../support/mongo-wire/certificates';
import { startMongoWireServer, type MongoWireServer } from '../../../../support/mongo-wire/server';
import { mongoSpec } from '../../../../support/mongo-wire/specs';
import { closedPort as closedPortNumber, silentServer, type Listening } from '../../../../support/net';
import { tempDir } from '../../../../support/tmp';

const PASSWORDS = { reader: 'Reader-Pa55!word', writer: 'Writer-Pa55!word', owner: 'Owner-Pa55!word' };
const USERS = [
  { user: 'reader', password: PASSWORDS.reader, roles: [{ role: 'read', db: 'samples' }] },
  { user: 'writer', password: PASSWORDS.writer, roles: [{ role: 'readWrite', db: 'samples' }] },
  { user: 'analyst', password: PASSWORDS.reader, db: 'samples', roles: [{ role: 'read', db: 'samples' }, { role: 'readAnyDatabase', db: 'admin' }] },
  { user: 'owner', password: PASSWORDS.owner, roles: [{ role: 'root', db: 'admin' }] },
  { user: 'dbowner', password: PASSWORDS.owner, roles: [{ role: 'dbOwner', db: 'samples' }] },
  { user: 'cluster', password: PASSWORDS.owner, roles: [{ role: 'read', db: 'samples' }, { role: 'clusterAdmin', db: 'admin' }] },
  { user: 'monitor', password: PASSWORDS.owner, roles: [{ role: 'read', db: 'samples' }, { role: 'clusterMonitor', db: 'admin' }] },
  { user: 'useradmin', password: PASSWORDS.owner, roles: [{ role: 'read', db: 'samples' }, { role: 'userAdminAnyDatabase', db: 'admin' }] },
  {
    user: 'custom',
    password: PASSWORDS.owner,
    roles: [{ role: 'read', db: 'samples' }, { role: 'payrollPeek', db: 'admin' }],
    privileges: [{ resource: { db: 'payroll', collection: 'salaries' }, actions: ['find'] }],
  },
];

let secured: MongoWireServer;
let open: MongoWireServer;
let tlsServer: MongoWireServer;
let blackHole: Listening;
let blackHolePort: number;
let closedPort: number;
let certs: { server: Certificate; stranger: Certificate };
const dir = tempDir('mongo-connection-');
let connector: Connector;
const signal = new AbortController().signal;

function assertNoSecret(result: ConnectionTestResult) {
  const text = JSON.stringify(result);
  for (const secret of Object.values(PASSWORDS)) assert.not.ok(text.includes(secret), `leaked a password: ${text}`);
  assert.not.ok(/wrong-Pa55/.test(text), `leaked the wrong password: ${text}`);
}

async function failure(result: Promise<ConnectionTestResult>, kind: string): Promise<ConnectionTestResult> {
  const r = await result;
  assertNoSecret(r);
  assert.is(r.ok, false, JSON.stringify(r));
  assert.is(r.error?.kind, kind, JSON.stringify(r));
  assert.ok((r.error?.message.length ?? 0) > 20, 'the message says what to do');
  assert.is(r.canWrite, null);
  return r;
}

test.before(async () => {
  certs = { server: selfSignedCertificate(dir.path, 'server'), stranger: selfSignedCertificate(dir.path, 'stranger') };
  secured = await startMongoWireServer({ users: USERS, requireAuth: true });
  secured.load('samples', 'inventory', [{ item: 'a' }]);
  open = await startMongoWireServer();
  open.load('samples', 'inventory', [{ item: 'a' }]);
  tlsServer = await startMongoWireServer({ tls: { key: certs.server.key, cert: certs.server.cert } });
  tlsServer.load('samples', 'inventory', [{ item: 'a' }]);
  // Accepts TCP and never answers: a host that hangs (a loopback stand-in for a filtered port).
  blackHole = await silentServer();
  blackHolePort = blackHole.port;
  closedPort = await closedPortNumber();
  connector = createMongoConnector();
});

test.after(async () => {
  await connector?.close();
  await Promise.all([secured?.close(), open?.close(), tlsServer?.close()]);
  await blackHole?.close();
  dir.remove();
});

test('a read-only login connects, reports the server version and cannot write', async () => {
  const r = await connector.testConnection(mongoSpec(secured, { connection: { user: 'reader', authSource: 'admin' }, password: PASSWORDS.reader }), signal);
  assert.is(r.ok, true, JSON.stringify(r));
  assert.is(r.serverVersion, '7.0.14');
  assert.ok(r.latencyMs >= 0 && r.latencyMs < 1_000);
  assert.is(r.canWrite, false);
  assert.equal(r.writeDetails, ['role read on samples (read only)']);
  assertNoSecret(r);
});

test('a readWrite or root login can write, and says why', async () => {
  const writer = await connector.testConnection(mongoSpec(secured, { connection: { user: 'writer', authSource: 'admin' }, password: PASSWORDS.writer }), signal);
  assert.is(writer.canWrite, true);
  assert.equal(writer.writeDetails, ['role readWrite on samples']);
  const owner = await connector.testConnection(mongoSpec(secured, { connection: { user: 'owner', authSource: 'admin' }, password: PASSWORDS.owner }), signal);
  assert.is(owner.canWrite, true);
  assert.equal(owner.writeDetails, ['role root on admin']);
});

test('read roles on several databases are still read-only; the authentication database defaults to the source database', async () => {
  const r = await connector.testConnection(mongoSpec(secured, { connection: { user: 'analyst' }, password: PASSWORDS.reader }), signal);
  assert.is(r.ok, true, JSON.stringify(r));
  assert.is(r.canWrite, false);
  assert.is(r.writeDetails.length, 2);
});

test('login risks: a read-only login on the source database has none', async () => {
  const r = await connector.testConnection(mongoSpec(secured, { connection: { user: 'reader', authSource: 'admin' }, password: PASSWORDS.reader }), signal);
  assert.equal(r.risks, []);
});

test('login risks come from the server\u2019s privilege list: root, dbOwner, clusterAdmin, readAnyDatabase, user admins, custom roles', async () => {
  const risks = async (user: string, password = PASSWORDS.owner, connection: object = { authSource: 'admin' }) => {
    const r = await connector.testConnection(mongoSpec(secured, { connection: { user, ...connection }, password }), signal);
    assert.is(r.ok, true, JSON.stringify(r));
    for (const risk of r.risks) LoginRisk.parse(risk);
    assertNoSecret(r);
    return r.risks.map((risk) => risk.code).sort();
  };
  assert.equal(await risks('owner'), ['SUPERUSER']);
  assert.equal(await risks('writer', PASSWORDS.writer), ['CAN_WRITE']);
  assert.equal(await risks('dbowner'), ['CAN_WRITE', 'SERVER_ADMIN']);
  assert.equal(await risks('cluster'), ['REPLICATION', 'SEE_ALL_SESSIONS', 'SERVER_ADMIN', 'SIGNAL_SESSIONS']);
  assert.equal(await risks('monitor'), ['SEE_ALL_SESSIONS']);
  assert.equal(await risks('useradmin'), ['SERVER_ADMIN', 'SUPERUSER']);
  assert.equal(await risks('analyst', PASSWORDS.reader, {}), ['READ_OTHER_DATABASES']);
  const custom = await connector.testConnection(mongoSpec(secured, { connection: { user: 'custom', authSource: 'admin' }, password: PASSWORDS.owner }), signal);
  assert.equal(custom.risks, [{ code: 'READ_OTHER_DATABASES', message: 'This login can read databases other than "samples" (find on collection salaries in database payroll).' }]);
});

test('a server without authentication: anyone can write', async () => {
  const r = await connector.testConnection(mongoSpec(open), signal);
  assert.is(r.ok, true);
  assert.is(r.canWrite, true);
  assert.match(r.writeDetails[0]!, /does not require a login/);
  assert.equal(r.risks.map((risk) => risk.code), ['SUPERUSER']);
});

test('wrong password: AUTH_FAILED, and the password appears nowhere', async () => {
  const r = await failure(connector.testConnection(mongoSpec(secured, { connection: { user: 'writer', authSource: 'admin' }, password: 'wrong-Pa55!word' }), signal), 'AUTH_FAILED');
  assert.match(r.error!.message, /refused the login for user "writer"/);
});

test('no user on a server that requires one: AUTH_FAILED asking for a login', async () => {
  const r = await failure(connector.testConnection(mongoSpec(secured), signal), 'AUTH_FAILED');
  assert.match(r.error!.message, /requires a login/);
});

test('closed port: PORT_CLOSED, quickly', async () => {
  const started = performance.now();
  const r = await failure(connector.testConnection(mongoSpec(closedPort), signal), 'PORT_CLOSED');
  assert.ok(performance.now() - started < 2_000, 'does not wait for the server-selection timeout');
  assert.match(r.error!.message, new RegExp(`127\\.0\\.0\\.1:${closedPort}`));
});

test('unresolvable host: HOST_UNREACHABLE', async () => {
  const spec = mongoSpec(27017, { connection: { hosts: [{ host: 'nosuchhost.invalid', port: 27017 }] } });
  const r = await failure(connector.testConnection(spec, signal), 'HOST_UNREACHABLE');
  assert.match(r.error!.message, /nosuchhost\.invalid/);
});

test('a host that never answers: TIMEOUT after the connect timeout', async () => {
  const started = performance.now();
  const r = await failure(connector.testConnection(mongoSpec(blackHolePort, { connection: { connectTimeoutMs: 600 } }), signal), 'TIMEOUT');
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 550 && elapsed < 3_000, `took ${elapsed} ms`);
  assert.match(r.error!.message, /600 ms/);
});

test('a database that does not exist: DATABASE_NOT_FOUND', async () => {
  const spec = mongoSpec(secured, { connection: { user: 'owner', authSource: 'admin', database: 'Samples' }, password: PASSWORDS.owner });
  const r = await failure(connector.testConnection(spec, signal), 'DATABASE_NOT_FOUND');
  assert.match(r.error!.message, /"Samples"/);
});

test('TLS verify with the right CA connects; with another CA: TLS_INVALID', async () => {
  const ok = await connector.testConnection(mongoSpec(tlsServer, { connection: { tls: { mode: 'verify', caFile: certs.server.certFile } } }), signal);
  assert.is(ok.ok, true, JSON.stringify(ok));
  await failure(connector.testConnection(mongoSpec(tlsServer, { connection: { tls: { mode: 'verify', caFile: certs.stranger.certFile } } }), signal), 'TLS_INVALID');
});

test('TLS require trusts any certificate; against a plain server it is TLS_REQUIRED', async () => {
  const ok = await connector.testConnection(mongoSpec(tlsServer, { connection: { tls: { mode: 'require' } } }), signal);
  assert.is(ok.ok, true, JSON.stringify(ok));
  await failure(connector.testConnection(mongoSpec(open, { connection: { tls: { mode: 'require' } } }), signal), 'TLS_REQUIRED');
});

test('TLS off against a TLS-only server: TLS_REQUIRED', async () => {
  const r = await failure(connector.testConnection(mongoSpec(tlsServer, { connection: { tls: { mode: 'off' } } }), signal), 'TLS_REQUIRED');
  assert.match(r.error!.message, /TLS/);
});

test('TLS prefer uses TLS where offered and falls back to plain where not', async () => {
  const withTls = await connector.testConnection(mongoSpec(tlsServer, { connection: { tls: { mode: 'prefer' } } }), signal);
  assert.is(withTls.ok, true, JSON.stringify(withTls));
  const plain = await connector.testConnection(mongoSpec(open, { connection: { tls: { mode: 'prefer' } } }), signal);
  assert.is(plain.ok, true, JSON.stringify(plain));
});

test('an unreadable CA file: FILE_UNREADABLE', async () => {
  await failure(connector.testConnection(mongoSpec(tlsServer, { connection: { tls: { mode: 'verify', caFile: `${dir.path}/missing.pem` } } }), signal), 'FILE_UNREADABLE');
});

test('an aborted test rejects with CANCELLED', async () => {
  const controller = new AbortController();
  const pending = connector.testConnection(mongoSpec(blackHolePort, { connection: { connectTimeoutMs: 5_000 } }), controller.signal);
  setTimeout(() => controller.abort(), 100);
  const started = performance.now();
  try {
    await pending;
    assert.unreachable('should have been cancelled');
  } catch (error) {
    assert.is((error as { code?: string }).code, 'CANCELLED');
  }
  assert.ok(performance.now() - started < 1_000);
});

test.run();
