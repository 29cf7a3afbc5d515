import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { QueryResult } from '../../../../engine/contract/index';
import type { ConnectionSpec, ExecuteOptions } from '../../../../engine/connectors/types';
import { useConnector } from '../../../../engine/connectors/registry';
import { createInlinePool } from '../../../../engine/pool/inline';
import { ConnectorError } from '../../../../engine/errors';
import { MemorySecretStore } from '../../../../engine/secrets/secret-store';
import { openTestEngine, type TestEngine } from '../../../support/engine';
import { FakeConnector } from '../../../support/fake-connector';

/** The fake store, also keeping the limits each execute received. */
class LimitsSpy extends FakeConnector {
  readonly limits: Array<Pick<ExecuteOptions, 'maxRows' | 'timeoutMs' | 'maxBytes'>> = [];
  /** The next execute fails with this (a connection that could not be opened, or one lost mid-run). */
  failNext: Error | null = null;
  override execute(spec: ConnectionSpec, query: string, options: ExecuteOptions): Promise<QueryResult> {
    this.limits.push({ maxRows: options.maxRows, timeoutMs: options.timeoutMs, maxBytes: options.maxBytes });
    const failure = this.failNext;
    this.failNext = null;
    if (failure) return Promise.reject(failure);
    return super.execute(spec, query, options);
  }
}

let te: TestEngine;
let fake: LimitsSpy;
let sourceId = '';

test.before.each(async () => {
  fake = new LimitsSpy();
  useConnector('postgres', fake);
  te = await openTestEngine({ secrets: new MemorySecretStore(), unlocked: true, pool: createInlinePool() });
  const source = await te.ok('sources.create', {
    name: 'Fake',
    type: 'postgres',
    connection: { host: 'fake', port: 5432, database: 'fake', user: 'reader' },
    password: 'pw',
    settings: { rowLimit: 5, statementTimeoutMs: 4_000, maxResultBytes: 2 * 1024 * 1024 },
  });
  sourceId = source.id;
});
test.after.each(() => te.close());

const reason = (r: { ok: boolean; error?: { code: string; details?: Record<string, unknown> } }) => (r.ok ? 'ok' : `${r.error!.code}:${String(r.error!.details?.reason ?? '')}`);
const tokenFor = async (query = 'SELECT 9', limits: { maxRows?: number; timeoutMs?: number } = {}) => (await te.ok('query.prepare', { sourceId, query, ...limits })).approval!.token;

test('the token binds the limits of the source at approval: raising them afterwards does not widen the run', async () => {
  const token = await tokenFor();
  await te.ok('sources.update', { id: sourceId, settings: { rowLimit: 1_000_000, statementTimeoutMs: 3_600_000, maxResultBytes: 1024 * 1024 * 1024 } });
  const run = await te.ok('query.run', { token });
  assert.equal([run.result.rowCount, run.result.truncated], [5, true]);
  assert.equal(fake.limits, [{ maxRows: 5, timeoutMs: 4_000, maxBytes: 2 * 1024 * 1024 }]);
});

test('a run asking for more rows or time than approved is refused, and the token stays usable for the approved limits', async () => {
  const token = await tokenFor();
  for (const asked of [{ maxRows: 6 }, { timeoutMs: 4_001 }, { maxRows: 1_000_000, timeoutMs: 3_600_000 }]) {
    const r = await te.call('query.run', { token, ...asked });
    assert.is(reason(r), 'APPROVAL:LIMITS_EXCEEDED', JSON.stringify(asked));
    if (!r.ok) assert.match(r.error.message, /at most 5 rows and a 4 s timeout/);
  }
  assert.is(fake.count('execute'), 0);
  assert.is(te.engine.audit.list({ action: 'query.refused' }).events[0]?.details.reason, 'LIMITS_EXCEEDED');
  const lower = await te.ok('query.run', { token, maxRows: 3, timeoutMs: 1_000 });
  assert.is(lower.result.rowCount, 3);
  assert.equal(fake.limits, [{ maxRows: 3, timeoutMs: 1_000, maxBytes: 2 * 1024 * 1024 }]);
});

