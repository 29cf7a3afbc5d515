/**
 * What the circuit breaker saves (issue 12, S6-004): an engine with a PostgreSQL and a MariaDB source
 * behind the fault proxy (5 s connect timeout, the default policy: open after 5 failures). For a server
 * that accepts and never answers, and one that cuts every handshake (restarting): the time each of the
 * 5 calls that open the circuit took to fail, then 20 calls while it is open (fail fast), and how many
 * connections reached the proxy meanwhile. Prints a markdown table.
 *
 *   node --import tsx test/bench/circuit-breaker.bench.ts
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { createMysqlDatabase, createPgDatabase, MYSQL, PG, type TestDatabase } from '../support/databases';
import { openTestEngine } from '../support/engine';
import { startFaultProxy, type FaultMode } from '../support/fault-proxy';

const CONNECT_MS = 5_000;
const OPEN_AFTER = 5;
const FAST_CALLS = 20;

const te = await openTestEngine({ unlocked: true });
const pg = createPgDatabase('empty');
const my = createMysqlDatabase('empty');
const stores: Array<{ label: string; type: 'postgres' | 'mysql'; db: TestDatabase; target: { host: string; port: number } }> = [
  { label: 'PostgreSQL', type: 'postgres', db: pg, target: PG },
  { label: 'MariaDB', type: 'mysql', db: my, target: MYSQL },
];
const faults: Array<{ name: string; mode: FaultMode }> = [
  { name: 'accept-and-hang', mode: { kind: 'hang' } },
  { name: 'handshake reset (restarting)', mode: { kind: 'reset', afterBytes: 0 } },
];

const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const lines = [
  '| Store | Fault | Each of the 5 failures that open it (median / max) | While open: fail fast (median / max of 20) | Connections reaching the server while open |',
  '|---|---|---:|---:|---:|',
];
let n = 0;
for (const store of stores) {
  for (const fault of faults) {
    const proxy = await startFaultProxy(store.target, fault.mode);
    const { id } = await te.ok('sources.create', {
      name: `${store.label} ${++n}`,
      type: store.type,
      connection: { host: proxy.host, port: proxy.port, database: store.db.name, user: store.db.user, tls: { mode: 'off' }, connectTimeoutMs: CONNECT_MS },
    });
    const call = async () => {
      const started = performance.now();
      const r = await te.call('metadata.get', { sourceId: id, refresh: true });
      return { ms: performance.now() - started, code: r.ok ? 'ok' : r.error.code };
    };
    const opening: number[] = [];
    for (let i = 0; i < OPEN_AFTER; i++) opening.push((await call()).ms);
    const accepted = proxy.accepted;
    const fast: number[] = [];
    const codes = new Set<string>();
    for (let i = 0; i < FAST_CALLS; i++) {
      const r = await call();
      fast.push(r.ms);
      codes.add(r.code);
    }
    lines.push(
      `| ${store.label} | ${fault.name} | ${ms(median(opening))} / ${ms(Math.max(...opening))} | ${ms(median(fast))} / ${ms(Math.max(...fast))} (${[...codes].join(', ')}) | ${proxy.accepted - accepted} |`,
    );
    await proxy.close();
  }
}

console.log('### Circuit breaker: time to fail before and after it opens\n');
console.log(`Load average: ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}; connect timeout ${CONNECT_MS / 1000} s; opens after ${OPEN_AFTER} failures.\n`);
console.log(lines.join('\n'));
await te.close();
pg.drop();
my.drop();
