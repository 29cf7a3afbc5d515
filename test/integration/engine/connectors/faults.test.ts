/**
 * No connector waits on a socket without a deadline (issue 12): PostgreSQL, MariaDB and the Mongo wire
 * server behind a fault-injecting proxy, in each fault mode, give a typed error, and the next query on the
 * same source (the proxy back to passing) and on another source works without a restart.
 *
 * Budgets are small here (ConnectorOptions.budgets and the source's own timeouts). The outer deadline of
 * each call is generous (its whole budget plus 10 s): it is there so a hang fails the test instead of
 * stalling it, not to measure speed (test/bench/faults.bench.ts records time-to-error).
 */
import dns from 'node:dns';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { countsAsUnreachable } from '../../../../engine/connectors/shared/circuit-breaker';
import { createMongoConnector } from '../../../../engine/connectors/mongodb/connector';
import { createMysqlConnector } from '../../../../engine/connectors/mysql/connector';
import { createPostgresConnector } from '../../../../engine/connectors/postgres/connector';
import type { ConnectionBudgets, ConnectorOptions } from '../../../../engine/connectors/shared/budgets';
import type { HostLookup } from '../../../../engine/connectors/shared/lookup';
import type { ConnectionSpec, Connector } from '../../../../engine/connectors/types';
import { SourceSettings } from '../../../../engine/contract/index';
import { EngineError } from '../../../../engine/errors';
import { createMysqlDatabase, createPgDatabase, MYSQL, PG, type TestDatabase } from '../../../support/databases';
import { startBlackholeDns, startFaultProxy, type BlackholeDns, type FaultMode, type FaultProxy } from '../../../support/fault-proxy';
import { startMongoWireServer, type MongoWireServer } from '../../../support/mongo-wire/server';

const BUDGETS: ConnectionBudgets = { dnsMs: 800, serverCancelGraceMs: 300, socketGraceMs: 700, cancelMs: 700, resetMs: 700, testMs: 2_000 };
const CONNECT_MS = 1_500;
const STATEMENT_MS = 1_000;
/** Everything one call may spend, plus a wide margin: a deadline for the harness, not a timing claim. */
const OUTER_MS = CONNECT_MS + STATEMENT_MS + BUDGETS.serverCancelGraceMs + BUDGETS.socketGraceMs + BUDGETS.cancelMs + BUDGETS.resetMs + 10_000;
const ROWS = 5_000;
/** Server bytes let through before a freeze or reset: past the statement's start, well inside its rows. */
const MID_RESULT_BYTES = 4_000;
const BLACKHOLE_HOST = 'db.blackhole.polystore.test';

interface Store {
  label: string;
  connector: Connector;
  /** The connector that resolves names through the DNS server that never answers. */
  blackholeConnector: Connector;
  target: { host: string; port: number };
  spec(host: string, port: number, sourceId: string): ConnectionSpec;
  big: string;
  small: string;
}

let blackhole: BlackholeDns;
let resolver: dns.promises.Resolver;
let pgDb: TestDatabase;
let myDb: TestDatabase;
let mongo: MongoWireServer;
const stores: Store[] = [];
const proxies: FaultProxy[] = [];
let sourceCount = 0;

const settings = SourceSettings.parse({ statementTimeoutMs: STATEMENT_MS, rowLimit: 1_000 });
const sqlSpec = <T extends 'postgres' | 'mysql'>(type: T, database: string, user: string) => (host: string, port: number, sourceId: string) =>
  ({
    sourceId,
    type,
    connection: { host, port, database, user, tls: { mode: 'off' }, connectTimeoutMs: CONNECT_MS },
    password: null,
    settings,
    workDir: '/nonexistent',
  }) as ConnectionSpec;