test('limits chosen explicitly at approval are the ones the run gets', async () => {
  const token = await tokenFor('SELECT 9', { maxRows: 20, timeoutMs: 60_000 });
  assert.is(reason(await te.call('query.run', { token, maxRows: 21 })), 'APPROVAL:LIMITS_EXCEEDED');
  const run = await te.ok('query.run', { token });
  assert.equal([run.result.rowCount, run.result.truncated], [9, false]);
  assert.equal(fake.limits, [{ maxRows: 20, timeoutMs: 60_000, maxBytes: 2 * 1024 * 1024 }]);
});

test('the limits are inside the signature: a body rewritten with higher limits is refused', async () => {
  const token = await tokenFor();
  const [v, body, sig] = token.split('.') as [string, string, string];
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
  const widened = Buffer.from(JSON.stringify({ ...payload, lim: { ...payload.lim, rows: 1_000_000 } })).toString('base64url');
  assert.is(reason(await te.call('query.run', { token: `${v}.${widened}.${sig}` })), 'APPROVAL:TAMPERED');
  assert.is(fake.count('execute'), 0);
});

test('TOKEN.garbage and every other spelling that is not exactly what was issued are refused; the real token still runs', async () => {
  const token = await tokenFor();
  const [v, body, sig] = token.split('.') as [string, string, string];
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  // 32 bytes in 43 characters: the last one carries 2 unused bits. Setting them decodes to the same bytes.
  const last = alphabet.indexOf(sig.at(-1)!);
  const sameBytesOtherSpelling = sig.slice(0, -1) + alphabet[last | 1];
  assert.ok(Buffer.from(sameBytesOtherSpelling, 'base64url').equals(Buffer.from(sig, 'base64url')), 'the variant decodes to the same signature');
  const variants = [
    `${token}.garbage`,
    `${token}.`,
    `${token}garbage`,
    `${token} `,
    ` ${token}`,
    `${token}\n`,
    `${token}=`,
    `${v}.${body}.${sig}.${sig}`,
    `${v}.${body}.${sameBytesOtherSpelling}`,
    `${v}.${body}=.${sig}`,
    `${v}..${body}.${sig}`,
    `V2.${body}.${sig}`,
    `${v}.${body.replace(/-/g, '+').replace(/_/g, '/')}.${sig.replace(/-/g, '+').replace(/_/g, '/')}`,
  ].filter((t) => t !== token);
  for (const variant of variants) {
    const r = await te.call('query.run', { token: variant });
    assert.is(reason(r), 'APPROVAL:TAMPERED', JSON.stringify(variant.slice(-12)));
    assert.is(te.engine.approvals.peek(variant), null, 'peek reads nothing from a malformed token');
  }
  assert.is(fake.count('execute'), 0);
  await te.ok('query.run', { token });
  assert.is(fake.count('execute'), 1);
});

test('a body re-encoded with spaces or reordered keys is refused even before the signature is checked', async () => {
  const token = await tokenFor();
  const [v, body, sig] = token.split('.') as [string, string, string];
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
  const spaced = Buffer.from(JSON.stringify(payload, null, 1)).toString('base64url');
  const reordered = Buffer.from(JSON.stringify(Object.fromEntries(Object.entries(payload).reverse()))).toString('base64url');
  const extra = Buffer.from(JSON.stringify({ ...payload, x: 1 })).toString('base64url');
  for (const b of [spaced, reordered, extra]) {
    assert.is(te.engine.approvals.peek(`${v}.${b}.${sig}`), null);
    assert.is(reason(await te.call('query.run', { token: `${v}.${b}.${sig}` })), 'APPROVAL:TAMPERED');
  }
  assert.equal(te.engine.approvals.peek(token), { sourceId, sessionId: null, messageId: null });
});

