import fs from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TEST_PIN } from '../support/engine';
import { startApp, waitForText, type E2EApp } from '../support/e2e';

let app: E2EApp;
test.before(async () => {
  app = await startApp({ unlocked: true });
});
test.after(async () => {
  await app?.close();
});

test('the app loads in the browser host and the status bar shows a healthy engine', async () => {
  await app.open('#/sources');
  await waitForText(app.browser.$('[data-testid="engine-health"]'), 'Engine healthy');
  assert.match(await app.browser.$('h1').getText(), /Sources/);
  // The launch token is taken out of the address bar once read.
  assert.not.match(await app.browser.getUrl(), /token=/);
  // The page has the contract API and no Node.
  const globals = await app.browser.execute(() => ({
    api: typeof (window as unknown as { polystore?: unknown }).polystore,
    require: typeof (window as unknown as { require?: unknown }).require,
    process: typeof (window as unknown as { process?: unknown }).process,
  }));
  assert.equal(globals, { api: 'object', require: 'undefined', process: 'undefined' });
});

test('navigation between routes works by click and by keyboard', async () => {
  const pages: Array<[string, RegExp]> = [
    ['chat', /Ask/],
    ['results', /Results/],
    ['audit', /Audit log/],
    ['settings', /Settings/],
    ['sources', /Sources/],
  ];
  for (const [route, heading] of pages) {
    await app.browser.$(`nav a[data-route="${route}"]`).click();
    await waitForText(app.browser.$('main h1'), heading);
    assert.match(await app.browser.getUrl(), new RegExp(`#/${route}$`));
    assert.is(await app.browser.$(`nav a[data-route="${route}"]`).getAttribute('aria-current'), 'page');
  }
  await app.browser.keys(['Control', '2']);
  await waitForText(app.browser.$('main h1'), 'Ask');
  await app.browser.keys(['Control', ',']);
  await waitForText(app.browser.$('main h1'), 'Settings');
  // Reloading keeps the page (the route lives in the URL) and the bridge reconnects with the stored token.
  await app.browser.refresh();
  await waitForText(app.browser.$('main h1'), 'Settings');
  await waitForText(app.browser.$('[data-testid="engine-health"]'), 'Engine healthy');
});

test('on Linux the shortcuts are Ctrl-based and say so: Ctrl+2 in the sidebar, Ctrl+L locks', async () => {
  await app.open('#/sources');
  const ask = app.browser.$('nav a[data-route="chat"]');
  await ask.waitForDisplayed();
  assert.is(await ask.$('[data-testid="nav-shortcut"]').getProperty('textContent'), 'Ctrl+2');
  assert.is(await ask.getAttribute('aria-keyshortcuts'), 'Control+2');
  assert.is(await app.browser.$('nav a[data-route="settings"] [data-testid="nav-shortcut"]').getProperty('textContent'), 'Ctrl+,');
  assert.is(await app.browser.$('[data-testid="status-lock"]').getAttribute('title'), 'Lock (Ctrl+L)');
  // The Mac's Cmd does nothing here.
  await app.browser.keys(['Meta', '2']);
  await app.browser.keys(['Control', 'l']);
  await app.browser.$('[data-testid="lock-screen"]').waitForDisplayed({ timeoutMsg: 'Ctrl+L did not lock' });
  assert.match(await app.browser.getUrl(), /#\/sources$/);
  await app.call('auth.unlock', { secret: TEST_PIN });
  await waitForText(app.browser.$('main h1'), 'Sources');
});

test('the self-test runs in the worker pool from Settings', async () => {
  await app.open('#/settings');
  await app.browser.$('[data-testid="run-self-test"]').click();
  const report = app.browser.$('[data-testid="self-test-report"]');
  await report.waitForDisplayed({ timeout: 15_000 });
  await waitForText(report, 'off the main thread');
  await waitForText(report, 'better-sqlite3');
});

test('themes: light by default here, dark on request, and a screenshot of each is kept', async () => {
  await app.open('#/settings');
  await app.browser.$('button[role="radio"]=Dark').click();
  assert.is(await app.browser.$('html').getAttribute('data-theme'), 'dark');
  const dark = await app.screenshot('settings-dark');
  await app.browser.$('button[role="radio"]=Light').click();
  assert.is(await app.browser.$('html').getAttribute('data-theme'), 'light');
  const light = await app.screenshot('settings-light');
  for (const file of [dark, light]) assert.ok(fs.statSync(file).size > 10_000, `${file} looks empty`);
  await app.browser.$('button[role="radio"]=Match system').click();
  await app.open('#/sources');
  await app.screenshot('sources-empty');
});

test('the browser host opened without its launch token says which address to open, and offers no Try again that cannot help', async () => {
  await app.open('#/sources');
  const address = await app.browser.getUrl();
  assert.not.match(address, /token=/);
  // A new tab on the bare address: no token in the URL and none kept for this tab.
  await app.browser.execute(() => sessionStorage.clear());
  // A reload (the same address with only a fragment would not load the page again).
  await app.browser.refresh();
  const heading = app.browser.$('[data-testid="open-printed-address"]');
  await waitForText(heading, 'Open PolyStoreIQ from the address it printed');
  await waitForText(app.browser.$('main'), 'printed in the terminal');
  assert.not.match(await app.browser.$('main').getText(), /not answering|Try again/);
  await app.screenshot('06-browser-host-no-token');
  // A tab kept from an earlier launch: its token is refused, and the page says so instead of retrying forever.
  await app.browser.execute(() => sessionStorage.setItem('polystore.bridgeToken', 'token-of-an-earlier-start'));
  await app.browser.refresh();
  await waitForText(app.browser.$('[data-testid="open-printed-address"]'), 'Open PolyStoreIQ from the address it printed');
  await waitForText(app.browser.$('main'), 'earlier start');
  assert.not.match(await app.browser.$('main').getText(), /not answering|Try again/);
  await app.open('#/sources');
  await waitForText(app.browser.$('h1'), 'Sources');
});

test.run();
