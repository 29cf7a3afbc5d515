import type { Verdict } from '../../contract/index';
import { ConnectorError, ValidationError } from '../../errors';
import { redactor } from '../../log/redact';
import { ConnectorNet, type ConnectorOptions } from '../shared/budgets';
import { PoolCache } from '../shared/pool-cache';
import { retryingCall } from '../shared/retry';
import type { ConnectionSpec, Connector } from '../types';
import { pgPolicy, type PgPolicy } from './allow-list';
import { CATALOG_TTL_MS, PgCatalogCache, readPgCatalog } from './catalog';
import { CatalogStore } from './catalog-store';
import { executePg, explainPg } from './execute';
import { checkPostgresQuery, structuralRefusal } from './guardrail';
import { fetchPgMetadata } from './metadata';
import { PgSource } from './pools';
import { pgStatementKind } from './statement';
import { testPgConnection } from './test-connection';

function asPostgres(spec: ConnectionSpec): ConnectionSpec<'postgres'> {
  if (spec.type !== 'postgres') throw new ValidationError(`A ${spec.type} source was given to the PostgreSQL connector.`);
  return spec as ConnectionSpec<'postgres'>;
}

/**
 * Layer 1 with the source's catalog: a query that names something the cached catalog does not know
 * is checked once more against a fresh read (it may have been created since), at most every few seconds.
 */
export async function checkWithCatalog(cache: PgCatalogCache, spec: ConnectionSpec<'postgres'>, query: string, signal: AbortSignal): Promise<{ verdict: Verdict; policy: PgPolicy | null }> {
  // What is refused whatever the catalog says needs no server.
  const structural = await structuralRefusal(query);
  if (structural) return { verdict: redacted(structural), policy: null };
  let policy = pgPolicy(await cache.get(signal), spec.settings.trustedFunctionSchemas);
  let result = await checkPostgresQuery(query, policy);
  if (result.unknownNames) {
    const fresh = await cache.refresh(signal);
    if (fresh) {
      policy = pgPolicy(fresh, spec.settings.trustedFunctionSchemas);
      result = await checkPostgresQuery(query, policy);
    }
  }
  return { verdict: redacted(result.verdict), policy };
}

/** Reasons quote names from the query; a name that happens to be the source's password is masked like any error text. */
function redacted(verdict: Verdict): Verdict {
  return { ...verdict, reasons: verdict.reasons.map((r) => ({ ...r, message: redactor.redact(r.message) })) };
}

/** What execute and explain throw for a query layer 1 refuses, should a caller skip validation. */
function refusedError(verdict: Verdict): ConnectorError {
  const first = verdict.reasons[0];
  return new ConnectorError(`The query was refused before it ran: ${first?.message ?? 'it did not pass the safety check.'}`, {
    kind: 'GUARDRAIL_REFUSED',
    reasons: verdict.reasons,
  });
}

/** The source's stored catalog (catalog-store.ts), kept in its own folder of the profile. */
function catalogStore(spec: ConnectionSpec<'postgres'>): CatalogStore {
  const { host, port, database, user } = spec.connection;
  return new CatalogStore(spec.workDir, { sourceId: spec.sourceId, host, port, database, user }, { maxAgeMs: CATALOG_TTL_MS });
}

/**
 * The read-only PostgreSQL connector. One pool and one catalog cache per
 * source and set of connection details (see PoolCache); `close()` ends them all.
 *
 * Execute and explain check the query against the catalog again (cached, so
 * about a millisecond) and pin the search_path that check resolved names with:
 * the query that runs is the one that was judged, whoever called.
 */
export function createPostgresConnector(options: ConnectorOptions = {}): Connector {
  const net = new ConnectorNet(options);
  const pools = new PoolCache<PgSource>();
  const catalogs = new WeakMap<PgSource, PgCatalogCache>();
  const catalogOf = (source: PgSource, spec: ConnectionSpec<'postgres'>) => {
    let cache = catalogs.get(source);
    if (!cache) {
      const store = catalogStore(spec);
      catalogs.set(source, (cache = new PgCatalogCache((signal, { reuseStored }) => readPgCatalog(source, signal, reuseStored ? store : null))));
    }
    return cache;
  };
  const use = <T>(spec: ConnectionSpec, fn: (source: PgSource, spec: ConnectionSpec<'postgres'>) => Promise<T>) => {
    const pgSpec = asPostgres(spec);
    return pools.use(pgSpec, () => new PgSource(pgSpec, net), (source) => fn(source, pgSpec));
  };
  /** Refuses without a server what is not a read at all, then checks against the catalog. */
  const judged = async (source: PgSource, spec: ConnectionSpec<'postgres'>, query: string, signal: AbortSignal) => {
    pgStatementKind(query);
    const { verdict, policy } = await checkWithCatalog(catalogOf(source, spec), spec, query, signal);
    if (!verdict.allowed || !policy) throw refusedError(verdict);
    return policy.catalog.snapshot.searchPath;
  };
  return {
    type: 'postgres',
    testConnection: (spec, signal) =>
      use(spec, async (source, pgSpec) => {
        const result = await testPgConnection(source, pgSpec.settings, signal);
        // A failed login must not leave a pool (keyed on the wrong password) behind.
        if (!result.ok) pools.discard(pgSpec);
        return result;
      }),
    fetchMetadata: (spec, signal) => use(spec, (source, pgSpec) => fetchPgMetadata(source, pgSpec, signal)),
    validate: (query, spec, signal) => use(spec, async (source, pgSpec) => (await checkWithCatalog(catalogOf(source, pgSpec), pgSpec, query, signal)).verdict),
    // Transient failures before the statement was sent (refused, restarting, DNS silent) retry within about one connect timeout.
    execute: (spec, query, options) =>
      retryingCall(options.signal, asPostgres(spec).connection.connectTimeoutMs, () =>
        use(spec, async (source, pgSpec) => {
          const searchPath = await judged(source, pgSpec, query, options.signal);
          return executePg(source, query, { ...options, maxBytes: options.maxBytes ?? pgSpec.settings.maxResultBytes, searchPath });
        }),
      ),
    explain: (spec, query, signal) =>
      retryingCall(signal, asPostgres(spec).connection.connectTimeoutMs, () =>
        use(spec, async (source, pgSpec) => {
          const searchPath = await judged(source, pgSpec, query, signal);
          return explainPg(source, query, { signal, rowLimit: pgSpec.settings.rowLimit, searchPath });
        }),
      ),
    close: () => pools.closeAll(),
  };
}
