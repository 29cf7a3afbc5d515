/**
 * Execution overhead of the MongoDB connector against the raw driver, on the
 * same query against the same test server: the connector adds parsing, the
 * layer-2 check, the pool lookup, and turning documents into cells. Prints a
 * markdown table (p50 / p95 in ms, and the connector's p50 over the driver's).
 *
 *   node --import tsx test/bench/mongodb-connector.bench.ts
 */
import { MongoClient, ObjectId } from 'mongodb';
import { createMongoConnector } from '../../engine/connectors/mongodb/connector';
import { startMongoWireServer } from '../support/mongo-wire/server';
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

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function time(fn: () => Promise<number>, expectedRows: number): Promise<number> {
  // A clean heap for each measured call, so neither side pays for the other's garbage (--expose-gc).
  (globalThis as { gc?: () => void }).gc?.();
  const started = performance.now();
  const rows = await fn();
  const elapsed = performance.now() - started;
  if (rows !== expectedRows) throw new Error(`expected ${expectedRows} rows, got ${rows}`);
  return elapsed;
}

const server = await startMongoWireServer();
const base = Date.UTC(2024, 0, 1);
server.load(
  'bench',
  'items',
  Array.from({ length: DOCS }, (_, n) => ({
    _id: new ObjectId(n.toString(16).padStart(24, '0')),
    n,
    name: `item ${n}`,
    price: Math.round(n * 137) / 100,
    status: ['new', 'paid', 'shipped', 'returned'][n % 4],
    created: new Date(base + n * 60_000),
    tags: [`t${n % 10}`, `t${n % 7}`],
    address: { city: `City ${n % 50}`, zip: String(10_000 + (n % 900)) },
  })),
);

const client = new MongoClient(server.uri(), { maxPoolSize: 4 });
await client.connect();
const collection = client.db('bench').collection('items');
const connector = createMongoConnector();
const spec = mongoSpec(server, { connection: { database: 'bench' } });
const signal = new AbortController().signal;

const lines = ['| query | rows | driver p50 ms | driver p95 ms | connector p50 ms | connector p95 ms | p50 ratio |', '|---|---:|---:|---:|---:|---:|---:|'];
try {
  for (const c of CASES) {
    const query = JSON.stringify({ collection: 'items', operation: 'find', filter: c.filter, ...(c.limit ? { limit: c.limit } : {}) });
    const raw = async () => (await collection.find(c.filter, c.limit ? { limit: c.limit } : {}).toArray()).length;
    const viaConnector = async () => (await connector.execute(spec, query, { timeoutMs: 60_000, maxRows: 10_000, signal })).rowCount;
    for (let i = 0; i < WARMUP; i++) {
      await time(raw, c.rows);
      await time(viaConnector, c.rows);
    }
    const driverTimes: number[] = [];
    const connectorTimes: number[] = [];
    // Interleaved, so drift in the machine's load hits both sides alike.
    for (let i = 0; i < c.iterations; i++) {
      driverTimes.push(await time(raw, c.rows));
      connectorTimes.push(await time(viaConnector, c.rows));
    }
    const d50 = percentile(driverTimes, 50);
    const c50 = percentile(connectorTimes, 50);
    lines.push(
      `| ${c.name} | ${c.rows} | ${d50.toFixed(2)} | ${percentile(driverTimes, 95).toFixed(2)} | ${c50.toFixed(2)} | ${percentile(connectorTimes, 95).toFixed(2)} | ${(c50 / d50).toFixed(2)} |`,
    );
  }
} finally {
  await connector.close();
  await client.close();
  await server.close();
}
console.log(`MongoDB connector vs raw driver (${DOCS.toLocaleString('en')}-document collection, in-process test server, Node ${process.version})\n`);
console.log(lines.join('\n'));
