/**
 * Layer 2 on its own: statements pushed straight to executePg, skipping the
 * guardrail (which the connector's execute applies again), must fail and leave
 * the database as it was.
 */
import pg from 'pg';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPostgresConnector } from '../../../../../engine/connectors/postgres/connector';
import type { ConnectionSpec, Connector } from '../../../../../engine/connectors/types';
import { EngineError } from '../../../../../engine/errors';
import { createPgDatabase, PG, type TestDatabase } from '../../../../support/databases';
import { reads, writeAttempts } from '../../../../fixtures/corpus/postgres';
import { closedPort } from '../../../../support/net';
import { assertPgUnchanged, layer2, never, PgLocalState, pgSpec, pgState, type PgState } from './support';

let chinook: TestDatabase;
let pagila: TestDatabase;
let connector: Connector;
const watchers = new Map<TestDatabase, PgLocalState>();
const initial = new Map<TestDatabase, PgState>();
const pushed: string[] = [];

async function mustFail(spec: ConnectionSpec<'postgres'>, query: string, through: 'layer 2' | 'connector' = 'layer 2'): Promise<EngineError> {
  const direct = through === 'layer 2' ? layer2(spec) : null;
  try {
    const options = { maxRows: 100, timeoutMs: 5_000, signal: never };
    const result = direct ? await direct.execute(query, options) : await connector.execute(spec, query, options);
    throw new Error(`ran: ${query} -> ${JSON.stringify(result.rows).slice(0, 200)}`);
  } catch (error) {
    if (!(error instanceof EngineError)) throw error;
    return error;
  } finally {
    await direct?.close();
  }
}

/** Pushes the statement to execute; it must fail and leave every row, table, function, sequence and grant as it was. */
async function assertRefused(db: TestDatabase, query: string): Promise<EngineError> {
  const watcher = watchers.get(db)!;
  const before = await watcher.read();
  pushed.push(query);
  const error = await mustFail(pgSpec(db.name), query);
  assert.is(await watcher.read(), before, `the database changed after: ${query}`);
  return error;
}

test.before(async () => {
  chinook = createPgDatabase('chinook');
  chinook.sql(`
    CREATE SEQUENCE counter;
    CREATE FUNCTION sneaky_delete() RETURNS int LANGUAGE plpgsql AS $$ BEGIN DELETE FROM invoice_line; RETURN 1; END $$;
  `);
  pagila = createPgDatabase('pagila');
  connector = createPostgresConnector();
  for (const db of [chinook, pagila]) {
    watchers.set(db, await new PgLocalState(db).open());
    initial.set(db, pgState(db));
  }
});
test.after(async () => {
  for (const watcher of watchers.values()) await watcher.close();
  await connector.close();
  chinook.drop();
  pagila.drop();
});

const WRITES = [
  "INSERT INTO genre (genre_id, name) VALUES (999, 'Intruder')",
  'UPDATE track SET unit_price = 0',
  'DELETE FROM invoice_line',
  'CREATE TABLE stolen (id int)',
  'DROP TABLE invoice_line',
  'TRUNCATE invoice_line',
  'WITH gone AS (DELETE FROM invoice_line RETURNING *) SELECT count(*) FROM gone',
  'SELECT * INTO stolen FROM customer',
  "SELECT nextval('counter')",
  "SELECT setval('counter', 100)",
  'SELECT sneaky_delete()',
  'SELECT * FROM track FOR UPDATE',
  'COMMIT; DELETE FROM invoice_line',
  'SELECT 1; DELETE FROM invoice_line',
  "COPY genre TO '/tmp/polystore-genre.csv'",
  'EXPLAIN ANALYZE DELETE FROM invoice_line',
  "SELECT query_to_xml('DELETE FROM invoice_line RETURNING 1', true, false, '')",
];

for (const query of WRITES) {
  test(`refused, database unchanged: ${query}`, async () => {
    await assertRefused(chinook, query);
  });
}

test('the read-only transaction itself refuses a write hidden in a function (not only the statement check)', async () => {
  const error = await assertRefused(chinook, 'SELECT sneaky_delete()');
  assert.is(error.details?.kind, 'WRITE_BLOCKED');
  assert.match(error.message, /read-only transaction/);
});

