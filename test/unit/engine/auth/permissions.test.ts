import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { permissions, type AccessControl, type ViewerScope } from '../../../../engine/auth/permissions';
import { channelNames, contract, Role, type ChannelName } from '../../../../engine/contract/index';
import { createRouter, type Handlers } from '../../../../engine/router/router';

/**
 * What a viewer may call, written out here a second time on purpose: a change
 * to the matrix that lets viewers do more (or less) must change this list too.
 * Everything else is the owner's alone.
 */
const VIEWER_CHANNELS: ReadonlySet<ChannelName> = new Set<ChannelName>([
  'app.info', 'app.health', 'app.selfTest',
  'auth.status', 'auth.setup', 'auth.unlock', 'auth.lock', 'auth.keepAlive', 'auth.changeSecret',
  'settings.get',
  'sources.list', 'sources.get', 'sources.types', 'sources.examples', 'sources.files',
  'metadata.get', 'query.check', 'query.prepare', 'query.run', 'query.deny', 'query.cancel',
  'chat.listSessions', 'chat.createSession', 'chat.getSession', 'chat.renameSession', 'chat.archiveSession',
  'chat.ask', 'chat.editQuery', 'chat.approve', 'chat.deny', 'chat.cancel', 'chat.ledger', 'chat.listResults', 'chat.result',
  'telemetry.record', 'providers.get', 'providers.presets', 'host.saveFile',
  'verified.list', 'verified.export',
]);

/** A profile's view: which sources are shared with the viewer and which conversations it started. */
function fakeAccess(role: Role, shared: string[] = [], sessions: string[] = []) {
  const claimed: Array<[string, string]> = [];
  const scope: ViewerScope = {
    sourceShared: (id) => shared.includes(id),
    ownsSession: (id) => sessions.includes(id),
    ownsMessage: () => false,
    ownsResult: () => false,
    sessionUnclaimed: () => false,
  };
  const access: AccessControl = {
    caller: () => ({ profileId: `prf_${role}`, role }),
    scopeOf: () => scope,
    claimSession: (sessionId, profileId) => void claimed.push([sessionId, profileId]),
    runProfile: () => undefined,
  };
  return { access, claimed };
}

function spyHandlers(reply: (channel: ChannelName) => unknown = () => ({})) {
  const called: ChannelName[] = [];
  const handlers = Object.fromEntries(channelNames.map((c) => [c, () => (called.push(c), reply(c))])) as unknown as Handlers;
  return { called, handlers };
}

const ctx = { host: 'test' as const };
// Never a valid payload: whoever gets past the permission check is stopped by validation, so no handler runs.
const PROBE = { '\u0000probe': true };

test('the matrix has exactly one entry per channel of the contract, each an allow-list of known roles that always includes the owner', () => {
  assert.equal(Object.keys(permissions).sort(), [...channelNames].sort());
  for (const channel of channelNames) {
    const roles = permissions[channel].roles;
    assert.ok(roles.length > 0 && roles.every((r) => Role.options.includes(r)), channel);
    assert.ok(roles.includes('owner'), `${channel}: the owner may do everything`);
  }
  for (const channel of VIEWER_CHANNELS) assert.ok(Object.hasOwn(contract, channel), `${channel} is not a channel`);
});

test('every channel x every role through the router: a role outside the allow-list gets FORBIDDEN and the handler never runs', async () => {
  for (const role of Role.options) {
    const { called, handlers } = spyHandlers();
    const router = createRouter({ handlers, isLocked: () => false, access: fakeAccess(role).access });
    for (const channel of channelNames) {
      const result = await router.dispatch(channel, PROBE, ctx);
      const allowed = role === 'owner' || VIEWER_CHANNELS.has(channel);
      assert.is(result.ok, false, channel);
      if (result.ok) continue;
      if (allowed) assert.is(result.error.code, 'VALIDATION', `${role} should reach ${channel}'s validation: ${result.error.message}`);
      else {
        assert.is(result.error.code, 'FORBIDDEN', `${role} must not call ${channel}`);
        assert.equal(result.error.details, { reason: 'ROLE', channel });
        assert.match(result.error.message, /Only the owner/);
      }
    }
    assert.equal(called, [], role);
  }
});

