import fs from 'node:fs';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../engine/contract/index';
import { isRendererChannel } from '../../engine/contract/renderer-channels';
import path from 'node:path';
import { test } from 'uvu';
import { remote } from 'webdriverio';
import type { launchBrowserHost } from '../../main/browser-host/launch';
import { APP_ORIGIN } from '../../main/electron/window-options';
import { BROWSER_HOST_ONLY } from '../e2e/hosts';
import { e2eHostFromEnv, NOT_RUN_MARK, sessionCapabilities, type E2EHostConfig, type E2EHostKind, type ElectronHostConfig } from './e2e-hosts';
import { TEST_PIN } from './engine';
import { artifactsDir, tempDir } from './tmp';

export { CHROMIUM_FLAGS } from './e2e-hosts';

type LaunchedBrowserHost = Awaited<ReturnType<typeof launchBrowserHost>>;

export interface E2EApp {
  /** Which app this is: the browser host (default) or the packaged Electron app (E2E_HOST=electron). */
  host: E2EHostKind;
  browser: WebdriverIO.Browser;
  /**
   * The browser host's engine and server. Browser host only: the packaged app runs in its own
   * process, so reading this there throws, and a spec that needs it is in test/e2e/hosts.ts's
   * BROWSER_HOST_ONLY (test/unit/e2e/hosts.test.ts checks that).
   */
  launched: LaunchedBrowserHost;
  dataDir: string;
  /**
   * Calls the engine: the tests' back door to set up and to check what happened (throws on an error).
   * The browser host dispatches in-process; the app is called through its page's window.polystore,
   * so there only the channels the page may call are reachable.
   */
  call<C extends ChannelName>(channel: C, input?: ChannelInput<C>): Promise<ChannelOutput<C>>;
  /** Opens a page of the app (e.g. '#/settings'): with this launch's token in the browser host, the app's own page in Electron. */
  open(hash?: string): Promise<void>;
  /** Saves a screenshot under test-artifacts/e2e and returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export interface StartOptions {
  dataDir?: string;
  colorScheme?: 'light' | 'dark';
  unlocked?: boolean;
  /** Classic WebDriver instead of BiDi (see SessionOptions.classic): for benches that time the page. */
  classic?: boolean;
}

/** The host this run drives (E2E_HOST), read once per process. */
let selectedHost: E2EHostConfig | null = null;
function currentHost(): E2EHostConfig {
  return (selectedHost ??= e2eHostFromEnv());
}

/** Which app this run drives, for the few places a spec must know. */
export function e2eHost(): E2EHostKind {
  return currentHost().kind;
}

/** A spec's use of something only the browser host has, in the Electron run. */
export class BrowserHostOnlyError extends Error {
  override name = 'BrowserHostOnlyError';
}

/**
 * Registers a test only the browser host can run (a download the app would save through its native
 * dialog, which WebDriver cannot drive). The Electron run prints it as not run, with the reason, and
 * its runner lists those lines in its summary: nothing is reported as passed that did not run.
 */
export function browserHostTest(name: string, reason: string, fn: () => Promise<void>): void {
  if (currentHost().kind === 'browser') test(name, fn);
  else console.log(`${NOT_RUN_MARK} ${name}: ${reason}`);
}

/**
 * Starts the app on a fresh profile and a WebDriver session with it: the browser host in this process
 * with Debian's Chromium, or (E2E_HOST=electron) the packaged app through chromedriver. With
 * `unlocked`, the profile is created (PIN TEST_PIN) through the engine first.
 */
export async function startApp(options: StartOptions = {}): Promise<E2EApp> {
  const host = currentHost();
  try {
    return await (host.kind === 'browser' ? startBrowserHost(host, options) : startElectronApp(host, options));
  } catch (error) {
    // uvu does not print an error thrown in a before hook (it only counts the tests as not passed): say why here.
    console.error(`startApp (${host.kind} host) failed:`, error);
    throw error;
  }
}

const shots = path.join(artifactsDir, 'e2e');

/** Keeps a file a spec made (an export) next to the screenshots, to look at; the folder is made on first use. */
export function keepArtifact(name: string, content: string | Uint8Array): string {
  fs.mkdirSync(shots, { recursive: true });
  const file = path.join(shots, name);
  fs.writeFileSync(file, content);
  return file;
}

async function saveScreenshot(browser: WebdriverIO.Browser, name: string): Promise<string> {
  fs.mkdirSync(shots, { recursive: true });
  const file = path.join(shots, `${name}.png`);
  await browser.saveScreenshot(file);
  return file;
}

