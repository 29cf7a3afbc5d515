import { z } from 'zod';
import { channel, Id, IsoTime, NoInput } from './channel';

export const AuditAction = z.enum([
  'profile.created',
  'auth.unlocked',
  'auth.unlock_failed',
  'auth.locked',
  'auth.secret_changed',
  'settings.updated',
  'source.created',
  'source.updated',
  'source.disabled',
  'source.enabled',
  'source.removed',
  'source.tested',
  'source.refused',
  'source.risks_confirmed',
  'metadata.refreshed',
  'file.imported',
  'query.generated',
  'query.approved',
  'query.denied',
  'query.refused',
  'query.executed',
  'query.failed',
  'provider.configured',
  'audit.pruned',
  'verified.added',
  'verified.edited',
  'verified.removed',
  'profile.renamed',
  'profile.removed',
  'source.shared',
  'source.unshared',
]);
export type AuditAction = z.infer<typeof AuditAction>;

/** What an event is about, in names (looked up when listed, not part of the sealed event; no query text or secret). */
export const AuditEventContext = z.object({
  /** The source's name (as recorded, when it was removed since). */
  sourceName: z.string().nullable(),
  /** The conversation's title, when the event belongs to one. */
  sessionTitle: z.string().nullable(),
  /** The question the query (or message) answered. */
  question: z.string().nullable(),
  runId: z.string().nullable(),
});
export type AuditEventContext = z.infer<typeof AuditEventContext>;

export const AuditEvent = z.object({
  id: z.string(),
  seq: z.number().int().positive(),
  at: z.string(),
  /** The acting profile's name when the event was written ('system' when no profile was unlocked). */
  actor: z.string(),
  /** The acting profile's id; null for events older than roles and for the system's own. */
  actorProfileId: z.string().nullable().optional(),
  action: AuditAction,
  sourceId: z.string().nullable(),
  sessionId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  /** Set by audit.list. */
  context: AuditEventContext.optional(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const AuditQuery = z.strictObject({
  sourceId: Id.optional(),
  sessionId: Id.optional(),
  action: AuditAction.optional(),
  since: IsoTime.optional(),
  until: IsoTime.optional(),
  limit: z.number().int().min(1).max(5_000).default(200),
  /** Events older than this sequence number (paging backwards). */
  beforeSeq: z.number().int().positive().optional(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

/**
 * Whether the audit log is the one this installation wrote: every event's
 * chained MAC, where the retained log starts, and its last event as recorded
 * in the OS keychain. `alteredAt` is the first event that is missing, changed
 * or added; `unverifiable` means the check could not run (the keychain is not available).
 */
export const AuditVerification = z.object({
  status: z.enum(['ok', 'altered', 'unverifiable']),
  /** Events checked (the retained log). */
  events: z.number().int().nonnegative(),
  firstSeq: z.number().int().positive().nullable(),
  lastSeq: z.number().int().positive().nullable(),
  alteredAt: z.number().int().positive().nullable(),
  reason: z.enum(['CHANGED', 'MISSING', 'TRUNCATED', 'START', 'FOREIGN_LOG', 'KEY_MISSING', 'KEYCHAIN_UNAVAILABLE']).nullable(),
  /** One line for people: "Audit log verified: 120 events." or "Audit log altered at event 7: …". */
  message: z.string(),
  checkedAt: z.string(),
  elapsedMs: z.number().nonnegative(),
});
export type AuditVerification = z.infer<typeof AuditVerification>;

export const auditChannels = {
  'audit.list': channel({
    summary: 'Audit events, newest first, filtered by source, session, action and time range.',
    input: AuditQuery.optional(),
    output: z.object({ events: z.array(AuditEvent), hasMore: z.boolean() }),
  }),
  'audit.verify': channel({
    summary: 'Checks the audit log chain (HMAC per event, start and last event): ok, or the first altered event.',
    input: NoInput,
    output: AuditVerification,
  }),
};
