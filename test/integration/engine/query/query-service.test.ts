import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ColumnReader } from '../../../../engine/contract/result-columns';
import { useConnector } from '../../../../engine/connectors/registry';
import { ConnectorError, fromApiError, toApiError } from '../../../../engine/errors';
import { createInlinePool } from '../../../../engine/pool/inline';
import type { JobPool } from '../../../../engine/pool/pool';
import { PREVIEW_DEADLINE_MS } from '../../../../engine/connectors/shared/preview-budget';
import { MemorySecretStore } from '../../../../engine/secrets/secret-store';
import { openTestEngine, type TestEngine } from '../../../support/engine';
import { FakeConnector } from '../../../support/fake-connector';
import { repoRoot } from '../../../support/tmp';

let te: TestEngine;
let fake: FakeConnector;
let clock = Date.parse('2026-06-01T12:00:00Z');
let sourceId = '';

test.before.each(async () => {
  fake = new FakeConnector();
  useConnector('postgres', fake);
  te = await openTestEngine({ secrets: new MemorySecretStore(), unlocked: true, pool: createInlinePool(), now: () => clock });
  const source = await te.ok('sources.create', { name: 'Fake', type: 'postgres', connection: { host: 'fake', port: 5432, database: 'fake', user: 'reader' }, password: 'pw' });
  sourceId = source.id;
});
test.after.each(() => te.close());

const errorOf = (r: { ok: boolean; error?: { code: string; details?: Record<string, unknown> } }) =>
  r.ok ? 'ok' : `${r.error!.code}:${String(r.error!.details?.reason ?? '')}`;

test('prepare validates, estimates and issues a token; run executes exactly that query once', async () => {
  const prepared = await te.ok('query.prepare', { sourceId, query: 'SELECT 3' });
  assert.is(prepared.verdict.allowed, true);
  assert.equal(prepared.explain, { estimatedRows: 42, estimatedCost: 7.5, summary: 'Seq Scan on numbers', warnings: [] });
  assert.ok(prepared.approval);
  assert.is(fake.count('execute'), 0, 'nothing runs before approval');
  const run = await te.ok('query.run', { token: prepared.approval!.token });
  assert.is(run.result.rowCount, 3);
  assert.equal(run.result.rows, [[1], [2], [3]]);
  assert.is(fake.count('execute'), 1);
  assert.is(fake.calls.find((c) => c.method === 'execute')!.query, 'SELECT 3');
  const audit = (await te.ok('audit.list', { sourceId })).events.map((e) => e.action);
  assert.ok(audit.includes('query.approved') && audit.includes('query.executed'));
  const stored = te.engine.queries.storedResult(run.resultId);
  assert.equal(stored && new ColumnReader(stored.data).rows(), [[1], [2], [3]]);
  const runRow = te.engine.db.prepare('SELECT status, row_count FROM query_runs WHERE id = ?').get(run.runId);
  assert.equal(runRow, { status: 'succeeded', row_count: 3 });
});

test('a token cannot be replayed', async () => {
  const { approval } = await te.ok('query.prepare', { sourceId, query: 'SELECT 1' });
  await te.ok('query.run', { token: approval!.token });
  const again = await te.call('query.run', { token: approval!.token });
  assert.is(errorOf(again), 'APPROVAL:REPLAYED');
  assert.is(fake.count('execute'), 1);
  assert.is(te.engine.audit.list({ action: 'query.refused' }).events[0]?.details.reason, 'REPLAYED');
});

test('a tampered token is refused, whichever part is changed', async () => {
  const { approval } = await te.ok('query.prepare', { sourceId, query: 'SELECT 1' });
  const [v, body, sig] = approval!.token.split('.') as [string, string, string];
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
  const forged = Buffer.from(JSON.stringify({ ...payload, exp: payload.exp + 3_600_000 })).toString('base64url');
  for (const token of [`${v}.${forged}.${sig}`, `${v}.${body}.${sig.slice(0, -2)}xx`, `v1.${body}.${sig}`, `v3.${body}.${sig}`, 'garbage-token-value']) {
    assert.is(errorOf(await te.call('query.run', { token })), 'APPROVAL:TAMPERED', token.slice(0, 20));
  }
  assert.is(fake.count('execute'), 0);
});

