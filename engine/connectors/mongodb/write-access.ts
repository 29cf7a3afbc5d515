import type { Document } from 'mongodb';

/**
 * Whether a login could write, from `connectionStatus` (with showPrivileges).
 * Built-in roles decide when they can; custom roles are judged by the
 * privileges the server lists for them.
 */
const WRITE_ROLES = new Set([
  'readWrite',
  'dbOwner',
  'dbAdmin',
  'userAdmin',
  'root',
  'readWriteAnyDatabase',
  'dbAdminAnyDatabase',
  'userAdminAnyDatabase',
  'clusterAdmin',
  'restore',
  '__system',
]);
const READ_ONLY_ROLES = new Set(['read', 'readAnyDatabase', 'clusterMonitor', 'backup', 'hostManager', 'clusterManager', 'enableSharding']);
const WRITE_ACTIONS = new Set([
  'anyAction',
  'insert',
  'update',
  'remove',
  'createCollection',
  'dropCollection',
  'dropDatabase',
  'renameCollectionSameDB',
  'createIndex',
  'dropIndex',
  'collMod',
  'convertToCapped',
  'createUser',
  'grantRole',
]);

export interface WriteAccess {
  canWrite: boolean | null;
  details: string[];
}

function resourceName(resource: Document | undefined): string {
  if (!resource) return 'the server';
  if (resource.anyResource || resource.cluster) return 'the whole server';
  const db = resource.db ? String(resource.db) : 'any database';
  return resource.collection ? `${db}.${String(resource.collection)}` : db;
}

export function writeAccess(status: Document): WriteAccess {
  const authInfo = (status.authInfo ?? {}) as Document;
  const users = (authInfo.authenticatedUsers ?? []) as Document[];
  const roles = (authInfo.authenticatedUserRoles ?? []) as Array<{ role: string; db: string }>;
  if (users.length === 0) {
    return { canWrite: true, details: ['the server does not require a login: anyone who can connect can write'] };
  }
  const writing = roles.filter((r) => WRITE_ROLES.has(r.role)).map((r) => `role ${r.role} on ${r.db}`);
  if (writing.length > 0) return { canWrite: true, details: writing };
  const unknown = roles.filter((r) => !READ_ONLY_ROLES.has(r.role));
  if (unknown.length === 0) return { canWrite: false, details: roles.map((r) => `role ${r.role} on ${r.db} (read only)`) };
  const privileges = authInfo.authenticatedUserPrivileges as Document[] | undefined;
  if (!Array.isArray(privileges)) {
    return { canWrite: null, details: unknown.map((r) => `custom role ${r.role} on ${r.db}: its privileges were not reported`) };
  }
  const grants = privileges.flatMap((p) =>
    ((p.actions ?? []) as string[]).filter((a) => WRITE_ACTIONS.has(a)).map((a) => `${a} on ${resourceName(p.resource as Document | undefined)}`),
  );
  return grants.length > 0 ? { canWrite: true, details: [...new Set(grants)] } : { canWrite: false, details: unknown.map((r) => `custom role ${r.role} on ${r.db} grants no write actions`) };
}
