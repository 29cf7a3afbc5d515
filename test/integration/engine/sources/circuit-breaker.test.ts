/**
 * Each source's circuit breaker (issue 12, S6-004), through the router on real PostgreSQL and MariaDB
 * behind the fault proxy: closed -> open after 5 calls that could not reach the server, fail fast while
 * open (no connection reaches the proxy), half-open lets one probe through, a good probe or connection
 * test closes it, a failed probe opens it again for longer; query errors never count; another source is
 * unaffected. The engine's clock is injected: cool-downs pass by moving it, not by waiting.
 *
 * "Unreachable" here is a server that accepts and then resets every connection during the handshake (a
 * server restarting), or accepts and never answers (the half-open probe that times out its connect).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ApiError } from '../../../../engine/contract/errors';
import type { Source } from '../../../../engine/contract/index';
import { createMysqlDatabase, createPgDatabase, MYSQL, PG, type TestDatabase } from '../../../support/databases';
import { openTestEngine, type TestEngine } from '../../../support/engine';
import { startFaultProxy, type FaultProxy } from '../../../support/fault-proxy';

/** BREAKER_POLICY: opens after 5 failures, first cool-down 10 s, doubled after a failed probe. */
const THRESHOLD = 5;
const COOL_DOWN_MS = 10_000;
/** The handshake is cut once the server has said anything: a server restarting. */
const RESTARTING = { kind: 'reset', afterBytes: 0 } as const;
const WAIT_MS = 20_000;

interface Store {
  label: string;
  type: 'postgres' | 'mysql';
  db: TestDatabase;
  proxy: FaultProxy;
  sourceId: string;
  name: string;
}

const clock = { t: Date.parse('2026-12-07T10:30:00Z') };
let te: TestEngine;
const stores: Store[] = [];

async function addStore(label: string, type: 'postgres' | 'mysql', db: TestDatabase, target: { host: string; port: number }): Promise<Store> {
  const proxy = await startFaultProxy(target);
  const name = `${label} behind the proxy`;
  const source = await te.ok('sources.create', {
    name,
    type,
    connection: { host: proxy.host, port: proxy.port, database: db.name, user: db.user, tls: { mode: 'off' }, connectTimeoutMs: 1_000 },
  });
  await te.ok('sources.test', { id: source.id });
  await te.ok('sources.confirmRisks', { id: source.id });
  return { label, type, db, proxy, sourceId: source.id, name };
}

test.before(async () => {
  te = await openTestEngine({ unlocked: true, now: () => clock.t });
  const pg = createPgDatabase('empty');
  pg.sql('CREATE TABLE t (n int); INSERT INTO t VALUES (1), (2)');
  stores.push(await addStore('PostgreSQL', 'postgres', pg, PG));
  const my = createMysqlDatabase('empty');
  my.sql('CREATE TABLE t (n INT); INSERT INTO t VALUES (1), (2)');
  stores.push(await addStore('MariaDB', 'mysql', my, MYSQL));
});

test.after(async () => {
  await te?.close();
  for (const s of stores) {
    await s.proxy.close();
    s.db.drop();
  }
});

const circuit = async (store: Store): Promise<Source['circuit']> => (await te.ok('sources.list')).find((s) => s.id === store.sourceId)!.circuit;

/** A call that reaches the store (the catalog, read fresh): the error it failed with, or null. */
async function reach(store: Store): Promise<ApiError | null> {
  const r = await te.call('metadata.get', { sourceId: store.sourceId, refresh: true });
  return r.ok ? null : r.error;
}

