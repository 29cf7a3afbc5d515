/**
 * Layer 2 on its own: statements pushed straight to execute, skipping the
 * guardrail, must fail and leave the database as it was — including the DDL
 * and account statements that a MariaDB READ ONLY transaction lets through.
 */
import type mysql from 'mysql2/promise';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMysqlConnector } from '../../../../../engine/connectors/mysql/connector';
import type { ConnectionSpec, Connector } from '../../../../../engine/connectors/types';
import { EngineError } from '../../../../../engine/errors';
import { createMysqlDatabase, type TestDatabase } from '../../../../support/databases';
import { reads, writeAttempts } from '../../../../fixtures/corpus/mysql';
import { closedPort } from '../../../../support/net';
import { assertMysqlUnchanged, layerTwo, MysqlLocalState, mysqlSpec, mysqlState, never, rawConnection, type MysqlState } from './support';

let db: TestDatabase;
let connector: Connector;
/** Layer 2 alone (the connector would refuse these at layer 1 first): the statement gate and the read-only transaction. */
let bare: ReturnType<typeof layerTwo>;
let watcher: MysqlLocalState;
let initial: MysqlState;
const pushed: string[] = [];

async function mustFail(spec: ConnectionSpec, query: string): Promise<EngineError> {
  try {
    const result = await bare.execute(spec, query, { maxRows: 100, timeoutMs: 5_000, signal: never });
    throw new Error(`ran: ${query} -> ${JSON.stringify(result.rows).slice(0, 200)}`);
  } catch (error) {
    if (!(error instanceof EngineError)) throw error;
    return error;
  }
}

/** Pushes the statement to execute; it must fail and leave every row, table, routine and sequence as it was. */
async function assertRefused(query: string): Promise<EngineError> {
  const before = await watcher.read();
  pushed.push(query);
  const error = await mustFail(mysqlSpec(db.name), query);
  assert.is(await watcher.read(), before, `the database changed after: ${query}`);
  return error;
}

test.before(async () => {
  db = createMysqlDatabase('chinook');
  db.sql(`
    CREATE SEQUENCE counter;
    DELIMITER //
    CREATE FUNCTION sneaky_delete() RETURNS INT MODIFIES SQL DATA BEGIN DELETE FROM InvoiceLine; RETURN 1; END//
    DELIMITER ;
  `);
  connector = createMysqlConnector();
  bare = layerTwo();
  watcher = await new MysqlLocalState(db).open();
  initial = mysqlState(db);
});
test.after(async () => {
  await watcher?.close();
  await connector?.close();
  await bare?.close();
  db?.drop();
});

const WRITES = [
  "INSERT INTO Genre (GenreId, Name) VALUES (999, 'Intruder')",
  'UPDATE Track SET UnitPrice = 0',
  'DELETE FROM InvoiceLine',
  'CREATE TABLE Stolen (id INT)',
  'DROP TABLE InvoiceLine',
  'TRUNCATE TABLE InvoiceLine',
  'ALTER TABLE Album ADD COLUMN Pwned INT',
  "CREATE USER 'pst_intruder'@'%'",
  'WITH d AS (SELECT 1) DELETE FROM InvoiceLine',
  'SELECT NEXTVAL(counter)',
  'SELECT SETVAL(counter, 100)',
  'SELECT sneaky_delete()',
  'SELECT * FROM Invoice FOR UPDATE',
  "SELECT * FROM Customer INTO OUTFILE '/tmp/polystore-customers.csv'",
  '/*!50000 DROP TABLE InvoiceLine */',
  'SELECT 1; DELETE FROM InvoiceLine',
  'COMMIT; DELETE FROM InvoiceLine',
];

for (const query of WRITES) {
  test(`refused, database unchanged: ${query}`, async () => {
    await assertRefused(query);
  });
}

test('the read-only transaction itself refuses a write hidden in a function (not only the statement check)', async () => {
  const error = await assertRefused('SELECT sneaky_delete()');
  assert.is(error.details?.kind, 'WRITE_BLOCKED');
  assert.match(error.message, /READ ONLY transaction/);
});

