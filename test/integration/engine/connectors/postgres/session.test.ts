/**
 * A pooled connection carries nothing from one use to the next: after an
 * error or a cancel it is discarded; after a normal use its advisory locks,
 * random seed and settings are reset; and the search_path the guardrail
 * resolved names with is the one the query runs with.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPostgresConnector } from '../../../../../engine/connectors/postgres/connector';
import type { Connector } from '../../../../../engine/connectors/types';
import { EngineError } from '../../../../../engine/errors';
import { createPgDatabase, type TestDatabase } from '../../../../support/databases';
import { activeWith, layer2, never, pgSpec, waitFor } from './support';

let db: TestDatabase;
let connector: Connector;
const spec = () => pgSpec(db.name);
const run = (query: string, signal = never) => connector.execute(spec(), query, { maxRows: 10, timeoutMs: 10_000, signal });
const pidNow = async () => Number((await run('SELECT pg_backend_pid()')).rows[0]![0]);
const alive = (pid: number) => db.sql(`SELECT count(*) FROM pg_stat_activity WHERE pid = ${pid}`).trim() === '1';

test.before(() => {
  db = createPgDatabase('chinook');
  connector = createPostgresConnector();
});
test.after(async () => {
  await connector.close();
  db.drop();
});

test('a connection whose query failed is discarded, not pooled', async () => {
  const pid = await pidNow();
  assert.is(await pidNow(), pid, 'an idle connection is reused');
  await run('SELECT 1 / 0').then(
    () => assert.unreachable('division by zero ran'),
    (error: unknown) => assert.instance(error, EngineError),
  );
  assert.ok(await waitFor(() => !alive(pid), 5_000), 'the failed connection is still open');
  assert.is.not(await pidNow(), pid);
});

test('a connection whose query was cancelled is discarded, not pooled', async () => {
  const pid = await pidNow();
  const controller = new AbortController();
  const pending = run('SELECT count(*) FROM generate_series(1, 100000000000) AS cancel_marker', controller.signal);
  assert.ok(await waitFor(() => activeWith(db, 'cancel_marker') === 1, 5_000), 'the query never started');
  controller.abort();
  const error = await pending.then(() => null, (e: EngineError) => e);
  assert.is(error?.code, 'CANCELLED');
  assert.ok(await waitFor(() => !alive(pid), 5_000), 'the cancelled connection is still open');
});

test('an advisory lock taken past the guardrail does not survive the call (the session is reset)', async () => {
  const direct = layer2(spec());
  try {
    await direct.execute('SELECT pg_advisory_lock(424242), pg_backend_pid()');
    const pid = Number((await direct.execute('SELECT pg_backend_pid()')).rows[0]![0]);
    assert.ok(alive(pid), 'the pooled connection should still be open');
    assert.is(db.sql(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 424242`).trim(), '0');
  } finally {
    await direct.close();
  }
});

test('setseed past the guardrail does not make the next use predictable', async () => {
  const seeded = db.sql('SELECT setseed(0.5); SELECT random()').trim().split('\n').pop();
  const direct = layer2(spec());
  try {
    await direct.execute('SELECT setseed(0.5)');
    const next = String((await direct.execute('SELECT random()::text')).rows[0]![0]);
    assert.is.not(next, seeded);
  } finally {
    await direct.close();
  }
});

test('settings changed past the guardrail are reset after the call', async () => {
  const direct = layer2(spec());
  try {
    await direct.execute("SELECT set_config('work_mem', '77MB', false)");
    assert.is.not(String((await direct.execute("SELECT current_setting('work_mem')")).rows[0]![0]), '77MB');
  } finally {
    await direct.close();
  }
});

test('a search_path changed after the check does not change what a query reads: the checked path is pinned', async () => {
  db.sql(`CREATE SCHEMA decoy; CREATE TABLE decoy.genre (genre_id int, name text); INSERT INTO decoy.genre VALUES (1, 'decoy')`);
  try {
    const checked = createPostgresConnector();
    const fresh = createPostgresConnector();
    const read = (c: Connector) => c.execute(spec(), 'SELECT name FROM genre WHERE genre_id = 1', { maxRows: 1, timeoutMs: 5_000, signal: never });
    try {
      assert.ok((await checked.validate('SELECT name FROM genre WHERE genre_id = 1', spec(), never)).allowed);
      db.sql(`ALTER DATABASE ${db.name} SET search_path = decoy, public`);
      // Its pooled connection fails and is discarded: the next one starts with the new default path.
      await checked.execute(spec(), 'SELECT 1 / 0', { maxRows: 1, timeoutMs: 5_000, signal: never }).catch(() => {});
      assert.equal((await read(checked)).rows, [['Rock']], 'the path the catalog was read with is pinned');
      // A connector that reads the catalog now judges (and runs) with the new path.
      assert.equal((await read(fresh)).rows, [['decoy']]);
    } finally {
      await checked.close();
      await fresh.close();
    }
  } finally {
    db.sql(`ALTER DATABASE ${db.name} RESET search_path; DROP SCHEMA decoy CASCADE`);
  }
});

test.run();
