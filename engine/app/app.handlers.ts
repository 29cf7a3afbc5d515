import os from 'node:os';
import { threadId } from 'node:worker_threads';
import type { HostKind, Health } from '../contract/index';
import type { Handlers } from '../router/router';
import type { JobPool } from '../pool/pool';
import { APP_NAME } from '../paths';
import { APP_VERSION } from '../version';

export type HealthProbe = () => { name: string; ok: boolean; message: string };

export interface AppDeps {
  host: HostKind;
  dataDir: string;
  pool: JobPool;
  startedAt: number;
  isLocked: () => boolean;
  probes: HealthProbe[];
}

export function readHealth(deps: AppDeps): Health {
  const checks = deps.probes.map((probe) => {
    try {
      return probe();
    } catch (error) {
      return { name: 'probe', ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  });
  const failed = checks.filter((c) => !c.ok).length;
  return {
    status: failed === 0 ? 'ok' : failed === checks.length ? 'down' : 'degraded',
    locked: deps.isLocked(),
    uptimeMs: Math.round(performance.now() - deps.startedAt),
    pool: deps.pool.stats(),
    checks,
    checkedAt: new Date().toISOString(),
  };
}

export function appHandlers(deps: AppDeps): Pick<Handlers, 'app.info' | 'app.health' | 'app.selfTest'> {
  return {
    'app.info': () => ({
      name: APP_NAME,
      version: APP_VERSION,
      host: deps.host,
      platform: process.platform,
      arch: process.arch,
      dataDir: deps.dataDir,
      versions: Object.fromEntries(
        Object.entries({ node: process.versions.node, electron: process.versions.electron, chrome: process.versions.chrome, os: os.release() }).filter(
          (e): e is [string, string] => typeof e[1] === 'string',
        ),
      ),
    }),
    'app.health': () => readHealth(deps),
    'app.selfTest': (input) =>
      deps.pool.run({ kind: 'pool.selfTest', hostThreadId: threadId, ...(input?.cpuProbeMs ? { cpuProbeMs: input.cpuProbeMs } : {}) }),
  };
}