test('optimizer hints are refused before they reach the server (MySQL obeys MAX_EXECUTION_TIME)', async () => {
  const error = await assertRefused('SELECT /*+ MAX_EXECUTION_TIME(100000000) */ COUNT(*) FROM Track');
  assert.is(error.details?.kind, 'WRITE_BLOCKED');
  assert.match(error.message, /Optimizer hints/);
});

test('the sequence did not move', () => {
  assert.is(db.sql('SELECT next_not_cached_value FROM counter').trim(), '1');
});

test('corpus: every write attempt fails when pushed straight to execute, and the database is unchanged', async () => {
  const writes = writeAttempts.filter((w) => w.effect === 'write');
  assert.ok(writes.length >= 30, `only ${writes.length} write attempts`);
  assert.ok(writes.some((w) => w.survivesReadOnlyTransaction), 'the corpus lost its DDL entries');
  for (const attempt of writes) await assertRefused(attempt.query);
});

test('corpus: the connector itself judges every write and side-effect attempt again before running it', async () => {
  for (const attempt of writeAttempts) {
    let error: unknown;
    try {
      await connector.execute(mysqlSpec(db.name), attempt.query, { maxRows: 100, timeoutMs: 5_000, signal: never });
    } catch (caught) {
      error = caught;
    }
    assert.instance(error, EngineError, `ran: ${attempt.query}`);
  }
});

test('corpus: side-effect attempts that are not plain reads never reach the server (refused with no server at all)', async () => {
  const dead = mysqlSpec('nowhere', { connection: { port: await closedPort() } });
  const readShaped = (q: string) => /^\s*\(*\s*(SELECT|WITH|VALUES|TABLE|SHOW|EXPLAIN|DESCRIBE|DESC)\b/i.test(q) && !/OUTFILE|DUMPFILE|\/\*M?!/i.test(q);
  let refused = 0;
  for (const attempt of writeAttempts.filter((w) => w.effect === 'side-effect' && !readShaped(w.query))) {
    const error = await mustFail(dead, attempt.query);
    assert.is(error.details?.kind, 'WRITE_BLOCKED', `${attempt.query}: ${error.message}`);
    refused++;
  }
  assert.ok(refused >= 15, `only ${refused} checked`);
});

const pad = (n: number) => String(n).padStart(2, '0');
function sameCell(raw: unknown, cell: unknown, type: number): boolean {
  if (raw === null || cell === null) return raw === cell;
  if (raw instanceof Date) {
    if (type === 10) return cell === `${raw.getFullYear()}-${pad(raw.getMonth() + 1)}-${pad(raw.getDate())}`;
    return new Date(cell as string).getTime() === raw.getTime();
  }
  if (Buffer.isBuffer(raw)) return cell === `\\x${raw.toString('hex')}`;
  if (typeof raw === 'object') return JSON.stringify(raw) === JSON.stringify(cell);
  return String(raw) === String(cell);
}

test('corpus: every read runs through the connector with the same rows as the raw driver', async () => {
  assert.ok(reads.length >= 30, `only ${reads.length} reads`);
  const raw: mysql.Connection = await rawConnection(db);
  try {
    for (const read of reads) {
      const [rows, fields] = await raw.query<mysql.RowDataPacket[][]>({ sql: read.query, rowsAsArray: true });
      const ours = await connector.execute(mysqlSpec(db.name), read.query, { maxRows: 10_000, timeoutMs: 10_000, signal: never });
      assert.equal(ours.columns.map((c) => c.name), fields.map((f) => f.name), read.name);
      assert.is(ours.rowCount, rows.length, read.name);
      assert.is(ours.truncated, false);
      rows.forEach((row, r) => {
        row.forEach((value: unknown, c: number) => {
          assert.ok(
            sameCell(value, ours.rows[r]![c], fields[c]!.columnType ?? -1),
            `${read.name}: row ${r} column ${fields[c]!.name}: raw ${JSON.stringify(value)} vs ${JSON.stringify(ours.rows[r]![c])}`,
          );
        });
      });
      assert.equal(JSON.parse(JSON.stringify(ours.rows)), ours.rows, `${read.name}: not JSON-safe`);
    }
  } finally {
    await raw.end();
  }
});

test('mysqlFingerprint is unchanged after every refused write', () => {
  assert.ok(pushed.length > 40);
  assertMysqlUnchanged(initial, mysqlState(db), pushed);
});

test.run();
