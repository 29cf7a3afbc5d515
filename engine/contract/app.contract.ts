import { z } from 'zod';
import { channel, NoInput } from './channel';
import { event } from './event';
import { NAVIGATION_COMMANDS } from './shortcuts';

export const HostKind = z.enum(['electron', 'browser', 'cli', 'test']);
export type HostKind = z.infer<typeof HostKind>;

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  host: HostKind,
  platform: z.string(),
  arch: z.string(),
  dataDir: z.string(),
  versions: z.record(z.string(), z.string()),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const HealthCheck = z.object({
  name: z.string(),
  ok: z.boolean(),
  message: z.string(),
});

export const Health = z.object({
  status: z.enum(['ok', 'degraded', 'down']),
  locked: z.boolean(),
  uptimeMs: z.number().int().nonnegative(),
  pool: z.object({
    threads: z.number().int().nonnegative(),
    queued: z.number().int().nonnegative(),
    running: z.number().int().nonnegative(),
    completed: z.number().int().nonnegative(),
  }),
  checks: z.array(HealthCheck),
  checkedAt: z.string(),
});
export type Health = z.infer<typeof Health>;

export const NativeModuleReport = z.object({
  name: z.string(),
  version: z.string().nullable(),
  ok: z.boolean(),
  error: z.string().optional(),
});

export const SelfTestReport = z.object({
  workerThreadId: z.number().int(),
  hostThreadId: z.number().int(),
  offMainThread: z.boolean(),
  runtime: z.object({
    node: z.string(),
    v8: z.string(),
    modules: z.string(),
    electron: z.string().nullable(),
    platform: z.string(),
    arch: z.string(),
  }),
  native: z.array(NativeModuleReport),
  cpuProbe: z.object({ ms: z.number(), hashesPerSecond: z.number() }).nullable(),
  elapsedMs: z.number(),
});
export type SelfTestReport = z.infer<typeof SelfTestReport>;

export const appChannels = {
  'app.info': channel({
    summary: 'Name, version, host kind, platform and data folder of the running engine.',
    input: NoInput,
    output: AppInfo,
  }),
  'app.health': channel({
    summary: 'Engine health: worker pool, database and keychain checks.',
    // Open like the app.health event every host already receives while locked: a page showing the lock
    // screen would otherwise read "Connecting…" until the first event, 5 s after it loaded.
    access: 'open',
    input: NoInput,
    output: Health,
  }),
  'app.selfTest': channel({
    summary: 'Runs a job in the worker pool that reports its runtime and native module versions.',
    input: z
      .strictObject({
        /** Optional CPU probe inside the worker, to measure its responsiveness. */
        cpuProbeMs: z.number().int().min(0).max(10_000).optional(),
      })
      .optional(),
    output: SelfTestReport,
  }),
};

/** A menu command the Electron host sends to the window in front (Settings…, View → Sources…); the page ignores it while locked. */
export const AppCommand = z.object({ command: z.enum(NAVIGATION_COMMANDS) });
export type AppCommand = z.infer<typeof AppCommand>;

export const appEvents = {
  'app.health': event(Health, 'open'),
  'app.command': event(AppCommand),
};
