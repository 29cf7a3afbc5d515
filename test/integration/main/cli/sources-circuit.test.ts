/**
 * `polystore sources list` and `sources show` show a source's circuit breaker as the app left it
 * (issue 12, S6-004): the circuit is kept in the profile, so a separate CLI process sees that the
 * app's engine opened it. The app's engine runs an hour ahead of the real clock the CLI uses, so
 * the circuit it opens is still open when the CLI looks, however slow the machine.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli } from '../../../support/cli';
import { createPgDatabase, PG, type TestDatabase } from '../../../support/databases';
import { openTestEngine, TEST_PIN, type TestEngine } from '../../../support/engine';
import { startFaultProxy, type FaultProxy } from '../../../support/fault-proxy';

const clock = { t: Date.now() + 3_600_000 };
let te: TestEngine;
let db: TestDatabase;
let proxy: FaultProxy;
let sourceId = '';

test.before(async () => {
  db = createPgDatabase('empty');
  proxy = await startFaultProxy(PG, { kind: 'reset', afterBytes: 0 });
  te = await openTestEngine({ unlocked: true, now: () => clock.t });
  sourceId = (
    await te.ok('sources.create', {
      name: 'Prod',
      type: 'postgres',
      connection: { host: proxy.host, port: proxy.port, database: db.name, user: db.user, tls: { mode: 'off' }, connectTimeoutMs: 1_000 },
    })
  ).id;
});

test.after(async () => {
  await te?.close();
  await proxy?.close();
  db?.drop();
});

test('an open circuit opened by the app is listed by the CLI with when it retries, and shown with its reason', async () => {
  for (let i = 0; i < 5; i++) {
    const r = await te.call('metadata.get', { sourceId, refresh: true });
    assert.is(r.ok ? 'ok' : r.error.code, 'CONNECTOR', 'the server is restarting');
  }
  const fast = await te.call('metadata.get', { sourceId, refresh: true });
  assert.is(fast.ok ? 'ok' : fast.error.code, 'UNAVAILABLE', 'open in the app');

  const base = ['--data-dir', te.dataDir];
  const env = { POLYSTORE_PIN: TEST_PIN };
  const json = await cli(['sources', 'list', ...base, '--json'], { env });
  assert.is(json.code, 0, json.stderr);
  const listed = json.json<Array<{ id: string; circuit: { state: string; consecutiveFailures: number; message: string | null } }>>().find((s) => s.id === sourceId)!;
  assert.is(listed.circuit.state, 'open');
  assert.is(listed.circuit.consecutiveFailures, 5);
  assert.match(listed.circuit.message ?? '', /^PostgreSQL 'Prod' is unreachable: 5 failures in \d+ s; retrying at /);

  const human = await cli(['sources', 'list', ...base], { env });
  assert.match(human.stdout, /\bcircuit\b/);
  assert.match(human.stdout, /OPEN until /);
  const shown = await cli(['sources', 'show', sourceId, ...base], { env });
  assert.match(shown.stdout, /^circuit: +PostgreSQL 'Prod' is unreachable/m);

  // Back in the app: a connection test that connects closes it, and the CLI then lists it closed.
  proxy.setMode({ kind: 'pass' });
  await te.ok('sources.test', { id: sourceId });
  const after = (await cli(['sources', 'list', ...base, '--json'], { env })).json<Array<{ id: string; circuit: { state: string } }>>();
  assert.is(after.find((s) => s.id === sourceId)!.circuit.state, 'closed');
});

test.run();
