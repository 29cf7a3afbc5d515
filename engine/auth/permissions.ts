import type { ChannelName, ChannelOutput, ChannelParsedInput, EventName, EventPayload, Role } from '../contract/index';

/** What a viewer can reach, read afresh on every call (engine/auth/profile-directory.ts answers it from SQLite). */
export interface ViewerScope {
  sourceShared(sourceId: string): boolean;
  /** The viewer started this conversation, and its source is still shared with it. */
  ownsSession(sessionId: string): boolean;
  ownsMessage(messageId: string): boolean;
  /** The result was stored by the viewer's own run or in its own conversation, and its source is still shared. */
  ownsResult(resultId: string): boolean;
  /** Nobody holds this conversation yet and its source is shared: the viewer's call that is creating it may follow it. */
  sessionUnclaimed(sessionId: string): boolean;
}

/**
 * Who may call a channel. `roles` is the allow-list; for a viewer, `confine`
 * decides whether this call stays inside what the owner shared (checked
 * before the handler runs), and `narrow` drops from a list what the viewer
 * may not see. `claims` names the conversation a call started or used, which
 * becomes the calling profile's if nobody holds it yet.
 */
export interface Permission<C extends ChannelName> {
  readonly roles: readonly Role[];
  readonly confine?: (input: ChannelParsedInput<C>, scope: ViewerScope) => boolean;
  readonly narrow?: (output: ChannelOutput<C>, scope: ViewerScope) => ChannelOutput<C>;
  readonly claims?: (output: ChannelOutput<C>) => string;
  /** The run a call acts on: only the profile whose approval started it may (engine/auth/permissions.ts `mayUse`). */
  readonly actsOnRun?: (input: ChannelParsedInput<C>) => string;
}

const OWNER: Permission<never> = { roles: ['owner'] };
const ANYONE: Permission<never> = { roles: ['owner', 'viewer'] };

/** Open to viewers, confined to what was shared with them. */
function shared<C extends ChannelName>(confine: NonNullable<Permission<C>['confine']>, more: Omit<Permission<C>, 'roles' | 'confine'> = {}): Permission<C> {
  return { roles: ['owner', 'viewer'], confine, ...more };
}

const bySource = (scope: ViewerScope, sourceId: string | undefined) => sourceId !== undefined && scope.sourceShared(sourceId);
const bySession = (scope: ViewerScope, sessionId: string) => scope.ownsSession(sessionId);

/**
 * THE permission matrix: every channel of the contract, and the roles allowed
 * to call it (an allow-list: a channel added to the contract without an entry
 * here fails to compile, and test/unit/engine/auth/permissions.test.ts walks
 * every channel for every role). The router enforces it and answers FORBIDDEN.
 *
 * Viewers ask, approve and run read-only queries on the sources the owner
 * shared with them, see results, export, and see their own conversations.
 * Only the owner adds, edits, removes or shares sources, configures providers
 * and keys, changes limits and settings, reads or checks the audit log, runs
 * evaluations and reads diagnostics, and manages profiles. A query token is
 * only ever issued by a confined channel (chat.ask, chat.editQuery,
 * query.prepare) and is bound to the profile it was issued to: the approval
 * service refuses anyone else's use or denial (FORBIDDEN), and cancelling a
 * run is checked here against the profile whose approval started it.
 */
