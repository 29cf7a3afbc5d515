/**
 * Runs the engine behind the browser host and prints the address to open.
 * Used by `npm start` where Electron cannot run, and by the end-to-end tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostView, openEngine, type Engine } from '../../engine/engine';
import { resolveDataDir } from '../../engine/paths';
import { ChildKeytar } from '../../engine/secrets/child-keytar';
import { KeychainSecretStore } from '../../engine/secrets/keychain';
import { keytarChildEntry, poolOptions, type PoolEntries } from '../shared/pool-entries';
import { startBrowserHost, type BrowserHost } from './server';
import type { ViteDevServer } from 'vite';

/** The checkout: the nearest folder up with a package.json, from the sources (main/browser-host) or their bundle (dist/node/<build>). */
function checkoutRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

const root = checkoutRoot();

export interface LaunchOptions {
  dataDir?: string | null;
  port?: number;
  dev?: boolean;
  token?: string;
  /** The bundle's worker, child and keychain entries, when started from dist/node (scripts/start.mjs). */
  poolEntries?: PoolEntries | null;
  /** Hears the address as soon as the server listens, before the engine has finished opening. */
  onListening?: (host: BrowserHost) => void;
}

/** The pool's threads start this long after the host listens if no page has been answered by then. */
const WARM_UP_AT_LATEST_MS = 5_000;

/**
 * Starts the server and opens the engine at once: the address can be printed and the page can load
 * while the engine opens (its SQLite, audit chain and keychain), and the page's first requests wait
 * for it. The pool's threads start once the page has its first answer, not during the start-up they
 * would slow down. Resolves when both are up; `onListening` hears of the address before that.
 */
export async function launchBrowserHost(options: LaunchOptions = {}) {
  let warmUp = () => {};
  const warmUpAfter = new Promise<void>((resolve) => (warmUp = resolve));
  const opening = openEngine({
    dataDir: resolveDataDir(options.dataDir ?? null),
    host: 'browser',
    warmUpAfter,
    // keytar in a process of its own: a keychain call stuck past its deadline is killed with it, where in
    // this process it would keep the stopped host alive until D-Bus gave up (about a minute).
    secrets: new KeychainSecretStore({ keytar: new ChildKeytar(keytarChildEntry(options.poolEntries)) }),
    ...poolOptions(options.poolEntries),
  });
  // Awaited below; this keeps a failure from being reported as unhandled while the server starts.
  opening.catch(() => {});
  let vite: ViteDevServer | undefined;
  let host: BrowserHost;
  try {
    if (options.dev) {
      const { createServer } = await import('vite');
      vite = await createServer({ configFile: path.join(root, 'vite.config.ts'), server: { middlewareMode: true }, appType: 'custom' });
    }
    host = await startBrowserHost({
      // The page's server gets the host's view only (router, events); the full engine stays with the caller (tests).
      engine: opening.then(hostView),
      rendererDir: vite ? path.join(root, 'renderer') : path.join(root, 'dist', 'renderer'),
      bridgeScript: path.join(root, 'dist', 'bridge', 'bridge.js'),
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.token ? { token: options.token } : {}),
      ...(vite ? { vite } : {}),
      onFirstAnswer: warmUp,
    });
  } catch (error) {
    await vite?.close();
    await opening.then((engine) => engine.close(), () => {});
    throw error;
  }
  setTimeout(warmUp, WARM_UP_AT_LATEST_MS).unref();
  options.onListening?.(host);
  let engine: Engine;
  try {
    engine = await opening;
  } catch (error) {
    await host.close();
    await vite?.close();
    throw error;
  }
  return {
    host,
    engine,
    async close() {
      await host.close();
      await vite?.close();
      await engine.close();
    },
  };
}

/** `launch.ts [--data-dir D] [--port N] [--dev]`: starts the host, prints its address, and stops on SIGINT/SIGTERM. */
export async function runBrowserHost(args: string[], poolEntries: PoolEntries | null = null): Promise<void> {
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const port = flag('--port');
  const launched = await launchBrowserHost({
    dataDir: flag('--data-dir') ?? null,
    ...(port ? { port: Number(port) } : {}),
    dev: args.includes('--dev'),
    poolEntries,
    // Printed once the server listens; the page waits for the engine if it is still opening.
    onListening: (host) => {
      process.stdout.write(`PolyStoreIQ is running in your browser host.\nOpen: ${host.url}\n`);
      // Machine-readable line for scripts and tests.
      process.stdout.write(`POLYSTORE_URL=${host.url}\n`);
    },
  });
  const stop = () => void launched.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('launch.ts')) {
  await runBrowserHost(process.argv.slice(2));
}
