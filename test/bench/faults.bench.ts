/**
 * Time-to-error per fault mode (issue 12): PostgreSQL, MariaDB and the Mongo wire server behind the
 * fault proxy, with the default budgets (shared/budgets.ts), a 5 s connect timeout and a 5 s
 * statement timeout. Each row: what the query failed with and how long that took, against the
 * budget it should stay within. Prints a markdown table.
 *
 *   node --import tsx test/bench/faults.bench.ts
 */
import dns from 'node:dns';
import os from 'node:os';
import { createMongoConnector } from '../../engine/connectors/mongodb/connector';
import { createMysqlConnector } from '../../engine/connectors/mysql/connector';
import { createPostgresConnector } from '../../engine/connectors/postgres/connector';
import { DEFAULT_BUDGETS, statementDeadlineMs, type ConnectorOptions } from '../../engine/connectors/shared/budgets';
import type { HostLookup } from '../../engine/connectors/shared/lookup';
import type { ConnectionSpec, Connector } from '../../engine/connectors/types';
import { SourceSettings } from '../../engine/contract/index';
import { EngineError } from '../../engine/errors';
import { createMysqlDatabase, createPgDatabase, MYSQL, PG } from '../support/databases';
import { startBlackholeDns, startFaultProxy, type FaultMode } from '../support/fault-proxy';
import { startMongoWireServer } from '../support/mongo-wire/server';

const CONNECT_MS = 5_000;
const STATEMENT_MS = 5_000;
const ROWS = 5_000;
const settings = SourceSettings.parse({ statementTimeoutMs: STATEMENT_MS, rowLimit: 1_000 });

interface Store {
  label: string;
  connector: Connector;
  dnsConnector: Connector;
  target: { host: string; port: number };
  spec(host: string, port: number, sourceId: string): ConnectionSpec;
  big: string;
}

const blackhole = await startBlackholeDns();
const resolver = new dns.promises.Resolver({ timeout: 60_000, tries: 1 });
resolver.setServers([blackhole.server]);
const lookup: HostLookup = async (hostname) => (await resolver.resolve4(hostname)).map((address) => ({ address, family: 4 }));
const dnsOptions: ConnectorOptions = { lookup };

const sql = (type: 'postgres' | 'mysql', database: string, user: string) => (host: string, port: number, sourceId: string) =>
  ({ sourceId, type, connection: { host, port, database, user, tls: { mode: 'off' }, connectTimeoutMs: CONNECT_MS }, password: null, settings, workDir: '/nonexistent' }) as ConnectionSpec;

const pgDb = createPgDatabase('empty');
pgDb.sql(`CREATE TABLE big AS SELECT g AS n, repeat('x', 200) AS pad FROM generate_series(1, ${ROWS}) AS g`);
const myDb = createMysqlDatabase('empty');
myDb.sql(`CREATE TABLE big (n INT PRIMARY KEY, pad VARCHAR(300)); INSERT INTO big SELECT seq, REPEAT('x', 200) FROM seq_1_to_${ROWS}`);
const mongo = await startMongoWireServer();
mongo.load('samples', 'big', Array.from({ length: ROWS }, (_, i) => ({ _id: i + 1, pad: 'x'.repeat(200) })));

const stores: Store[] = [
  { label: 'PostgreSQL', connector: createPostgresConnector(), dnsConnector: createPostgresConnector(dnsOptions), target: { host: PG.host, port: PG.port }, spec: sql('postgres', pgDb.name, PG.user), big: 'SELECT n, pad FROM big ORDER BY n' },
  { label: 'MariaDB', connector: createMysqlConnector(), dnsConnector: createMysqlConnector(dnsOptions), target: { host: MYSQL.host, port: MYSQL.port }, spec: sql('mysql', myDb.name, MYSQL.user), big: 'SELECT n, pad FROM big ORDER BY n' },
  {
    label: 'MongoDB',
    connector: createMongoConnector(),
    dnsConnector: createMongoConnector(dnsOptions),
    target: { host: '127.0.0.1', port: mongo.port },
    spec: (host, port, sourceId) => ({ sourceId, type: 'mongodb', connection: { hosts: [{ host, port }], srv: false, database: 'samples', tls: { mode: 'off' }, connectTimeoutMs: CONNECT_MS }, password: null, settings, workDir: '/nonexistent' }),
    big: JSON.stringify({ collection: 'big', operation: 'find', sort: { _id: 1 } }),
  },
];

const statementBudget = statementDeadlineMs(STATEMENT_MS, DEFAULT_BUDGETS);
const MODES: Array<{ name: string; mode: FaultMode | 'new-hang' | 'dns'; budget: number }> = [
  { name: 'accept-and-hang (new connection)', mode: 'new-hang', budget: CONNECT_MS },
  { name: 'silent pooled connection', mode: { kind: 'hang' }, budget: statementBudget },
  { name: 'freeze mid-result', mode: { kind: 'freeze', afterBytes: 4_000 }, budget: statementBudget },
  { name: 'reset mid-result', mode: { kind: 'reset', afterBytes: 4_000 }, budget: statementBudget },
  { name: 'slow drip (1 byte/s)', mode: { kind: 'drip', bytesPerSecond: 1 }, budget: statementBudget },
  // A silent DNS server is transient (shared/retry.ts): SQL connectors try once more within the connect timeout.
  { name: 'blackhole DNS', mode: 'dns', budget: 2 * CONNECT_MS },
];

const lines = ['| Store | Fault | Error | Time to error | Budget |', '|---|---|---|---:|---:|'];
let n = 0;
for (const store of stores) {
  for (const { name, mode, budget } of MODES) {
    const run = (connector: Connector, spec: ConnectionSpec) => connector.execute(spec, store.big, { timeoutMs: STATEMENT_MS, maxRows: 1_000, signal: new AbortController().signal });
    let spec: ConnectionSpec;
    let connector = store.connector;
    const proxy = await startFaultProxy(store.target, mode === 'new-hang' ? { kind: 'hang' } : { kind: 'pass' });
    if (mode === 'dns') {
      connector = store.dnsConnector;
      spec = store.spec('db.blackhole.polystore.test', store.target.port, `bench-${++n}`);
    } else {
      spec = store.spec(proxy.host, proxy.port, `bench-${++n}`);
      if (mode !== 'new-hang') {
        await run(connector, spec);
        proxy.setMode(mode);
      }
    }
    const started = performance.now();
    let outcome: string;
    try {
      await run(connector, spec);
      outcome = 'no error';
    } catch (error) {
      const e = error instanceof EngineError ? error : null;
      outcome = e ? `${e.code} ${String(e.details?.kind ?? e.details?.connectionKind ?? '')}`.trim() : 'untyped error';
    }
    const ms = Math.round(performance.now() - started);
    lines.push(`| ${store.label} | ${name} | ${outcome} | ${ms.toLocaleString('en-US')} ms | ${budget.toLocaleString('en-US')} ms |`);
    await proxy.close();
  }
}

for (const store of stores) {
  await store.connector.close();
  await store.dnsConnector.close();
}
resolver.cancel();
await blackhole.close();
await mongo.close();
pgDb.drop();
myDb.drop();

console.log(`## Fault modes: time to error\n`);
console.log(`Connect timeout ${CONNECT_MS / 1000} s, statement timeout ${STATEMENT_MS / 1000} s, default budgets (${JSON.stringify(DEFAULT_BUDGETS)}); load average ${os.loadavg()[0]!.toFixed(1)}.\n`);
console.log(lines.join('\n'));
