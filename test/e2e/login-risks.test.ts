import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPgDatabase, type TestDatabase } from '../support/databases';
import { startApp, waitForText, type E2EApp } from '../support/e2e';

let app: E2EApp;
let db: TestDatabase;
let sourceId: string;

const $ = (selector: string) => app.browser.$(selector);

test.before(async () => {
  db = createPgDatabase('chinook');
  app = await startApp({ unlocked: true });
  // The test server's login is a superuser: exactly the powerful login people really connect with.
  const source = await app.call('sources.create', { name: 'Chinook (superuser)', type: 'postgres', url: `${db.url}?sslmode=disable` });
  sourceId = source.id;
  await app.call('sources.test', { id: sourceId });
});
test.after(async () => {
  await app?.close();
  db?.drop();
});

test('a superuser login is flagged in the list, on the chat page and on the source page until the owner confirms it', async () => {
  await app.open('#/sources');
  const badge = $('[data-testid="login-risks"]');
  await badge.waitForDisplayed();
  assert.is(await badge.getAttribute('data-confirmed'), 'false');
  await waitForText(badge, 'not confirmed');

  await app.open(`#/chat/${sourceId}`);
  const banner = $('[data-testid="login-risks-banner"]');
  await banner.waitForDisplayed();
  await waitForText(banner, 'will not run until you confirm');
  await app.screenshot('30-chat-risky-login');

  await app.open(`#/sources/${sourceId}`);
  const panel = $('[data-testid="login-risks-panel"]');
  await panel.waitForDisplayed();
  await waitForText(panel, 'can write');
  await app.screenshot('31-source-risky-login');
  await $('[data-testid="confirm-risks"]').click();
  await app.browser.waitUntil(async () => (await panel.getAttribute('data-confirmed')) === 'true', { timeoutMsg: 'the confirmation never showed' });
  await waitForText(panel, 'You confirmed these risks');

  const audit = await app.call('audit.list', {});
  assert.ok(
    audit.events.some((e) => e.action === 'source.risks_confirmed' && e.sourceId === sourceId),
    'the confirmation is in the audit log',
  );
  // Once confirmed, the chat keeps a quieter badge and drops the blocking banner.
  await app.open(`#/chat/${sourceId}`);
  await app.browser.waitUntil(async () => (await $('[data-testid="login-risks"]').getAttribute('data-confirmed')) === 'true', { timeoutMsg: 'the chat badge never showed the confirmation' });
  assert.not.ok(await $('[data-testid="login-risks-banner"]').isExisting(), 'no blocking banner after confirmation');
});

test("the source page shows its limits and what the store can and cannot do before anything runs; the add dialog takes the engine's facts", async () => {
  await app.call('sources.update', { id: sourceId, settings: { rowLimit: 500 } });
  await app.open(`#/sources/${sourceId}`);
  const caps = $('[data-testid="source-capabilities"]');
  await caps.waitForDisplayed({ timeout: 10_000 });
  await waitForText(caps.$('[data-limit="rowLimit"]'), '500 rows (default 10,000 rows)');
  await waitForText(caps.$('[data-limit="statementTimeoutMs"]'), '30 s');
  const explain = caps.$('[data-capability="explain"]');
  assert.is(await explain.getAttribute('data-supported'), 'true');
  await waitForText(explain, 'Cost estimate before you approve (EXPLAIN)');
  assert.is(await caps.$('[data-capability="cancel"]').getAttribute('data-supported'), 'true');
  // What PostgreSQL cannot do is shown off, with the engine's reason.
  const files = caps.$('[data-capability="filePreview"]');
  assert.is(await files.getAttribute('data-supported'), 'false');
  await waitForText(files, 'PostgreSQL has no files to list.');
  await caps.scrollIntoView();
  await app.screenshot('32-source-capabilities');

  await app.open('#/sources');
  await $('[data-testid="add-source"]').click();
  const mongo = $('button.type[data-type="mongodb"]');
  await mongo.waitForDisplayed();
  await waitForText(mongo, 'find, aggregate, count and distinct only');
  await mongo.click();
  assert.is(await $('input[name="port"]').getValue(), '27017', 'the default port is the engine’s');
});

test.run();
