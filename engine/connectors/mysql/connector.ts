import { ValidationError } from '../../errors';
import { PoolCache } from '../shared/pool-cache';
import { PREVIEW_BUDGET } from '../shared/preview-budget';
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
export function createMysqlConnector(): Connector {
  const pools = new PoolCache<MysqlSource>();
  const use = <T>(spec: ConnectionSpec, fn: (source: MysqlSource, spec: ConnectionSpec<'mysql'>) => Promise<T>) => {
    const mysqlSpec = asMysql(spec);
    return pools.use(mysqlSpec, () => new MysqlSource(mysqlSpec), (source) => fn(source, mysqlSpec));
  };
  return {
    type: 'mysql',
    testConnection: (spec, signal) =>
      use(spec, async (source, mysqlSpec) => {
        const result = await testMysqlConnection(source, mysqlSpec, signal);
        if (!result.ok) pools.discard(mysqlSpec);
        return result;
      }),
    fetchMetadata: (spec, signal) => use(spec, (source, mysqlSpec) => fetchMysqlMetadata(source, mysqlSpec, signal)),
    validate: (query, spec, signal) =>
      use(spec, async (source, mysqlSpec) => {
        const flavour = await source.flavourWithin(signal, PREVIEW_BUDGET.timeMs);
        return validateMysqlQuery(query, {
          database: mysqlSpec.connection.database,
          readableDatabases: mysqlSpec.settings.readableDatabases,
          trustedFunctionSchemas: mysqlSpec.settings.trustedFunctionSchemas,
          flavor: flavour === null ? null : flavour.mariadb ? 'mariadb' : 'mysql',
        });
      }),
    execute: (spec, query, options) =>
      use(spec, (source, mysqlSpec) => executeMysql(source, query, { ...options, maxBytes: options.maxBytes ?? mysqlSpec.settings.maxResultBytes })),
    explain: (spec, query, signal) => use(spec, (source, mysqlSpec) => explainMysql(source, query, { signal, rowLimit: mysqlSpec.settings.rowLimit })),
    close: () => pools.closeAll(),
  };
}
