import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SqlConnection } from '../../../../../engine/contract/index';
import { createPostgresConnector } from '../../../../../engine/connectors/postgres/connector';
import type { ConnectionErrorKind, ConnectionTestResult, Connector } from '../../../../../engine/connectors/types';
import { createPgDatabase, PG, type TestDatabase } from '../../../../support/databases';
import { closedPort, makeCerts, silentServer, type TestCerts, type TlsProxy } from '../../../../support/net';
import { pgTlsProxy } from './net-fixtures';
import { never, PASSWORD, pgSpec } from './support';

let db: TestDatabase;
let connector: Connector;
let certs: TestCerts;
let proxy: TlsProxy;
const roles: string[] = [];

const check = (connection: Partial<SqlConnection>, password?: string | null) => connector.testConnection(pgSpec(db.name, { connection, password }), never);

function assertFailure(result: ConnectionTestResult, kind: ConnectionErrorKind, message: RegExp): void {
  assert.is(result.ok, false, `expected ${kind}, the connection succeeded`);
  assert.is(result.error?.kind, kind, result.error?.message);
  assert.match(result.error!.message, message);
  assert.not.match(result.error!.message, PASSWORD);
  assert.not.match(result.error!.message, /postgres(ql)?:\/\//i);
  assert.is(result.canWrite, null);
  assert.is(result.serverVersion, null);
}

function createRole(grants: (role: string) => string): string {
  const role = `pst_role_${process.pid}_${randomBytes(3).toString('hex')}`;
  roles.push(role);
  db.sql(`CREATE ROLE ${role} LOGIN; GRANT CONNECT ON DATABASE ${db.name} TO ${role}; GRANT USAGE ON SCHEMA public TO ${role}; ${grants(role)}`);
  return role;
}

test.before(async () => {
  db = createPgDatabase('chinook');
  connector = createPostgresConnector();
  certs = makeCerts();
  proxy = await pgTlsProxy(certs, { host: PG.host, port: PG.port });
});
test.after(async () => {
  await connector.close();
  await proxy.close();
  certs.remove();
  for (const role of roles) db.sql(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
  db.drop();
});

test('the superuser connects, reports the server version and that it can write, with reasons', async () => {
  const result = await check({});
  assert.is(result.ok, true, result.error?.message);
  assert.match(result.serverVersion ?? '', /^PostgreSQL 1\d\.\d+/);
  assert.ok(result.latencyMs >= 0 && result.latencyMs < 5_000);
  assert.is(result.canWrite, true);
  assert.ok(result.writeDetails.includes('superuser'), result.writeDetails.join(', '));
  assert.equal(result.risks.map((r) => r.code), ['SUPERUSER']);
  assert.match(result.risks[0]!.message, /read and write any file on the server/);
});

test('a role granted SELECT only cannot write', async () => {
  const role = createRole((r) => `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${r}`);
  const result = await check({ user: role });
  assert.is(result.ok, true, result.error?.message);
  assert.is(result.canWrite, false);
  assert.equal(result.writeDetails, []);
  assert.equal(result.risks, [], 'a read-only role carries no risk');
});

test('a role with INSERT on one table can write, and the table is named', async () => {
  const role = createRole((r) => `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${r}; GRANT INSERT ON genre TO ${r}`);
  const result = await check({ user: role });
  assert.is(result.canWrite, true);
  assert.equal(result.writeDetails, ['INSERT on public.genre']);
});

test('a role with CREATE on a schema can write', async () => {
  const role = createRole((r) => `GRANT CREATE ON SCHEMA public TO ${r}`);
  const result = await check({ user: role });
  assert.is(result.canWrite, true);
  assert.ok(result.writeDetails.includes('CREATE on schema public'), result.writeDetails.join(', '));
});

const riskCodes = (result: ConnectionTestResult) => result.risks.map((r) => r.code).sort();

test('memberships and attributes beyond reading are reported as risks, one per code', async () => {
  const role = createRole((r) => `GRANT pg_signal_backend, pg_read_all_stats, pg_read_server_files, pg_execute_server_program TO ${r}; ALTER ROLE ${r} REPLICATION CREATEDB BYPASSRLS`);
  const result = await check({ user: role });
  assert.is(result.ok, true, result.error?.message);
  assert.equal(riskCodes(result), ['EXECUTE_SERVER_PROGRAM', 'READ_SERVER_FILES', 'REPLICATION', 'SEE_ALL_SESSIONS', 'SERVER_ADMIN', 'SIGNAL_SESSIONS']);
  assert.match(result.risks.find((r) => r.code === 'SERVER_ADMIN')!.message, /CREATEDB, BYPASSRLS/);
  const writer = createRole((r) => `GRANT pg_write_server_files TO ${r}`);
  assert.equal(riskCodes(await check({ user: writer })), ['WRITE_SERVER_FILES']);
});

test('trusted function schemas are a risk the owner confirms', async () => {
  const role = createRole((r) => `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${r}`);
  const result = await connector.testConnection(pgSpec(db.name, { connection: { user: role }, settings: { trustedFunctionSchemas: ['public'] } }), never);
  assert.equal(riskCodes(result), ['UNTRUSTED_FUNCTIONS']);
  assert.match(result.risks[0]!.message, /public/);
});

test('installed extensions that reach other servers or files are reported', async () => {
  const available = db.sql(`SELECT string_agg(name, ',') FROM pg_available_extensions WHERE name IN ('dblink', 'file_fdw')`).trim().split(',').filter(Boolean);
  if (available.length === 0) return;
  for (const ext of available) db.sql(`CREATE EXTENSION IF NOT EXISTS ${ext}`);
  try {
    const role = createRole((r) => `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${r}`);
    const result = await check({ user: role });
    if (available.includes('dblink')) assert.match(result.risks.find((r) => r.code === 'REMOTE_ACCESS_EXTENSION')?.message ?? '', /dblink/);
    if (available.includes('file_fdw')) assert.match(result.risks.find((r) => r.code === 'READ_SERVER_FILES')?.message ?? '', /file_fdw/);
  } finally {
    for (const ext of available) db.sql(`DROP EXTENSION IF EXISTS ${ext}`);
  }
});

test('nothing listening on the port: PORT_CLOSED', async () => {
  assertFailure(await check({ port: await closedPort() }), 'PORT_CLOSED', /port|listening/i);
});

test('a host name that does not resolve: HOST_UNREACHABLE', async () => {
  assertFailure(await check({ host: 'nosuchhost.invalid' }), 'HOST_UNREACHABLE', /nosuchhost\.invalid/);
});

test('a role that does not exist: AUTH_FAILED, without echoing the password', async () => {
  assertFailure(await check({ user: 'pst_no_such_role' }), 'AUTH_FAILED', /pst_no_such_role/);
});

test('a database that does not exist: DATABASE_NOT_FOUND', async () => {
  const result = await connector.testConnection(pgSpec('pst_no_such_database'), never);
  assertFailure(result, 'DATABASE_NOT_FOUND', /pst_no_such_database/);
});

test('TLS required but the server has none: TLS_REQUIRED', async () => {
  assertFailure(await check({ tls: { mode: 'require' } }), 'TLS_REQUIRED', /TLS/);
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
  const rows = await connector.execute(pgSpec(db.name, { connection }), 'SELECT count(*) FROM genre', { maxRows: 10, timeoutMs: 5_000, signal: never });
  assert.equal(rows.rows, [['25']].map((r) => r.map(Number)));
});

test('verify: a certificate from another CA is TLS_INVALID', async () => {
  const result = await check({ host: 'localhost', port: proxy.port, tls: { mode: 'verify', caFile: certs.otherCaFile } });
  assertFailure(result, 'TLS_INVALID', /certificate/i);
});

test('verify: a certificate for another host name is TLS_INVALID', async () => {
  const result = await check({ host: '127.0.0.1', port: proxy.port, tls: { mode: 'verify', caFile: certs.caFile } });
  assertFailure(result, 'TLS_INVALID', /host name|certificate/i);
});

test('verify: an unreadable CA file says so', async () => {
  const result = await check({ tls: { mode: 'verify', caFile: '/nonexistent/ca.pem' } });
  assertFailure(result, 'FILE_UNREADABLE', /\/nonexistent\/ca\.pem/);
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
  const pending = connector.execute(pgSpec(db.name, { connection }), 'SELECT count(*) FROM generate_series(1, 100000000000)', { maxRows: 1, timeoutMs: 60_000, signal: controller.signal });
  setTimeout(() => controller.abort(), 300);
  const started = performance.now();
  const error = await pending.then(
    () => null,
    (e: { code?: string }) => e,
  );
  assert.is(error?.code, 'CANCELLED');
  assert.ok(performance.now() - started < 1_500);
});

test.run();
