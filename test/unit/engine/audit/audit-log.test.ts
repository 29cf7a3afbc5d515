import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MemorySecretStore } from '../../../../engine/secrets/secret-store';
import { openTestEngine } from '../../../support/engine';

test('events carry id, UTC time, actor, action, target and details; filters combine', async () => {
  const te = await openTestEngine({ secrets: new MemorySecretStore(), unlocked: true });
  const a = await te.ok('sources.create', { name: 'A', type: 'postgres', connection: { host: 'h', port: 5432, database: 'd', user: 'u' } });
  const b = await te.ok('sources.create', { name: 'B', type: 'postgres', connection: { host: 'h', port: 5432, database: 'd', user: 'u' } });
  await te.ok('sources.disable', { id: a.id });
  te.engine.audit.record({ action: 'query.denied', sourceId: b.id, sessionId: 'ses_1', details: { reason: 'user' } });

  const all = await te.ok('audit.list');
  const first = all.events.at(-1)!;
  assert.is(first.action, 'profile.created');
  assert.is(first.actor, 'Owner');
  assert.match(first.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(all.events.every((e, i, list) => i === 0 || list[i - 1]!.seq > e.seq), 'newest first');

  assert.equal((await te.ok('audit.list', { sourceId: a.id })).events.map((e) => e.action), ['source.disabled', 'source.created']);
  assert.equal((await te.ok('audit.list', { sessionId: 'ses_1' })).events.map((e) => e.action), ['query.denied']);
  assert.equal((await te.ok('audit.list', { sourceId: b.id, action: 'source.created' })).events.length, 1);
  const future = new Date(Date.now() + 3_600_000).toISOString();
  assert.equal((await te.ok('audit.list', { since: future })).events, []);
  assert.ok((await te.ok('audit.list', { until: future })).events.length >= 5);
  const bad = await te.call('audit.list', { since: 'yesterday' });
  assert.ok(!bad.ok && bad.error.code === 'VALIDATION');
  await te.close();
});

test('paging backwards with beforeSeq and hasMore', async () => {
  const te = await openTestEngine({ secrets: new MemorySecretStore(), unlocked: true });
  for (let i = 0; i < 7; i++) te.engine.audit.record({ action: 'query.executed', details: { i } });
  const page1 = await te.ok('audit.list', { action: 'query.executed', limit: 3 });
  assert.is(page1.hasMore, true);
  const page2 = await te.ok('audit.list', { action: 'query.executed', limit: 3, beforeSeq: page1.events.at(-1)!.seq });
  const page3 = await te.ok('audit.list', { action: 'query.executed', limit: 3, beforeSeq: page2.events.at(-1)!.seq });
  assert.is(page3.hasMore, false);
  assert.equal([...page1.events, ...page2.events, ...page3.events].map((e) => e.details.i), [6, 5, 4, 3, 2, 1, 0]);
  await te.close();
});

test('details are redacted before they are stored', async () => {
  const te = await openTestEngine({ secrets: new MemorySecretStore(), unlocked: true });
  te.engine.audit.record({ action: 'query.failed', details: { error: 'could not connect to postgres://admin:TopSecret9@db/prod' } });
  const raw = JSON.stringify(te.engine.db.prepare('SELECT details_json FROM audit_events').all());
  assert.not.match(raw, /TopSecret9/);
  await te.close();
});

test('retention pruning is the one way to delete, and it is itself audited', async () => {
  const te = await openTestEngine({ secrets: new MemorySecretStore(), unlocked: true });
  const before = (await te.ok('audit.list')).events.length;
  assert.ok(before >= 2);
  assert.throws(() => te.engine.db.prepare('DELETE FROM audit_events').run(), /append-only/);
  const deleted = te.engine.audit.prune(new Date(Date.now() + 1000));
  assert.is(deleted, before);
  const after = await te.ok('audit.list');
  assert.equal(after.events.map((e) => e.action), ['audit.pruned']);
  assert.is(after.events[0]!.details.deleted, before);
  // The guard is gone again: ordinary deletes are still refused.
  assert.throws(() => te.engine.db.prepare('DELETE FROM audit_events').run(), /append-only/);
  await te.close();
});

test.run();
