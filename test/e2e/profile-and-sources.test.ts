import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TEST_PIN } from '../support/engine';
import { startApp, waitForText, type E2EApp } from '../support/e2e';
import { testdataDir } from '../support/tmp';

let app: E2EApp;
test.before(async () => {
  app = await startApp();
});
test.after(async () => {
  await app?.close();
});

const $ = (selector: string) => app.browser.$(selector);

async function typeSecret(value: string) {
  const input = $('input[name="secret"]');
  await input.waitForDisplayed();
  await input.setValue(value);
}

test('first run: the profile is created with a PIN; weak PINs are explained', async () => {
  await app.open('#/sources');
  await $('[data-testid="setup-screen"]').waitForDisplayed();
  await app.screenshot('01-first-run');
  await typeSecret('123456');
  await $('input[name="confirm"]').setValue('123456');
  await $('button[type="submit"]').click();
  await waitForText($('[data-testid="lock-error"]'), 'consecutive digits');
  await typeSecret(TEST_PIN);
  await $('input[name="confirm"]').setValue(TEST_PIN);
  await $('button[type="submit"]').click();
  await waitForText($('main h1'), 'Sources');
  await waitForText($('main'), 'No sources yet');
});

test('add a file source and a PostgreSQL source through the form', async () => {
  await $('[data-testid="add-source"]').click();
  await $('button[data-type="file"]').click();
  await $('input[name="name"]').setValue('Titanic');
  await $('textarea[name="paths"]').setValue(path.join(testdataDir, 'files/duckdb-csv/titanic.csv'));
  await $('[data-testid="save-source"]').click();
  // A new source opens on its own page, where its files are imported and its schema shown.
  await waitForText($('main h1'), 'Titanic');
  await $('[data-testid="test-connection"]').click();
  // Importing starts DuckDB's child processes: on a busy machine that can take a while (a liveness bound, not a speed target).
  await waitForText($('[data-testid="connection-test"]'), 'Connected', 60_000);
  await waitForText($('[data-testid="metadata-tree"]'), 'titanic', 60_000);
  await app.screenshot('02-file-source');
  await app.browser.keys(['Control', '1']);
  await waitForText($('[data-testid="source-row"]'), 'Titanic');

  await $('[data-testid="add-source"]').click();
  await $('button[data-type="postgres"]').click();
  await $('input[name="name"]').setValue('Warehouse');
  await $('input[name="port"]').setValue('99999');
  await $('input[name="database"]').setValue('chinook');
  await $('input[name="user"]').setValue('analyst');
  await $('input[name="password"]').setValue('e2e-Secret-pw');
  await $('[data-testid="save-source"]').click();
  // The engine's validation lands on the field.
  await waitForText($('.field-error'), 'between 1 and 65535');
  await app.screenshot('02-source-form-error');
  // Test connection before saving: a closed port is reported in plain words, without the password.
  await $('input[name="host"]').setValue('127.0.0.1');
  await $('input[name="port"]').setValue('1');
  await $('[data-testid="test-draft"]').click();
  await waitForText($('[data-testid="connection-test"]'), 'Port closed', 20_000);
  assert.not.match(await $('[data-testid="connection-test"]').getText(), /e2e-Secret-pw/);
  await app.screenshot('02b-test-connection-failed');
  await $('input[name="port"]').setValue('5432');
  await $('[data-testid="save-source"]').click();
  await waitForText($('main h1'), 'Warehouse');
  await app.browser.keys(['Control', '1']);
  await app.browser.waitUntil(async () => (await app.browser.$$('[data-testid="source-row"]').length) === 2, { timeoutMsg: 'second source not listed' });
  const html = await $('main').getHTML();
  assert.not.match(html, /e2e-Secret-pw/);
  await app.screenshot('03-sources');
});

test('disable a source: its badge changes and the audit log records it', async () => {
  const row = $('//li[@data-testid="source-row"][.//strong[text()="Warehouse"]]');
  await row.$('[data-testid="toggle-source"]').click();
  await waitForText(row.$('[data-testid="source-status"]'), 'Disabled');
  await app.browser.keys(['Control', '4']);
  await waitForText($('main h1'), 'Audit log');
  await waitForText($('[data-testid="audit-table"]'), 'source.disabled');
  await waitForText($('[data-testid="audit-table"]'), 'source.created');
  await app.screenshot('04-audit');
});

test('lock: routes are blocked (also from the address bar and the API) until unlocked; unlocking returns to the page', async () => {
  await $('[data-testid="status-lock"]').click();
  await $('[data-testid="lock-screen"]').waitForDisplayed();
  await app.browser.url((await app.browser.getUrl()).replace(/#.*$/, '') + '#/settings');
  await $('[data-testid="lock-screen"]').waitForDisplayed();
  assert.is(await $('nav').isExisting(), false);
  const fromPage = await app.browser.executeAsync((done: (v: unknown) => void) => {
    void (window as unknown as { polystore: { sources: { list(): Promise<unknown> } } }).polystore.sources.list().then(done);
  });
  assert.is((fromPage as { error: { code: string } }).error.code, 'LOCKED');
  await typeSecret(TEST_PIN);
  await $('button[type="submit"]').click();
  await waitForText($('main h1'), 'Settings');
});

test('wrong PIN: a clear message, then a delay with a countdown after five failures', async () => {
  await app.browser.keys(['Control', 'Shift', 'l']);
  await $('[data-testid="lock-screen"]').waitForDisplayed();
  for (let i = 1; i <= 4; i++) {
    await typeSecret('999999');
    await $('button[type="submit"]').click();
    await waitForText($('[data-testid="lock-error"]'), `${5 - i} attempt`);
  }
  await typeSecret('999999');
  await $('button[type="submit"]').click();
  await waitForText($('[data-testid="lock-error"]'), 'try again in 30 s');
  const button = $('button[type="submit"]');
  await waitForText(button, /Try again in \d+ s/);
  assert.is(await button.isEnabled(), false);
  await app.screenshot('05-wrong-pin-delay');
});

test.run();