test('an expired token is refused with a clear message', async () => {
  const { approval } = await te.ok('query.prepare', { sourceId, query: 'SELECT 1' });
  clock += 121_000;
  const r = await te.call('query.run', { token: approval!.token });
  assert.is(errorOf(r), 'APPROVAL:EXPIRED');
  assert.ok(!r.ok && /expired/.test(r.error.message));
  assert.is(fake.count('execute'), 0);
});

test('a denied query never reaches the connector, and its token is dead', async () => {
  const { approval } = await te.ok('query.prepare', { sourceId, query: 'SELECT 5' });
  await te.ok('query.deny', { token: approval!.token });
  assert.is(errorOf(await te.call('query.run', { token: approval!.token })), 'APPROVAL:DENIED');
  assert.is(fake.count('execute'), 0);
  const actions = (await te.ok('audit.list')).events.map((e) => e.action);
  assert.ok(actions.includes('query.denied'));
});

test('a token issued for one query or source does not run another', async () => {
  const { approval } = await te.ok('query.prepare', { sourceId, query: 'SELECT 1' });
  const wrongQuery = await te.engine.queries.run({ token: approval!.token, expectQuery: 'SELECT 2' }).catch((e) => e);
  assert.is(wrongQuery.details?.reason, 'WRONG_QUERY');
  const other = await te.ok('sources.create', { name: 'Other', type: 'postgres', connection: { host: 'fake', port: 5432, database: 'x', user: 'u' } });
  const { approval: second } = await te.ok('query.prepare', { sourceId, query: 'SELECT 1' });
  const wrongSource = await te.engine.queries.run({ token: second!.token, expectSourceId: other.id }).catch((e) => e);
  assert.is(wrongSource.details?.reason, 'WRONG_SOURCE');
  assert.is(fake.count('execute'), 0);
});

test('an edited query is a new query: the old token does not cover it', async () => {
  const first = await te.ok('query.prepare', { sourceId, query: 'SELECT 1' });
  const edited = await te.ok('query.prepare', { sourceId, query: 'SELECT 2' });
  assert.is.not(first.approval!.token, edited.approval!.token);
  const run = await te.ok('query.run', { token: edited.approval!.token });
  assert.is(run.query, 'SELECT 2');
});

test('a refused query gets no token and the refusal is audited', async () => {
  const prepared = await te.ok('query.prepare', { sourceId, query: 'DELETE FROM numbers' });
  assert.is(prepared.verdict.allowed, false);
  assert.is(prepared.approval, null);
  assert.is(fake.count('explain'), 0);
  assert.equal(te.engine.audit.list({ action: 'query.refused' }).events[0]?.details.codes, ['NOT_A_QUERY']);
});

test('a disabled source is refused before anything reaches the store', async () => {
  const { approval } = await te.ok('query.prepare', { sourceId, query: 'SELECT 1' });
  await te.ok('sources.disable', { id: sourceId });
  assert.is(errorOf(await te.call('query.run', { token: approval!.token })), 'FORBIDDEN:SOURCE_DISABLED');
  assert.is(errorOf(await te.call('query.prepare', { sourceId, query: 'SELECT 1' })), 'FORBIDDEN:SOURCE_DISABLED');
  assert.is(errorOf(await te.call('metadata.get', { sourceId })), 'FORBIDDEN:SOURCE_DISABLED');
  assert.is(fake.count('execute'), 0);
});

test('cancel stops a running query; the run is recorded as cancelled', async () => {
  const { approval } = await te.ok('query.prepare', { sourceId, query: 'SLEEP' });
  const running = te.call('query.run', { token: approval!.token, runId: 'run_cancel_me' });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(await te.ok('query.cancel', { runId: 'run_cancel_me' }), { cancelled: true });
  assert.is(errorOf(await running), 'CANCELLED:');
  assert.equal(te.engine.db.prepare('SELECT status FROM query_runs WHERE id = ?').get('run_cancel_me'), { status: 'cancelled' });
  assert.equal(await te.ok('query.cancel', { runId: 'run_cancel_me' }), { cancelled: false });
});

test('row limit: the result says truncated; limits chosen at approval replace the source settings', async () => {
  await te.ok('sources.update', { id: sourceId, settings: { rowLimit: 5 } });
  const { approval } = await te.ok('query.prepare', { sourceId, query: 'SELECT 9' });
  const run = await te.ok('query.run', { token: approval!.token });
  assert.equal([run.result.rowCount, run.result.truncated], [5, true]);
  const { approval: second } = await te.ok('query.prepare', { sourceId, query: 'SELECT 9', maxRows: 20 });
  const more = await te.ok('query.run', { token: second!.token });
  assert.equal([more.result.rowCount, more.result.truncated], [9, false]);
});

