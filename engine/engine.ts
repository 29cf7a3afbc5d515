import fs from 'node:fs';
import path from 'node:path';
import type { HostKind } from './contract/index';
import { appHandlers, readHealth, type AppDeps, type HealthProbe } from './app/app.handlers';
import { EventBus } from './events/bus';
import { createLogger, type Logger } from './log/logger';
import { createJobPool, type JobPool } from './pool/pool';
import { createRouter, type Handlers, type Router } from './router/router';

export interface EngineOptions {
  dataDir: string;
  host: HostKind;
  /** Worker entry override (Electron passes its bundled worker). */
  workerFile?: string | URL;
  maxThreads?: number;
  logger?: Logger;
  /** How often the host is told about engine health; 0 disables the timer. */
  healthIntervalMs?: number;
}

export interface Engine {
  readonly router: Router;
  readonly events: EventBus;
  readonly pool: JobPool;
  readonly logger: Logger;
  readonly dataDir: string;
  close(): Promise<void>;
}

/**
 * Opens everything the product knows behind one router. Hosts (Electron, the
 * browser host, the CLI, tests) create an engine, expose `router.dispatch`
 * and forward `events`; they hold no logic of their own.
 */
export async function openEngine(options: EngineOptions): Promise<Engine> {
  const startedAt = performance.now();
  fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const logger = options.logger ?? createLogger({ file: path.join(options.dataDir, 'logs', 'engine.log') });
  const pool = createJobPool({ workerFile: options.workerFile, maxThreads: options.maxThreads, logger });

  const isLocked = () => false;
  const events = new EventBus(isLocked, logger);
  const probes: HealthProbe[] = [
    () => {
      const stats = pool.stats();
      return { name: 'worker pool', ok: true, message: `${stats.threads} thread(s), ${stats.running} running, ${stats.queued} queued` };
    },
  ];
  const appDeps: AppDeps = { host: options.host, dataDir: options.dataDir, pool, startedAt, isLocked, probes };

  const handlers: Handlers = {
    ...appHandlers(appDeps),
  };
  const router = createRouter({ handlers, isLocked, logger });

  const interval = options.healthIntervalMs ?? 5_000;
  const healthTimer = interval > 0 ? setInterval(() => events.emit('app.health', readHealth(appDeps)), interval) : undefined;
  healthTimer?.unref();

  logger.info('engine opened', { host: options.host, dataDir: options.dataDir });
  return {
    router,
    events,
    pool,
    logger,
    dataDir: options.dataDir,
    async close() {
      clearInterval(healthTimer);
      await pool.close();
      logger.info('engine closed');
    },
  };
}
