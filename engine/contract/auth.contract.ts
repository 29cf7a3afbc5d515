import { z } from 'zod';
import { channel, NoInput } from './channel';
import { event } from './event';

export const LockState = z.enum(['setup-required', 'locked', 'unlocked']);
export type LockState = z.infer<typeof LockState>;

export const SecretKind = z.enum(['pin', 'passphrase']);
export type SecretKind = z.infer<typeof SecretKind>;

export const AuthStatus = z.object({
  state: LockState,
  profileName: z.string().nullable(),
  secretKind: SecretKind.nullable(),
  failedAttempts: z.number().int().nonnegative(),
  /** While throttled after repeated failures: how long until the next attempt is accepted. */
  retryAfterMs: z.number().int().nonnegative(),
  autoLockMinutes: z.number().int().nonnegative(),
});
export type AuthStatus = z.infer<typeof AuthStatus>;

/** A PIN is at least 6 digits; a passphrase at least 8 characters. Checked again in the engine. */
export const ProfileSecret = z.strictObject({
  kind: SecretKind,
  secret: z.string().min(1).max(1024),
});

export const authChannels = {
  'auth.status': channel({ summary: 'Whether the profile exists, is locked or unlocked.', access: 'open', input: NoInput, output: AuthStatus }),
  'auth.setup': channel({
    summary: 'First run: creates the owner profile with a PIN or passphrase and unlocks it.',
    access: 'open',
    input: ProfileSecret.extend({ profileName: z.string().trim().min(1).max(80).optional() }),
    output: AuthStatus,
  }),
  'auth.unlock': channel({
    summary: 'Unlocks the profile. Repeated failures are throttled, persistently.',
    access: 'open',
    input: z.strictObject({ secret: z.string().min(1).max(1024) }),
    output: AuthStatus,
  }),
  'auth.lock': channel({ summary: 'Locks the profile now.', input: NoInput, output: AuthStatus }),
  'auth.keepAlive': channel({
    summary: 'Reports user activity (typing, clicking) so idle auto-lock measures real idleness.',
    input: NoInput,
    output: z.object({ ok: z.literal(true) }),
  }),
  'auth.changeSecret': channel({
    summary: 'Changes the PIN or passphrase; requires the current one.',
    input: z.strictObject({ current: z.string().min(1).max(1024), next: ProfileSecret }),
    output: AuthStatus,
  }),
};

export const authEvents = {
  'auth.changed': event(AuthStatus, 'open'),
};
