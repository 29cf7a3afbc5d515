import { ValidationError } from '../../errors';
import { PoolCache } from '../shared/pool-cache';
import type { ConnectionSpec, Connector } from '../types';
import { executePg, explainPg } from './execute';
import { validatePostgresQuery } from './guardrail';
import { fetchPgMetadata } from './metadata';
import { PgSource } from './pools';
import { testPgConnection } from './test-connection';

function asPostgres(spec: ConnectionSpec): ConnectionSpec<'postgres'> {
  if (spec.type !== 'postgres') throw new ValidationError(`A ${spec.type} source was given to the PostgreSQL connector.`);
  return spec as ConnectionSpec<'postgres'>;
}

/**
 * The read-only PostgreSQL connector. One pool per source and set of
 * connection details (see PoolCache); `close()` ends them all.
 */
export function createPostgresConnector(): Connector {
  const pools = new PoolCache<PgSource>();
  const use = <T>(spec: ConnectionSpec, fn: (source: PgSource, spec: ConnectionSpec<'postgres'>) => Promise<T>) => {
    const pgSpec = asPostgres(spec);
    return pools.use(pgSpec, () => new PgSource(pgSpec), (source) => fn(source, pgSpec));
  };
  return {
    type: 'postgres',
    testConnection: (spec, signal) =>
      use(spec, async (source, pgSpec) => {
        const result = await testPgConnection(source, signal);
        // A failed login must not leave a pool (keyed on the wrong password) behind.
        if (!result.ok) pools.discard(pgSpec);
        return result;
      }),
    fetchMetadata: (spec, signal) => use(spec, (source, pgSpec) => fetchPgMetadata(source, pgSpec, signal)),
    validate: (query) => validatePostgresQuery(query),
    execute: (spec, query, options) => use(spec, (source) => executePg(source, query, options)),
    explain: (spec, query, signal) =>
      use(spec, (source, pgSpec) =>
        explainPg(source, query, { signal, timeoutMs: pgSpec.settings.statementTimeoutMs, rowLimit: pgSpec.settings.rowLimit }),
      ),
    close: () => pools.closeAll(),
  };
}