test('metadata is cached for the TTL; refresh and staleness reach the store again', async () => {
  const first = await te.ok('metadata.get', { sourceId });
  assert.is(first.cached, false);
  const second = await te.ok('metadata.get', { sourceId });
  assert.is(second.cached, true);
  assert.is(fake.count('fetchMetadata'), 1, 'a repeat inside the TTL must not touch the store');
  await te.ok('metadata.get', { sourceId, refresh: true });
  assert.is(fake.count('fetchMetadata'), 2);
  clock += 16 * 60_000;
  await te.ok('metadata.get', { sourceId });
  assert.is(fake.count('fetchMetadata'), 3);
});

test('the connection test records status, write capability and an audit event', async () => {
  const result = await te.ok('sources.test', { id: sourceId });
  assert.equal([result.ok, result.canWrite, result.serverVersion], [true, false, 'fake 1.0']);
  const source = await te.ok('sources.get', { id: sourceId });
  assert.equal([source.status, source.canWrite, source.serverVersion], ['CONNECTED', false, 'fake 1.0']);
  assert.is(te.engine.audit.list({ action: 'source.tested' }).events.length, 1);
  assert.is(fake.calls.find((c) => c.method === 'testConnection')!.spec!.password, 'pw');
});

test('explain is optional: a store without it still gets a token, with the reason shown', async () => {
  fake.explainSupported = false;
  const prepared = await te.ok('query.prepare', { sourceId, query: 'SELECT 1' });
  assert.is(prepared.explain, null);
  assert.match(prepared.explainError ?? '', /cannot explain/);
  assert.ok(prepared.approval);
});

test('a query the store cannot plan gets no token: its error, a lost connection, anything but "no estimate for this kind of statement"', async () => {
  for (const failure of [
    new ConnectorError('column "nope" does not exist', { kind: 'QUERY_FAILED', sqlState: '42703' }),
    new ConnectorError('The connection to the server was lost while the query ran.', { kind: 'CONNECTION_LOST' }),
    new Error('a driver bug'),
  ]) {
    fake.explainFailure = failure;
    const prepared = await te.ok('query.prepare', { sourceId, query: 'SELECT 1' });
    assert.is(prepared.verdict.allowed, true);
    assert.is(prepared.approval, null, failure.message);
    assert.ok(prepared.explainError, failure.message);
  }
  assert.match((await te.ok('query.prepare', { sourceId, query: 'SELECT 1' })).explainError ?? '', /could not plan|driver bug/);
  const refusals = te.engine.audit.list({ action: 'query.refused' }).events;
  assert.is(refusals.filter((e) => e.details.reason === 'EXPLAIN_FAILED').length, 4);
  fake.explainFailure = null;
  assert.ok((await te.ok('query.prepare', { sourceId, query: 'SELECT 1' })).approval);
});

test('every path to a connector execute goes through token consumption', () => {
  // Structural check: the execute job is created in exactly one place, after `approvals.consume`.
  const files = fs.readdirSync(path.join(repoRoot, 'engine'), { recursive: true, withFileTypes: true }).filter((d) => d.isFile() && d.name.endsWith('.ts'));
  const creators = files.filter((d) => fs.readFileSync(path.join(d.parentPath, d.name), 'utf8').includes("kind: 'connector.execute'"));
  assert.equal(creators.map((d) => d.name), ['query-service.ts']);
  const source = fs.readFileSync(path.join(repoRoot, 'engine/query/query-service.ts'), 'utf8');
  const runBody = source.slice(source.indexOf('async run('), source.indexOf('async deny('));
  // run() consumes through #consume (the one transaction that also records the run's start and its audit event).
  const consumeAt = runBody.indexOf('this.#consume(');
  assert.ok(consumeAt > -1 && consumeAt < runBody.indexOf("kind: 'connector.execute'"), 'the token is consumed before the execute job is created');
  const consumeBody = source.slice(source.indexOf('async #consume('));
  assert.ok(consumeBody.slice(0, consumeBody.indexOf('\n  }\n')).includes('this.#o.approvals.consume('), '#consume consumes the approval');
});

