import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PG } from '../support/databases';
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

test('first run: the owner names the profile and sets a PIN; weak PINs are explained and both PIN fields start over', async () => {
  await app.open('#/sources');
  await $('[data-testid="setup-screen"]').waitForDisplayed();
  await $('input[name="profileName"]').setValue('Ana');
  await app.screenshot('01-first-run');
  await typeSecret('123456');
  await $('input[name="confirm"]').setValue('123456');
  await $('button[type="submit"]').click();
  await waitForText($('[data-testid="lock-error"]'), 'consecutive digits');
  assert.is(await $('input[name="confirm"]').getValue(), '', 'the Repeat field is cleared after the error');
  assert.is(await $('input[name="secret"]').getValue(), '');
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
  // Saved without testing these details: the page and the list say so in the same words.
  await waitForText($('[data-testid="source-status"]'), 'Not tested');
  await app.browser.keys(['Control', '1']);
  await app.browser.waitUntil(async () => (await app.browser.$$('[data-testid="source-row"]').length) === 2, { timeoutMsg: 'second source not listed' });
  const html = await $('main').getHTML();
  assert.not.match(html, /e2e-Secret-pw/);
  await app.screenshot('03-sources');
});

test('a source tested in the form is saved with that status: the same word in the list and on its page, with the login warning in the list', async () => {
  await $('[data-testid="add-source"]').click();
  await $('button[data-type="postgres"]').click();
  await $('input[name="name"]').setValue('Tested first');
  await $('input[name="host"]').setValue(PG.host);
  await $('input[name="port"]').setValue(String(PG.port));
  await $('input[name="database"]').setValue('postgres');
  await $('input[name="user"]').setValue(PG.user);
  await $('[data-testid="test-draft"]').click();
  await waitForText($('[data-testid="connection-test"]'), 'Connected', 20_000);
  await $('[data-testid="save-source"]').click();
  await waitForText($('main h1'), 'Tested first');
  await waitForText($('[data-testid="source-status"]'), 'Connected');
  await app.browser.keys(['Control', '1']);
  const row = $('//li[@data-testid="source-row"][.//strong[text()="Tested first"]]');
  await waitForText(row.$('[data-testid="source-status"]'), 'Connected');
  // The test server's login is a superuser: the list warns, not only the dialog.
  await row.$('[data-testid="login-risks"]').waitForDisplayed();
  await app.screenshot('03b-sources-tested-in-form');
});

test('keyboard: Skip to main content is the first Tab stop, and each source row is one Tab stop with its actions on the arrow keys', async () => {
  await app.open('#/sources');
  await $('[data-testid="source-row"]').waitForDisplayed();
  await app.browser.execute(() => (document.activeElement as HTMLElement | null)?.blur());
  await app.browser.keys('Tab');
  const active = () => app.browser.execute(() => (document.activeElement as HTMLElement | null)?.textContent?.trim() ?? '');
  assert.is(await active(), 'Skip to main content');
  await app.browser.keys('Enter');
  assert.is(await app.browser.execute(() => document.activeElement?.id), 'main');

  // From the first row's name, one Tab reaches the next row's name, not its buttons.
  const names = await app.browser.$$('[data-testid="source-row"] a.name').map((el) => el.getText());
  await app.browser.execute(() => (document.querySelector('[data-testid="source-row"] a.name') as HTMLElement).focus());
  await app.browser.keys('Tab');
  assert.is(await active(), names[1], 'Tab goes to the next row');
  await app.browser.keys(['Shift', 'Tab']);
  await app.browser.keys('ArrowRight');
  assert.is(await active(), 'Edit');
  await app.browser.keys('End');
  assert.is(await active(), 'Remove');
  await app.browser.keys('Enter');
  const confirm = $('[data-testid="confirm-remove"]');
  await confirm.waitForDisplayed();
  // Destructive: the confirming button is red (the danger colour), not the accent.
  const colors = await app.browser.execute(() => {
    const button = document.querySelector('[data-testid="confirm-remove"]')!;
    const probe = document.createElement('span');
    probe.style.color = 'var(--danger)';
    document.body.append(probe);
    const danger = getComputedStyle(probe).color;
    probe.remove();
    return { background: getComputedStyle(button).backgroundColor, danger };
  });
  assert.is(colors.background, colors.danger);
  await app.screenshot('03c-remove-confirm');
  await app.browser.keys('Escape');
  await confirm.waitForDisplayed({ reverse: true });
});

test('disable a source: its badge changes and the audit log records it', async () => {
  const row = $('//li[@data-testid="source-row"][.//strong[text()="Warehouse"]]');
  await row.$('[data-testid="toggle-source"]').click();
  await waitForText(row.$('[data-testid="source-status"]'), 'Disabled');
  await app.browser.keys(['Control', '4']);
  await waitForText($('main h1'), 'Audit log');
  // In words, with the source's name and who did it; the raw event is one click away.
  const disabled = $('//tr[@data-testid="audit-row"][@data-action="source.disabled"]');
  await waitForText(disabled, 'Disabled source');
  await waitForText(disabled, 'Warehouse');
  await waitForText(disabled, 'Ana');
  await waitForText($('[data-testid="audit-table"]'), 'Added source');
  assert.not.match(await disabled.getText(), /source\.disabled/, 'no raw action names until asked');
  await disabled.$('summary').click();
  await waitForText(disabled.$('[data-testid="audit-raw"]'), '"action": "source.disabled"');
  await app.screenshot('04-audit');
});

test('lock: routes are blocked (also from the address bar and the API) until unlocked; unlocking returns to the page', async () => {
  await $('[data-testid="status-lock"]').click();
  await $('[data-testid="lock-screen"]').waitForDisplayed();
  await waitForText($('[data-testid="lock-screen"]'), "unlock Ana's profile");
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