test.before(async () => {
  blackhole = await startBlackholeDns();
  resolver = new dns.promises.Resolver({ timeout: 60_000, tries: 1 });
  resolver.setServers([blackhole.server]);
  const lookup: HostLookup = async (hostname) => (await resolver.resolve4(hostname)).map((address) => ({ address, family: 4 }));
  const options: ConnectorOptions = { budgets: BUDGETS };
  const dnsOptions: ConnectorOptions = { budgets: BUDGETS, lookup };

  pgDb = createPgDatabase('empty');
  pgDb.sql(`CREATE TABLE big AS SELECT g AS n, repeat('x', 200) AS pad FROM generate_series(1, ${ROWS}) AS g`);
  stores.push({
    label: 'PostgreSQL',
    connector: createPostgresConnector(options),
    blackholeConnector: createPostgresConnector(dnsOptions),
    target: { host: PG.host, port: PG.port },
    spec: sqlSpec('postgres', pgDb.name, PG.user),
    big: 'SELECT n, pad FROM big ORDER BY n',
    small: 'SELECT count(*) AS n FROM big',
  });

  myDb = createMysqlDatabase('empty');
  myDb.sql(`CREATE TABLE big (n INT PRIMARY KEY, pad VARCHAR(300)); INSERT INTO big SELECT seq, REPEAT('x', 200) FROM seq_1_to_${ROWS}`);
  stores.push({
    label: 'MariaDB',
    connector: createMysqlConnector(options),
    blackholeConnector: createMysqlConnector(dnsOptions),
    target: { host: MYSQL.host, port: MYSQL.port },
    spec: sqlSpec('mysql', myDb.name, MYSQL.user),
    big: 'SELECT n, pad FROM big ORDER BY n',
    small: 'SELECT count(*) AS n FROM big',
  });

  mongo = await startMongoWireServer();
  mongo.load('samples', 'big', Array.from({ length: ROWS }, (_, i) => ({ _id: i + 1, pad: 'x'.repeat(200) })));
  stores.push({
    label: 'MongoDB',
    connector: createMongoConnector(options),
    blackholeConnector: createMongoConnector(dnsOptions),
    target: { host: '127.0.0.1', port: mongo.port },
    spec: (host, port, sourceId) => ({
      sourceId,
      type: 'mongodb',
      connection: { hosts: [{ host, port }], srv: false, database: 'samples', tls: { mode: 'off' }, connectTimeoutMs: CONNECT_MS },
      password: null,
      settings,
      workDir: '/nonexistent',
    }),
    big: JSON.stringify({ collection: 'big', operation: 'find', sort: { _id: 1 } }),
    small: JSON.stringify({ collection: 'big', operation: 'count', filter: {} }),
  });
});

test.after(async () => {
  for (const proxy of proxies) await proxy.close();
  for (const store of stores) {
    await store.connector.close();
    await store.blackholeConnector.close();
  }
  resolver?.cancel();
  await blackhole?.close();
  await mongo?.close();
  pgDb?.drop();
  myDb?.drop();
});

const run = (store: Store, spec: ConnectionSpec, query: string) =>
  store.connector.execute(spec, query, { timeoutMs: STATEMENT_MS, maxRows: 1_000, signal: new AbortController().signal });