test('host-only channels answer UNSUPPORTED unless the host provides them (the browser host has no file dialog)', async () => {
  const r = await te.call('host.pickFiles');
  assert.ok(!r.ok && r.error.code === 'UNSUPPORTED' && /type or paste/.test(r.error.message));
  const withDialog = await openTestEngine({
    secrets: new MemorySecretStore(),
    unlocked: true,
    pool: createInlinePool(),
    hostHandlers: { 'host.pickFiles': () => ({ paths: ['/chosen/sales.parquet'] }) },
  });
  assert.equal(await withDialog.ok('host.pickFiles'), { paths: ['/chosen/sales.parquet'] });
  await withDialog.close();
});

test('a check over the preview budget is a PREVIEW_LIMIT refusal: no token, no explain, and the refusal is audited', async () => {
  fake.previewTrouble = 'validate';
  const verdict = await te.ok('query.check', { sourceId, query: "SELECT length(repeat('x', 1500000000))" });
  assert.equal([verdict.allowed, verdict.reasons.map((r) => r.code)], [false, ['PREVIEW_LIMIT']]);
  assert.match(verdict.reasons[0]!.message, /too expensive to preview safely/);
  const prepared = await te.ok('query.prepare', { sourceId, query: "SELECT length(repeat('x', 1500000000))" });
  assert.equal([prepared.verdict.allowed, prepared.verdict.reasons.map((r) => r.code), prepared.approval], [false, ['PREVIEW_LIMIT'], null]);
  assert.is(fake.count('explain'), 0);
  assert.equal(te.engine.audit.list({ action: 'query.refused' }).events[0]?.details.codes, ['PREVIEW_LIMIT']);
  assert.is(te.engine.db.prepare('SELECT COUNT(*) FROM approvals').pluck().get(), 0, 'no approval was issued');
});

test('an estimate over the preview budget refuses the query too (it is not shown as a mere missing estimate)', async () => {
  fake.previewTrouble = 'explain';
  const prepared = await te.ok('query.prepare', { sourceId, query: 'SELECT 1' });
  assert.equal([prepared.verdict.allowed, prepared.verdict.reasons.map((r) => r.code), prepared.approval, prepared.explain], [false, ['PREVIEW_LIMIT'], null, null]);
  assert.match(prepared.verdict.reasons[0]!.message, /too expensive to preview safely.*Estimating this query went over/);
});

test('PREVIEW_LIMIT is recognised after the worker boundary turned the error into a plain EngineError', async () => {
  const inline = createInlinePool();
  // What the worker pool does with a job's error: it crosses as an ApiError and is rebuilt.
  const crossing: JobPool = { ...inline, run: (job, options) => inline.run(job, options).catch((error: unknown) => Promise.reject(fromApiError(toApiError(error)))) };
  const viaPool = await openTestEngine({ secrets: new MemorySecretStore(), unlocked: true, pool: crossing });
  const source = await viaPool.ok('sources.create', { name: 'Fake', type: 'postgres', connection: { host: 'fake', port: 5432, database: 'fake', user: 'reader' }, password: 'pw' });
  fake.previewTrouble = 'validate';
  const verdict = await viaPool.ok('query.check', { sourceId: source.id, query: 'SELECT 1' });
  assert.equal(verdict.reasons.map((r) => r.code), ['PREVIEW_LIMIT']);
  // Any other failure is still an error, not a verdict.
  fake.previewTrouble = null;
  useConnector('postgres', Object.assign(new FakeConnector(), { validate: () => Promise.reject(new ConnectorError('The server went away.')) }));
  const failed = await viaPool.call('query.check', { sourceId: source.id, query: 'SELECT 1' });
  assert.is(failed.ok ? 'ok' : failed.error.code, 'CONNECTOR');
  await viaPool.close();
});

test('a store that ignores its preview budget is stopped at the host deadline and the query is refused', async () => {
  fake.previewTrouble = 'hang-validate';
  const prepared = await te.ok('query.prepare', { sourceId, query: 'SELECT 1' });
  assert.equal([prepared.verdict.reasons.map((r) => r.code), prepared.approval], [['PREVIEW_LIMIT'], null]);
  assert.match(prepared.verdict.reasons[0]!.message, new RegExp(`did not finish within ${PREVIEW_DEADLINE_MS / 1000} s`));
});

test.run();
