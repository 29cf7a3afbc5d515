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
});
export type AppSettings = z.infer<typeof AppSettings>;

export const settingsChannels = {
  'settings.get': channel({ summary: 'Current app settings.', input: NoInput, output: AppSettings }),
  'settings.update': channel({
    summary: 'Changes some settings; the rest keep their values.',
    input: z.strictObject(AppSettings.partial().shape),
    output: AppSettings,
  }),
};
