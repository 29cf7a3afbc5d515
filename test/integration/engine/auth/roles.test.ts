import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MemorySecretStore } from '../../../../engine/secrets/secret-store';
import { openTestEngine, TEST_PIN, type TestEngine } from '../../../support/engine';
import { tempDir } from '../../../support/tmp';

const VIEWER_PIN = '730194';
const code = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error!.code);

/** An owner with two sources (never connected) and one viewer; the owner is unlocked. */
async function ownerWithViewer(secrets = new MemorySecretStore(), dataDir?: string): Promise<{ te: TestEngine; shared: string; other: string; viewerId: string }> {
  const te = await openTestEngine({ secrets, unlocked: true, ...(dataDir ? { dataDir, keepDataDir: true } : {}) });
  const add = async (name: string) => (await te.ok('sources.create', { name, type: 'postgres', url: `postgres://reader@127.0.0.1:1/${name}` })).id;
  const shared = await add('sales');
  const other = await add('payroll');
  const viewer = await te.ok('auth.addViewer', { name: 'Ana', kind: 'pin', secret: VIEWER_PIN });
  assert.equal([viewer.role, viewer.name, viewer.sharedSourceIds], ['viewer', 'Ana', []]);
  const afterShare = await te.ok('auth.shareSource', { profileId: viewer.id, sourceId: shared, shared: true });
  assert.equal(afterShare.sharedSourceIds, [shared]);
  return { te, shared, other, viewerId: viewer.id };
}

test('a viewer unlocks with its own PIN, sees only the shared source, and every owner-only channel answers FORBIDDEN', async () => {
  const { te, shared, other, viewerId } = await ownerWithViewer();
  await te.ok('auth.lock');
  const locked = await te.ok('auth.status');
  assert.equal(locked.profiles.map((p) => [p.name, p.role]), [['Owner', 'owner'], ['Ana', 'viewer']]);
  // The owner's PIN does not open the viewer's profile.
  assert.is(code(await te.call('auth.unlock', { secret: TEST_PIN, profileId: viewerId })), 'FORBIDDEN');
  const status = await te.ok('auth.unlock', { secret: VIEWER_PIN, profileId: viewerId });
  assert.equal([status.state, status.profileName, status.role, status.profileId], ['unlocked', 'Ana', 'viewer', viewerId]);

  assert.equal((await te.ok('sources.list')).map((s) => s.name), ['sales']);
  assert.is((await te.ok('sources.get', { id: shared })).name, 'sales');
  const hidden = await te.call('sources.get', { id: other });
  assert.ok(!hidden.ok && hidden.error.code === 'FORBIDDEN' && hidden.error.details?.reason === 'NOT_SHARED', JSON.stringify(hidden));
  for (const [channel, input] of [
    ['sources.create', { name: 'x', type: 'postgres', url: 'postgres://a@127.0.0.1:1/x' }],
    ['sources.remove', { id: shared }],
    ['settings.update', { autoLockMinutes: 5 }],
    ['audit.list', undefined],
    ['audit.verify', undefined],
    ['auth.addViewer', { name: 'Bo', kind: 'pin', secret: '591827' }],
    ['auth.shareSource', { profileId: viewerId, sourceId: other, shared: true }],
    ['providers.clear', undefined],
  ] as const) {
    assert.is(code(await te.call(channel, input as never)), 'FORBIDDEN', channel);
  }
  // Nothing the viewer was refused happened.
  await te.ok('auth.lock');
  await te.ok('auth.unlock', { secret: TEST_PIN });
  assert.equal((await te.ok('sources.list')).map((s) => s.name).sort(), ['payroll', 'sales']);
  assert.equal((await te.ok('auth.listProfiles')).find((p) => p.id === viewerId)?.sharedSourceIds, [shared]);
  await te.close();
});

