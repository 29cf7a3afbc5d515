import type mysql from 'mysql2/promise';
import type { LoginRisk, LoginRiskCode } from '../../contract/index';
import { EngineError } from '../../errors';
import { connectionErrorKind } from '../shared/connection-errors';
import type { ConnectionSpec, ConnectionTestResult } from '../types';
import type { MysqlSource } from './pools';
import { inReadOnlyTransaction, type Session } from './session';

const TEST_TIMEOUT_MS = 10_000;
/** Roles granted to roles are followed this deep, and at most this many are read. */
const ROLE_DEPTH = 3;
const MAX_ROLES = 20;

/** Privileges that let a login change data, schema, users or server files. */
const WRITE_PRIVILEGES = new Set([
  'ALL',
  'ALL PRIVILEGES',
  'INSERT',
  'UPDATE',
  'DELETE',
  'DELETE HISTORY',
  'CREATE',
  'DROP',
  'ALTER',
  'INDEX',
  'CREATE VIEW',
  'CREATE ROUTINE',
  'ALTER ROUTINE',
  'EVENT',
  'TRIGGER',
  'FILE',
  'SUPER',
  'CREATE USER',
  'CREATE TABLESPACE',
]);

/**
 * What a global privilege (ON *.*) lets a login do beyond reading, by risk.
 * MySQL 8's dynamic privileges and MariaDB 10.5's split of SUPER are named
 * one by one; any other privilege ending in ADMIN is SERVER_ADMIN.
 */
const GLOBAL_RISKS: Array<[LoginRiskCode, string[], string]> = [
  ['SUPERUSER', ['ALL', 'ALL PRIVILEGES', 'SUPER'], 'This login has every privilege on the server (ALL PRIVILEGES or SUPER).'],
  ['READ_SERVER_FILES', ['FILE'], 'This login can read files on the database server (FILE privilege: LOAD_FILE, LOAD DATA).'],
  ['WRITE_SERVER_FILES', ['FILE'], 'This login can write files on the database server (FILE privilege: SELECT … INTO OUTFILE).'],
  ['SEE_ALL_SESSIONS', ['PROCESS'], "This login can see every session's SQL (PROCESS privilege)."],
  ['SIGNAL_SESSIONS', ['SUPER', 'CONNECTION ADMIN', 'CONNECTION_ADMIN'], "This login can end other sessions, other applications' included (KILL)."],
  [
    'REPLICATION',
    ['REPLICATION SLAVE', 'REPLICATION CLIENT', 'REPLICATION SLAVE ADMIN', 'REPLICATION MASTER ADMIN', 'REPLICA MONITOR', 'SLAVE MONITOR', 'BINLOG MONITOR', 'BINLOG ADMIN', 'BINLOG REPLAY', 'REPLICATION_SLAVE_ADMIN', 'REPLICATION_APPLIER', 'BINLOG_ADMIN'],
    'This login has replication privileges (it can read the binary log, which holds changes to every database).',
  ],
  [
    'SERVER_ADMIN',
    ['SHUTDOWN', 'RELOAD', 'CREATE USER', 'GRANT OPTION', 'CREATE TABLESPACE', 'PROXY', 'SET USER', 'SYSTEM_USER', 'SYSTEM_VARIABLES_ADMIN'],
    'This login can administer the server (shut it down, manage accounts or grants, change global settings).',
  ],
];

/** Privileges that read data; on another database (or *.*) they reach beyond the source. */
const READ_PRIVILEGES = new Set(['ALL', 'ALL PRIVILEGES', 'SELECT', 'SHOW VIEW', 'EXECUTE']);

export interface Grant {
  privileges: string[];
  /** As written in SHOW GRANTS (`*.*`, `db`.*, `db`.`t`): for messages. */
  target: string;
  /** The database the grant is on, unquoted; null for *.* (every database). */
  database: string | null;
  /** The database name holds an unescaped _ or % wildcard, so it may match other databases. */
  pattern: boolean;
  withGrantOption: boolean;
}

/** Reads one quoted (`…` or '…') or bare part of a name at `i`; returns [text, end]. */
function namePart(line: string, i: number): [string, number] {
  const q = line[i];
  if (q === '`' || q === "'" || q === '"') {
    let out = '';
    let j = i + 1;
    while (j < line.length) {
      if (line[j] === q && line[j + 1] === q) {
        out += q;
        j += 2;
      } else if (line[j] === q) return [out, j + 1];
      else out += line[j++];
    }
    return [out, j];
  }
  let j = i;
  while (j < line.length && !/[\s.]/.test(line[j]!)) j++;
  return [line.slice(i, j), j];
}

/**
 * One SHOW GRANTS line (`GRANT <privileges> ON [TABLE|FUNCTION|PROCEDURE|PACKAGE [BODY]] <target> TO …`),
 * or null for lines of other shapes (role grants, SET DEFAULT ROLE). Quotes in names are honoured, so a
 * database called `a TO b` or `x.y` is read whole. Nothing after TO is kept: it may hold a password hash.
 */
