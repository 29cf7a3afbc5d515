/**
 * Server side of SCRAM-SHA-256 (RFC 5802 / RFC 7677) as MongoDB speaks it in
 * saslStart / saslContinue, and the built-in roles the server checks.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { CommandError } from './store';

export interface Role {
  role: string;
  db: string;
}

/** A privilege as `connectionStatus` reports it (showPrivileges: true). */
export interface Privilege {
  resource: { db: string; collection: string } | { cluster: true } | { anyResource: true };
  actions: string[];
}

export interface UserSpec {
  user: string;
  password: string;
  /** The authentication database; `admin` when omitted. */
  db?: string;
  roles: Role[];
  /**
   * Privileges of custom roles among `roles`, reported by connectionStatus as they are. They are
   * reported only: what the server allows is decided by the built-in roles.
   */
  privileges?: Privilege[];
}

const ITERATIONS = 4096; // the driver refuses fewer
const MECHANISM = 'SCRAM-SHA-256';

interface StoredUser {
  user: string;
  db: string;
  roles: Role[];
  privileges: Privilege[];
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

const hmac = (key: Buffer, data: string) => createHmac('sha256', key).update(data).digest();

export function authFailed(): CommandError {
  return new CommandError(18, 'AuthenticationFailed', 'Authentication failed.');
}

export class Users {
  readonly #users = new Map<string, StoredUser>();

  constructor(specs: UserSpec[]) {
    for (const spec of specs) {
      const salt = randomBytes(16);
      // Passwords here are ASCII test passwords, for which SASLprep is the identity.
      const salted = pbkdf2Sync(spec.password, salt, ITERATIONS, 32, 'sha256');
      const clientKey = hmac(salted, 'Client Key');
      const db = spec.db ?? 'admin';
      this.#users.set(`${db}.${spec.user}`, {
        user: spec.user,
        db,
        roles: spec.roles,
        privileges: spec.privileges ?? [],
        salt,
        storedKey: createHash('sha256').update(clientKey).digest(),
        serverKey: hmac(salted, 'Server Key'),
      });
    }
  }

  get size(): number {
    return this.#users.size;
  }

  /** `hello`'s saslSupportedMechs answer for "db.user"; none for unknown users, as the server does. */
  mechanismsFor(dbDotUser: string): string[] | undefined {
    return this.#users.has(dbDotUser) ? [MECHANISM] : undefined;
  }

  lookup(db: string, user: string): StoredUser | undefined {
    return this.#users.get(`${db}.${user}`);
  }
}

/** One SCRAM conversation; `start` answers saslStart, `finish` answers saslContinue. */
export class ScramConversation {
  readonly #users: Users;
  readonly #db: string;
  #user: StoredUser | null = null;
  #clientFirstBare = '';
  #serverFirst = '';
  #nonce = '';

  constructor(users: Users, db: string) {
    this.#users = users;
    this.#db = db;
  }

