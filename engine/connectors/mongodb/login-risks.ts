import type { Document } from 'mongodb';
import type { LoginRisk, LoginRiskCode } from '../../contract/index';

/**
 * Layer 3 for MongoDB: what a login can do beyond reading the source's
 * database, from `connectionStatus` with showPrivileges (the privileges of
 * every role, built-in and custom, as the server resolves them).
 *
 * Allow-list: actions known to only read, on the source's database, and a few
 * server-monitoring actions that reveal nothing of other users, are no risk.
 * Everything else is a risk; the ones MongoDB's docs describe are named for
 * what they allow, any other action counts as server administration.
 */

/** Reading the data and catalog of a database (the `read` role). */
const READ_ACTIONS = new Set([
  'find',
  'listCollections',
  'listIndexes',
  'listSearchIndexes',
  'collStats',
  'dbStats',
  'dbHash',
  'killCursors',
  'changeStream',
  'planCacheRead',
  'indexStats',
]);
/** Server-wide actions that reveal no data and no other user's activity. */
const HARMLESS_SERVER_ACTIONS = new Set([
  'listDatabases',
  'serverStatus',
  'hostInfo',
  'connPoolStats',
  'getParameter',
  'getCmdLineOpts',
  'netstat',
  'getDefaultRWConcern',
  'replSetGetStatus',
  'replSetGetConfig',
  'listShards',
  'getShardMap',
  'top',
  'viewUser',
  'viewRole',
  'changeOwnPassword',
  'changeOwnCustomData',
]);
const WRITE_ACTIONS = new Set([
  'insert',
  'update',
  'remove',
  'createCollection',
  'dropCollection',
  'createIndex',
  'dropIndex',
  'renameCollectionSameDB',
  'convertToCapped',
  'collMod',
  'dropDatabase',
  'compact',
  'reIndex',
  'bypassDocumentValidation',
  'enableProfiler',
  'createSearchIndexes',
  'dropSearchIndex',
  'updateSearchIndex',
  'planCacheWrite',
]);
/** Who may create users or grant roles can give itself any role there. */
const USER_ADMIN_ACTIONS = new Set([
  'createUser',
  'dropUser',
  'updateUser',
  'grantRole',
  'revokeRole',
  'createRole',
  'dropRole',
  'updateRole',
  'grantPrivilegesToRole',
  'revokePrivilegesFromRole',
  'changePassword',
  'changeCustomData',
  'setAuthenticationRestriction',
]);
const SEE_SESSIONS_ACTIONS = new Set(['inprog', 'listSessions', 'getLog', 'queryStatsRead', 'queryStatsReadTransformed', 'querySettings']);
const SIGNAL_ACTIONS = new Set(['killop', 'killAnySession', 'killAnyCursor', 'dropConnections']);
const REPLICATION_ACTIONS = new Set(['replSetConfigure', 'replSetStateChange', 'replSetResizeOplog', 'appendOplogNote', 'applyOps', 'resync', 'internal']);
/** Examples listed per risk before "and more". */
const LISTED = 3;

const MESSAGES: Record<LoginRiskCode, (database: string) => string> = {
  SUPERUSER: () => 'This login can do anything on the server, including changing its own privileges',
  CAN_WRITE: () => 'This login can change data or schema',
  READ_OTHER_DATABASES: (database) => `This login can read databases other than "${database}"`,
  SEE_ALL_SESSIONS: () => 'This login can see other users\u2019 operations and queries',
  SIGNAL_SESSIONS: () => 'This login can stop other users\u2019 operations and sessions',
  REPLICATION: () => 'This login can read or change replication, which carries every database\u2019s changes',
  SERVER_ADMIN: () => 'This login can administer the server',
  READ_SERVER_FILES: () => 'This login can read files on the server',
  WRITE_SERVER_FILES: () => 'This login can write files on the server',
  EXECUTE_SERVER_PROGRAM: () => 'This login can run programs on the server',
  REMOTE_ACCESS_EXTENSION: () => 'This login can reach other servers',
  UNTRUSTED_FUNCTIONS: () => 'This login can run functions that were not reviewed',
};

