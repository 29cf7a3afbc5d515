import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { countsAsUnreachable } from '../../../../../engine/connectors/shared/circuit-breaker';
import { MysqlSource } from '../../../../../engine/connectors/mysql/pools';
import type mysql from 'mysql2/promise';
import { createMysqlDatabase, type TestDatabase } from '../../../../support/databases';
import { closedPort } from '../../../../support/net';
import { mysqlSpec, never, rejection } from './support';

/**
 * A source busy with its own queries is loaded, not unreachable: a connection that times out waiting
 * for the pool's free slot must not open the source's circuit (issue 12), while a server that cannot
 * be reached still does.
 */
let db: TestDatabase;
test.before(() => {
  db = createMysqlDatabase('chinook');
});
test.after(() => db.drop());

test('waiting for a busy pool times out as a pool wait, which does not count towards the circuit', async () => {
  const source = new MysqlSource(mysqlSpec(db.name, { connection: { connectTimeoutMs: 1_500 } }));
  const held: mysql.PoolConnection[] = [];
  try {
    // The pool holds four: take them all, as four long queries would.
    for (let i = 0; i < 4; i++) held.push(await source.connect(never));
    const error = await rejection(source.connect(never));
    assert.is(error.code, 'CONNECTOR');
    assert.is(error.details?.kind, 'TIMEOUT');
    assert.is(error.details?.poolWait, true);
    assert.not.ok(countsAsUnreachable(error), 'a wait for a busy pool opened the circuit');
    // Once one is given back, the next caller gets it.
    held.pop()!.release();
    held.push(await source.connect(never));
  } finally {
    for (const conn of held) conn.release();
    await source.close();
  }
});

test('a server that cannot be reached still counts towards the circuit', async () => {
  const port = await closedPort();
  const source = new MysqlSource(mysqlSpec(db.name, { connection: { port, connectTimeoutMs: 1_500 } }));
  try {
    const error = await rejection(source.connect(never));
    assert.not.equal(error.details?.poolWait, true);
    assert.ok(countsAsUnreachable(error), `${error.code} ${JSON.stringify(error.details)}`);
  } finally {
    await source.close();
  }
});

test.run();
