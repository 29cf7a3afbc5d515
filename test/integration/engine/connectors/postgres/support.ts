import * as assert from 'uvu/assert';
import type { SqlConnection } from '../../../../../engine/contract/index';
import { SourceSettings } from '../../../../../engine/contract/index';
import type { ConnectionSpec } from '../../../../../engine/connectors/types';
import pg from 'pg';
import type { QueryResult } from '../../../../../engine/contract/index';
import { executePg, type PgExecuteOptions } from '../../../../../engine/connectors/postgres/execute';
import { PgSource } from '../../../../../engine/connectors/postgres/pools';
import { PG, pgFingerprint, type TestDatabase } from '../../../../support/databases';

/** The local server uses trust auth and ignores it; it is there to prove it never leaks. */
export const PASSWORD = 'hunter2-Pg-Secret';

export function pgSpec(
  database: string,
  overrides: { connection?: Partial<SqlConnection>; settings?: Partial<SourceSettings>; password?: string | null; sourceId?: string } = {},
): ConnectionSpec<'postgres'> {
  return {
    sourceId: overrides.sourceId ?? `pg-${database}`,
    type: 'postgres',
    connection: { host: PG.host, port: PG.port, database, user: PG.user, tls: { mode: 'prefer' }, connectTimeoutMs: 5_000, ...overrides.connection },
    password: overrides.password === undefined ? PASSWORD : overrides.password,
    settings: SourceSettings.parse({ statementTimeoutMs: 10_000, rowLimit: 1_000, allowSampleValues: false, sampleSize: 1_000, ...overrides.settings }),
    workDir: '/nonexistent',
  };
}

export const never = new AbortController().signal;

const lines = (text: string) => text.trim().split('\n').filter(Boolean);

export interface PgState {
  fingerprint: string;
  roles: string[];
  databases: string[];
}

const LOCAL_CATALOG = `
SELECT (SELECT string_agg(format('%s.%s:%s', n.nspname, c.relname, c.relkind), ',' ORDER BY n.nspname, c.relname)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog','information_schema','pg_toast')) AS relations,
       (SELECT string_agg(p.oid::regprocedure::text, ',' ORDER BY p.oid::regprocedure::text) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname NOT IN ('pg_catalog','information_schema')) AS functions,
       (SELECT string_agg(format('%s.%s=%s', schemaname, sequencename, last_value), ',' ORDER BY schemaname, sequencename) FROM pg_sequences) AS sequences,
       (SELECT string_agg(format('%s.%s:%s:%s', n.nspname, c.relname, coalesce(obj_description(c.oid, 'pg_class'), ''), c.relacl), ',' ORDER BY n.nspname, c.relname)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog','information_schema','pg_toast')) AS annotations`;

/**
 * What a write to this database would change — every table's rows, the
 * relations, functions, sequence positions, comments and grants — read
 * in-process, so it is cheap enough to take around every single statement.
 */
export class PgLocalState {
  readonly #client: pg.Client;
  constructor(db: TestDatabase) {
    this.#client = new pg.Client({ host: PG.host, port: PG.port, user: PG.user, database: db.name });
  }
  async open(): Promise<this> {
    await this.#client.connect();
    return this;
  }
  async read(): Promise<string> {
    const tables = await this.#client.query<{ t: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables WHERE schemaname NOT IN ('pg_catalog','information_schema') ORDER BY 1`,
    );
    const rows = tables.rows.length
      ? await this.#client.query<{ t: string; h: string }>(
          tables.rows.map(({ t }) => `SELECT '${t}' AS t, count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') AS h FROM ${t} x`).join(' UNION ALL ') + ' ORDER BY t',
        )
      : { rows: [] };
    const catalog = await this.#client.query(LOCAL_CATALOG);
    return JSON.stringify([rows.rows, catalog.rows]);
  }
  close(): Promise<void> {
    return this.#client.end();
  }
}

/** pgFingerprint, plus the cluster-wide lists that tell this test's changes from those of tests running in parallel. */
export function pgState(db: TestDatabase): PgState {
  return {
    fingerprint: pgFingerprint(db),
    roles: lines(db.sql('SELECT rolname FROM pg_roles')),
    databases: lines(db.sql('SELECT datname FROM pg_database')),
  };
}

/**
 * Fails unless the database's own fingerprint is unchanged and no role or
 * database that the statements name appeared in the cluster. (Roles and
 * databases are compared by name only: other test processes create and drop
 * their own all the time.)
 */
export function assertPgUnchanged(before: PgState, after: PgState, statements: string[], db: TestDatabase): void {
  assert.is(after.fingerprint, before.fingerprint, `the fingerprint of ${db.name} changed`);
  const text = statements.join('\n').toLowerCase();
  for (const name of [...after.roles.filter((r) => !before.roles.includes(r)), ...after.databases.filter((d) => !before.databases.includes(d))]) {
    assert.not.ok(text.includes(name.toLowerCase()), `"${name}" appeared after the statements ran`);
  }
}

export async function waitFor(check: () => boolean, timeoutMs: number, stepMs = 25): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (performance.now() > until) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/**
 * Layer 2 on its own: executePg on a pool of its own, with no guardrail in front (the connector's
 * execute checks every query against the catalog first).
 */
export function layer2(spec: ConnectionSpec<'postgres'>): { execute(query: string, options?: Partial<PgExecuteOptions>): Promise<QueryResult>; close(): Promise<void> } {
  const source = new PgSource(spec);
  return {
    execute: (query, options = {}) => executePg(source, query, { maxRows: 100, timeoutMs: 5_000, signal: never, ...options }),
    close: () => source.close(),
  };
}

/**
 * PolyStoreIQ backends of this database running a statement whose text contains `marker`, or reading
 * rows from a cursor (the user's query runs behind DECLARE … CURSOR, so FETCH is what is active).
 */
export function activeWith(db: TestDatabase, marker: string): number {
  return Number(
    db.sql(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'PolyStoreIQ' AND state = 'active'
              AND (query LIKE '%${marker}%' OR query LIKE 'FETCH FORWARD%')`).trim(),
  );
}
