import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppSettings, HostKind } from './contract/index';
import { appHandlers, readHealth, type AppDeps, type HealthProbe } from './app/app.handlers';
import { ApprovalService } from './approval/approvals';
import { auditHandlers } from './audit/audit.handlers';
import { AuditLog } from './audit/audit-log';
import { authHandlers } from './auth/auth.handlers';
import { ProfileDirectory } from './auth/profile-directory';
import type { AccessControl } from './auth/permissions';
import { chatHandlers } from './chat/chat.handlers';
import { ChatService } from './chat/chat-service';
import { ChatStore } from './chat/chat-store';
import { ConversationJournal } from './chat/conversation-journal';
import { ProviderService } from './chat/providers';
import { ProfileLock, type LockReason } from './auth/profile-lock';
import { UnsupportedError } from './errors';
import { EvalService } from './eval/eval-service';
import { evalHandlers } from './eval/eval.handlers';
import { EventBus } from './events/bus';
import { createLogger, type Logger } from './log/logger';
import type { ProcessLauncher } from './pool/launcher';
import { sqliteRateWindows } from './limits/rate-windows';
import { ProviderRateLimiter } from './llm/rate-limit';
import { createJobPool, type JobPool } from './pool/pool';
import { QueryService } from './query/query-service';
import { queryHandlers } from './query/query.handlers';
import { RunLedger } from './query/run-ledger';
import { prepareDataDir } from './data-dir';
import { ResultRetention } from './retention/result-retention';
import { RetentionScheduler } from './retention/retention-scheduler';
import { createRouter, type Handlers, type Router } from './router/router';
import { KeychainSecretStore } from './secrets/keychain';
import type { SecretStore } from './secrets/secret-store';
import { settingsHandlers } from './settings/settings.handlers';
import { SettingsStore } from './settings/settings-store';
import { resolveSampleDir } from './sources/sample-data';
import { SampleSource } from './sources/sample-source';
import { SourceRegistry } from './sources/source-registry';
import { sourcesHandlers } from './sources/sources.handlers';
import { openDatabase } from './store/db';
import { Telemetry } from './telemetry/telemetry';
import { telemetryHandlers } from './telemetry/telemetry.handlers';
import type { Database } from './store/migration';
import { verifiedHandlers } from './verified/verified.handlers';
import { VerifiedService } from './verified/verified-service';
import { VerifiedStore } from './verified/verified-store';

export interface EngineOptions {
  dataDir: string;
  host: HostKind;
  /** Worker entry override (Electron passes its bundled worker). */
  workerFile?: string | URL;
  maxThreads?: number;
  logger?: Logger;
  /** The OS keychain by default; unit tests pass an in-memory store. */
  secrets?: SecretStore;
  /**
   * A long-lived host starts the pool's threads before the first job: at open, or once this settles
   * (the browser host: when its page has been answered, so the threads' loading does not slow its start).
   */
  warmUpAfter?: PromiseLike<unknown>;
  /** How often the host is told about engine health; 0 disables the timer. */
  healthIntervalMs?: number;
  /** Clock override for tests of throttling, idle locking and token expiry. */
  now?: () => number;
  /** A pool to use instead of the worker pool (unit tests: the inline pool with a fake connector). */
  pool?: JobPool;
  /** How the pool starts child processes for stores isolated in one (DuckDB); Electron passes a utilityProcess adapter. */
  processLauncher?: ProcessLauncher;
  /** Handlers only a host can provide (Electron: the native file dialog). */
  hostHandlers?: Partial<Pick<Handlers, 'host.pickFiles' | 'host.saveFile'>>;
  /** The sample data's folder; found next to the app (packaged) or in the checkout (dev) when not given. */
  sampleDir?: string;
}

export interface Engine {
  readonly router: Router;
  readonly events: EventBus;
  readonly pool: JobPool;
  readonly logger: Logger;
  readonly dataDir: string;
  readonly db: Database;
  readonly lock: ProfileLock;
  readonly sources: SourceRegistry;
  readonly audit: AuditLog;
  readonly settings: SettingsStore;
  readonly queries: QueryService;
  readonly approvals: ApprovalService;
  readonly chat: ChatService;
  readonly providers: ProviderService;
  readonly telemetry: Telemetry;
  /** Locks the profile (system lock, suspend, the menu). */
  lockNow(reason: LockReason): void;
  close(): Promise<void>;
}

export const DATABASE_FILE = 'polystore.db';

/**
 * Opens everything the product knows behind one router. Hosts (Electron, the
 * browser host, the CLI, tests) create an engine, expose `router.dispatch`
 * and forward `events`; they hold no logic of their own.
 */
