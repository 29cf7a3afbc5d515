import type { LoginRisk, SourceSettings } from '../../contract/index';
import { EngineError } from '../../errors';
import { connectionErrorKind } from '../shared/connection-errors';
import type { ConnectionTestResult } from '../types';
import type { PgSource } from './pools';
import { inReadOnlyTransaction } from './session';
import { decodeRows } from './types';

const TEST_TIMEOUT_MS = 10_000;
/** Table privileges listed by name before "and more". */
const LISTED = 20;

/** Predefined roles that give a login more than reading its database (PostgreSQL 14+ names; missing ones are skipped). */
const PREDEFINED_ROLES = [
  'pg_read_server_files',
  'pg_write_server_files',
  'pg_execute_server_program',
  'pg_signal_backend',
  'pg_read_all_stats',
  'pg_read_all_settings',
  'pg_monitor',
  'pg_checkpoint',
  'pg_read_all_data',
] as const;

const PRIVILEGES_SQL = `
SELECT current_setting('server_version') AS version, r.rolsuper AS superuser, r.rolcreatedb AS createdb, r.rolcreaterole AS createrole,
       current_database() AS db, has_database_privilege(current_database(), 'CREATE') AS db_create,
       EXISTS (SELECT 1 FROM pg_roles w WHERE w.rolname = 'pg_write_all_data' AND pg_has_role(w.oid, 'MEMBER')) AS write_all,
       to_json(ARRAY(SELECT n.nspname FROM pg_namespace n
                      WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_' AND has_schema_privilege(n.oid, 'CREATE')
                      ORDER BY 1)) AS schemas,
       to_json(ARRAY(SELECT format('%s on %I.%I', p.priv, n.nspname, c.relname)
                       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                      CROSS JOIN unnest(ARRAY['INSERT','UPDATE','DELETE','TRUNCATE']) AS p(priv)
                      WHERE c.relkind IN ('r','p','v','f') AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
                        AND has_table_privilege(c.oid, p.priv)
                      ORDER BY n.nspname, c.relname, p.priv LIMIT ${LISTED + 1})) AS tables,
       r.rolreplication AS replication, r.rolbypassrls AS bypassrls,
       to_json(ARRAY(SELECT g.rolname FROM pg_roles g
                      WHERE g.rolname IN (${PREDEFINED_ROLES.map((role) => `'${role}'`).join(', ')}) AND pg_has_role(g.oid, 'MEMBER')
                      ORDER BY 1)) AS memberships,
       to_json(ARRAY(SELECT e.extname FROM pg_extension e ORDER BY 1)) AS extensions
  FROM pg_roles r WHERE r.rolname = current_user`;

export interface Privileges {
  version: string;
  superuser: boolean;
  createdb: boolean;
  createrole: boolean;
  db: string;
  db_create: boolean;
  write_all: boolean;
  schemas: string[];
  tables: string[];
  replication: boolean;
  bypassrls: boolean;
  memberships: string[];
  extensions: string[];
}

/** Why this login could change data or schema; empty when it can only read. */
export function writeReasons(p: Privileges): string[] {
  const reasons: string[] = [];
  if (p.superuser) reasons.push('superuser');
  if (p.write_all && !p.superuser) reasons.push('member of pg_write_all_data');
  if (p.createdb) reasons.push('CREATEDB');
  if (p.createrole) reasons.push('CREATEROLE');
  if (p.db_create) reasons.push(`CREATE on database ${p.db}`);
  for (const schema of p.schemas) reasons.push(`CREATE on schema ${schema}`);
  reasons.push(...p.tables.slice(0, LISTED));
  if (p.tables.length > LISTED) reasons.push('and more table privileges');
  return reasons;
}

/** Extensions that reach other servers or the server's files and programs, by the risk they bring. */
const EXTENSION_RISKS: Record<string, { code: LoginRisk['code']; what: string }> = {
  dblink: { code: 'REMOTE_ACCESS_EXTENSION', what: 'dblink (connects to other databases and can run any SQL there, including COPY … TO PROGRAM)' },
  postgres_fdw: { code: 'REMOTE_ACCESS_EXTENSION', what: 'postgres_fdw (reads and writes tables on other servers)' },
  adminpack: { code: 'WRITE_SERVER_FILES', what: 'adminpack (writes, renames and deletes files on the server)' },
  file_fdw: { code: 'READ_SERVER_FILES', what: 'file_fdw (reads files on the server, or the output of programs)' },
  plpython3u: { code: 'EXECUTE_SERVER_PROGRAM', what: 'plpython3u (untrusted language: functions run any code as the server)' },
  plperlu: { code: 'EXECUTE_SERVER_PROGRAM', what: 'plperlu (untrusted language: functions run any code as the server)' },
  pltclu: { code: 'EXECUTE_SERVER_PROGRAM', what: 'pltclu (untrusted language: functions run any code as the server)' },
  lo: { code: 'SERVER_ADMIN', what: 'lo (manages large objects)' },
};

