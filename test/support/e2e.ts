import fs from 'node:fs';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../engine/contract/index';
import path from 'node:path';
import { remote } from 'webdriverio';
import { launchBrowserHost } from '../../main/browser-host/launch';
import { TEST_PIN } from './engine';
import { artifactsDir, tempDir } from './tmp';

/** Debian's chromium and chromedriver: nothing is downloaded. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--window-size=1280,820',
];

export interface E2EApp {
  browser: WebdriverIO.Browser;
  launched: Awaited<ReturnType<typeof launchBrowserHost>>;
  dataDir: string;
  /** Calls the engine directly: the tests' back door to set up and to check what happened (throws on an error). */
  call<C extends ChannelName>(channel: C, input?: ChannelInput<C>): Promise<ChannelOutput<C>>;
  /** Opens a page of the app (e.g. '#/settings') with this launch's token. */
  open(hash?: string): Promise<void>;
  /** Saves a screenshot under test-artifacts/e2e and returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the browser host on a fresh profile and a Chromium session. With
 * `unlocked`, the profile is created (PIN TEST_PIN) through the engine first.
 */
export async function startApp(options: { dataDir?: string; colorScheme?: 'light' | 'dark'; unlocked?: boolean } = {}): Promise<E2EApp> {
  const dir = options.dataDir ? null : tempDir('polystore-e2e-');
  const dataDir = options.dataDir ?? dir!.path;
  const profile = tempDir('polystore-chromium-');
  const launched = await launchBrowserHost({ dataDir });
  if (options.unlocked) {
    const setup = await launched.engine.router.dispatch('auth.setup', { kind: 'pin', secret: TEST_PIN }, { host: 'test' });
    if (!setup.ok) throw new Error(`profile setup failed: ${setup.error.message}`);
  }
  const flags = [...CHROMIUM_FLAGS, `--user-data-dir=${profile.path}`];
  if (options.colorScheme === 'dark') flags.push('--force-dark-mode', '--blink-settings=preferredColorScheme=0');
  const browser = await remote({
    logLevel: 'warn',
    capabilities: {
      browserName: 'chrome',
      'goog:chromeOptions': { binary: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium', args: flags },
      'wdio:chromedriverOptions': { binary: process.env.CHROMEDRIVER_BIN ?? '/usr/bin/chromedriver' },
    },
  });
  const shots = path.join(artifactsDir, 'e2e');
  fs.mkdirSync(shots, { recursive: true });
  return {
    browser,
    launched,
    dataDir,
    async call(channel, input) {
      const r = await launched.engine.router.dispatch(channel, input, { host: 'test' });
      if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
      return r.value as never;
    },
    async open(hash = '') {
      await browser.url(launched.host.url + hash);
    },
    async screenshot(name) {
      const file = path.join(shots, `${name}.png`);
      await browser.saveScreenshot(file);
      return file;
    },
    async close() {
      await browser.deleteSession().catch(() => {});
      await launched.close();
      profile.remove();
      dir?.remove();
    },
  };
}

/** Waits until the element's text contains `text`. */
export async function waitForText(el: ChainablePromiseElement, text: string | RegExp, timeout = 10_000): Promise<void> {
  await el.waitUntil(
    async function (this: WebdriverIO.Element) {
      const t = await this.getText();
      return typeof text === 'string' ? t.includes(text) : text.test(t);
    },
    { timeout, timeoutMsg: `text ${String(text)} did not appear` },
  );
}

type ChainablePromiseElement = ReturnType<WebdriverIO.Browser['$']>;

/** The last element with this test id (the newest in a chat thread). */
export function lastOf(app: E2EApp, testId: string): ChainablePromiseElement {
  return app.browser.$(`(//*[@data-testid="${testId}"])[last()]`);
}

/** Types a question into the Ask page's composer and sends it. */
export async function askInChat(app: E2EApp, question: string): Promise<void> {
  const composer = app.browser.$('[data-testid="composer"]');
  await composer.waitForEnabled();
  await composer.setValue(question);
  await app.browser.keys('Enter');
}

/** Waits until an edited query card is replaced by its new version (right after "Save", the old card is still the latest and still pending). */
export async function waitReplaced(app: E2EApp, card: ChainablePromiseElement): Promise<void> {
  await app.browser.waitUntil(async () => (await card.getAttribute('data-status')) === 'replaced', { timeout: 20_000, timeoutMsg: 'the edit did not replace the query' });
}

/** The latest query card of the thread, once it is in the given status (pending, approved, denied …). */
export async function latestQueryCard(app: E2EApp, status: string): Promise<ChainablePromiseElement> {
  await app.browser.waitUntil(
    async () => (await app.browser.$$('[data-testid="query-card"]').length) > 0 && (await lastOf(app, 'query-card').getAttribute('data-status')) === status,
    { timeout: 20_000, timeoutMsg: `no query card in status ${status}` },
  );
  return lastOf(app, 'query-card');
}

/**
 * Adds a PostgreSQL source for `db` and makes it ready to query: tested, and
 * the test server's superuser login risks confirmed once, as the owner would.
 */
export async function addConfirmedPgSource(app: E2EApp, db: { url: string }, name = 'Chinook'): Promise<string> {
  const { id } = await app.call('sources.create', { name, type: 'postgres', url: `${db.url}?sslmode=disable` });
  await app.call('sources.test', { id });
  await app.call('sources.confirmRisks', { id });
  return id;
}