interface Resource {
  /** '' for every database. */
  db: string | null;
  collection: string | null;
  cluster: boolean;
}

function resourceOf(raw: unknown): Resource {
  const r = (raw ?? {}) as Document;
  if (r.anyResource === true) return { db: '', collection: null, cluster: true };
  if (r.cluster === true) return { db: null, collection: null, cluster: true };
  return { db: typeof r.db === 'string' ? r.db : '', collection: typeof r.collection === 'string' && r.collection !== '' ? r.collection : null, cluster: false };
}

function describe(resource: Resource): string {
  if (resource.cluster) return resource.db === '' ? 'everything' : 'the server';
  const where = resource.db === '' ? 'every database' : `database ${resource.db}`;
  return resource.collection ? `collection ${resource.collection} in ${where}` : where;
}

function classify(action: string, resource: Resource, database: string): LoginRiskCode | null {
  if (action === 'anyAction') return 'SUPERUSER';
  const onSource = !resource.cluster && resource.db === database;
  if (READ_ACTIONS.has(action)) {
    if (onSource) return null;
    if (resource.db === 'local' && (action === 'find' || action === 'changeStream')) return 'REPLICATION';
    return 'READ_OTHER_DATABASES';
  }
  if (HARMLESS_SERVER_ACTIONS.has(action)) return null;
  if (WRITE_ACTIONS.has(action)) return 'CAN_WRITE';
  if (USER_ADMIN_ACTIONS.has(action)) return resource.db === 'admin' || resource.db === '' || resource.cluster ? 'SUPERUSER' : 'SERVER_ADMIN';
  if (SEE_SESSIONS_ACTIONS.has(action)) return 'SEE_ALL_SESSIONS';
  if (SIGNAL_ACTIONS.has(action)) return 'SIGNAL_SESSIONS';
  if (REPLICATION_ACTIONS.has(action)) return 'REPLICATION';
  return 'SERVER_ADMIN';
}

/** The risks of the login behind a `connectionStatus` reply (showPrivileges: true), for a source on `database`. */
export function mongoLoginRisks(status: Document, database: string): LoginRisk[] {
  const authInfo = (status.authInfo ?? {}) as Document;
  const users = (authInfo.authenticatedUsers ?? []) as Document[];
  if (users.length === 0) {
    return [{ code: 'SUPERUSER', message: 'The server does not check logins: anyone who can connect can read, change and administer every database.' }];
  }
  const privileges = authInfo.authenticatedUserPrivileges as Document[] | undefined;
  const found = new Map<LoginRiskCode, Set<string>>();
  const note = (code: LoginRiskCode, detail: string) => {
    let details = found.get(code);
    if (!details) found.set(code, (details = new Set()));
    details.add(detail);
  };
  if (!Array.isArray(privileges)) {
    const roles = (authInfo.authenticatedUserRoles ?? []) as Array<{ role?: unknown; db?: unknown }>;
    for (const r of roles) if (!(r.role === 'read' && r.db === database)) note('SERVER_ADMIN', `role ${String(r.role)} on ${String(r.db)}, whose privileges the server did not report`);
  } else {
    for (const privilege of privileges) {
      const resource = resourceOf(privilege.resource);
      for (const action of (Array.isArray(privilege.actions) ? privilege.actions : []) as unknown[]) {
        const code = classify(String(action), resource, database);
        if (code) note(code, `${String(action)} on ${describe(resource)}`);
      }
    }
  }
  return [...found].map(([code, details]) => {
    const listed = [...details].slice(0, LISTED).join('; ');
    const more = details.size > LISTED ? ' and more' : '';
    return { code, message: `${MESSAGES[code](database)} (${listed}${more}).` };
  });
}