/**
 * What this login could do beyond reading the source, one risk per code (layer 3 asks the owner to
 * confirm them). Superuser implies every other privilege, so it is reported once, in one sentence.
 */
export function loginRisks(p: Privileges, settings: Pick<SourceSettings, 'trustedFunctionSchemas'>): LoginRisk[] {
  const risks: LoginRisk[] = [];
  const member = (role: string) => p.memberships.includes(role);
  if (p.superuser) {
    risks.push({
      code: 'SUPERUSER',
      message: 'This login is a superuser: it can read and write any file on the server, run programs as the server, stop other sessions and change any setting. Use a read-only role (see the PostgreSQL connector README).',
    });
  } else {
    if (member('pg_read_server_files')) risks.push({ code: 'READ_SERVER_FILES', message: 'This login is a member of pg_read_server_files: it can read any file the server can.' });
    if (member('pg_write_server_files')) risks.push({ code: 'WRITE_SERVER_FILES', message: 'This login is a member of pg_write_server_files: it can write files on the server.' });
    if (member('pg_execute_server_program')) risks.push({ code: 'EXECUTE_SERVER_PROGRAM', message: 'This login is a member of pg_execute_server_program: it can run programs on the server as the database user.' });
    if (member('pg_signal_backend')) risks.push({ code: 'SIGNAL_SESSIONS', message: 'This login is a member of pg_signal_backend: it can cancel and terminate other sessions.' });
    const seeing = ['pg_read_all_stats', 'pg_read_all_settings', 'pg_monitor'].filter(member);
    if (seeing.length > 0) risks.push({ code: 'SEE_ALL_SESSIONS', message: `This login is a member of ${seeing.join(', ')}: it can see every session's queries and every setting.` });
    if (p.replication) risks.push({ code: 'REPLICATION', message: 'This login has REPLICATION: it can stream every change of the whole server and create replication slots.' });
    const admin = [p.createrole && 'CREATEROLE', p.createdb && 'CREATEDB', p.bypassrls && 'BYPASSRLS', member('pg_checkpoint') && 'pg_checkpoint'].filter(Boolean);
    if (admin.length > 0) risks.push({ code: 'SERVER_ADMIN', message: `This login has ${admin.join(', ')}: it can administer the server beyond this database.` });
  }
  const byCode = new Map<LoginRisk['code'], string[]>();
  for (const ext of p.extensions) {
    const risk = EXTENSION_RISKS[ext];
    if (risk) byCode.set(risk.code, [...(byCode.get(risk.code) ?? []), risk.what]);
  }
  for (const [code, what] of byCode) {
    if (risks.some((r) => r.code === code)) continue;
    risks.push({ code, message: `This database has the extension${what.length > 1 ? 's' : ''} ${what.join('; ')} installed.` });
  }
  if (settings.trustedFunctionSchemas.length > 0) {
    risks.push({
      code: 'UNTRUSTED_FUNCTIONS',
      message: `Functions in ${settings.trustedFunctionSchemas.join(', ')} are trusted by this source's settings: queries may call them, and PolyStoreIQ cannot see what they do.`,
    });
  }
  return risks;
}

export async function testPgConnection(source: PgSource, settings: Pick<SourceSettings, 'trustedFunctionSchemas'>, signal: AbortSignal): Promise<ConnectionTestResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const privileges = await inReadOnlyTransaction(source, { signal, timeoutMs: TEST_TIMEOUT_MS }, async (client, run) => {
      const [row] = decodeRows<Privileges>(await run(() => client.query<Record<string, string | null>>(PRIVILEGES_SQL)));
      return row;
    });
    if (!privileges) throw new Error('current_user has no pg_roles row');
    const writeDetails = writeReasons(privileges);
    return {
      ok: true,
      latencyMs: elapsed(),
      serverVersion: `PostgreSQL ${privileges.version}`,
      canWrite: writeDetails.length > 0,
      writeDetails,
      risks: loginRisks(privileges, settings),
    };
  } catch (error) {
    if (error instanceof EngineError && error.code === 'CANCELLED') throw error;
    const message = error instanceof EngineError ? error.message : 'The connection test failed unexpectedly.';
    return {
      ok: false,
      latencyMs: elapsed(),
      serverVersion: null,
      canWrite: null,
      writeDetails: [],
      risks: [],
      error: { kind: connectionErrorKind(error) ?? 'UNKNOWN', message },
    };
  }
}