export function parseGrant(line: string): Grant | null {
  const head = /^GRANT\s+/i.exec(line);
  if (!head) return null;
  let i = head[0].length;
  let depth = 0;
  let privileges = '';
  for (;;) {
    if (i >= line.length) return null;
    const c = line[i]!;
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (depth === 0 && /\s/.test(c) && /^\s+ON\s/i.test(line.slice(i))) break;
    privileges += c;
    i++;
  }
  i += /^\s+ON\s+/i.exec(line.slice(i))![0].length;
  const kind = /^(TABLE|FUNCTION|PROCEDURE|PACKAGE BODY|PACKAGE)\s+/i.exec(line.slice(i));
  if (kind) i += kind[0].length;
  const start = i;
  const parts: string[] = [];
  let quotedFirst = false;
  for (;;) {
    if (parts.length === 0) quotedFirst = line[i] === '`' || line[i] === "'" || line[i] === '"';
    const [part, end] = namePart(line, i);
    parts.push(part);
    i = end;
    if (line[i] !== '.') break;
    i++;
  }
  const target = line.slice(start, i);
  if (!/^\s+TO\s/i.test(line.slice(i))) return null;
  const rawDb = parts.length > 1 ? parts[0]! : null;
  const everyDatabase = rawDb === '*' && !quotedFirst;
  const database = everyDatabase || rawDb === null ? null : rawDb.replace(/\\([_%\\])/g, '$1');
  return {
    privileges: splitPrivileges(privileges).map((p) => p.replace(/\s*\(.*\)$/s, '').trim().toUpperCase()),
    target,
    database,
    pattern: rawDb !== null && !everyDatabase && /(^|[^\\])[_%]/.test(rawDb),
    withGrantOption: /\sWITH\s+GRANT\s+OPTION\s*$/i.test(line),
  };
}

