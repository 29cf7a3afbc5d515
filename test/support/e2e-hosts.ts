/**
 * Which app the E2E specs drive, read from the environment, and the WebDriver
 * capabilities for it. Pure (no browser is started here), so each host's
 * capabilities and the checks of E2E_APP are unit-tested on any machine.
 *
 *   (default)          the browser host, in-process, with Debian's Chromium and chromedriver
 *   E2E_HOST=electron  the packaged app: E2E_APP is its executable
 *                      (PolyStoreIQ.app/Contents/MacOS/PolyStoreIQ), E2E_CHROMIUM_VERSION the
 *                      Chromium inside it (scripts/test-e2e-electron.ts finds it), and
 *                      E2E_CHROMEDRIVER optionally a chromedriver of that major version
 *                      (else WebdriverIO fetches the one matching E2E_CHROMIUM_VERSION).
 */
import fs from 'node:fs';
import type { SpawnOptions } from 'node:child_process';
import path from 'node:path';

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

/** Both apps' dark-mode switches (Electron's nativeTheme follows Chromium's). */
const DARK_FLAGS = ['--force-dark-mode', '--blink-settings=preferredColorScheme=0'];

export type E2EHostKind = 'browser' | 'electron';

/** How a spec says, in the Electron run, that it left a browser-host-only test out (the run's summary lists these lines). */
export const NOT_RUN_MARK = '[not in the Electron run]';

export interface BrowserHostConfig {
  kind: 'browser';
  chromiumBin: string;
  chromedriverBin: string;
}

export interface ElectronHostConfig {
  kind: 'electron';
  /** The packaged app's executable. */
  app: string;
  /** The Chromium version inside the app (e.g. 142.0.7444.52): WebdriverIO would otherwise run `app --version`, which starts the app. */
  chromiumVersion: string;
  /** A chromedriver of the app's Chromium major version; null lets WebdriverIO fetch the matching one. */
  chromedriverBin: string | null;
}

export type E2EHostConfig = BrowserHostConfig | ElectronHostConfig;

/** A setting that makes an E2E run impossible: its message says what to set. */
export class E2EHostError extends Error {
  override name = 'E2EHostError';
}

const MAC_EXECUTABLE_HINT = 'the executable inside the bundle, e.g. /Applications/PolyStoreIQ.app/Contents/MacOS/PolyStoreIQ';

/** Checks E2E_APP: an existing, executable file (a .app bundle is a folder: the executable is inside it). */
export function validateAppExecutable(value: string | undefined): string {
  if (!value?.trim()) throw new E2EHostError(`E2E_HOST=electron needs E2E_APP: ${MAC_EXECUTABLE_HINT}`);
  const file = path.resolve(value.trim());
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new E2EHostError(`E2E_APP does not exist: ${file} (install the app first; E2E_APP is ${MAC_EXECUTABLE_HINT})`);
  }
  if (stat.isDirectory()) {
    const inside = file.endsWith('.app') ? ` (try ${path.join(file, 'Contents', 'MacOS', path.basename(file, '.app'))})` : '';
    throw new E2EHostError(`E2E_APP is a folder, not the app's executable: ${file}${inside}`);
  }
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    throw new E2EHostError(`E2E_APP is not executable: ${file}`);
  }
  return file;
}

const VERSION = /^\d+\.\d+\.\d+\.\d+$/;

/** Checks a Chromium version as WebdriverIO needs it to pick a chromedriver: four numbers. */
export function validateChromiumVersion(value: string | undefined): string {
  const version = value?.trim() ?? '';
  if (!VERSION.test(version)) {
    throw new E2EHostError(
      `E2E_CHROMIUM_VERSION must be the Chromium version inside the app (four numbers, e.g. 142.0.7444.52), not ${JSON.stringify(value ?? '')}; ` +
        'npm run test:e2e:electron reads it from the app itself',
    );
  }
  return version;
}

/** The host the specs drive, from the environment; throws E2EHostError when the Electron host is asked for but not set up. */
export function e2eHostFromEnv(env: NodeJS.ProcessEnv = process.env): E2EHostConfig {
  const kind = env.E2E_HOST?.trim() || 'browser';
  if (kind === 'browser') {
    return { kind, chromiumBin: env.CHROMIUM_BIN ?? '/usr/bin/chromium', chromedriverBin: env.CHROMEDRIVER_BIN ?? '/usr/bin/chromedriver' };
  }
  if (kind === 'electron') {
    // CHROMEDRIVER_BIN is the browser host's driver (the runner's Chrome's): Electron's Chromium needs its own, so it has its own variable.
    return {
      kind,
      app: validateAppExecutable(env.E2E_APP),
      chromiumVersion: validateChromiumVersion(env.E2E_CHROMIUM_VERSION),
      chromedriverBin: env.E2E_CHROMEDRIVER?.trim() ? path.resolve(env.E2E_CHROMEDRIVER.trim()) : null,
    };
  }
  throw new E2EHostError(`E2E_HOST must be "browser" (the default) or "electron", not ${JSON.stringify(kind)}`);
}