test('single use is a row: setting approvals.status back to issued does not let a used or denied token run again', async () => {
  const used = await tokenFor('SELECT 1');
  await te.ok('query.run', { token: used });
  const denied = await tokenFor('SELECT 2');
  await te.ok('query.deny', { token: denied });
  te.engine.db.prepare(`UPDATE approvals SET status = 'issued', decided_at = NULL`).run();
  assert.is(reason(await te.call('query.run', { token: used })), 'APPROVAL:REPLAYED');
  assert.is(reason(await te.call('query.run', { token: denied })), 'APPROVAL:DENIED');
  assert.is(reason(await te.call('query.deny', { token: used })), 'APPROVAL:REPLAYED');
  assert.is(fake.count('execute'), 1);
});

test('two runs of one token at the same time: exactly one reaches the store', async () => {
  const token = await tokenFor('SELECT 1');
  const results = await Promise.all([te.call('query.run', { token }), te.call('query.run', { token }), te.call('query.run', { token })]);
  assert.equal(results.map(reason).sort(), ['APPROVAL:REPLAYED', 'APPROVAL:REPLAYED', 'ok']);
  assert.is(fake.count('execute'), 1);
});

test('the append-only guard on used nonces is put back at every open, and a trigger someone added is removed', async () => {
  const token = await tokenFor('SELECT 1');
  await te.ok('query.run', { token });
  te.engine.db.exec(`DROP TRIGGER approval_uses_no_delete; CREATE TRIGGER sneaky AFTER INSERT ON approval_uses BEGIN SELECT 1; END;`);
  const reopened = await openTestEngine({ secrets: new MemorySecretStore(), dataDir: te.dataDir, pool: createInlinePool() });
  const triggers = reopened.engine.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'approval_uses' ORDER BY name`).pluck().all();
  assert.equal(triggers, ['approval_uses_no_delete', 'approval_uses_no_update', 'approval_uses_single_use']);
  assert.throws(() => reopened.engine.db.prepare('DELETE FROM approval_uses').run(), /append-only/);
  await reopened.close();
});

test('a connection refused before the statement was sent does not use the approval: the same token runs afterwards, and both runs are recorded', async () => {
  const token = await tokenFor('SELECT 2');
  fake.failNext = new ConnectorError('Nothing accepted the connection on fake:5432.', { kind: 'PORT_CLOSED' });
  const refused = await te.call('query.run', { token });
  assert.is(refused.ok, false);
  if (!refused.ok) {
    assert.is(refused.error.details?.approvalGivenBack, true);
    assert.match(refused.error.message, /never reached the database, so the approval was not used/);
  }
  const run = await te.ok('query.run', { token });
  assert.is(run.result.rowCount, 2);
  assert.is(reason(await te.call('query.run', { token })), 'APPROVAL:REPLAYED', 'the successful run used it');
  const uses = te.engine.db.prepare('SELECT attempt, outcome FROM approval_uses ORDER BY attempt').all();
  assert.equal(uses, [{ attempt: 1, outcome: 'consumed' }, { attempt: 2, outcome: 'consumed' }]);
  const runs = te.engine.db.prepare('SELECT status, statement_started FROM query_runs ORDER BY started_at, rowid').all();
  assert.equal(runs, [{ status: 'failed', statement_started: 0 }, { status: 'succeeded', statement_started: 1 }]);
  const approved = te.engine.audit.list({ action: 'query.approved' }).events.map((e) => e.details.attempt).sort();
  assert.equal(approved, [1, 2], 'each use has its audit event');
});

test('a connection lost while the query ran uses the approval up, and the error says the statement may have started', async () => {
  const token = await tokenFor('SELECT 2');
  fake.failNext = new ConnectorError('The connection to the server was lost while the query ran: terminated', { kind: 'CONNECTION_LOST' });
  const lost = await te.call('query.run', { token });
  assert.is(lost.ok, false);
  if (!lost.ok) {
    assert.is(lost.error.details?.statementStarted, true);
    assert.match(lost.error.message, /may have started on the database/);
  }
  assert.is(reason(await te.call('query.run', { token })), 'APPROVAL:REPLAYED');
  assert.is(reason(await te.call('query.deny', { token })), 'APPROVAL:REPLAYED');
});

test.run();