async function startBrowserHost(host: E2EHostConfig, options: StartOptions): Promise<E2EApp> {
  const dir = options.dataDir ? null : tempDir('polystore-e2e-');
  const dataDir = options.dataDir ?? dir!.path;
  const profile = tempDir('polystore-chromium-');
  // Loaded only here: the Electron run never starts an engine in this process.
  const { launchBrowserHost } = await import('../../main/browser-host/launch');
  const launched = await launchBrowserHost({ dataDir });
  if (options.unlocked) {
    const setup = await launched.engine.router.dispatch('auth.setup', { kind: 'pin', secret: TEST_PIN }, { host: 'test' });
    if (!setup.ok) throw new Error(`profile setup failed: ${setup.error.message}`);
  }
  const browser = await remote({
    logLevel: 'warn',
    capabilities: sessionCapabilities(host, { browserProfileDir: profile.path, dataDir, colorScheme: options.colorScheme, classic: options.classic }),
  });
  return {
    host: 'browser',
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
    screenshot: (name) => saveScreenshot(browser, name),
    async close() {
      await browser.deleteSession().catch(() => {});
      await launched.close();
      profile.remove();
      dir?.remove();
    },
  };
}

/** The app's page: the renderer the packaged app serves from its own scheme. */
export const ELECTRON_PAGE = `${APP_ORIGIN}/index.html`;
/** How long the packaged app may take to show its page with window.polystore (a cold start on a busy runner). */
const APP_READY_MS = 60_000;

type CallOutcome = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };

/**
 * Calls one channel through the page's window.polystore, as the app's own page does (throws on an
 * error, like app.call). The Electron host's app.call; exported so a spec checks it in either host.
 */
export async function callThroughPage<C extends ChannelName>(browser: WebdriverIO.Browser, channel: C, input?: ChannelInput<C>): Promise<ChannelOutput<C>> {
  const r = (await browser.executeAsync(
    (name: string, payload: unknown, withInput: boolean, done: (r?: unknown) => void) => {
      const [group, verb] = [name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1)];
      const api = (window as unknown as { polystore?: Record<string, Record<string, (input?: unknown) => Promise<unknown>>> }).polystore;
      const fn = api?.[group]?.[verb];
      if (typeof fn !== 'function') return done({ ok: false, error: { code: 'NOT_ON_PAGE', message: `window.polystore has no ${name}` } });
      // JSON carries no undefined: a call without input must not become a call with null.
      (withInput ? fn(payload) : fn()).then(done, (error: unknown) => done({ ok: false, error: { code: 'THROWN', message: String(error) } }));
    },
    channel,
    input === undefined ? null : input,
    input !== undefined,
  )) as CallOutcome;
  if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
  return r.value as ChannelOutput<C>;
}

async function waitForAppPage(browser: WebdriverIO.Browser): Promise<void> {
  await browser.waitUntil(
    async () =>
      (await browser.getUrl().catch(() => '')).startsWith(APP_ORIGIN) &&
      (await browser.execute(() => typeof (window as unknown as { polystore?: unknown }).polystore === 'object').catch(() => false)),
    { timeout: APP_READY_MS, interval: 250, timeoutMsg: `the app did not show its page with window.polystore within ${APP_READY_MS / 1000} s` },
  );
}

async function startElectronApp(host: ElectronHostConfig, options: StartOptions): Promise<E2EApp> {
  const spec = path.basename(process.argv[1] ?? '');
  const reason = BROWSER_HOST_ONLY[spec];
  if (reason) throw new BrowserHostOnlyError(`${spec} runs against the browser host only (test/e2e/hosts.ts): ${reason}`);
  const dir = options.dataDir ? null : tempDir('polystore-e2e-');
  const dataDir = options.dataDir ?? dir!.path;
  const profile = tempDir('polystore-electron-');
  const browser = await remote({
    logLevel: 'warn',
    capabilities: sessionCapabilities(host, { browserProfileDir: profile.path, dataDir, colorScheme: options.colorScheme, classic: options.classic }),
  });
  const app: E2EApp = {
    host: 'electron',
    browser,
    get launched(): never {
      throw new BrowserHostOnlyError("app.launched is the browser host's engine and server; list this spec in test/e2e/hosts.ts BROWSER_HOST_ONLY");
    },
    dataDir,
    async call(channel, input) {
      if (!isRendererChannel(channel)) {
        throw new BrowserHostOnlyError(`${channel} is not a channel the app's page can call, so app.call cannot reach it in the app; list this spec in test/e2e/hosts.ts BROWSER_HOST_ONLY`);
      }
      await waitForAppPage(browser);
      return callThroughPage(browser, channel, input);
    },
    async open(hash = '') {
      await browser.url(ELECTRON_PAGE + hash);
    },
    screenshot: (name) => saveScreenshot(browser, name),
    async close() {
      // chromedriver ends the app with the session.
      await browser.deleteSession().catch(() => {});
      profile.remove();
      dir?.remove();
    },
  };
  try {
    await waitForAppPage(browser);
    if (options.unlocked) {
      await app.call('auth.setup', { kind: 'pin', secret: TEST_PIN });
      // The page showed first-run setup; it starts again on the unlocked profile.
      await app.open();
    }
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
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