/** The major version from `chromedriver --version` ("ChromeDriver 142.0.7444.52 (…)"), or null. */
export function chromedriverMajor(versionOutput: string): number | null {
  const m = /ChromeDriver (\d+)\.\d+/.exec(versionOutput);
  return m ? Number(m[1]) : null;
}

/** Throws unless the driver's major version is the app's Chromium's: chromedriver refuses other majors with a less clear message. */
export function checkDriverMatches(versionOutput: string, chromiumVersion: string): void {
  const driver = chromedriverMajor(versionOutput);
  const wanted = Number(chromiumVersion.split('.')[0]);
  if (driver !== wanted) {
    throw new E2EHostError(
      `E2E_CHROMEDRIVER is ${driver === null ? `not a chromedriver (${versionOutput.trim() || 'no version printed'})` : `ChromeDriver ${driver}`}, ` +
        `but the app runs Chromium ${chromiumVersion}: use a chromedriver ${wanted}, or unset E2E_CHROMEDRIVER so WebdriverIO fetches the matching one`,
    );
  }
}

export interface SessionOptions {
  /** Chromium's own profile folder for this launch (cookies, localStorage). */
  browserProfileDir: string;
  /** The app's profile folder (POLYSTORE_HOME of the launched app). */
  dataDir: string;
  colorScheme?: 'light' | 'dark';
  /** The environment the driver (and so the app it starts) inherits; defaults to this process's. */
  env?: NodeJS.ProcessEnv;
  /**
   * Classic WebDriver instead of WebDriver BiDi. Under BiDi, a 100,000-row result (a 10 MB frame on the browser
   * host's bridge) costs the page about 70 ms of native work after the frame arrives, before the next frame can
   * start (a Chromium trace shows it in a task observer; most likely the DevTools network domain BiDi's mapper
   * turns on, which reports each WebSocket frame's payload). Classic, the gap is gone. No user's window has a
   * driver attached, so the rendering bench, which times the page, runs classic.
   */
  classic?: boolean;
}

/** How long an app.call through the page may take (a connection test or a question can take seconds on a busy runner). */
export const SCRIPT_TIMEOUT_MS = 120_000;

/** The WebDriver capabilities for a session with this host. */
export function sessionCapabilities(host: E2EHostConfig, options: SessionOptions): WebdriverIO.Capabilities {
  const dark = options.colorScheme === 'dark' ? DARK_FLAGS : [];
  if (host.kind === 'browser') {
    return {
      browserName: 'chrome',
      ...(options.classic ? { 'wdio:enforceWebDriverClassic': true } : {}),
      'goog:chromeOptions': { binary: host.chromiumBin, args: [...CHROMIUM_FLAGS, `--user-data-dir=${options.browserProfileDir}`, ...dark] },
      'wdio:chromedriverOptions': { binary: host.chromedriverBin },
    };
  }
  // spawnOpts is WebdriverIO's (it spawns chromedriver with it); its type lives in @wdio/utils, not a dependency here.
  const driverOptions: WebdriverIO.ChromedriverOptions & { spawnOpts?: SpawnOptions } = {
    ...(host.chromedriverBin ? { binary: host.chromedriverBin } : {}),
    // chromedriver starts the app with its own environment: the app opens the test's profile, never the user's.
    // NODE_OPTIONS emptied as WebdriverIO does by default (this spawnOpts replaces its default).
    spawnOpts: { env: { ...(options.env ?? process.env), NODE_OPTIONS: '', POLYSTORE_HOME: options.dataDir } },
  };
  return {
    browserName: 'chrome',
    // Without it WebdriverIO runs `<app> --version` to learn the version, which starts the app and waits for it to quit.
    browserVersion: host.chromiumVersion,
    // WebDriver BiDi does not work with Electron (the window's content shows after the session gave up;
    // wdio-electron-service turns it off too: webdriverio-community/wdio-electron-service#770).
    'wdio:enforceWebDriverClassic': true,
    timeouts: { script: SCRIPT_TIMEOUT_MS, pageLoad: 300_000, implicit: 0 },
    'goog:chromeOptions': {
      binary: host.app,
      // Electron's windows are 'app' windows; the page is the main window's.
      windowTypes: ['app', 'webview'],
      args: [`--user-data-dir=${options.browserProfileDir}`, ...dark],
    },
    'wdio:chromedriverOptions': driverOptions,
  };
}
