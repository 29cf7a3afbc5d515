import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { actingAs } from '../../../../engine/auth/acting';
import { eventPermissions, mayReceive, type AccessControl, type Caller, type ViewerScope } from '../../../../engine/auth/permissions';
import { eventNames, Role, type EventName, type EventPayload } from '../../../../engine/contract/index';
import { EventBus } from '../../../../engine/events/bus';

const OWNER: Caller = { profileId: 'prf_owner', role: 'owner' };
const VIEWER: Caller = { profileId: 'prf_ana', role: 'viewer' };

/** The viewer holds ses_mine on src_shared; ses_new (on src_shared) is held by nobody yet; ses_owner is the owner's. */
const scope: ViewerScope = {
  sourceShared: (id) => id === 'src_shared',
  ownsSession: (id) => id === 'ses_mine',
  ownsMessage: () => false,
  ownsResult: () => false,
  sessionUnclaimed: (id) => id === 'ses_new',
};

function busFor(who: () => Caller | null) {
  const access: AccessControl = { caller: who, scopeOf: () => scope, claimSession: () => {}, runProfile: () => undefined };
  const bus = new EventBus(() => who() === null, undefined, () => access);
  const seen: string[] = [];
  bus.subscribe((name, payload) => void seen.push(`${name} ${JSON.stringify(payload)}`));
  return { bus, seen };
}

const record = { line: 1, id: 'q1', question: 'salaries by person?', query: 'SELECT name, salary FROM payroll', confidence: 0.9, outcome: 'correct', answer: null, match: 'exact', detail: '', error: null, latencyMs: 5 } as const;

/** One of each kind of event the owner's work emits, and the viewer's own. */
function emitAll(bus: EventBus) {
  const emit = <E extends EventName>(name: E, payload: EventPayload<E>) => bus.emit(name, payload);
  emit('eval.progress', { evalId: 'evl_1', sourceId: 'src_shared', done: 1, total: 3, record });
  emit('chat.updated', { sessionId: 'ses_owner', messageId: 'msg_1' });
  emit('chat.running', { sessionId: 'ses_owner', messageId: 'msg_1', runId: 'run_1', state: 'finished' });
  emit('sources.changed', { sourceId: 'src_other', change: 'status' });
  emit('chat.updated', { sessionId: 'ses_new', messageId: null });
  emit('chat.updated', { sessionId: 'ses_mine', messageId: 'msg_2' });
  emit('chat.running', { sessionId: 'ses_mine', messageId: 'msg_2', runId: 'run_2', state: 'running' });
  emit('sources.changed', { sourceId: 'src_shared', change: 'status' });
  emit('app.command', { command: 'go.chat' });
}

test("a viewer's window receives only its own conversations' and the shared sources' events: none of the owner's evaluation, conversations or other sources", () => {
  const { bus, seen } = busFor(() => VIEWER);
  emitAll(bus);
  assert.equal(seen, [
    'chat.updated {"sessionId":"ses_mine","messageId":"msg_2"}',
    'chat.running {"sessionId":"ses_mine","messageId":"msg_2","runId":"run_2","state":"running"}',
    'sources.changed {"sourceId":"src_shared","change":"status"}',
    'app.command {"command":"go.chat"}',
  ]);
});

test("a conversation nobody holds yet reaches the viewer only from the viewer's own call (the chat.ask creating it), never from someone else's work", () => {
  const { bus, seen } = busFor(() => VIEWER);
  actingAs(OWNER, () => bus.emit('chat.updated', { sessionId: 'ses_new', messageId: null }));
  bus.emit('chat.updated', { sessionId: 'ses_new', messageId: null });
  assert.equal(seen, []);
  actingAs(VIEWER, () => bus.emit('chat.updated', { sessionId: 'ses_new', messageId: 'msg_3' }));
  actingAs(VIEWER, () => bus.emit('chat.updated', { sessionId: 'ses_owner', messageId: 'msg_1' }));
  assert.equal(seen, ['chat.updated {"sessionId":"ses_new","messageId":"msg_3"}']);
});

test('the owner receives every event; while locked only the open ones go out', () => {
  const owner = busFor(() => OWNER);
  emitAll(owner.bus);
  assert.is(owner.seen.length, 9);
  const locked = busFor(() => null);
  emitAll(locked.bus);
  locked.bus.emit('auth.changed', { state: 'locked', profileName: null, profileId: null, role: null, profiles: [], secretKind: null, failedAttempts: 0, retryAfterMs: 0, autoLockMinutes: 15 });
  assert.equal(locked.seen.map((line) => line.split(' ')[0]), ['auth.changed']);
});

test('the event matrix lists every event of the contract, always for the owner; an event it does not know reaches no viewer', () => {
  assert.equal(Object.keys(eventPermissions).sort(), [...eventNames].sort());
  for (const name of eventNames) {
    const roles = eventPermissions[name].roles;
    assert.ok(roles.includes('owner') && roles.every((r) => Role.options.includes(r)), name);
  }
  assert.is(mayReceive('eval.finished', { evalId: 'evl_1' }, VIEWER, () => scope, true), false);
  assert.is(mayReceive('eval.finished', { evalId: 'evl_1' }, OWNER, () => scope, true), true);
});

test('when who may see an event cannot be checked, it is held back from the viewer', () => {
  const access: AccessControl = {
    caller: () => VIEWER,
    scopeOf: () => {
      throw new Error('database is locked');
    },
    claimSession: () => {},
    runProfile: () => undefined,
  };
  const bus = new EventBus(() => false, undefined, () => access);
  const seen: string[] = [];
  bus.subscribe((name) => void seen.push(name));
  bus.emit('chat.updated', { sessionId: 'ses_mine', messageId: null });
  assert.equal(seen, []);
});

test.run();
