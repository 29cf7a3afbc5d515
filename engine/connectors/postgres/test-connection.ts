import { EngineError } from '../../errors';
import { connectionErrorKind } from '../shared/connection-errors';
import type { ConnectionTestResult } from '../types';
import type { PgSource } from './pools';
import { inReadOnlyTransaction } from './session';
import { decodeRows } from './types';

const TEST_TIMEOUT_MS = 10_000;
/** Table privileges listed by name before "and more". */
const LISTED = 20;

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
                      ORDER BY n.nspname, c.relname, p.priv LIMIT ${LISTED + 1})) AS tables
  FROM pg_roles r WHERE r.rolname = current_user`;

interface Privileges {
  version: string;
  superuser: boolean;
  createdb: boolean;
  createrole: boolean;
  db: string;
  db_create: boolean;
  write_all: boolean;
  schemas: string[];
  tables: string[];
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

export async function testPgConnection(source: PgSource, signal: AbortSignal): Promise<ConnectionTestResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const privileges = await inReadOnlyTransaction(source, { signal, timeoutMs: TEST_TIMEOUT_MS }, async (client, run) => {
      const [row] = decodeRows<Privileges>(await run(() => client.query<Record<string, string | null>>(PRIVILEGES_SQL)));
      return row;
    });
    if (!privileges) throw new Error('current_user has no pg_roles row');
    const writeDetails = writeReasons(privileges);
    return { ok: true, latencyMs: elapsed(), serverVersion: `PostgreSQL ${privileges.version}`, canWrite: writeDetails.length > 0, writeDetails, risks: [] };
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
