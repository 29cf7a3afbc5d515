import mysql from 'mysql2/promise';
import * as assert from 'uvu/assert';
import type { SqlConnection } from '../../../../../engine/contract/index';
import { SourceSettings } from '../../../../../engine/contract/index';
import { executeMysql, explainMysql } from '../../../../../engine/connectors/mysql/execute';
import { MysqlSource } from '../../../../../engine/connectors/mysql/pools';
import type { ConnectionSpec, Connector } from '../../../../../engine/connectors/types';
import { EngineError } from '../../../../../engine/errors';
import { MYSQL, mysqlFingerprint, type TestDatabase } from '../../../../support/databases';

/** Root has no password here; this one is given where it is ignored, to prove it never leaks. */
export const PASSWORD = 'hunter2-My-Secret';

export function mysqlSpec(
  database: string,
  overrides: { connection?: Partial<SqlConnection>; settings?: Partial<SourceSettings>; password?: string | null; sourceId?: string } = {},
): ConnectionSpec<'mysql'> {
  return {
    sourceId: overrides.sourceId ?? `my-${database}`,
    type: 'mysql',
    connection: { host: MYSQL.host, port: MYSQL.port, database, user: MYSQL.user, tls: { mode: 'prefer' }, connectTimeoutMs: 5_000, ...overrides.connection },
    password: overrides.password === undefined ? null : overrides.password,
    settings: SourceSettings.parse({ statementTimeoutMs: 10_000, rowLimit: 1_000, allowSampleValues: false, sampleSize: 1_000, ...overrides.settings }),
    workDir: '/nonexistent',
  };
}

export const never = new AbortController().signal;

/** The EngineError a call failed with; an assertion failure if it succeeded. */
export async function rejection(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, EngineError);
    return error as EngineError;
  }
  throw new assert.Assertion({ message: 'expected the call to fail', generated: false, operator: 'rejects', expects: 'rejection', actual: 'resolved' });
}


export function rawConnection(db: TestDatabase): Promise<mysql.Connection> {
  return mysql.createConnection({ host: MYSQL.host, port: MYSQL.port, user: MYSQL.user, database: db.name });
}

/**
 * What a write to this database would change — every table's checksum and
 * row count, the tables, views, routines, triggers and events, sequence
 * positions — read in-process, cheap enough to take around every statement.
 */
export class MysqlLocalState {
  readonly #db: TestDatabase;
  #conn: mysql.Connection | null = null;
  constructor(db: TestDatabase) {
    this.#db = db;
  }
  async open(): Promise<this> {
    this.#conn = await rawConnection(this.#db);
    return this;
  }
  async read(): Promise<string> {
    const conn = this.#conn!;
    const [tables] = await conn.query<mysql.RowDataPacket[]>(
      `SELECT table_name AS t, table_type AS k FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name`,
    );
    const base = tables.filter((t) => t.k === 'BASE TABLE').map((t) => `\`${String(t.t).replace(/`/g, '``')}\``);
    const [sums] = base.length ? await conn.query<mysql.RowDataPacket[]>(`CHECKSUM TABLE ${base.join(', ')} EXTENDED`) : [[]];
    const counts = [];
    for (const t of base) {
      const [[row]] = await conn.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${t}`);
      counts.push(row!.n);
    }
    const [other] = await conn.query<mysql.RowDataPacket[]>(`
      SELECT (SELECT GROUP_CONCAT(CONCAT(routine_type, ' ', routine_name) ORDER BY routine_name) FROM information_schema.routines WHERE routine_schema = DATABASE()) AS routines,
             (SELECT GROUP_CONCAT(trigger_name ORDER BY trigger_name) FROM information_schema.triggers WHERE trigger_schema = DATABASE()) AS triggers,
             (SELECT GROUP_CONCAT(event_name ORDER BY event_name) FROM information_schema.events WHERE event_schema = DATABASE()) AS events,
             (SELECT GROUP_CONCAT(CONCAT(table_name, ':', auto_increment) ORDER BY table_name) FROM information_schema.tables WHERE table_schema = DATABASE()) AS autoinc`);
    return JSON.stringify([tables, sums, counts, other]);
  }
  close(): Promise<void> {
    return this.#conn!.end();
  }
}

export interface MysqlState {
  fingerprint: string;
  users: string[];
  databases: string[];
}

const lines = (text: string) => text.trim().split('\n').filter(Boolean);

/** mysqlFingerprint, plus the server-wide lists that tell this test's changes from those of tests running in parallel. */
export function mysqlState(db: TestDatabase): MysqlState {
  return {
    fingerprint: mysqlFingerprint(db),
    users: lines(db.sql(`SELECT CONCAT(user, '@', host) FROM mysql.user ORDER BY 1`)),
    databases: lines(db.sql('SELECT schema_name FROM information_schema.schemata ORDER BY 1')),
  };
}

/**
 * Fails unless the database's own fingerprint is unchanged and no account or
 * database that the statements name appeared on the server. (Accounts and
 * databases are compared by name only: other test processes create and drop
 * their own all the time.)
 */
export function assertMysqlUnchanged(before: MysqlState, after: MysqlState, statements: string[]): void {
  assert.is(after.fingerprint, before.fingerprint, 'the database fingerprint changed');
  const text = statements.join('\n').toLowerCase();
  const added = [...after.users.filter((u) => !before.users.includes(u)), ...after.databases.filter((d) => !before.databases.includes(d))];
  for (const name of added) assert.not.ok(text.includes(name.split('@')[0]!.toLowerCase()), `"${name}" appeared after the statements ran`);
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 25): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (performance.now() > until) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/**
 * Layer 2 alone: execute and explain as the connector runs them, minus its own re-check of layer 1, so a test can
 * show that the read-only session, the statement gate and the limits hold by themselves (the connector refuses
 * these queries before they run).
 */
export function layerTwo(): Pick<Connector, 'execute' | 'explain' | 'close'> {
  const sources = new Map<string, MysqlSource>();
  const sourceFor = (spec: ConnectionSpec) => {
    const mysqlSpec = spec as ConnectionSpec<'mysql'>;
    const key = JSON.stringify([mysqlSpec.connection, mysqlSpec.password, mysqlSpec.settings]);
    let source = sources.get(key);
    if (!source) sources.set(key, (source = new MysqlSource(mysqlSpec)));
    return source;
  };
  return {
    execute: (spec, query, options) => executeMysql(sourceFor(spec), query, { ...options, maxBytes: options.maxBytes ?? spec.settings.maxResultBytes }),
    explain: (spec, query, signal) => explainMysql(sourceFor(spec), query, { signal, rowLimit: spec.settings.rowLimit }),
    close: async () => {
      await Promise.all([...sources.values()].map((s) => s.close()));
      sources.clear();
    },
  };
}
