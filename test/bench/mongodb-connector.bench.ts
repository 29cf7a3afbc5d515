/**
 * Execution overhead of the MongoDB connector against the raw driver, on the
 * same query against the same test server: the connector adds parsing, the
 * layer-2 check, the pool lookup, and turning documents into cells. Prints a
 * markdown table (p50 / p95 in ms, and the connector's p50 over the driver's).
 *
 *   node --import tsx test/bench/mongodb-connector.bench.ts
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { createMongoConnector } from '../../engine/connectors/mongodb/connector';
import { mongoSpec } from '../support/mongo-wire/specs';

const DOCS = 20_000;

interface Case {
  name: string;
  rows: number;
  iterations: number;
  filter: Record<string, unknown>;
  limit: number;
}

const CASES: Case[] = [
  { name: '10 rows', rows: 10, iterations: 200, filter: { n: { $lt: 10 } }, limit: 0 },
  { name: '10,000 rows', rows: 10_000, iterations: 30, filter: {}, limit: 10_000 },
];
const WARMUP = 5;

/** The test server in its own process, as a real mongod would be (see support/mongo-server-process.ts). */
async function startServerProcess(docs: number): Promise<{ port: number; uri(): string; close(): Promise<void> }> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support/mongo-server-process.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, String(docs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await once(readline.createInterface({ input: child.stdout! }), 'line')) as [string];
  const { port } = JSON.parse(line) as { port: number };
  return {
    port,
    uri: () => `mongodb://127.0.0.1:${port}/`,
    async close() {
      child.stdin!.end();
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Wall-clock ms, and this process's CPU ms: the server runs elsewhere, so
 * the CPU time is the client side alone (driver, plus the connector's work),
 * free of the test server's own speed and noise.
 */
async function time(fn: () => Promise<number>, expectedRows: number): Promise<{ wall: number; cpu: number }> {
  // A clean heap for each measured call, so neither side pays for the other's garbage (--expose-gc).
  (globalThis as { gc?: () => void }).gc?.();
  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  const rows = await fn();
  const wall = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  if (rows !== expectedRows) throw new Error(`expected ${expectedRows} rows, got ${rows}`);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

const server = await startServerProcess(DOCS);
const client = new MongoClient(server.uri(), { maxPoolSize: 4 });
await client.connect();
const collection = client.db('bench').collection('items');
const connector = createMongoConnector();
const spec = mongoSpec(server.port, { connection: { database: 'bench' } });
const signal = new AbortController().signal;

const lines = [
  '| query | rows | driver p50 ms | driver p95 ms | connector p50 ms | connector p95 ms | p50 ratio | driver CPU p50 ms | connector CPU p50 ms | CPU ratio |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
];
try {
  for (const c of CASES) {
    const query = JSON.stringify({ collection: 'items', operation: 'find', filter: c.filter, ...(c.limit ? { limit: c.limit } : {}) });
    const raw = async () => (await collection.find(c.filter, c.limit ? { limit: c.limit } : {}).toArray()).length;
    const viaConnector = async () => (await connector.execute(spec, query, { timeoutMs: 60_000, maxRows: 10_000, signal })).rowCount;
    for (let i = 0; i < WARMUP; i++) {
      await time(raw, c.rows);
      await time(viaConnector, c.rows);
    }
    const driver = { wall: [] as number[], cpu: [] as number[] };
    const viaUs = { wall: [] as number[], cpu: [] as number[] };
    // Interleaved, so drift in the machine's load hits both sides alike.
    for (let i = 0; i < c.iterations; i++) {
      for (const [fn, into] of [
        [raw, driver],
        [viaConnector, viaUs],
      ] as const) {
        const { wall, cpu } = await time(fn, c.rows);
        into.wall.push(wall);
        into.cpu.push(cpu);
      }
    }
    const d50 = percentile(driver.wall, 50);
    const c50 = percentile(viaUs.wall, 50);
    const dCpu = percentile(driver.cpu, 50);
    const cCpu = percentile(viaUs.cpu, 50);
    lines.push(
      `| ${c.name} | ${c.rows} | ${d50.toFixed(2)} | ${percentile(driver.wall, 95).toFixed(2)} | ${c50.toFixed(2)} | ${percentile(viaUs.wall, 95).toFixed(2)} | ${(c50 / d50).toFixed(2)} | ${dCpu.toFixed(1)} | ${cCpu.toFixed(1)} | ${(cCpu / dCpu).toFixed(2)} |`,
    );
  }
} finally {
  await connector.close();
  await client.close();
  await server.close();
}
console.log(
  `MongoDB connector vs raw driver (${DOCS.toLocaleString('en')}-document collection, wire test server in another process, Node ${process.version}). ` +
    'Wall-clock includes the test server, which is far slower than mongod; CPU is the client process alone. Target at 10,000 rows: ≤ 1.2× raw.\n',
);
console.log(lines.join('\n'));