test('a viewer reaches only what was shared: another source or conversation is FORBIDDEN before the handler runs', async () => {
  const { called, handlers } = spyHandlers((c) => (c === 'sources.get' ? undefined : []));
  const router = createRouter({ handlers, isLocked: () => false, access: fakeAccess('viewer', ['src_shared'], ['ses_mine']).access });
  const refused = [
    ['sources.get', { id: 'src_other' }],
    ['metadata.get', { sourceId: 'src_other' }],
    ['query.prepare', { sourceId: 'src_other', query: 'SELECT 1' }],
    ['query.prepare', { sourceId: 'src_shared', query: 'SELECT 1', sessionId: 'ses_theirs' }],
    ['chat.createSession', { sourceId: 'src_other' }],
    ['chat.getSession', { sessionId: 'ses_theirs' }],
    ['chat.ask', { question: 'how many?' }],
    ['chat.ask', { sourceId: 'src_other', question: 'how many?' }],
    ['chat.ask', { sessionId: 'ses_theirs', question: 'how many?' }],
    ['chat.approve', { sessionId: 'ses_theirs', messageId: 'msg_1', token: 'tok_0123456789' }],
    ['chat.result', { resultId: 'res_1' }],
    ['verified.export', { sourceId: 'src_other' }],
  ] as const;
  for (const [channel, input] of refused) {
    const result = await router.dispatch(channel, input, ctx);
    assert.ok(!result.ok && result.error.code === 'FORBIDDEN' && result.error.details?.reason === 'NOT_SHARED', `${channel} ${JSON.stringify(input)}: ${JSON.stringify(result)}`);
  }
  assert.equal(called, []);
  await router.dispatch('sources.get', { id: 'src_shared' }, ctx);
  await router.dispatch('chat.getSession', { sessionId: 'ses_mine' }, ctx);
  assert.equal(called, ['sources.get', 'chat.getSession']);
});

test("lists are narrowed for a viewer (only shared sources, only its own conversations), never for the owner; a new conversation becomes the caller's", async () => {
  const source = (id: string) => ({ id, name: id, type: 'file' });
  const session = (id: string) => ({ id, sourceId: null, title: id, archived: false, createdAt: 't', updatedAt: 't', messageCount: 0 });
  const reply = (c: ChannelName): unknown => (c === 'chat.listSessions' ? [session('ses_mine'), session('ses_theirs')] : c === 'chat.createSession' ? session('ses_new') : [source('src_shared'), source('src_other')]);
  for (const role of Role.options) {
    const { handlers } = spyHandlers(reply);
    const { access, claimed } = fakeAccess(role, ['src_shared'], ['ses_mine']);
    const router = createRouter({ handlers, isLocked: () => false, access });
    const sessions = await router.dispatch('chat.listSessions', undefined, ctx);
    assert.equal(sessions.ok && (sessions.value as Array<{ id: string }>).map((s) => s.id), role === 'owner' ? ['ses_mine', 'ses_theirs'] : ['ses_mine']);
    await router.dispatch('chat.createSession', { sourceId: 'src_shared' }, ctx);
    assert.equal(claimed, [['ses_new', `prf_${role}`]]);
  }
});

test("cancelling a run is for the profile whose approval started it: another profile gets FORBIDDEN before the handler runs; a run from before approvals named a profile is the owner's", async () => {
  const runs: Record<string, string | null> = { run_owner: 'prf_owner', run_viewer: 'prf_viewer', run_old: null };
  for (const role of Role.options) {
    const { called, handlers } = spyHandlers(() => ({ cancelled: false }));
    const access: AccessControl = { ...fakeAccess(role).access, runProfile: (runId) => (Object.hasOwn(runs, runId) ? runs[runId] : undefined) };
    const router = createRouter({ handlers, isLocked: () => false, access });
    const outcome = async (channel: 'query.cancel' | 'chat.cancel', runId: string) => {
      const result = await router.dispatch(channel, { runId }, ctx);
      return result.ok ? 'ok' : `${result.error.code} ${String(result.error.details?.reason)}`;
    };
    for (const channel of ['query.cancel', 'chat.cancel'] as const) {
      assert.is(await outcome(channel, `run_${role}`), 'ok', `${role} cancels its own run`);
      assert.is(await outcome(channel, role === 'owner' ? 'run_viewer' : 'run_owner'), 'FORBIDDEN NOT_YOURS', `${role} cancels another's run`);
      assert.is(await outcome(channel, 'run_old'), role === 'owner' ? 'ok' : 'FORBIDDEN NOT_YOURS');
      assert.is(await outcome(channel, 'run_unknown'), 'ok', 'an unknown run is for the handler to answer (not running)');
    }
    assert.is(called.length, role === 'owner' ? 6 : 4);
  }
});

test('while locked the permission check does not run: LOCKED, as before', async () => {
  const { handlers } = spyHandlers();
  const router = createRouter({ handlers, isLocked: () => true, access: fakeAccess('viewer').access });
  const result = await router.dispatch('sources.create', PROBE, ctx);
  assert.is(!result.ok && result.error.code, 'LOCKED');
});

test.run();
