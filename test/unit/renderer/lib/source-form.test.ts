import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CreateSourceInput, type Source } from '../../../../engine/contract/index';
import { describeConnection, emptyForm, formToCreateInput, formToUpdateInput, sourceToForm } from '../../../../renderer/src/lib/source-form';
import { errorFor, fieldErrors } from '../../../../renderer/src/lib/form-errors';
import { sourceTypes } from '../../../../engine/connectors/descriptors';

// The facts a form starts from are the engine's own (`sources.types`).
const info = (type: Source['type']) => sourceTypes().find((t) => t.type === type)!;

test('a filled PostgreSQL form becomes a valid create input (numbers parsed, password included)', () => {
  const form = { ...emptyForm(info('postgres')), name: 'Prod', host: 'db', database: 'app', user: 'ro', password: 'pw', tls: 'verify' as const, caFile: '/ca.pem' };
  const input = formToCreateInput(form);
  assert.ok(CreateSourceInput.safeParse(input).success, JSON.stringify(input));
  assert.equal((input as { connection: unknown }).connection, { host: 'db', port: 5432, database: 'app', user: 'ro', tls: { mode: 'verify', caFile: '/ca.pem' } });
  assert.is((input as { password?: string }).password, 'pw');
});

test('URL mode sends the URL; file forms send one path per line', () => {
  const url = formToCreateInput({ ...emptyForm(info('mysql')), name: 'M', mode: 'url', url: ' mysql://u@h/db ' });
  assert.is((url as { url: string }).url, 'mysql://u@h/db');
  const files = formToCreateInput({ ...emptyForm(info('file')), name: 'F', paths: '/a.csv\n\n /b.parquet \n' });
  assert.equal((files as { connection: unknown }).connection, { paths: ['/a.csv', '/b.parquet'] });
  assert.not.ok('password' in files);
});

test('a non-numeric port is passed through so the engine names the field', () => {
  const input = formToCreateInput({ ...emptyForm(info('postgres')), name: 'x', port: 'abc', database: 'd', user: 'u' });
  const parsed = CreateSourceInput.safeParse(input);
  assert.is(parsed.success, false);
  assert.ok(!parsed.success && parsed.error.issues.some((i) => i.path.join('.') === 'connection.port'));
});

test('editing keeps the stored password unless replaced or removed', () => {
  const source = {
    id: 'src_1', name: 'Prod', type: 'postgres', hasSecret: true,
    connection: { host: 'db', port: 5432, database: 'app', user: 'ro', tls: { mode: 'require' }, connectTimeoutMs: 10000 },
    settings: { statementTimeoutMs: 5000, rowLimit: 100, allowSampleValues: false, sampleSize: 1000 },
  } as unknown as Source;
  const form = sourceToForm(source, info('postgres'));
  assert.is(form.tls, 'require');
  assert.is(form.rowLimit, '100');
  assert.not.ok('password' in formToUpdateInput(form, 'src_1'));
  assert.is((formToUpdateInput({ ...form, passwordAction: 'remove' }, 'src_1') as { password: null }).password, null);
  assert.is((formToUpdateInput({ ...form, passwordAction: 'replace', password: 'new' }, 'src_1') as { password: string }).password, 'new');
  assert.is(describeConnection(source), 'ro@db:5432 / app');
});

test('a new form starts from the engine’s defaults: port, TLS mode and limits per kind of source', () => {
  const pg = emptyForm(info('postgres'));
  assert.equal([pg.port, pg.tls, pg.rowLimit, pg.statementTimeoutMs], ['5432', 'prefer', '10000', '30000']);
  const mongo = emptyForm(info('mongodb'));
  assert.equal([mongo.port, mongo.tls], ['27017', 'off']);
  const files = emptyForm(info('file'));
  assert.equal([files.host, files.port], ['', '']);
});

test('engine validation errors land on their form fields', () => {
  const byField = fieldErrors({ code: 'VALIDATION', message: 'Invalid connection.port: must be between 1 and 65535', details: { field: 'connection.port' } });
  assert.equal(byField, { 'connection.port': 'must be between 1 and 65535' });
  const byIssues = fieldErrors({ code: 'VALIDATION', message: 'x', details: { issues: [{ path: 'connection.tls.caFile', message: 'verify mode needs a CA file' }] } });
  assert.is(errorFor(byIssues, 'connection.tls'), 'verify mode needs a CA file');
  assert.equal(fieldErrors({ code: 'CONFLICT', message: 'Taken' }), { '': 'Taken' });
});

test.run();
