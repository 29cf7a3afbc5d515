import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { useConnector } from '../../../../engine/connectors/registry';
import { createInlinePool } from '../../../../engine/pool/inline';
import { MemorySecretStore } from '../../../../engine/secrets/secret-store';
import { openTestEngine, type TestEngine } from '../../../support/engine';
import { FakeConnector } from '../../../support/fake-connector';

// Layer 3: a login that can do more than read runs approved queries only after the owner confirmed exactly its risks.
let te: TestEngine;
let fake: FakeConnector;
const connection = { host: 'fake', port: 5432, database: 'fake', user: 'postgres' };

test.before.each(async () => {
  fake = new FakeConnector();
  useConnector('postgres', fake);
  te = await openTestEngine({ secrets: new MemorySecretStore(), unlocked: true, pool: createInlinePool() });
});
test.after.each(() => te.close());

const superuserSource = async () => (await te.ok('sources.create', { name: 'Admin', type: 'postgres', connection, password: 'admin' })).id;
const approvalStatus = () => (te.engine.db.prepare('SELECT status FROM approvals').get() as { status: string }).status;

test('a superuser source never tested: run tests it first, refuses until confirmed, and the token survives the refusal', async () => {
  const id = await superuserSource();
  const { approval } = await te.ok('query.prepare', { sourceId: id, query: 'SELECT 2' });
  const refused = await te.call('query.run', { token: approval!.token });
  assert.ok(!refused.ok);
  assert.is(refused.error.code, 'FORBIDDEN');
  assert.is(refused.error.details?.reason, 'RISKS_UNCONFIRMED');
  assert.equal(refused.error.details?.risks, ['SUPERUSER', 'CAN_WRITE']);
  assert.match(refused.error.message, /"Admin" can do more than read\. It is a superuser\. This login can change data or schema \(superuser\)\./);
  assert.is(fake.count('testConnection'), 1, 'the unknown login was tested before deciding');
  assert.is(fake.count('execute'), 0);
  assert.is(approvalStatus(), 'issued', 'the refusal did not burn the approval');

  const source = await te.ok('sources.get', { id });
  assert.equal([source.risks.map((r) => r.code), source.risksConfirmed, source.risksConfirmedAt], [['SUPERUSER', 'CAN_WRITE'], false, null]);

  const confirmed = await te.ok('sources.confirmRisks', { id });
  assert.is(confirmed.risksConfirmed, true);
  assert.ok(confirmed.risksConfirmedAt);
  const ran = await te.ok('query.run', { token: approval!.token });
  assert.is(ran.result.rowCount, 2);
  const actions = (await te.ok('audit.list', { sourceId: id })).events.map((e) => [e.action, e.details.reason ?? e.details.risks ?? null]);
  assert.ok(actions.some(([a, d]) => a === 'source.risks_confirmed' && JSON.stringify(d) === '["SUPERUSER","CAN_WRITE"]'));
  assert.ok(actions.some(([a, d]) => a === 'source.refused' && d === 'RISKS_UNCONFIRMED'));
});

test('a login that gains a new power needs a new confirmation', async () => {
  const id = await superuserSource();
  await te.ok('sources.test', { id });
  await te.ok('sources.confirmRisks', { id });
  fake.extraRisks = [{ code: 'READ_SERVER_FILES', message: 'It can read files on the server.' }];
  await te.ok('sources.test', { id });
  const source = await te.ok('sources.get', { id });
  assert.equal([source.risks.map((r) => r.code), source.risksConfirmed], [['SUPERUSER', 'READ_SERVER_FILES', 'CAN_WRITE'], false]);
  const { approval } = await te.ok('query.prepare', { sourceId: id, query: 'SELECT 1' });
  const refused = await te.call('query.run', { token: approval!.token });
  assert.is(refused.ok ? 'ran' : refused.error.details?.reason, 'RISKS_UNCONFIRMED');
  assert.is(fake.count('execute'), 0);
});

test('a failed test keeps the last known risks; new connection details forget them and the confirmation', async () => {
  const id = await superuserSource();
  await te.ok('sources.test', { id });
  await te.ok('sources.confirmRisks', { id });
  fake.failTests = 'The host does not answer.';
  await te.ok('sources.test', { id });
  const failed = await te.ok('sources.get', { id });
  assert.equal([failed.status, failed.risks.length, failed.risksConfirmed], ['FAILED', 2, true]);
  const moved = await te.ok('sources.update', { id, connection: { ...connection, port: 5433 } });
  assert.equal([moved.status, moved.risks, moved.risksConfirmed, moved.risksConfirmedAt], ['UNTESTED', [], true, null]);
  const early = await te.call('sources.confirmRisks', { id });
  assert.ok(!early.ok && early.error.code === 'VALIDATION' && /Test the connection first/.test(early.error.message));
});

test('a read-only login has no risks and runs without any confirmation', async () => {
  const id = (await te.ok('sources.create', { name: 'Reader', type: 'postgres', connection: { ...connection, user: 'reader' }, password: 'pw' })).id;
  const { approval } = await te.ok('query.prepare', { sourceId: id, query: 'SELECT 1' });
  assert.is((await te.ok('query.run', { token: approval!.token })).result.rowCount, 1);
  const source = await te.ok('sources.get', { id });
  assert.equal([source.risks, source.risksConfirmed], [[], true]);
});

test.run();