/** Splits "SELECT, INSERT (a, b), UPDATE" at top-level commas. */
function splitPrivileges(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of list) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += c;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/** Roles named by `GRANT role1, role2 TO user` lines (no ON clause). */
export function grantedRoles(lines: string[]): string[] {
  const roles: string[] = [];
  for (const line of lines) {
    if (!/^GRANT\s/i.test(line) || parseGrant(line) !== null || /\sON\s/i.test(line.replace(/`[^`]*`|'[^']*'/g, ''))) continue;
    const list = /^GRANT\s+(.+?)\s+TO\s/i.exec(line)?.[1] ?? '';
    for (const role of splitPrivileges(list)) roles.push(namePart(role, 0)[0]);
  }
  return roles;
}

/**
 * Why these SHOW GRANTS lines let the login write, as "PRIVILEGE on target".
 * Only the privilege and the target are kept: a grant line can carry a
 * password hash (IDENTIFIED BY PASSWORD …), which must never be repeated.
 */
export function writeGrants(lines: string[]): string[] {
  const reasons: string[] = [];
  for (const grant of lines.map(parseGrant)) {
    for (const privilege of grant?.privileges ?? []) if (WRITE_PRIVILEGES.has(privilege)) reasons.push(`${privilege} on ${grant!.target}`);
  }
  return reasons;
}

/**
 * Whether a grant's database is the source's alone. `GRANT … ON my_db.*` is
 * very common and, strictly, a pattern (_ matches any character); read
 * literally it names the source, so it counts as the source's. A grant with
 * % or that names another database does not.
 */
function namesOnly(grant: Grant, database: string): boolean {
  if (grant.database === null || grant.database.includes('%')) return false;
  return grant.database === database;
}

/** What the login can do beyond reading the source's database, one risk per code. */
export function loginRisks(lines: string[], source: { database: string; trustedFunctionSchemas: readonly string[] }, udfs: string[] = []): LoginRisk[] {
  const risks = new Map<LoginRiskCode, string>();
  const add = (code: LoginRiskCode, message: string) => {
    if (!risks.has(code)) risks.set(code, message);
  };
  const others = new Set<string>();
  for (const grant of lines.map(parseGrant)) {
    if (!grant) continue;
    const global = grant.database === null;
    if (grant.withGrantOption) add('SERVER_ADMIN', GLOBAL_RISKS.find(([code]) => code === 'SERVER_ADMIN')![2]);
    for (const privilege of grant.privileges) {
      if (global) {
        // ALL PRIVILEGES on *.* holds every one of them.
        const all = privilege === 'ALL' || privilege === 'ALL PRIVILEGES';
        for (const [code, privileges, message] of GLOBAL_RISKS) if (all || privileges.includes(privilege)) add(code, message);
        if (/[ _]ADMIN$/.test(privilege)) add('SERVER_ADMIN', GLOBAL_RISKS.find(([code]) => code === 'SERVER_ADMIN')![2]);
      }
      if (WRITE_PRIVILEGES.has(privilege)) add('CAN_WRITE', `This login can change data or schema (${privilege} on ${grant.target}).`);
      if (READ_PRIVILEGES.has(privilege) && (global || !namesOnly(grant, source.database))) others.add(grant.target);
    }
  }
  if (others.size > 0) {
    const listed = [...others].slice(0, 3).join(', ');
    add('READ_OTHER_DATABASES', `This login can read databases other than ${source.database} (${listed}${others.size > 3 ? ' and more' : ''}).`);
  }
  if (udfs.some((name) => /^(sys_exec|sys_eval|lib_mysqludf_sys_info)$/i.test(name))) {
    add('EXECUTE_SERVER_PROGRAM', 'The server has functions that run operating-system commands installed (lib_mysqludf_sys).');
  }
  if (source.trustedFunctionSchemas.length > 0) {
    add('UNTRUSTED_FUNCTIONS', `Queries may call stored functions of ${source.trustedFunctionSchemas.join(', ')}; they run whatever their author wrote.`);
  }
  return [...risks].map(([code, message]) => ({ code, message }));
}

async function showGrants(conn: mysql.PoolConnection, session: Session, sql: string): Promise<string[]> {
  const [rows] = await session.run(() => conn.query<mysql.RowDataPacket[]>({ sql, rowsAsArray: true }));
  return rows.map((r) => String(r[0]));
}

/** A statement that may be refused (privileges): a refusal gives `fallback`, a cancel still cancels. */
async function optional<T>(session: Session, fallback: T, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof EngineError && error.code === 'CANCELLED') throw error;
    // The connection saw an error: it is not reused, whatever the error was.
    session.discard();
    return fallback;
  }
}

const quoteName = (name: string) => `\`${name.replace(/`/g, '``')}\``;

/**
 * The login's grants, with those of its roles: MariaDB lists the active
 * role's grants in SHOW GRANTS and shows a granted role's own with SHOW
 * GRANTS FOR role; MySQL 8 needs SHOW GRANTS … USING role.
 */
async function allGrants(conn: mysql.PoolConnection, session: Session): Promise<string[]> {
  const lines = await showGrants(conn, session, 'SHOW GRANTS');
  const seen = new Set<string>();
  let roles = grantedRoles(lines);
  for (let depth = 0; depth < ROLE_DEPTH && roles.length > 0 && seen.size < MAX_ROLES; depth++) {
    const fresh = roles.filter((r) => !seen.has(r)).slice(0, MAX_ROLES - seen.size);
    fresh.forEach((r) => seen.add(r));
    // A role whose grants cannot be read leaves its privileges unknown; what was read still counts.
    const more = await optional(session, [] as string[], async () => {
      if (!session.flavour.mariadb) return showGrants(conn, session, `SHOW GRANTS FOR CURRENT_USER() USING ${fresh.map(quoteName).join(', ')}`);
      const found: string[] = [];
      for (const role of fresh) found.push(...(await showGrants(conn, session, `SHOW GRANTS FOR ${quoteName(role)}`)));
      return found;
    });
    lines.push(...more);
    roles = grantedRoles(more);
  }
  return lines;
}

/** Loadable functions installed on the server, where the login may read mysql.func (empty otherwise). */
function loadableFunctions(conn: mysql.PoolConnection, session: Session): Promise<string[]> {
  return optional(session, [] as string[], async () => {
    const [rows] = await session.run(() => conn.query<mysql.RowDataPacket[]>({ sql: 'SELECT name FROM mysql.func', rowsAsArray: true }));
    return rows.map((r) => String(r[0]));
  });
}

export async function testMysqlConnection(source: MysqlSource, spec: ConnectionSpec<'mysql'>, signal: AbortSignal): Promise<ConnectionTestResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const { flavour, grants, udfs } = await inReadOnlyTransaction(source, { signal, timeoutMs: TEST_TIMEOUT_MS, selectLimit: null }, async (conn, session) => {
      const grants = await allGrants(conn, session);
      return { flavour: session.flavour, grants, udfs: await loadableFunctions(conn, session) };
    });
    const writeDetails = writeGrants(grants);
    return {
      ok: true,
      latencyMs: elapsed(),
      serverVersion: flavour.mariadb ? flavour.version : `MySQL ${flavour.version}`,
      canWrite: writeDetails.length > 0,
      writeDetails,
      risks: loginRisks(grants, { database: spec.connection.database, trustedFunctionSchemas: spec.settings.trustedFunctionSchemas }, udfs),
    };
  } catch (error) {
    if (error instanceof EngineError && error.code === 'CANCELLED') throw error;
    const message = error instanceof EngineError ? error.message : 'The connection test failed unexpectedly.';
    return { ok: false, latencyMs: elapsed(), serverVersion: null, canWrite: null, writeDetails: [], risks: [], error: { kind: connectionErrorKind(error) ?? 'UNKNOWN', message } };
  }
}
