import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hostView, type Engine } from '../../../engine/engine';

// Hosts (Electron, the browser host's server, the CLI) get the router and events, never the engine's
// internals (its database, approvals, queries), so no host can go around the router's checks.
const root = path.resolve(import.meta.dirname, '../../..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(ts|mts)$/.test(e.name) ? [p] : [];
  });
}

test('the host view holds only what a host may use, frozen, and no internal is reachable through it', () => {
  const internals = { db: {}, approvals: {}, queries: {}, sources: {}, audit: {}, chat: {}, providers: {}, lock: {} };
  const engine = {
    ...internals,
    router: { dispatch: () => {} },
    events: { subscribe: () => () => {} },
    logger: {},
    dataDir: '/tmp/x',
    settings: { get: () => ({ updateChannel: 'beta' }) },
    pool: { stats: () => ({ running: 1 }) },
    lockNow: () => {},
    close: async () => {},
  } as unknown as Engine;
  const view = hostView(engine);
  assert.equal(Object.keys(view).sort(), ['close', 'dataDir', 'events', 'isBusy', 'lockNow', 'logger', 'readSettings', 'router', 'unlockStamp']);
  assert.ok(Object.isFrozen(view));
  for (const name of Object.keys(internals)) assert.is((view as unknown as Record<string, unknown>)[name], undefined, name);
  assert.is(view.readSettings().updateChannel, 'beta');
  assert.ok(view.isBusy());
});

// What main/ may import from engine/engine.ts: the host view and what opening it takes. The browser host's
// launcher also opens the full engine, which it hands to its caller (the end-to-end tests) but gives the page's server only the view.
const ALLOWED = new Set(['HostEngine', 'EngineOptions', 'openHostEngine', 'hostView', 'DATABASE_FILE']);
const LAUNCHER_ALSO = new Set(['openEngine', 'Engine']);

test('no host module imports the full engine from engine/engine.ts (an allow-list of names)', () => {
  const offending: string[] = [];
  for (const file of sources(path.join(root, 'main'))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'[./]*\/engine\/engine'/g)) {
      for (const raw of m[1]!.split(',')) {
        const name = raw.replace(/^\s*type\s+/, '').split(/\s+as\s+/)[0]!.trim();
        if (!name) continue;
        const launcher = file.endsWith(path.join('browser-host', 'launch.ts'));
        if (!ALLOWED.has(name) && !(launcher && LAUNCHER_ALSO.has(name))) offending.push(`${path.relative(root, file)}: ${name}`);
      }
    }
  }
  assert.equal(offending, []);
});

test.run();
