import { z } from 'zod';
import { channel, NoInput } from './channel';

/** App-wide settings, stored in SQLite. Secrets never live here. */
export const AppSettings = z.object({
  autoLockMinutes: z.number().int().min(0).max(24 * 60).default(15),
  metadataTtlMinutes: z.number().int().min(0).max(7 * 24 * 60).default(15),
  approvalTtlSeconds: z.number().int().min(10).max(3_600).default(120),
  fileSizeLimitBytes: z.number().int().min(1).max(1024 ** 4).default(5 * 1024 ** 3),
  /** Turns of conversation a follow-up question may draw on. */
  chatContextTurns: z.number().int().min(0).max(50).default(6),
  chatContextTokenBudget: z.number().int().min(200).max(200_000).default(4_000),
  /**
   * Stored results older than this many days give their rows back (0 keeps them). 30: a result is
   * looked at again in the days after the question; a month later the data behind it has moved on,
   * and the thread keeps the question, the query and the first rows, so running it again is one click.
   */
  resultRetentionDays: z.number().int().min(0).max(3_650).default(30),
  /**
   * The most stored results may take together, in MB; the oldest give their rows back first.
   * 500: measured, 5,006 ordinary results took 28.8 MB and one 1M-row result 8.9 MB, so this holds
   * tens of thousands of ordinary results or ~50 of the largest, and a profile stays small enough to back up.
   */
  resultStorageLimitMb: z.number().int().min(10).max(1_048_576).default(500),
  /** Audit events older than this many days are pruned (0 keeps them all). 365: a year of evidence, for a yearly review. */
  auditRetentionDays: z.number().int().min(0).max(36_500).default(365),
  /**
   * Queries one source may run at once. 4, the most execute threads the pool has; a source never gets the
   * pool's last thread, so on a machine with fewer threads it gets one less than there are, and a source
   * whose server hangs leaves the others a thread.
   */
  sourceConcurrentQueries: z.number().int().min(1).max(64).default(4),
  /**
   * Work one source may start in a minute (each check, estimate, run and connection test counts); 0: no limit.
   * Off by default: the bounded queues already keep a burst from piling up, and a fixed rate would slow a
   * fast local database for nothing; set it to protect a shared server.
   */
  sourceQueriesPerMinute: z.number().int().min(0).max(1_000_000).default(0),
  /** Requests to the model provider in a minute; 0: no limit of our own (the provider's 429 and Retry-After still apply). */
  providerRequestsPerMinute: z.number().int().min(0).max(1_000_000).default(0),
  /** Tokens (prompt and answer) sent to and received from the model provider in a minute; 0: no limit of our own. */
  providerTokensPerMinute: z.number().int().min(0).max(1_000_000_000).default(0),
  /**
   * Calls in a row that could not reach a source before its circuit opens and later calls fail fast.
   * 5: one dropped connection or a server restarting is retried by the next call; five in a row is a
   * source that is down, and each further call would wait out a connect timeout for nothing.
   */
  circuitFailureThreshold: z.number().int().min(1).max(100).default(5),
  /**
   * Seconds an open circuit waits before letting one probe through; doubled after each failed probe,
   * up to 5 minutes. 10: a restarting server is usually back within that.
   */
  circuitCoolDownSeconds: z.number().int().min(1).max(3_600).default(10),
  /** Which release feed the packaged app follows: stable, or beta for testers who opt in (main/update). */
  updateChannel: z.enum(['stable', 'beta']).default('stable'),
});
export type AppSettings = z.infer<typeof AppSettings>;

/** A stored setting that could not be read (damaged or from another version): its default is used instead. */
export const SettingsWarning = z.object({ key: z.string(), message: z.string() });
export type SettingsWarning = z.infer<typeof SettingsWarning>;

/** The settings in effect, and what was wrong with the stored ones. */
export const SettingsView = AppSettings.extend({ warnings: z.array(SettingsWarning).default([]) });
export type SettingsView = z.infer<typeof SettingsView>;

type SettingsShape = typeof AppSettings.shape;
/**
 * What settings.update takes: only the settings named, without their defaults. `AppSettings.partial()`
 * would not do: zod fills a default into a missing optional field, so saving one setting reset every other.
 */
export const SettingsPatch = z.strictObject(
  Object.fromEntries(Object.entries(AppSettings.shape).map(([key, field]) => [key, field.unwrap().optional()])) as {
    [K in keyof SettingsShape]: z.ZodOptional<ReturnType<SettingsShape[K]['unwrap']>>;
  },
);

export const settingsChannels = {
  'settings.get': channel({ summary: 'Current app settings, with a warning for each stored one that could not be read.', input: NoInput, output: SettingsView }),
  'settings.update': channel({
    summary: 'Changes some settings; the rest keep their values.',
    input: SettingsPatch,
    output: SettingsView,
  }),
};