/** The EngineError `promise` fails with; fails the test if it succeeds or has not settled within OUTER_MS. */
async function failure(promise: Promise<unknown>): Promise<EngineError> {
  let timer: NodeJS.Timeout | undefined;
  const outer = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${OUTER_MS} ms: the call hung`)), OUTER_MS);
  });
  try {
    await Promise.race([promise, outer]);
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  } finally {
    clearTimeout(timer);
  }
  throw new assert.Assertion({ message: 'expected the call to fail', generated: false, operator: 'rejects', expects: 'rejection', actual: 'resolved' });
}

/** A source of its own behind a proxy of its own, its pool opened and its catalog read while the proxy passes. */
async function warmSource(store: Store): Promise<{ proxy: FaultProxy; spec: ConnectionSpec }> {
  const proxy = await startFaultProxy(store.target);
  proxies.push(proxy);
  const spec = store.spec(proxy.host, proxy.port, `fault-${++sourceCount}`);
  const warm = await run(store, spec, store.big);
  assert.is(warm.rows.length, 1_000, `${store.label}: the warm-up read its rows`);
  return { proxy, spec };
}

/** After the fault: the same source (proxy passing again) and a source straight to the server both answer. */
async function assertRecovers(store: Store, proxy: FaultProxy, spec: ConnectionSpec): Promise<void> {
  proxy.setMode({ kind: 'pass' });
  const again = await run(store, spec, store.small);
  assert.is(again.rows.length, 1, `${store.label}: the same source answers once the network is back`);
  const other = await run(store, store.spec(store.target.host, store.target.port, `direct-${store.label}`), store.small);
  assert.is(other.rows.length, 1, `${store.label}: another source answers`);
}

const FAULTS: Array<{ name: string; mode: FaultMode; code: string; kind: string }> = [
  { name: 'a pooled connection whose server goes silent', mode: { kind: 'hang' }, code: 'TIMEOUT', kind: 'NO_ANSWER' },
  { name: 'a result frozen midway', mode: { kind: 'freeze', afterBytes: MID_RESULT_BYTES }, code: 'TIMEOUT', kind: 'NO_ANSWER' },
  { name: 'a result reset midway', mode: { kind: 'reset', afterBytes: MID_RESULT_BYTES }, code: 'CONNECTOR', kind: 'CONNECTION_LOST' },
  { name: 'a result dripping at 1 byte/s', mode: { kind: 'drip', bytesPerSecond: 1 }, code: 'TIMEOUT', kind: 'NO_ANSWER' },
];

for (const label of ['PostgreSQL', 'MariaDB', 'MongoDB']) {
  const store = () => stores.find((s) => s.label === label)!;

  for (const fault of FAULTS) {
    test(`${label}: ${fault.name} ends in ${fault.code}, and the source works again after`, async () => {
      const { proxy, spec } = await warmSource(store());
      proxy.setMode(fault.mode);
      const error = await failure(run(store(), spec, store().big));
      assert.is(error.code, fault.code, error.message);
      // MongoDB's driver reports its own timer as a statement timeout: the kind differs, the code does not.
      if (label !== 'MongoDB' || fault.code !== 'TIMEOUT') assert.is(error.details?.kind, fault.kind, error.message);
      // Once connected, a stall or a cut says nothing sure about reachability (a slow query looks the same): the circuit ignores it.
      assert.not.ok(countsAsUnreachable(error), `${label}: ${fault.name} counted towards opening the circuit`);
      await assertRecovers(store(), proxy, spec);
    });
  }

  test(`${label}: a server that accepts and never answers fails the connect with TIMEOUT`, async () => {
    const proxy = await startFaultProxy(store().target, { kind: 'hang' });
    proxies.push(proxy);
    const spec = store().spec(proxy.host, proxy.port, `fault-${++sourceCount}`);
    const error = await failure(run(store(), spec, store().small));
    assert.ok(error.code === 'CONNECTOR' || error.code === 'TIMEOUT', error.message);
    assert.ok(error.details?.kind === 'TIMEOUT' || error.details?.connectionKind === 'TIMEOUT', `${error.code} ${JSON.stringify(error.details)}: ${error.message}`);
    assert.ok(countsAsUnreachable(error), `${label}: a connect that timed out must count towards opening the circuit`);
    await assertRecovers(store(), proxy, spec);
  });

  test(`${label}: a DNS server that never answers is reported as such (HOST_UNREACHABLE), not as the host`, async () => {
    const spec = store().spec(BLACKHOLE_HOST, store().target.port, `dns-${++sourceCount}`);
    const queriesBefore = blackhole.queries;
    const error = await failure(store().blackholeConnector.execute(spec, store().small, { timeoutMs: STATEMENT_MS, maxRows: 10, signal: new AbortController().signal }));
    assert.is(error.code, 'CONNECTOR', error.message);
    assert.ok(error.details?.kind === 'HOST_UNREACHABLE' || error.details?.connectionKind === 'HOST_UNREACHABLE', JSON.stringify(error.details));
    assert.match(error.message, /DNS/);
    assert.ok(countsAsUnreachable(error), `${label}: a silent DNS server must count towards opening the circuit`);
    assert.ok(blackhole.queries > queriesBefore, 'the lookup went to the DNS server');
    const other = await run(store(), store().spec(store().target.host, store().target.port, `direct-${label}`), store().small);
    assert.is(other.rows.length, 1, 'another source answers');
  });

  test(`${label}: metadata and the connection test on a silent pooled connection end with an error`, async () => {
    const { proxy, spec } = await warmSource(store());
    proxy.setMode({ kind: 'hang' });
    const metadata = await failure(store().connector.fetchMetadata(spec, new AbortController().signal));
    assert.ok(metadata.code === 'TIMEOUT' || metadata.code === 'CONNECTOR', metadata.message);
    const tested = await Promise.race([
      store().connector.testConnection(spec, new AbortController().signal),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), OUTER_MS).unref()),
    ]);
    assert.ok(tested, 'the connection test returned');
    assert.is(tested!.ok, false);
    await assertRecovers(store(), proxy, spec);
  });
}

test.run();