test('the audit log names the acting profile: the viewer by name and id, the owner by theirs; sharing and profile changes are recorded', async () => {
  const { te, viewerId } = await ownerWithViewer();
  const ownerId = (await te.ok('auth.status')).profileId!;
  await te.ok('auth.lock');
  await te.ok('auth.unlock', { secret: VIEWER_PIN, profileId: viewerId });
  await te.ok('auth.lock');
  await te.ok('auth.unlock', { secret: TEST_PIN });
  await te.ok('auth.renameProfile', { profileId: ownerId, name: 'Grace' });
  await te.ok('auth.renameProfile', { profileId: viewerId, name: 'Ana B.' });
  const { events } = await te.ok('audit.list', { limit: 50 });
  const seen = events.reverse().map((e) => [e.action, e.actor, e.actorProfileId]);
  const tail = seen.slice(seen.findIndex(([action]) => action === 'source.shared'));
  assert.equal(tail, [
    ['source.shared', 'Owner', ownerId],
    ['auth.locked', 'Owner', ownerId],
    ['auth.unlocked', 'Ana', viewerId],
    ['auth.locked', 'Ana', viewerId],
    ['auth.unlocked', 'Owner', ownerId],
    ['profile.renamed', 'Owner', ownerId],
    ['profile.renamed', 'Grace', ownerId],
  ]);
  assert.is((await te.ok('audit.verify')).status, 'ok');
  assert.is((await te.ok('auth.status')).profileName, 'Grace');
  await te.close();
});

test("wrong PINs for a viewer are counted for the viewer: the owner can still unlock; removing a viewer ends its profile and its keychain entry", async () => {
  const secrets = new MemorySecretStore();
  const { te, viewerId } = await ownerWithViewer(secrets);
  await te.ok('auth.lock');
  for (let i = 0; i < 5; i++) assert.is(code(await te.call('auth.unlock', { secret: '999999', profileId: viewerId })), 'FORBIDDEN');
  assert.is(code(await te.call('auth.unlock', { secret: VIEWER_PIN, profileId: viewerId })), 'RATE_LIMITED');
  await te.ok('auth.unlock', { secret: TEST_PIN });
  const entries = () => secrets.values().length;
  const before = entries();
  assert.equal(await te.ok('auth.removeProfile', { profileId: viewerId }), { removed: true });
  assert.is(entries(), before - 1);
  assert.equal((await te.ok('auth.listProfiles')).map((p) => p.role), ['owner']);
  const ownerId = (await te.ok('auth.status')).profileId!;
  assert.is(code(await te.call('auth.removeProfile', { profileId: ownerId })), 'CONFLICT');
  await te.ok('auth.lock');
  assert.is(code(await te.call('auth.unlock', { secret: VIEWER_PIN, profileId: viewerId })), 'NOT_FOUND');
  await te.close();
});

test('a viewer made an owner, or an owner made a viewer, in the SQLite file stays locked', async () => {
  const dir = tempDir();
  const secrets = new MemorySecretStore();
  const { te, viewerId } = await ownerWithViewer(secrets, dir.path);
  const ownerId = (await te.ok('auth.status')).profileId!;
  await te.ok('auth.lock');
  const db = te.engine.db;
  db.prepare(`UPDATE profiles SET role = 'owner', created_at = '2000-01-01T00:00:00.000Z' WHERE id = ?`).run(viewerId);
  const promoted = await te.call('auth.unlock', { secret: VIEWER_PIN, profileId: viewerId });
  assert.ok(!promoted.ok && promoted.error.details?.reason === 'PROFILE_ALTERED', JSON.stringify(promoted));
  db.prepare(`UPDATE profiles SET role = 'viewer' WHERE id = ?`).run(viewerId);
  db.prepare(`UPDATE profiles SET role = 'viewer' WHERE id = ?`).run(ownerId);
  const demoted = await te.call('auth.unlock', { secret: TEST_PIN, profileId: ownerId });
  assert.ok(!demoted.ok && demoted.error.details?.reason === 'PROFILE_ALTERED', JSON.stringify(demoted));
  await te.close();
  dir.remove();
});