export async function openEngine(options: EngineOptions): Promise<Engine> {
  const startedAt = performance.now();
  prepareDataDir(options.dataDir);
  const logger = options.logger ?? createLogger({ file: path.join(options.dataDir, 'logs', 'engine.log') });
  const db = openDatabase(path.join(options.dataDir, DATABASE_FILE));
  // Per-minute limits count in the profile, so the app and every CLI command share one window.
  const rateWindows = sqliteRateWindows(db);
  const pool =
    options.pool ??
    createJobPool({
      workerFile: options.workerFile,
      maxThreads: options.maxThreads,
      logger,
      prewarm: (options.host === 'electron' || options.host === 'browser') && (options.warmUpAfter ?? true),
      // Per-source limits from Settings, read for every job (the store opens below, before any job runs).
      limits: () => settings.get(),
      rateWindows,
      ...(options.now ? { now: options.now } : {}),
      ...(options.processLauncher ? { processLauncher: options.processLauncher } : {}),
    });
  const secrets = options.secrets ?? new KeychainSecretStore();

  // The lock is consulted by the router and the event bus, which exist before it.
  let lock: ProfileLock | null = null;
  const isLocked = () => lock?.isLocked() ?? true;
  // Who is unlocked and what a viewer reaches: the router and the events both ask (set once the profiles exist).
  let access: AccessControl | null = null;
  const events = new EventBus(isLocked, logger, () => access);
  const settings = new SettingsStore(db, { onDamaged: (warning) => logger.warn('a stored setting could not be read; its default is used', { ...warning }) });
  const audit = new AuditLog(db, {
    // The unlocked profile (or the one being unlocked) by name and id; the owner's name for the engine's own events while locked.
    actor: () => lock?.actor() ?? lock?.profileName ?? 'system',
    host: options.host,
    secrets,
    onError: (message, error) => logger.warn(message, { error }),
  });
  lock = new ProfileLock(db, {
    audit,
    secrets,
    autoLockMinutes: () => settings.get().autoLockMinutes,
    onChange: (status) => events.emit('auth.changed', status),
    ...(options.now ? { now: options.now } : {}),
  });
  const profiles = new ProfileDirectory(db, audit);
  access = profiles.accessFor(lock);
  const sources = new SourceRegistry(db, {
    secrets,
    audit,
    dataDir: options.dataDir,
    onChange: (sourceId, change) => events.emit('sources.changed', { sourceId, change }),
  });

  const approvals = new ApprovalService(db, {
    secrets,
    audit,
    ttlSeconds: () => settings.get().approvalTtlSeconds,
    ...(options.now ? { now: options.now } : {}),
  });
  const telemetry = new Telemetry(db, options.now);
  const chatStore = new ChatStore(db);
  // The ledger asks the query service which runs it is running; the service is created just below.
  const runs = new RunLedger(db, { isRunningHere: (runId) => queries.isRunning(runId), ...(options.now ? { now: options.now } : {}) });
  const journal = new ConversationJournal({ store: chatStore, approvals, runs, telemetry, events, ...(options.now ? { now: options.now } : {}) });
  const queries: QueryService = new QueryService({ db, pool, sources, approvals, audit, settings, logger, runs, journal, ...(options.now ? { now: options.now } : {}) });

  const sample = new SampleSource({
    registry: sources,
    test: (sourceId) => queries.test(sourceId),
    locate: () =>
      resolveSampleDir({
        explicit: options.sampleDir,
        // Set by Electron (not a Node property): a packaged app's extraResources are there.
        resourcesPath: (process as { resourcesPath?: string }).resourcesPath,
        moduleDir: path.dirname(fileURLToPath(import.meta.url)),
      }),
  });

  const providerLimits = new ProviderRateLimiter({
    limits: () => ({ requestsPerMinute: settings.get().providerRequestsPerMinute, tokensPerMinute: settings.get().providerTokensPerMinute }),
    windows: rateWindows,
    ...(options.now ? { now: options.now } : {}),
  });
  const providers = new ProviderService(db, { secrets, audit, limiter: providerLimits });
  const verified = new VerifiedService({ store: new VerifiedStore(db), chat: chatStore, sources, queries, audit });
  const chat = new ChatService({
    store: chatStore,
    journal,
    verified,
    queries,
    sources,
    providers,
    telemetry,
    audit,
    settings,
    events,
    pool,
    logger,
    ...(options.now ? { now: options.now } : {}),
  });

  const probes: HealthProbe[] = [
    () => {
      const stats = pool.stats();
      return { name: 'worker pool', ok: true, message: `${stats.threads} thread(s), ${stats.running} running, ${stats.queued} queued` };
    },
    () => {
      const row = db.prepare('PRAGMA quick_check').get() as { quick_check: string };
      return { name: 'app database', ok: row.quick_check === 'ok', message: row.quick_check === 'ok' ? 'SQLite ok' : row.quick_check };
    },
  ];
  const appDeps: AppDeps = { host: options.host, dataDir: options.dataDir, pool, startedAt, isLocked, probes };
  const evals = new EvalService({ queries, sources, providers, settings, events, pool, logger, ...(options.now ? { now: options.now } : {}) });

  const handlers: Handlers = {
    ...appHandlers(appDeps),
    ...authHandlers(lock, profiles),
    ...settingsHandlers(settings, audit),
    ...sourcesHandlers(sources, sample),
    ...queryHandlers(queries, sources, telemetry),
    ...chatHandlers(chat, providers, queries),
    ...telemetryHandlers(telemetry, options.now),
    ...auditHandlers(audit),
    ...evalHandlers(evals),
    ...verifiedHandlers(verified),
    'host.pickFiles': () => {
      throw new UnsupportedError('This window cannot open a file dialog: type or paste the file paths instead.');
    },
    'host.saveFile': () => {
      throw new UnsupportedError('This window has no save dialog: the export is saved as a download instead.');
    },
    ...options.hostHandlers,
  };
  // The audit chain is checked at every open; an unavailable keychain is reported by audit.verify and retried on unlock.
  const integrity = await audit.open().catch((error: unknown) => logger.warn('the audit log could not be opened', { error }));
  if (integrity && integrity.status !== 'ok') logger.error('audit log verification failed', { alteredAt: integrity.alteredAt, reason: integrity.reason });
  await lock.open().catch((error: unknown) => logger.warn('the PIN attempt state could not be read from the OS keychain', { error }));
  // Stored results and audit events are kept as the settings say: applied now, then every few hours.
  const retention = new RetentionScheduler({ results: new ResultRetention(db), audit, settings: () => settings.get(), logger, ...(options.now ? { now: options.now } : {}) });
  retention.start();
  const router = createRouter({ handlers, isLocked, logger, onActivity: () => lock?.touch(), access });
  if (options.host !== 'cli') lock.startAutoLock();

  const interval = options.healthIntervalMs ?? 5_000;
  const healthTimer = interval > 0 ? setInterval(() => events.emit('app.health', readHealth(appDeps)), interval) : undefined;
  healthTimer?.unref();

  logger.info('engine opened', { host: options.host, dataDir: options.dataDir });
  const profileLock = lock;
  return {
    router,
    events,
    pool,
    logger,
    dataDir: options.dataDir,
    db,
    lock: profileLock,
    sources,
    audit,
    settings,
    queries,
    approvals,
    chat,
    providers,
    telemetry,
    lockNow: (reason) => void profileLock.lock(reason),
    async close() {
      clearInterval(healthTimer);
      retention.stop();
      profileLock.stopAutoLock();
      await pool.close();
      await audit.flush();
      db.close();
      logger.info('engine closed');
    },
  };
}

