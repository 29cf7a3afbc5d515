import { PreviewLimitError, ValidationError } from '../../errors';
import { assertAllowed, refusal } from '../shared/verdict';
import { forgetCatalog, mysqlCatalog } from './catalog';
import { ConnectorNet, type ConnectorOptions } from '../shared/budgets';
import { PoolCache } from '../shared/pool-cache';
import { retryingCall } from '../shared/retry';
import type { ConnectionSpec, Connector } from '../types';
import { executeMysql, explainMysql } from './execute';
import { validateMysqlQuery } from './guardrail';
import { fetchMysqlMetadata } from './metadata';
import { MysqlSource } from './pools';
import { testMysqlConnection } from './test-connection';

function asMysql(spec: ConnectionSpec): ConnectionSpec<'mysql'> {
  if (spec.type !== 'mysql') throw new ValidationError(`A ${spec.type} source was given to the MySQL / MariaDB connector.`);
  return spec as ConnectionSpec<'mysql'>;
}

/**
 * The read-only MySQL / MariaDB connector (differences between the two:
 * README.md). One pool per source and set of connection details; `close()`
 * ends them all.
 */
export function createMysqlConnector(options: ConnectorOptions = {}): Connector {
  const net = new ConnectorNet(options);
  const pools = new PoolCache<MysqlSource>();
  const use = <T>(spec: ConnectionSpec, fn: (source: MysqlSource, spec: ConnectionSpec<'mysql'>) => Promise<T>) => {
    const mysqlSpec = asMysql(spec);
    return pools.use(mysqlSpec, () => new MysqlSource(mysqlSpec, net), (source) => fn(source, mysqlSpec));
  };
  /** Layer 1 against the source's catalog (flavour, views, stored functions); a catalog read over budget refuses. */
  const judge = async (source: MysqlSource, mysqlSpec: ConnectionSpec<'mysql'>, query: string, signal: AbortSignal) => {
    let catalog;
    try {
      catalog = await mysqlCatalog(source, mysqlSpec, signal);
    } catch (error) {
      if (error instanceof PreviewLimitError) return refusal('PREVIEW_LIMIT', error.message);
      throw error;
    }
    return validateMysqlQuery(query, {
      database: mysqlSpec.connection.database,
      readableDatabases: mysqlSpec.settings.readableDatabases,
      trustedFunctionSchemas: mysqlSpec.settings.trustedFunctionSchemas,
      flavor: catalog.flavor,
      views: catalog.views,
      storedFunctions: catalog.storedFunctions,
    });
  };
  return {
    type: 'mysql',
    testConnection: (spec, signal) =>
      use(spec, async (source, mysqlSpec) => {
        const result = await testMysqlConnection(source, mysqlSpec, signal);
        if (!result.ok) pools.discard(mysqlSpec);
        return result;
      }),
    fetchMetadata: (spec, signal) =>
      use(spec, async (source, mysqlSpec) => {
        // A metadata refresh is when views may have changed: validation reads them again.
        forgetCatalog(source);
        return fetchMysqlMetadata(source, mysqlSpec, signal);
      }),
    validate: (query, spec, signal) => use(spec, (source, mysqlSpec) => judge(source, mysqlSpec, query, signal)),
    // Execute and explain judge the query again (the catalog is cached), so what runs is what was judged, whoever called.
    // Transient failures before the statement was sent (refused, gone away, DNS silent) retry within about one connect timeout.
    execute: (spec, query, options) =>
      retryingCall(options.signal, asMysql(spec).connection.connectTimeoutMs, () =>
        use(spec, async (source, mysqlSpec) => {
          assertAllowed(await judge(source, mysqlSpec, query, options.signal));
          return executeMysql(source, query, { ...options, maxBytes: options.maxBytes ?? mysqlSpec.settings.maxResultBytes });
        }),
      ),
    explain: (spec, query, signal) =>
      retryingCall(signal, asMysql(spec).connection.connectTimeoutMs, () =>
        use(spec, async (source, mysqlSpec) => {
          assertAllowed(await judge(source, mysqlSpec, query, signal));
          return explainMysql(source, query, { signal, rowLimit: mysqlSpec.settings.rowLimit });
        }),
      ),
    close: () => pools.closeAll(),
  };
}
