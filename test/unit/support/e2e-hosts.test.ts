import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import { remote } from 'webdriverio';
import * as assert from 'uvu/assert';
import { checkDriverMatches, chromedriverMajor, e2eHostFromEnv, E2EHostError, sessionCapabilities, type ElectronHostConfig } from '../../support/e2e-hosts';
import { tempDir } from '../../support/tmp';

const dir = tempDir('polystore-e2e-hosts-');
/** A stand-in for the installed app's layout: PolyStoreIQ.app/Contents/MacOS/PolyStoreIQ, executable. */
const bundle = path.join(dir.path, 'PolyStoreIQ.app');
const executable = path.join(bundle, 'Contents', 'MacOS', 'PolyStoreIQ');
fs.mkdirSync(path.dirname(executable), { recursive: true });
fs.writeFileSync(executable, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
const notExecutable = path.join(dir.path, 'readme.txt');
fs.writeFileSync(notExecutable, 'not a program', { mode: 0o644 });
test.after(() => dir.remove());

const electronEnv = { E2E_HOST: 'electron', E2E_APP: executable, E2E_CHROMIUM_VERSION: '142.0.7444.52' };

function hostError(env: NodeJS.ProcessEnv): string {
  try {
    e2eHostFromEnv(env);
  } catch (error) {
    assert.instance(error, E2EHostError);
    return (error as Error).message;
  }
  throw new Error('expected an E2EHostError');
}

test('without E2E_HOST the specs drive the browser host with Debian Chromium, or the Chromium and driver CI names', () => {
  assert.equal(e2eHostFromEnv({}), { kind: 'browser', chromiumBin: '/usr/bin/chromium', chromedriverBin: '/usr/bin/chromedriver' });
  assert.equal(e2eHostFromEnv({ CHROMIUM_BIN: '/opt/chrome', CHROMEDRIVER_BIN: '/opt/driver' }), { kind: 'browser', chromiumBin: '/opt/chrome', chromedriverBin: '/opt/driver' });
  assert.match(hostError({ E2E_HOST: 'electorn' }), 'E2E_HOST must be "browser" (the default) or "electron", not "electorn"');
});

test('E2E_HOST=electron without E2E_APP, or with a path that is not the executable, stops with what to set', () => {
  assert.match(hostError({ E2E_HOST: 'electron' }), /needs E2E_APP: .*PolyStoreIQ\.app\/Contents\/MacOS\/PolyStoreIQ/);
  assert.match(hostError({ ...electronEnv, E2E_APP: '  ' }), 'needs E2E_APP');
  assert.match(hostError({ ...electronEnv, E2E_APP: path.join(dir.path, 'Nothing.app', 'Contents', 'MacOS', 'Nothing') }), 'E2E_APP does not exist');
  // The bundle is a folder: the message names the executable inside it.
  assert.match(hostError({ ...electronEnv, E2E_APP: bundle }), `E2E_APP is a folder, not the app's executable: ${bundle} (try ${executable})`);
  assert.match(hostError({ ...electronEnv, E2E_APP: notExecutable }), `E2E_APP is not executable: ${notExecutable}`);
});

test("E2E_HOST=electron needs the app's Chromium version as four numbers", () => {
  assert.match(hostError({ ...electronEnv, E2E_CHROMIUM_VERSION: undefined }), 'E2E_CHROMIUM_VERSION must be the Chromium version inside the app');
  assert.match(hostError({ ...electronEnv, E2E_CHROMIUM_VERSION: '142' }), 'not "142"');
});

test('a set-up Electron host: the executable, the version, and its own chromedriver variable (CHROMEDRIVER_BIN is the browser host driver)', () => {
  assert.equal(e2eHostFromEnv({ ...electronEnv, CHROMEDRIVER_BIN: '/usr/bin/chromedriver' }), { kind: 'electron', app: executable, chromiumVersion: '142.0.7444.52', chromedriverBin: null });
  assert.equal((e2eHostFromEnv({ ...electronEnv, E2E_CHROMEDRIVER: '/opt/cd142/chromedriver' }) as ElectronHostConfig).chromedriverBin, '/opt/cd142/chromedriver');
});

const session = { browserProfileDir: '/tmp/chromium-profile', dataDir: '/tmp/polystore-profile' };

test("the browser host's session: headless Debian Chromium on its own profile folder, through Debian's chromedriver", () => {
  const caps = sessionCapabilities(e2eHostFromEnv({}), session);
  assert.is(caps.browserName, 'chrome');
  assert.is(caps.browserVersion, undefined);
  assert.is(caps['goog:chromeOptions']?.binary, '/usr/bin/chromium');
  const args = caps['goog:chromeOptions']?.args ?? [];
  for (const flag of ['--headless', '--no-sandbox', '--window-size=1280,820', '--user-data-dir=/tmp/chromium-profile']) assert.ok(args.includes(flag), flag);
  assert.not.ok(args.includes('--force-dark-mode'));
  assert.ok(sessionCapabilities(e2eHostFromEnv({}), { ...session, colorScheme: 'dark' })['goog:chromeOptions']?.args?.includes('--force-dark-mode'));
  assert.equal(caps['wdio:chromedriverOptions'], { binary: '/usr/bin/chromedriver' });
  assert.is(caps['wdio:enforceWebDriverClassic'], undefined, "the tests keep WebdriverIO's default session (BiDi)");
  assert.is(sessionCapabilities(e2eHostFromEnv({}), { ...session, classic: true })['wdio:enforceWebDriverClassic'], true, 'a bench that times the page asks for classic WebDriver');
});

test("the app's session: the executable as the browser, its version given (so WebdriverIO never starts it to ask), classic WebDriver, the test profile for the launched app", () => {
  const parentEnv = { PATH: '/usr/bin', HOME: '/Users/runner', POLYSTORE_HOME: '/Users/runner/real-profile', NODE_OPTIONS: '--import tsx' };
  const caps = sessionCapabilities(e2eHostFromEnv(electronEnv), { ...session, env: parentEnv });
  assert.is(caps.browserName, 'chrome');
  assert.is(caps.browserVersion, '142.0.7444.52');
  assert.is(caps['wdio:enforceWebDriverClassic'], true);
  assert.is(caps.timeouts?.script, 120_000);
  const chrome = caps['goog:chromeOptions']!;
  assert.is(chrome.binary, executable);
  assert.equal(chrome.args, ['--user-data-dir=/tmp/chromium-profile'], 'no headless or sandbox switches: the app is a windowed Mac app');
  assert.equal(chrome.windowTypes, ['app', 'webview']);
  const driver = caps['wdio:chromedriverOptions'] as { binary?: string; spawnOpts?: { env?: NodeJS.ProcessEnv } };
  assert.is(driver.binary, undefined, 'WebdriverIO fetches the chromedriver matching browserVersion');
  assert.equal(driver.spawnOpts?.env, { PATH: '/usr/bin', HOME: '/Users/runner', POLYSTORE_HOME: '/tmp/polystore-profile', NODE_OPTIONS: '' });
  assert.is(parentEnv.POLYSTORE_HOME, '/Users/runner/real-profile', "this process's environment is left as it was");

  const withDriver = sessionCapabilities(e2eHostFromEnv({ ...electronEnv, E2E_CHROMEDRIVER: '/opt/cd142/chromedriver' }), { ...session, colorScheme: 'dark' });
  assert.is((withDriver['wdio:chromedriverOptions'] as { binary?: string }).binary, '/opt/cd142/chromedriver');
  assert.ok(withDriver['goog:chromeOptions']?.args?.includes('--force-dark-mode'));
});

test("a chromedriver of another major version than the app's Chromium is refused with what to do", () => {
  assert.is(chromedriverMajor('ChromeDriver 142.0.7444.61 (abc-refs/branch-heads/7444@{#1})'), 142);
  assert.is(chromedriverMajor('zsh: command not found'), null);
  checkDriverMatches('ChromeDriver 142.0.7444.61 (abc)', '142.0.7444.52');
  assert.throws(() => checkDriverMatches('ChromeDriver 156.0.8078.129 (abc)', '142.0.7444.52'), /ChromeDriver 156, but the app runs Chromium 142\.0\.7444\.52: use a chromedriver 142/);
  assert.throws(() => checkDriverMatches('', '142.0.7444.52'), /not a chromedriver \(no version printed\)/);
});

test("the app's capabilities start a real session: chromedriver launches E2E_APP with the test profile as POLYSTORE_HOME, over classic WebDriver, without starting it to ask its version", async () => {
  // No Electron here: a wrapper standing in for the app's executable records its POLYSTORE_HOME and runs Debian's Chromium headless.
  const chromium = /(\d+\.\d+\.\d+\.\d+)/.exec(execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }))![1]!;
  const launches = path.join(dir.path, 'launches.txt');
  const app = path.join(dir.path, 'StandIn.app', 'Contents', 'MacOS', 'StandIn');
  fs.mkdirSync(path.dirname(app), { recursive: true });
  fs.writeFileSync(app, `#!/bin/sh\nprintf '%s\\n' "$POLYSTORE_HOME" >> '${launches}'\nexec /usr/bin/chromium --headless --no-sandbox --disable-gpu "$@"\n`, { mode: 0o755 });
  const host = e2eHostFromEnv({ E2E_HOST: 'electron', E2E_APP: app, E2E_CHROMIUM_VERSION: chromium, E2E_CHROMEDRIVER: '/usr/bin/chromedriver' });
  const profile = tempDir('polystore-standin-chromium-');
  const dataDir = tempDir('polystore-standin-home-');
  const browser = await remote({ logLevel: 'warn', capabilities: sessionCapabilities(host, { browserProfileDir: profile.path, dataDir: dataDir.path }) });
  try {
    assert.not.ok(browser.isBidi, 'classic WebDriver');
    await browser.url('data:text/html,<title>stand-in</title>');
    assert.is(await browser.getTitle(), 'stand-in');
    assert.is(await browser.executeAsync((done: (n: number) => void) => setTimeout(() => done(42), 10)), 42);
  } finally {
    await browser.deleteSession().catch(() => {});
    profile.remove();
    dataDir.remove();
  }
  // One launch (not a `--version` run first), with the test's profile folder.
  assert.equal(fs.readFileSync(launches, 'utf8').trim().split('\n'), [dataDir.path]);
});

test.run();