/**
 * What a host (Electron, the browser host, the CLI) gets: the router, the
 * events, and the profile's lifecycle. Nothing else: the database, the
 * approvals and the services stay inside the engine, and a host that needs
 * more is missing a channel.
 */
export interface HostEngine {
  readonly router: Router;
  readonly events: Pick<EventBus, 'subscribe'>;
  readonly logger: Logger;
  readonly dataDir: string;
  /** Locks the profile (system lock, suspend, the menu). */
  lockNow(reason: LockReason): void;
  /** The app settings as they are now (a copy): what the host itself acts on, such as the update channel. */
  readSettings(): AppSettings;
  /** Whether a job (a query, an import) is running: the host does not restart under it. */
  isBusy(): boolean;
  /** What the unlock rests on (ProfileLock.unlockStamp): a host serving other processes notices the PIN changed or the profile locked elsewhere. */
  unlockStamp(): ReturnType<ProfileLock['unlockStamp']>;
  close(): Promise<void>;
}

/** The host's view of an engine: a new object holding only what HostEngine names, so internals are not reachable at run time either. */
export function hostView(engine: Engine): HostEngine {
  return Object.freeze({
    router: engine.router,
    events: Object.freeze({ subscribe: (sink: Parameters<EventBus['subscribe']>[0]) => engine.events.subscribe(sink) }),
    logger: engine.logger,
    dataDir: engine.dataDir,
    lockNow: (reason: LockReason) => engine.lockNow(reason),
    readSettings: () => structuredClone(engine.settings.get()),
    isBusy: () => engine.pool.stats().running > 0,
    unlockStamp: () => engine.lock.unlockStamp(),
    close: () => engine.close(),
  });
}

/** Opens an engine for a host: see HostEngine. */
export async function openHostEngine(options: EngineOptions): Promise<HostEngine> {
  return hostView(await openEngine(options));
}
