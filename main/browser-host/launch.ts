/**
 * Runs the engine behind the browser host and prints the address to open.
 * Used by `npm start` where Electron cannot run, and by the end-to-end tests.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEngine } from '../../engine/engine';
import { resolveDataDir } from '../../engine/paths';
import { startBrowserHost } from './server';
import type { ViteDevServer } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface LaunchOptions {
  dataDir?: string | null;
  port?: number;
  dev?: boolean;
  token?: string;
}

export async function launchBrowserHost(options: LaunchOptions = {}) {
  const engine = await openEngine({ dataDir: resolveDataDir(options.dataDir ?? null), host: 'browser' });
  let vite: ViteDevServer | undefined;
  if (options.dev) {
    const { createServer } = await import('vite');
    vite = await createServer({ configFile: path.join(root, 'vite.config.ts'), server: { middlewareMode: true }, appType: 'custom' });
  }
  const host = await startBrowserHost({
    engine,
    rendererDir: vite ? path.join(root, 'renderer') : path.join(root, 'dist', 'renderer'),
    bridgeScript: path.join(root, 'dist', 'bridge', 'bridge.js'),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.token ? { token: options.token } : {}),
    ...(vite ? { vite } : {}),
  });
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

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('launch.ts')) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const port = flag('--port');
  const launched = await launchBrowserHost({
    dataDir: flag('--data-dir') ?? null,
    ...(port ? { port: Number(port) } : {}),
    dev: args.includes('--dev'),
  });
  process.stdout.write(`PolyStoreIQ is running in your browser host.\nOpen: ${launched.host.url}\n`);
  // Machine-readable line for scripts and tests.
  process.stdout.write(`POLYSTORE_URL=${launched.host.url}\n`);
  const stop = () => void launched.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
