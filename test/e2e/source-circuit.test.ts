/**
 * A source whose circuit breaker opened (issue 12, S6-004) is marked in the source list and named in the
 * status bar; once a connection test reaches it again, both marks go away. The server behind the fault
 * proxy cuts every handshake, as one restarting does. The badge may say "Unreachable, retrying at …" or,
 * once the 10 s cool-down has passed on a slow machine, "Retrying": both are the open circuit.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPgDatabase, PG, type TestDatabase } from '../support/databases';
import { startApp, waitForText, type E2EApp } from '../support/e2e';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';

let app: E2EApp;
let db: TestDatabase;
let proxy: FaultProxy;
let sourceId: string;

const $ = (selector: string) => app.browser.$(selector);

test.before(async () => {
  db = createPgDatabase('empty');
  proxy = await startFaultProxy(PG, { kind: 'reset', afterBytes: 0 });
  app = await startApp({ unlocked: true });
  const source = await app.call('sources.create', {
    name: 'Restarting',
    type: 'postgres',
    connection: { host: proxy.host, port: proxy.port, database: db.name, user: db.user, tls: { mode: 'off' }, connectTimeoutMs: 1_000 },
  });
  sourceId = source.id;
});
test.after(async () => {
  await app?.close();
  await proxy?.close();
  db?.drop();
});

test('an unreachable source is marked in the list and the status bar until a connection test reaches it', async () => {
  for (let i = 0; i < 5; i++) await app.call('metadata.get', { sourceId, refresh: true }).catch(() => {});
  assert.is.not((await app.call('sources.get', { id: sourceId })).circuit.state, 'closed', 'the circuit opened');

  await app.open('#/sources');
  const row = $(`[data-testid="source-row"][data-source-id="${sourceId}"]`);
  await row.waitForDisplayed();
  const badge = row.$('[data-testid="source-circuit"]');
  await badge.waitForDisplayed();
  await waitForText(badge, /Unreachable, retrying at \d|Retrying/);
  const bar = $('[data-testid="status-unreachable"]');
  await bar.waitForDisplayed();
  await waitForText(bar, "'Restarting' unreachable");
  await app.screenshot('70-source-unreachable');

  proxy.setMode({ kind: 'pass' });
  await app.call('sources.test', { id: sourceId });
  await badge.waitForDisplayed({ reverse: true, timeoutMsg: 'the badge stayed after the source answered' });
  await bar.waitForDisplayed({ reverse: true, timeoutMsg: 'the status bar still names the source' });
});

test.run();