  start(mechanism: unknown, payload: Buffer): Buffer {
    if (mechanism !== MECHANISM) throw authFailed();
    const text = payload.toString('utf8');
    // gs2 header "n,," then "n=<user>,r=<client nonce>"
    const match = /^n,[^,]*,(n=([^,]*),r=([^,]+).*)$/.exec(text);
    if (!match) throw new CommandError(17, 'ProtocolError', 'Invalid SCRAM client-first message');
    const user = match[2]!.replace(/=2C/g, ',').replace(/=3D/g, '=');
    this.#user = this.#users.lookup(this.#db, user) ?? null;
    if (!this.#user) throw authFailed();
    this.#clientFirstBare = match[1]!;
    this.#nonce = match[3]! + randomBytes(18).toString('base64');
    this.#serverFirst = `r=${this.#nonce},s=${this.#user.salt.toString('base64')},i=${ITERATIONS}`;
    return Buffer.from(this.#serverFirst);
  }

  /** Verifies the client proof; returns the server signature message and the authenticated user. */
  finish(payload: Buffer): { reply: Buffer; user: StoredUser } {
    const user = this.#user;
    if (!user) throw authFailed();
    const text = payload.toString('utf8');
    const proofAt = text.lastIndexOf(',p=');
    if (proofAt < 0) throw authFailed();
    const withoutProof = text.slice(0, proofAt);
    const proof = Buffer.from(text.slice(proofAt + 3), 'base64');
    if (!withoutProof.includes(`r=${this.#nonce}`)) throw authFailed();
    const authMessage = `${this.#clientFirstBare},${this.#serverFirst},${withoutProof}`;
    const signature = hmac(user.storedKey, authMessage);
    if (proof.length !== signature.length) throw authFailed();
    const clientKey = Buffer.from(proof.map((b, i) => b ^ signature[i]!));
    const storedKey = createHash('sha256').update(clientKey).digest();
    if (!timingSafeEqual(storedKey, user.storedKey)) throw authFailed();
    const serverSignature = hmac(user.serverKey, authMessage).toString('base64');
    return { reply: Buffer.from(`v=${serverSignature}`), user };
  }
}

export type Action = 'read' | 'write' | 'admin';

const ANY_DB: Record<string, Action[]> = {
  root: ['read', 'write', 'admin'],
  readWriteAnyDatabase: ['read', 'write'],
  readAnyDatabase: ['read'],
  dbAdminAnyDatabase: ['admin'],
};
const ONE_DB: Record<string, Action[]> = {
  read: ['read'],
  readWrite: ['read', 'write'],
  dbOwner: ['read', 'write', 'admin'],
  dbAdmin: ['admin'],
};

/** Whether these roles allow `action` on `db` (the `*AnyDatabase` and root roles count only when granted on admin). */
export function allows(roles: Role[], action: Action, db: string): boolean {
  return roles.some(
    (r) => (r.db === 'admin' && ANY_DB[r.role]?.includes(action)) || (r.db === db && ONE_DB[r.role]?.includes(action)),
  );
}

/** Databases the roles reach, or `null` for all of them. */
export function reachableDatabases(roles: Role[]): Set<string> | null {
  if (roles.some((r) => r.db === 'admin' && r.role in ANY_DB)) return null;
  return new Set(roles.filter((r) => r.role in ONE_DB).map((r) => r.db));
}

const READ_ACTIONS = ['changeStream', 'collStats', 'dbHash', 'dbStats', 'find', 'killCursors', 'listCollections', 'listIndexes', 'listSearchIndexes'];
const WRITE_ACTIONS = ['convertToCapped', 'createCollection', 'createIndex', 'dropCollection', 'dropIndex', 'insert', 'remove', 'renameCollectionSameDB', 'update'];
const DB_ADMIN_ACTIONS = ['collMod', 'compact', 'dropDatabase', 'enableProfiler', 'reIndex', 'validate', 'listCollections', 'dbStats'];
const USER_ADMIN_ACTIONS = ['changeCustomData', 'changePassword', 'createRole', 'createUser', 'dropRole', 'dropUser', 'grantRole', 'revokeRole', 'viewRole', 'viewUser'];
const MONITOR_ACTIONS = ['inprog', 'listSessions', 'serverStatus', 'getParameter', 'getCmdLineOpts', 'top', 'replSetGetStatus', 'listDatabases'];
const CLUSTER_ADMIN_ACTIONS = [...MONITOR_ACTIONS, 'killop', 'killAnySession', 'shutdown', 'setParameter', 'replSetConfigure', 'dropConnections', 'fsync'];

/** Built-in roles' privileges, as MongoDB documents them (abridged to the actions that matter for risk). */
const BUILT_IN_PRIVILEGES: Record<string, (db: string) => Privilege[]> = {
  read: (db) => [{ resource: { db, collection: '' }, actions: READ_ACTIONS }],
  readWrite: (db) => [{ resource: { db, collection: '' }, actions: [...READ_ACTIONS, ...WRITE_ACTIONS] }],
  dbAdmin: (db) => [{ resource: { db, collection: '' }, actions: DB_ADMIN_ACTIONS }],
  userAdmin: (db) => [{ resource: { db, collection: '' }, actions: USER_ADMIN_ACTIONS }],
  dbOwner: (db) => [{ resource: { db, collection: '' }, actions: [...READ_ACTIONS, ...WRITE_ACTIONS, ...DB_ADMIN_ACTIONS, ...USER_ADMIN_ACTIONS] }],
  readAnyDatabase: () => [
    { resource: { db: '', collection: '' }, actions: READ_ACTIONS },
    { resource: { cluster: true }, actions: ['listDatabases'] },
  ],
  readWriteAnyDatabase: () => [
    { resource: { db: '', collection: '' }, actions: [...READ_ACTIONS, ...WRITE_ACTIONS] },
    { resource: { cluster: true }, actions: ['listDatabases'] },
  ],
  dbAdminAnyDatabase: () => [
    { resource: { db: '', collection: '' }, actions: DB_ADMIN_ACTIONS },
    { resource: { cluster: true }, actions: ['listDatabases'] },
  ],
  userAdminAnyDatabase: () => [
    { resource: { db: '', collection: '' }, actions: USER_ADMIN_ACTIONS },
    { resource: { cluster: true }, actions: ['listDatabases', 'invalidateUserCache'] },
  ],
  clusterMonitor: () => [{ resource: { cluster: true }, actions: MONITOR_ACTIONS }],
  clusterAdmin: () => [{ resource: { cluster: true }, actions: CLUSTER_ADMIN_ACTIONS }],
  hostManager: () => [{ resource: { cluster: true }, actions: ['killop', 'killAnySession', 'setParameter', 'shutdown', 'logRotate'] }],
  root: () => [{ resource: { anyResource: true }, actions: ['anyAction'] }],
  __system: () => [{ resource: { anyResource: true }, actions: ['anyAction'] }],
};

/** What connectionStatus reports in authenticatedUserPrivileges: the built-in roles' privileges, then custom ones. */
export function privilegesOf(roles: Role[], custom: Privilege[]): Privilege[] {
  return [...roles.flatMap((r) => BUILT_IN_PRIVILEGES[r.role]?.(r.db) ?? []), ...custom];
}
