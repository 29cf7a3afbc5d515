/**
 * The MongoDB wire test server in a process of its own, loaded with the bench
 * collection: a real mongod is another process too, so the bench's client
 * side (driver and connector) does not share its event loop and heap with the
 * server's query work. Prints `{"port": N}` on stdout once listening and exits
 * when stdin closes (its parent ended).
 *
 *   node --import tsx test/bench/support/mongo-server-process.ts DOCS
 */
import { ObjectId } from 'mongodb';
import { startMongoWireServer } from '../../support/mongo-wire/server';

const docs = Number(process.argv[2] ?? 20_000);
const base = Date.UTC(2024, 0, 1);
const server = await startMongoWireServer();
server.load(
  'bench',
  'items',
  Array.from({ length: docs }, (_, n) => ({
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
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