export const permissions: { readonly [C in ChannelName]: Permission<C> } = {
  'app.info': ANYONE,
  'app.health': ANYONE,
  'app.selfTest': ANYONE,

  // `open` channels (the lock screen) are answered before anyone is unlocked; they are listed for completeness.
  'auth.status': ANYONE,
  'auth.setup': ANYONE,
  'auth.unlock': ANYONE,
  'auth.lock': ANYONE,
  'auth.keepAlive': ANYONE,
  'auth.changeSecret': ANYONE,
  'auth.listProfiles': OWNER,
  'auth.addViewer': OWNER,
  'auth.renameProfile': OWNER,
  'auth.removeProfile': OWNER,
  'auth.shareSource': OWNER,

  'settings.get': ANYONE,
  'settings.update': OWNER,

  'sources.list': { roles: ['owner', 'viewer'], narrow: (list, scope) => list.filter((s) => scope.sourceShared(s.id)) },
  'sources.get': shared((i, scope) => bySource(scope, i.id)),
  'sources.types': ANYONE,
  'sources.examples': shared((i, scope) => bySource(scope, i.id)),
  'sources.files': shared((i, scope) => bySource(scope, i.id)),
  'sources.create': OWNER,
  'sources.update': OWNER,
  'sources.disable': OWNER,
  'sources.enable': OWNER,
  'sources.confirmRisks': OWNER,
  'sources.addSample': OWNER,
  'sources.remove': OWNER,
  'sources.test': OWNER,
  'sources.testDraft': OWNER,

  'metadata.get': shared((i, scope) => bySource(scope, i.sourceId)),
  'query.check': shared((i, scope) => bySource(scope, i.sourceId)),
  'query.prepare': shared((i, scope) => bySource(scope, i.sourceId) && (i.sessionId === undefined || bySession(scope, i.sessionId))),
  'query.run': ANYONE,
  'query.deny': ANYONE,
  'query.cancel': { roles: ['owner', 'viewer'], actsOnRun: (i) => i.runId },

  'chat.listSessions': { roles: ['owner', 'viewer'], narrow: (list, scope) => list.filter((s) => scope.ownsSession(s.id)) },
  'chat.createSession': shared((i, scope) => bySource(scope, i.sourceId), { claims: (session) => session.id }),
  'chat.getSession': shared((i, scope) => bySession(scope, i.sessionId)),
  'chat.renameSession': shared((i, scope) => bySession(scope, i.sessionId)),
  'chat.archiveSession': shared((i, scope) => bySession(scope, i.sessionId)),
  // A viewer names its source or its conversation: no falling back to whatever source was used last.
  'chat.ask': shared(
    (i, scope) => (i.sourceId !== undefined || i.sessionId !== undefined) && (i.sourceId === undefined || bySource(scope, i.sourceId)) && (i.sessionId === undefined || bySession(scope, i.sessionId)),
    { claims: (asked) => asked.sessionId },
  ),
  'chat.editQuery': shared((i, scope) => bySession(scope, i.sessionId)),
  'chat.approve': shared((i, scope) => bySession(scope, i.sessionId)),
  'chat.deny': shared((i, scope) => bySession(scope, i.sessionId)),
  'chat.cancel': { roles: ['owner', 'viewer'], actsOnRun: (i) => i.runId },
  'chat.ledger': shared((i, scope) => scope.ownsMessage(i.messageId)),
  'chat.listResults': { roles: ['owner', 'viewer'], narrow: (list, scope) => list.filter((r) => scope.ownsSession(r.sessionId)) },
  // Its own history only: a result id of the owner's run on a shared source is not enough.
  'chat.result': shared((i, scope) => scope.ownsResult(i.resultId)),

  'telemetry.record': ANYONE,
  'telemetry.stages': OWNER,
  'telemetry.trace': OWNER,
  'telemetry.slowRuns': OWNER,
  'telemetry.slas': OWNER,

  'providers.get': ANYONE,
  'providers.presets': ANYONE,
  'providers.set': OWNER,
  'providers.clear': OWNER,
  'providers.test': OWNER,

  'host.pickFiles': OWNER,
  'host.saveFile': ANYONE,

  'audit.list': OWNER,
  'audit.verify': OWNER,

  'eval.run': OWNER,
  'eval.cancel': OWNER,

  'verified.list': shared((i, scope) => bySource(scope, i.sourceId)),
  'verified.export': shared((i, scope) => bySource(scope, i.sourceId)),
  'verified.add': OWNER,
  'verified.edit': OWNER,
  'verified.remove': OWNER,
  'verified.import': OWNER,
};

export function isAllowed(channel: ChannelName, role: Role): boolean {
  return permissions[channel].roles.includes(role);
}

