import pg from 'pg';
import { redactor } from '../../log/redact';
import { raceAbort, throwIfAborted } from '../shared/abort';
import type { ConnectionTarget } from '../shared/connection-errors';
import { ConnectorNet } from '../shared/budgets';
import { socketWithLookup } from '../shared/lookup';
import { TlsNegotiation } from '../shared/tls';
import type { ConnectionSpec } from '../types';
import { pgConnectError } from './errors';
import { builtinType, typeFromCatalog, type PgTypeInfo, type PgTypeRow } from './types';

/** Small on purpose: the app runs one query at a time per source, plus metadata. */
const POOL_SIZE = 4;
const IDLE_MS = 30_000;

const QUIET = new WeakSet<pg.PoolClient>();

/** Every value stays text; types.ts converts it (one place, and no lossy int8/Date parsing). */
const TEXT_TYPES = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

/**
 * One source's pool, plus what the connector learns about it: whether
 * `prefer` ended up with TLS, and the user-defined types seen in results.
 */
export class PgSource {
  readonly target: ConnectionTarget;
  readonly net: ConnectorNet;
  readonly #spec: ConnectionSpec<'postgres'>;
  readonly #tls: TlsNegotiation;
  #pool: pg.Pool | null = null;
  readonly #types = new Map<number, PgTypeInfo>();

  constructor(spec: ConnectionSpec<'postgres'>, net: ConnectorNet = new ConnectorNet()) {
    this.#spec = spec;
    this.net = net;
    const c = spec.connection;
    this.target = { host: c.host, port: c.port, database: c.database, user: c.user, connectTimeoutMs: c.connectTimeoutMs };
    redactor.register(spec.password);
    this.#tls = new TlsNegotiation(c.tls);
  }

  clientConfig(): pg.ClientConfig {
    const c = this.#spec.connection;
    const tls = this.#tls.options;
    return {
      host: c.host,
      port: c.port,
      database: c.database,
      user: c.user,
      password: this.#spec.password ?? undefined,
      ssl: tls ? { ...tls } : false,
      connectionTimeoutMillis: c.connectTimeoutMs,
      application_name: 'PolyStoreIQ',
      types: TEXT_TYPES,
      keepAlive: true,
      // Names resolve within the DNS budget (a silent DNS server is reported as such).
      stream: () => socketWithLookup(this.net.lookupFor(c.connectTimeoutMs)),
    };
  }

  /** A pooled client; with TLS `prefer`, the first connection finds out whether the server has TLS. */
  async connect(signal: AbortSignal): Promise<pg.PoolClient> {
    throwIfAborted(signal);
    await this.#tls.settle(signal, () => this.#probeTls());
    const pool = (this.#pool ??= this.#createPool());
    try {
      const client = await raceAbort(pool.connect(), signal, (late) => late.release());
      if (!QUIET.has(client)) {
        // pg-pool listens for errors only on idle clients; a checked-out one whose server goes away
        // would otherwise throw an unhandled 'error' and take the worker down.
        client.on('error', () => {});
        QUIET.add(client);
      }
      return client;
    } catch (error) {
      throw pgConnectError(error, this.target);
    }
  }

  /** One connection over TLS: "the server does not support SSL" makes the pool plain. */
  async #probeTls(): Promise<'ok' | 'no-tls'> {
    const pool = (this.#pool ??= this.#createPool());
    try {
      (await pool.connect()).release();
      return 'ok';
    } catch (error) {
      if (!isNoTls(error)) throw pgConnectError(error, this.target);
      this.#pool = null;
      void pool.end().catch(() => {});
      return 'no-tls';
    }
  }

  /** Asks the server to cancel whatever backend `pid` is running, from a separate connection, within the cancel budget. */
  async cancelBackend(pid: number): Promise<void> {
    const cancelMs = this.net.budgets.cancelMs;
    const client = new pg.Client({ ...this.clientConfig(), connectionTimeoutMillis: Math.min(this.target.connectTimeoutMs, cancelMs), query_timeout: cancelMs });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT pg_cancel_backend($1)', [pid]);
    } finally {
      await client.end().catch(() => {});
    }
  }

  /** Type info for result columns; types not built in are looked up once per pool (not at all without a client). */
  async types(client: pg.PoolClient | null, oids: number[]): Promise<PgTypeInfo[]> {
    const missing = [...new Set(oids.filter((oid) => !builtinType(oid) && !this.#types.has(oid)))];
    if (missing.length > 0 && client) {
      const { rows } = await client.query<Record<string, string>>(
        `SELECT t.oid, format_type(t.oid, NULL) AS name, t.typcategory AS category, t.typbasetype AS base, t.typelem AS elem,
                e.oid AS e_oid, format_type(e.oid, NULL) AS e_name, e.typcategory AS e_category, e.typbasetype AS e_base
           FROM pg_type t LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
          WHERE t.oid = ANY($1::oid[])`,
        [missing],
      );
      const lookup = (oid: number) => builtinType(oid) ?? this.#types.get(oid);
      for (const r of rows) {
        if (r.e_oid && !lookup(Number(r.e_oid))) {
          this.#types.set(Number(r.e_oid), typeFromCatalog(catalogRow(r.e_oid, r.e_name!, r.e_category!, r.e_base!, '0'), lookup));
        }
        this.#types.set(Number(r.oid), typeFromCatalog(catalogRow(r.oid!, r.name!, r.category!, r.base!, r.elem!), lookup));
      }
    }
    return oids.map((oid) => builtinType(oid) ?? this.#types.get(oid) ?? { name: `oid ${oid}`, type: 'unknown', convert: null });
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = null;
    await pool?.end();
  }

  #createPool(): pg.Pool {
    const pool = new pg.Pool({ ...this.clientConfig(), max: POOL_SIZE, idleTimeoutMillis: IDLE_MS });
    // An idle client whose server went away must not take the worker down.
    pool.on('error', () => {});
    return pool;
  }
}

function catalogRow(oid: string, name: string, category: string, base: string, elem: string): PgTypeRow {
  return { oid: Number(oid), name, category, baseOid: Number(base), elementOid: Number(elem) };
}

function isNoTls(error: unknown): boolean {
  return error instanceof Error && error.message === 'The server does not support SSL connections';
}

export function backendPid(client: pg.PoolClient): number {
  return (client as unknown as { processID: number }).processID;
}