test('the connector refuses every one of them before the server sees it (layer 1 runs again in execute)', async () => {
  for (const query of WRITES) {
    const error = await mustFail(pgSpec(chinook.name), query, 'connector');
    assert.ok(['GUARDRAIL_REFUSED', 'WRITE_BLOCKED'].includes(String(error.details?.kind)), `${query}: ${error.message}`);
  }
});

test('the sequence did not move', () => {
  assert.is(chinook.sql(`SELECT last_value || ':' || is_called FROM counter`).trim(), '1:false');
});

test('corpus: every write attempt fails when pushed straight to execute, and the database is unchanged', async () => {
  const writes = writeAttempts.filter((w) => w.effect === 'write');
  assert.ok(writes.length >= 40, `only ${writes.length} write attempts`);
  for (const attempt of writes) await assertRefused(attempt.db === 'pagila' ? pagila : chinook, attempt.query);
});

test('corpus: side-effect attempts that are not reads never reach the server (refused with no server at all)', async () => {
  const dead = pgSpec('nowhere', { connection: { port: await closedPort() } });
  let refused = 0;
  for (const attempt of writeAttempts.filter((w) => w.effect === 'side-effect')) {
    if (/^\s*(\(|--|\/\*)*\s*(SELECT|WITH|VALUES|TABLE|EXPLAIN|SHOW)\b/i.test(attempt.query)) continue;
    const error = await mustFail(dead, attempt.query, 'connector');
    assert.is(error.details?.kind, 'WRITE_BLOCKED', `${attempt.query}: ${error.message}`);
    refused++;
  }
  assert.ok(refused >= 20, `only ${refused} checked`);
});

// The raw driver's values and the connector's JSON-safe cells, compared type by type.
const pad = (n: number) => String(n).padStart(2, '0');
function sameCell(raw: unknown, cell: unknown, oid: number): boolean {
  if (raw === null || cell === null) return raw === cell;
  if (raw instanceof Date) {
    if (oid === 1082) return cell === `${raw.getFullYear()}-${pad(raw.getMonth() + 1)}-${pad(raw.getDate())}`;
    return new Date(cell as string).getTime() === raw.getTime();
  }
  if (Buffer.isBuffer(raw)) return cell === `\\x${raw.toString('hex')}`;
  if (oid === 1186) return JSON.stringify(pg.types.getTypeParser(1186)(cell as string)) === JSON.stringify(raw);
  if (Array.isArray(raw)) return Array.isArray(cell) && raw.length === cell.length && raw.every((r, i) => sameCell(r, cell[i], 0));
  if (typeof raw === 'object') return JSON.stringify(raw) === JSON.stringify(cell);
  return String(raw) === String(cell);
}

test('corpus: every read runs through the connector with the same rows as the raw driver', async () => {
  assert.ok(reads.length >= 40, `only ${reads.length} reads`);
  const clients = new Map<TestDatabase, pg.Client>();
  try {
    for (const db of [chinook, pagila]) {
      const client = new pg.Client({ host: PG.host, port: PG.port, user: PG.user, database: db.name });
      await client.connect();
      clients.set(db, client);
    }
    for (const read of reads) {
      const db = read.db === 'pagila' ? pagila : chinook;
      const raw = await clients.get(db)!.query({ text: read.query, rowMode: 'array' });
      const ours = await connector.execute(pgSpec(db.name), read.query, { maxRows: 10_000, timeoutMs: 10_000, signal: never });
      assert.equal(ours.columns.map((c) => c.name), raw.fields.map((f) => f.name), read.name);
      assert.is(ours.rowCount, raw.rows.length, read.name);
      assert.is(ours.truncated, false);
      raw.rows.forEach((row: unknown[], r) => {
        row.forEach((value, c) => {
          assert.ok(sameCell(value, ours.rows[r]![c], raw.fields[c]!.dataTypeID), `${read.name}: row ${r} column ${raw.fields[c]!.name}: raw ${JSON.stringify(value)} vs ${JSON.stringify(ours.rows[r]![c])}`);
        });
      });
      assert.equal(JSON.parse(JSON.stringify(ours.rows)), ours.rows, `${read.name}: not JSON-safe`);
    }
  } finally {
    for (const client of clients.values()) await client.end();
  }
});

test('pgFingerprint of both databases is unchanged after every refused write', () => {
  assert.ok(pushed.length > 50);
  for (const db of [chinook, pagila]) assertPgUnchanged(initial.get(db)!, pgState(db), pushed, db);
});

test.run();