async function until(what: string, ready: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Fails `store` THRESHOLD times (the server restarting), so its circuit opens. */
async function open(store: Store): Promise<void> {
  store.proxy.setMode(RESTARTING);
  for (let i = 1; i <= THRESHOLD; i++) {
    const error = await reach(store);
    assert.is(error?.code, 'CONNECTOR', `${store.label}: failure ${i} comes from the connection, not the breaker: ${error?.message}`);
    const c = await circuit(store);
    assert.is(c.consecutiveFailures, i);
    assert.is(c.state, i < THRESHOLD ? 'closed' : 'open', `${store.label}: after ${i} failures`);
  }
}

/** Closes the store's circuit the way a user would, and puts the network back. */
async function recover(store: Store): Promise<void> {
  store.proxy.setMode({ kind: 'pass' });
  await te.ok('sources.test', { id: store.sourceId });
}

const other = (store: Store) => stores.find((s) => s !== store)!;

for (const label of ['PostgreSQL', 'MariaDB']) {
  const store = () => stores.find((s) => s.label === label)!;

  test(`${label}: closed -> open after ${THRESHOLD} failures to connect; then calls fail fast, naming the source and when it retries, and reach no server; another source is unaffected`, async () => {
    const s = store();
    const prepared = await te.ok('query.prepare', { sourceId: s.sourceId, query: 'SELECT n FROM t ORDER BY n' });
    assert.ok(prepared.approval, 'approved while the source answered');
    await open(s);
    const c = await circuit(s);
    assert.is(c.retryAt, new Date(clock.t + COOL_DOWN_MS).toISOString());
    const storeLabel = (await te.ok('sources.types')).find((t) => t.type === s.type)!.label;
    assert.ok(c.message?.startsWith(`${storeLabel} '${s.name}' is unreachable: ${THRESHOLD} failures in `), c.message ?? 'no message');
    assert.match(c.message ?? '', / s; retrying at \d\d:\d\d:\d\d\. Test the connection to try it now\.$/);

    const accepted = s.proxy.accepted;
    const fast = await reach(s);
    assert.is(fast?.code, 'UNAVAILABLE');
    assert.is(fast?.details?.kind, 'CIRCUIT_OPEN');
    assert.is(fast?.details?.retryAfterMs, COOL_DOWN_MS);
    assert.is(fast?.message, c.message);
    const check = await te.call('query.prepare', { sourceId: s.sourceId, query: 'SELECT n FROM t' });
    assert.is(check.ok ? 'ok' : check.error.code, 'UNAVAILABLE', 'review and EXPLAIN fail fast too');
    // The approval given before is refused without being used: it runs once the source is back.
    const run = await te.call('query.run', { token: prepared.approval!.token });
    assert.is(run.ok ? 'ok' : run.error.code, 'UNAVAILABLE');
    assert.match(run.ok ? '' : run.error.message, /approval was not used/);
    assert.is(s.proxy.accepted, accepted, 'no connection attempt reached the proxy while open');

    // The other store's source still answers, and its circuit stays closed.
    assert.is(await reach(other(s)), null);
    assert.is((await circuit(other(s))).state, 'closed');

    await recover(s);
    assert.equal(await circuit(s), { state: 'closed', consecutiveFailures: 0, retryAt: null, message: null }, 'a connection test that connects closes it');
    const ran = await te.ok('query.run', { token: prepared.approval!.token });
    assert.is(ran.result.rowCount, 2, 'the approval refused while open still runs');
  });

  test(`${label}: half-open lets exactly one probe through; a failed probe opens it again for twice as long; a good probe closes it`, async () => {
    const s = store();
    await open(s);
    clock.t += COOL_DOWN_MS;
    assert.is((await circuit(s)).state, 'half-open');

    // The probe: a server that accepts and never answers, so it is still out when the next call comes.
    s.proxy.setMode({ kind: 'hang' });
    const accepted = s.proxy.accepted;
    const probe = reach(s);
    await until('the probe to reach the proxy', () => s.proxy.accepted > accepted);
    const second = await reach(s);
    assert.is(second?.code, 'UNAVAILABLE', 'a second call waits for the probe, refused meanwhile');
    assert.match(second?.message ?? '', /retrying now\./);
    const probeError = await probe;
    assert.is(probeError?.code, 'CONNECTOR', probeError?.message);
    assert.is(s.proxy.accepted, accepted + 1, 'one probe reached the proxy');

    let c = await circuit(s);
    assert.is(c.state, 'open', 'the failed probe opened it again');
    assert.is(c.retryAt, new Date(clock.t + 2 * COOL_DOWN_MS).toISOString(), 'with a doubled cool-down');
    clock.t += COOL_DOWN_MS;
    assert.is((await reach(s))?.code, 'UNAVAILABLE', 'still open after the first cool-down');

    clock.t += COOL_DOWN_MS;
    s.proxy.setMode({ kind: 'pass' });
    assert.is((await circuit(s)).state, 'half-open');
    assert.is(await reach(s), null, 'the probe succeeds');
    c = await circuit(s);
    assert.equal(c, { state: 'closed', consecutiveFailures: 0, retryAt: null, message: null });
    assert.is(await reach(s), null, 'closed: calls go through');
  });

  test(`${label}: query errors from the server never count, however many`, async () => {
    const s = store();
    s.proxy.setMode({ kind: 'pass' });
    // Fails at run time on the server (a subquery returning two rows), after EXPLAIN accepted it.
    for (let i = 0; i < THRESHOLD + 1; i++) {
      const prepared = await te.ok('query.prepare', { sourceId: s.sourceId, query: 'SELECT (SELECT n FROM t) AS one' });
      const run = await te.call('query.run', { token: prepared.approval!.token });
      assert.not.ok(run.ok, 'the query fails on the server');
      assert.is.not(run.ok ? '' : run.error.code, 'UNAVAILABLE');
    }
    assert.equal(await circuit(s), { state: 'closed', consecutiveFailures: 0, retryAt: null, message: null });
  });

  test(`${label}: a server restarted between approval and run does not use up the approval; the user can run it again`, async () => {
    const s = store();
    s.proxy.setMode({ kind: 'pass' });
    assert.is(await reach(s), null, 'the pool holds a connection');
    const prepared = await te.ok('query.prepare', { sourceId: s.sourceId, query: 'SELECT n FROM t ORDER BY n' });
    // The restart: pooled connections are cut, and new ones are cut during the handshake.
    s.proxy.setMode(RESTARTING);
    const failed = await te.call('query.run', { token: prepared.approval!.token });
    assert.not.ok(failed.ok);
    const error = failed.ok ? null : failed.error;
    assert.is(error?.details?.approvalGivenBack, true, JSON.stringify(error));
    assert.match(error?.message ?? '', /approval was not used: run it again/);
    s.proxy.setMode({ kind: 'pass' });
    const ran = await te.ok('query.run', { token: prepared.approval!.token });
    assert.equal(ran.result.rows, [[1], [2]]);
    await recover(s);
  });
}

test('PostgreSQL, in a conversation: approving while the circuit is open adds the refusal to the thread, the query stays pending, and approving it again once the source is back runs it', async () => {
  const db = createPgDatabase('chinook');
  const s = await addStore('Chinook', 'postgres', db, PG);
  stores.push(s);
  const asked = await te.ok('chat.ask', { sourceId: s.sourceId, question: 'how many albums are there' });
  assert.ok(asked.approval, 'the question got a query to approve');
  await open(s);

  const refused = (await te.ok('chat.approve', { sessionId: asked.sessionId, messageId: asked.messageId, token: asked.approval!.token })).message;
  assert.is(refused.payload.kind, 'error');
  const payload = refused.payload as { code: string; message: string };
  assert.is(payload.code, 'UNAVAILABLE');
  assert.match(payload.message, /^PostgreSQL 'Chinook behind the proxy' is unreachable: .* approval was not used/);
  let session = await te.ok('chat.getSession', { sessionId: asked.sessionId });
  assert.is(session.queries.find((q) => q.messageId === asked.messageId)?.status, 'pending', 'the engine still offers the query');
  assert.is(session.pendingQueryId, asked.messageId);

  await recover(s);
  const ran = (await te.ok('chat.approve', { sessionId: asked.sessionId, messageId: asked.messageId, token: asked.approval!.token })).message;
  assert.is(ran.payload.kind, 'result');
  session = await te.ok('chat.getSession', { sessionId: asked.sessionId });
  assert.is(session.queries.find((q) => q.messageId === asked.messageId)?.status, 'done');
});

test("MariaDB: the thresholds in Settings apply at once: 2 failures open the circuit, for the cool-down set there", async () => {
  const s = stores.find((x) => x.label === 'MariaDB')!;
  await recover(s);
  await te.ok('settings.update', { circuitFailureThreshold: 2, circuitCoolDownSeconds: 90 });
  try {
    s.proxy.setMode(RESTARTING);
    assert.is((await reach(s))?.code, 'CONNECTOR');
    assert.is((await circuit(s)).state, 'closed', 'one failure is not two');
    assert.is((await reach(s))?.code, 'CONNECTOR');
    const c = await circuit(s);
    assert.is(c.state, 'open', 'the second failure in a row opens it');
    assert.is(c.retryAt, new Date(clock.t + 90_000).toISOString());
    const fast = await reach(s);
    assert.is(fast?.details?.kind, 'CIRCUIT_OPEN');
    assert.is(fast?.details?.retryAfterMs, 90_000);
  } finally {
    await te.ok('settings.update', { circuitFailureThreshold: THRESHOLD, circuitCoolDownSeconds: COOL_DOWN_MS / 1000 });
    await recover(s);
  }
});

test.run();
