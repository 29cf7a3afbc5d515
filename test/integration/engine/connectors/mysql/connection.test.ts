import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SqlConnection } from '../../../../../engine/contract/index';
import { createMysqlConnector } from '../../../../../engine/connectors/mysql/connector';
import type { ConnectionErrorKind, ConnectionTestResult, Connector } from '../../../../../engine/connectors/types';
import { createMysqlDatabase, MYSQL, type TestDatabase } from '../../../../support/databases';
import { closedPort, makeCerts, silentServer, type TestCerts, type TlsProxy } from '../../../../support/net';
import { layerTwo, mysqlSpec, never } from './support';
import { mysqlTlsProxy } from './tls-proxy';

let db: TestDatabase;
let connector: Connector;
let certs: TestCerts;
let proxy: TlsProxy;
const users: string[] = [];
const USER_PASSWORD = `Pw-${randomBytes(6).toString('hex')}`;
const WRONG_PASSWORD = `Wrong-${randomBytes(6).toString('hex')}`;

const check = (connection: Partial<SqlConnection>, password: string | null = null) =>
  connector.testConnection(mysqlSpec(db.name, { connection, password }), never);

function assertFailure(result: ConnectionTestResult, kind: ConnectionErrorKind, message: RegExp): void {
  assert.is(result.ok, false, `expected ${kind}, the connection succeeded`);
  assert.is(result.error?.kind, kind, result.error?.message);
  assert.match(result.error!.message, message);
  for (const secret of [USER_PASSWORD, WRONG_PASSWORD]) assert.not.match(result.error!.message, secret);
  assert.not.match(result.error!.message, /mysql:\/\//i);
  assert.is(result.canWrite, null);
}

function createUser(grants: (user: string) => string): string {
  const user = `pst_u_${process.pid}_${randomBytes(3).toString('hex')}`;
  users.push(user);
  db.sql(`CREATE USER '${user}'@'%' IDENTIFIED BY '${USER_PASSWORD}'; ${grants(`'${user}'@'%'`)}`);
  return user;
}

test.before(async () => {
  db = createMysqlDatabase('chinook');
  connector = createMysqlConnector();
  certs = makeCerts();
  proxy = await mysqlTlsProxy(certs, { host: MYSQL.host, port: MYSQL.port });
});
test.after(async () => {
  await connector.close();
  await proxy.close();
  certs.remove();
  for (const user of users) db.sql(`DROP USER IF EXISTS '${user}'@'%'`);
  db.drop();
});

test('root connects, reports MariaDB and that it can write, with reasons', async () => {
  const result = await check({});
  assert.is(result.ok, true, result.error?.message);
  assert.match(result.serverVersion ?? '', /MariaDB|^MySQL \d/);
  assert.is(result.canWrite, true);
  assert.ok(result.writeDetails.some((d) => /^ALL PRIVILEGES on \*\.\*/.test(d)), result.writeDetails.join(', '));
});

test('a user granted SELECT only cannot write, and has no risks', async () => {
  const user = createUser((u) => `GRANT SELECT ON \`${db.name}\`.* TO ${u}`);
  const result = await check({ user }, USER_PASSWORD);
  assert.is(result.ok, true, result.error?.message);
  assert.is(result.canWrite, false);
  assert.equal(result.writeDetails, []);
  assert.equal(result.risks, []);
});

test("the README's read-only login recipe gives a login with no risks that reads the source", async () => {
  const user = createUser((u) => `GRANT SELECT, SHOW VIEW ON \`${db.name}\`.* TO ${u}; ALTER USER ${u} WITH MAX_USER_CONNECTIONS 10`);
  const result = await check({ user }, USER_PASSWORD);
  assert.is(result.ok, true, result.error?.message);
  assert.is(result.canWrite, false);
  assert.equal(result.risks, []);
  const spec = mysqlSpec(db.name, { connection: { user }, password: USER_PASSWORD });
  assert.equal((await connector.execute(spec, 'SELECT COUNT(*) FROM Genre', { maxRows: 10, timeoutMs: 5_000, signal: never })).rows, [[25]]);
});

test('root reports every risk of a superuser login', async () => {
  const codes: string[] = (await check({})).risks.map((r) => r.code).sort();
  for (const code of ['SUPERUSER', 'CAN_WRITE', 'READ_SERVER_FILES', 'WRITE_SERVER_FILES', 'SEE_ALL_SESSIONS', 'SIGNAL_SESSIONS', 'SERVER_ADMIN', 'READ_OTHER_DATABASES']) {
    assert.ok(codes.includes(code), `${code} missing from ${codes.join(', ')}`);
  }
});

test('FILE, PROCESS and a read grant on another database are each reported, also when they come through a role', async () => {
  const role = `pst_r_${process.pid}_${randomBytes(3).toString('hex')}`;
  db.sql(`CREATE ROLE ${role}; GRANT SELECT ON \`other\\_payroll\`.* TO ${role}`);
  try {
    const user = createUser((u) => `GRANT SELECT ON \`${db.name}\`.* TO ${u}; GRANT FILE, PROCESS ON *.* TO ${u}; GRANT ${role} TO ${u}; SET DEFAULT ROLE ${role} FOR ${u}`);
    const result = await check({ user }, USER_PASSWORD);
    assert.is(result.ok, true, result.error?.message);
    const risks = Object.fromEntries(result.risks.map((r) => [r.code, r.message]));
    assert.equal(Object.keys(risks).sort(), ['CAN_WRITE', 'READ_OTHER_DATABASES', 'READ_SERVER_FILES', 'SEE_ALL_SESSIONS', 'WRITE_SERVER_FILES']);
    assert.match(risks.READ_OTHER_DATABASES!, /other\\_payroll/);
    assert.not.match(JSON.stringify(result), new RegExp(USER_PASSWORD));
  } finally {
    db.sql(`DROP ROLE IF EXISTS ${role}`);
  }
});

test('trusting a database\'s stored functions is reported as a risk', async () => {
  const result = await connector.testConnection(mysqlSpec(db.name, { settings: { trustedFunctionSchemas: [db.name] } }), never);
  assert.ok(result.risks.some((r) => r.code === 'UNTRUSTED_FUNCTIONS' && r.message.includes(db.name)));
});

test('a user with UPDATE on one table can write, and the grant is named', async () => {
  const user = createUser((u) => `GRANT SELECT ON \`${db.name}\`.* TO ${u}; GRANT UPDATE (Name) ON \`${db.name}\`.Genre TO ${u}`);
  const result = await check({ user }, USER_PASSWORD);
  assert.is(result.canWrite, true);
  assert.equal(result.writeDetails, [`UPDATE on \`${db.name}\`.\`Genre\``]);
});

test('a wrong password: AUTH_FAILED, and neither password appears', async () => {
  const user = createUser((u) => `GRANT SELECT ON \`${db.name}\`.* TO ${u}`);
  assertFailure(await check({ user }, WRONG_PASSWORD), 'AUTH_FAILED', new RegExp(user));
});

test('a database that does not exist: DATABASE_NOT_FOUND', async () => {
  assertFailure(await connector.testConnection(mysqlSpec('pst_no_such_database'), never), 'DATABASE_NOT_FOUND', /pst_no_such_database/);
});

test('nothing listening on the port: PORT_CLOSED', async () => {
  assertFailure(await check({ port: await closedPort() }), 'PORT_CLOSED', /port|listening/i);
});

test('a host name that does not resolve: HOST_UNREACHABLE', async () => {
  assertFailure(await check({ host: 'nosuchhost.invalid' }), 'HOST_UNREACHABLE', /nosuchhost\.invalid/);
});

test('a server that never answers: TIMEOUT after the connect timeout', async () => {
  const silent = await silentServer();
  try {
    const started = performance.now();
    assertFailure(await check({ port: silent.port, connectTimeoutMs: 500 }), 'TIMEOUT', /500 ms/);
    assert.ok(performance.now() - started < 3_000);
  } finally {
    await silent.close();
  }
});

test('TLS required but MariaDB has none: TLS_REQUIRED', async () => {
  assertFailure(await check({ tls: { mode: 'require' } }), 'TLS_REQUIRED', /TLS/);
});

test('prefer falls back to plain TCP when the server has no TLS, and off never asks', async () => {
  assert.is((await check({ tls: { mode: 'prefer' } })).ok, true);
  assert.is((await check({ tls: { mode: 'off' } })).ok, true);
});

test('verify: the right CA and host name connect over TLS, and queries run through it', async () => {
  const before = proxy.tlsSessions;
  const connection = { host: 'localhost', port: proxy.port, tls: { mode: 'verify' as const, caFile: certs.caFile } };
  const result = await check(connection);
  assert.is(result.ok, true, result.error?.message);
  assert.ok(proxy.tlsSessions > before);
  const rows = await connector.execute(mysqlSpec(db.name, { connection }), 'SELECT COUNT(*) FROM Genre', { maxRows: 10, timeoutMs: 5_000, signal: never });
  assert.equal(rows.rows, [[25]]);
});

test('verify: a certificate from another CA is TLS_INVALID', async () => {
  assertFailure(await check({ host: 'localhost', port: proxy.port, tls: { mode: 'verify', caFile: certs.otherCaFile } }), 'TLS_INVALID', /certificate/i);
});

test('verify: a certificate for another host name is TLS_INVALID (also for an IP address)', async () => {
  assertFailure(await check({ host: '127.0.0.1', port: proxy.port, tls: { mode: 'verify', caFile: certs.caFile } }), 'TLS_INVALID', /127\.0\.0\.1|certificate/i);
});

test('require and prefer use TLS when the server offers it, without checking the certificate', async () => {
  for (const mode of ['require', 'prefer'] as const) {
    const before = proxy.tlsSessions;
    const result = await check({ host: '127.0.0.1', port: proxy.port, tls: { mode } });
    assert.is(result.ok, true, `${mode}: ${result.error?.message}`);
    assert.ok(proxy.tlsSessions > before, `${mode} did not use TLS`);
  }
});

test('cancelling through TLS reaches the server', async () => {
  const connection = { host: 'localhost', port: proxy.port, tls: { mode: 'verify' as const, caFile: certs.caFile } };
  const controller = new AbortController();
  // SLEEP is refused at layer 1, so the connector would never send it: layer 2 alone shows the cancel crossing TLS.
  const bare = layerTwo();
  const pending = bare.execute(mysqlSpec(db.name, { connection }), 'SELECT SLEEP(30)', { maxRows: 1, timeoutMs: 60_000, signal: controller.signal });
  setTimeout(() => controller.abort(), 300);
  const started = performance.now();
  const error = await pending.then(
    () => null,
    (e: { code?: string }) => e,
  );
  await bare.close();
  assert.is(error?.code, 'CANCELLED');
  // Well before the 30 s sleep ends: the cancel reached the server (a liveness bound, not a speed target).
  assert.ok(performance.now() - started < 20_000);
});

test.run();