/** Who is unlocked, as the router needs to know it. */
export interface Caller {
  profileId: string;
  role: Role;
}

/** What the router needs from the profiles to enforce the matrix (the engine wires ProfileLock and ProfileDirectory in). */
export interface AccessControl {
  /** The unlocked profile; null while locked. */
  caller(): Caller | null;
  scopeOf(profileId: string): ViewerScope;
  claimSession(sessionId: string, profileId: string): void;
  /** The profile whose approval started this run: undefined for an unknown run, null for one from before approvals named it. */
  runProfile(runId: string): string | null | undefined;
}

/** A channel's permission without its channel's types, for the router, which handles every channel alike. */
export interface AnyPermission {
  readonly roles: readonly Role[];
  readonly confine?: (input: unknown, scope: ViewerScope) => boolean;
  readonly narrow?: (output: unknown, scope: ViewerScope) => unknown;
  readonly claims?: (output: unknown) => string;
  readonly actsOnRun?: (input: unknown) => string;
}

export function permissionOf(channel: ChannelName): AnyPermission {
  return permissions[channel] as unknown as AnyPermission;
}

/**
 * Whether a caller may use what was bound to a profile (an approval, the run
 * it started): only that profile; what was issued before approvals named a
 * profile is the owner's, as everything was then.
 */
export function mayUse(caller: Caller, boundTo: string | null): boolean {
  return boundTo === null ? caller.role === 'owner' : boundTo === caller.profileId;
}

/** Who may receive an event, as for a channel: `confine` keeps a viewer to what was shared with it. */
export interface EventPermission<E extends EventName> {
  readonly roles: readonly Role[];
  readonly confine?: (payload: EventPayload<E>, scope: ViewerScope, ownCall: boolean) => boolean;
}

const TO_ANYONE: EventPermission<never> = { roles: ['owner', 'viewer'] };
const TO_OWNER: EventPermission<never> = { roles: ['owner'] };

/** A conversation's event: the viewer's own conversation, or one its own call is creating right now. */
const sessionEvent = (e: { sessionId: string }, scope: ViewerScope, ownCall: boolean) => bySession(scope, e.sessionId) || (ownCall && scope.sessionUnclaimed(e.sessionId));

/**
 * THE event matrix: every event of the contract and who may receive it
 * (an event added without an entry fails to compile). The unlocked profile
 * decides, when the event is emitted: work the owner started goes on after a
 * lock, and a viewer unlocked meanwhile must not see it (an evaluation's
 * questions and SQL, the owner's conversations). An event name not listed
 * here reaches no viewer.
 */
export const eventPermissions: { readonly [E in EventName]: EventPermission<E> } = {
  // The lock screen's own events: they reach every window, locked or not.
  'app.health': TO_ANYONE,
  'auth.changed': TO_ANYONE,
  // A menu command for the window in front; it carries no data.
  'app.command': TO_ANYONE,
  'sources.changed': { roles: ['owner', 'viewer'], confine: (e, scope) => bySource(scope, e.sourceId) },
  'chat.updated': { roles: ['owner', 'viewer'], confine: sessionEvent },
  'chat.running': { roles: ['owner', 'viewer'], confine: sessionEvent },
  'eval.progress': TO_OWNER,
};

/**
 * Whether the profile unlocked now may receive this event. `ownCall`: the
 * event is emitted inside a call that profile made. Nobody unlocked: only
 * what the bus lets through while locked (`open` events) reaches it.
 */
export function mayReceive(name: string, payload: unknown, caller: Caller | null, scope: () => ViewerScope, ownCall: boolean): boolean {
  if (!caller || caller.role === 'owner') return true;
  if (!Object.hasOwn(eventPermissions, name)) return false;
  const permission = eventPermissions[name as EventName] as unknown as { roles: readonly Role[]; confine?: (payload: unknown, scope: ViewerScope, ownCall: boolean) => boolean };
  if (!permission.roles.includes(caller.role)) return false;
  return !permission.confine || permission.confine(payload, scope(), ownCall);
}
