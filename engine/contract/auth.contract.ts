import { z } from 'zod';
import { channel, Id, NoInput } from './channel';
import { event } from './event';

export const LockState = z.enum(['setup-required', 'locked', 'unlocked']);
export type LockState = z.infer<typeof LockState>;

export const SecretKind = z.enum(['pin', 'passphrase']);
export type SecretKind = z.infer<typeof SecretKind>;

/** The owner manages sources, providers, settings, the audit log and profiles; a viewer asks and runs queries on the sources shared with it. */
export const Role = z.enum(['owner', 'viewer']);
export type Role = z.infer<typeof Role>;

/** A profile as the lock screen's picker shows it (no secret, no attempt count). */
export const ProfileChoice = z.object({ id: z.string(), name: z.string(), role: Role, secretKind: z.enum(['pin', 'passphrase']) });
export type ProfileChoice = z.infer<typeof ProfileChoice>;

/** A profile as the owner manages it. */
export const ProfileSummary = ProfileChoice.extend({
  createdAt: z.string(),
  /** The sources shared with this viewer (empty for the owner, who sees every source). */
  sharedSourceIds: z.array(z.string()),
});
export type ProfileSummary = z.infer<typeof ProfileSummary>;

const ProfileName = z.string().trim().min(1).max(80);

export const AuthStatus = z.object({
  state: LockState,
  /** The unlocked profile's name; while locked, the owner's (the profile unlock picks by default). */
  profileName: z.string().nullable(),
  /** The unlocked profile, and its role; null while locked. */
  profileId: z.string().nullable().default(null),
  role: Role.nullable().default(null),
  /** Every profile, owner first, for the lock screen's picker. */
  profiles: z.array(ProfileChoice).default([]),
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
    input: ProfileSecret.extend({ profileName: ProfileName.optional() }),
    output: AuthStatus,
  }),
  'auth.unlock': channel({
    summary: 'Unlocks a profile (the owner when none is named). Repeated failures are throttled, persistently, per profile.',
    access: 'open',
    input: z.strictObject({ secret: z.string().min(1).max(1024), profileId: Id.optional() }),
    output: AuthStatus,
  }),
  'auth.lock': channel({ summary: 'Locks the profile now.', input: NoInput, output: AuthStatus }),
  'auth.keepAlive': channel({
    summary: 'Reports user activity (typing, clicking) so idle auto-lock measures real idleness.',
    input: NoInput,
    output: z.object({ ok: z.literal(true) }),
  }),
  'auth.changeSecret': channel({
    summary: "Changes the unlocked profile's PIN or passphrase; requires the current one.",
    input: z.strictObject({ current: z.string().min(1).max(1024), next: ProfileSecret }),
    output: AuthStatus,
  }),
  'auth.listProfiles': channel({ summary: 'Every profile with its role and the sources shared with it (owner only).', input: NoInput, output: z.array(ProfileSummary) }),
  'auth.addViewer': channel({
    summary: 'Creates a viewer profile with its own PIN or passphrase (owner only).',
    input: ProfileSecret.extend({ name: ProfileName }),
    output: ProfileSummary,
  }),
  'auth.renameProfile': channel({
    summary: 'Renames a profile, the owner\'s own included (owner only).',
    input: z.strictObject({ profileId: Id, name: ProfileName }),
    output: ProfileSummary,
  }),
  'auth.removeProfile': channel({
    summary: 'Removes a viewer profile, its shares and its PIN record (owner only; the owner cannot be removed).',
    input: z.strictObject({ profileId: Id }),
    output: z.object({ removed: z.boolean() }),
  }),
  'auth.shareSource': channel({
    summary: 'Shares a source with a viewer, or stops sharing it (owner only).',
    input: z.strictObject({ profileId: Id, sourceId: Id, shared: z.boolean() }),
    output: ProfileSummary,
  }),
};

export const authEvents = {
  'auth.changed': event(AuthStatus, 'open'),
};
