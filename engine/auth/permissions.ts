import type { ChannelName, ChannelOutput, ChannelParsedInput, Role } from '../contract/index';

/** What a viewer can reach, read afresh on every call (engine/auth/profile-directory.ts answers it from SQLite). */
export interface ViewerScope {
  sourceShared(sourceId: string): boolean;
  /** The viewer started this conversation, and its source is still shared with it. */
  ownsSession(sessionId: string): boolean;
  ownsMessage(messageId: string): boolean;
  resultShared(resultId: string): boolean;
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
 * query.prepare), so running or denying one by token needs no further check.
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
  'query.cancel': ANYONE,

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
  'chat.cancel': ANYONE,
  'chat.ledger': shared((i, scope) => scope.ownsMessage(i.messageId)),
  'chat.listResults': { roles: ['owner', 'viewer'], narrow: (list, scope) => list.filter((r) => scope.ownsSession(r.sessionId)) },
  'chat.result': shared((i, scope) => scope.resultShared(i.resultId)),

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
}

/** A channel's permission without its channel's types, for the router, which handles every channel alike. */
export interface AnyPermission {
  readonly roles: readonly Role[];
  readonly confine?: (input: unknown, scope: ViewerScope) => boolean;
  readonly narrow?: (output: unknown, scope: ViewerScope) => unknown;
  readonly claims?: (output: unknown) => string;
}

export function permissionOf(channel: ChannelName): AnyPermission {
  return permissions[channel] as unknown as AnyPermission;
}