test("a viewer's conversations are its own: it lists and opens only them; the owner sees every conversation", async () => {
  const { te, shared, viewerId } = await ownerWithViewer();
  const ownerSession = await te.ok('chat.createSession', { sourceId: shared, title: 'Owner asks' });
  await te.ok('auth.lock');
  await te.ok('auth.unlock', { secret: VIEWER_PIN, profileId: viewerId });
  const mine = await te.ok('chat.createSession', { sourceId: shared, title: 'Ana asks' });
  assert.equal((await te.ok('chat.listSessions')).map((s) => s.title), ['Ana asks']);
  assert.is((await te.ok('chat.getSession', { sessionId: mine.id })).session.title, 'Ana asks');
  assert.is(code(await te.call('chat.getSession', { sessionId: ownerSession.id })), 'FORBIDDEN');
  assert.is(code(await te.call('chat.ask', { sessionId: ownerSession.id, question: 'how many?' })), 'FORBIDDEN');
  await te.ok('auth.lock');
  await te.ok('auth.unlock', { secret: TEST_PIN });
  assert.equal((await te.ok('chat.listSessions')).map((s) => s.title).sort(), ['Ana asks', 'Owner asks']);
  // Withdrawing the share closes the viewer's own conversation on that source too.
  await te.ok('auth.shareSource', { profileId: viewerId, sourceId: shared, shared: false });
  await te.ok('auth.lock');
  await te.ok('auth.unlock', { secret: VIEWER_PIN, profileId: viewerId });
  assert.equal(await te.ok('chat.listSessions'), []);
  assert.is(code(await te.call('chat.getSession', { sessionId: mine.id })), 'FORBIDDEN');
  await te.close();
});

test("the acting profile's id is sealed into its audit event: changing it in the SQLite file is found by verify", async () => {
  const { te, viewerId } = await ownerWithViewer();
  const db = te.engine.db;
  const seq = (db.prepare(`SELECT seq FROM audit_events WHERE action = 'source.shared'`).get() as { seq: number }).seq;
  assert.is((await te.ok('audit.verify')).status, 'ok');
  db.exec(`DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor_profile_id = '${viewerId}' WHERE seq = ${seq};`);
  const altered = await te.ok('audit.verify');
  assert.equal([altered.status, altered.alteredAt, altered.reason], ['altered', seq, 'CHANGED']);
  await te.close();
});

test("a viewer changes its own PIN; the owner's stays as it was", async () => {
  const { te, viewerId } = await ownerWithViewer();
  await te.ok('auth.lock');
  await te.ok('auth.unlock', { secret: VIEWER_PIN, profileId: viewerId });
  await te.ok('auth.changeSecret', { current: VIEWER_PIN, next: { kind: 'pin', secret: '602851' } });
  await te.ok('auth.lock');
  assert.is(code(await te.call('auth.unlock', { secret: VIEWER_PIN, profileId: viewerId })), 'FORBIDDEN');
  assert.is((await te.ok('auth.unlock', { secret: '602851', profileId: viewerId })).role, 'viewer');
  await te.ok('auth.lock');
  assert.is((await te.ok('auth.unlock', { secret: TEST_PIN })).role, 'owner');
  await te.close();
});

test('viewer PINs follow the owner rules', async () => {
  const te = await openTestEngine({ secrets: new MemorySecretStore(), unlocked: true });
  const weak = await te.call('auth.addViewer', { name: 'Bo', kind: 'pin', secret: '123456' });
  assert.ok(!weak.ok && weak.error.code === 'VALIDATION' && /consecutive/.test(weak.error.message), JSON.stringify(weak));
  assert.equal((await te.ok('auth.listProfiles')).length, 1);
  await te.close();
});

test.run();
