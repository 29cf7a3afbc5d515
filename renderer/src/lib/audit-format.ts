import type { AuditAction, AuditEvent } from '../../../engine/contract/index';

/** Each action as people say it: "Approved a query", "Added source". */
export const ACTION_LABELS: Record<AuditAction, string> = {
  'profile.created': 'Created a profile',
  'auth.unlocked': 'Unlocked the app',
  'auth.unlock_failed': 'Failed to unlock',
  'auth.locked': 'Locked the app',
  'auth.secret_changed': 'Changed the PIN or passphrase',
  'settings.updated': 'Changed settings',
  'source.created': 'Added source',
  'source.updated': 'Edited source',
  'source.disabled': 'Disabled source',
  'source.enabled': 'Enabled source',
  'source.removed': 'Removed source',
  'source.tested': 'Tested the connection',
  'source.refused': 'Refused to run on the source',
  'source.risks_confirmed': 'Confirmed the login risks',
  'metadata.refreshed': 'Refreshed the schema',
  'file.imported': 'Imported a file',
  'query.generated': 'Wrote a query',
  'query.approved': 'Approved a query',
  'query.denied': 'Denied a query',
  'query.refused': 'Refused a query',
  'query.executed': 'Ran a query',
  'query.failed': 'A query failed',
  'provider.configured': 'Configured the model',
  'audit.pruned': 'Removed old audit events',
  'verified.added': 'Added a verified answer',
  'verified.edited': 'Edited a verified answer',
  'verified.removed': 'Removed a verified answer',
  'profile.renamed': 'Renamed a profile',
  'profile.removed': 'Removed a viewer profile',
  'source.shared': 'Shared a source with a viewer',
  'source.unshared': 'Stopped sharing a source',
};

const plural = (n: number, word: string) => `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`;
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const text = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);

/** A few words from the event's details, from fields known to be safe to show (never hashes or nonces). */
function outcome(e: AuditEvent): string | null {
  const d = e.details;
  switch (e.action) {
    case 'source.tested':
      return d.ok === true ? 'connected' : d.ok === false ? `failed${text(d.error) ? ` (${text(d.error)})` : ''}` : null;
    case 'query.executed': {
      const rows = num(d.rowCount);
      return rows === null ? null : `${plural(rows, 'row')}${d.truncated === true ? ' (truncated)' : ''}`;
    }
    case 'query.failed':
      return text(d.code);
    case 'query.generated':
      return d.author === 'offline' ? 'by the offline planner' : d.author === 'model' && text(d.provider) ? `by ${text(d.provider)}` : null;
    case 'query.refused':
    case 'source.refused':
      return text(d.reason)?.toLowerCase().replaceAll('_', ' ') ?? null;
    case 'auth.unlock_failed': {
      const attempts = num(d.failedAttempts);
      return attempts === null ? null : `${plural(attempts, 'failed attempt')} in a row`;
    }
    case 'settings.updated':
      return Array.isArray(d.changed) ? d.changed.filter((c) => typeof c === 'string').join(', ') : null;
    default:
      return null;
  }
}

export interface HumanEvent {
  /** "Approved a query". */
  action: string;
  /** The question a query answered, when it had one. */
  question: string | null;
  /** "connected", "120 rows"… */
  outcome: string | null;
  source: string | null;
  /** Where to look: the conversation the event belongs to. */
  conversation: { sourceId: string; sessionId: string; title: string | null } | null;
}

export function humanize(e: AuditEvent): HumanEvent {
  const action =
    e.action === 'provider.configured'
      ? e.details.kind === 'offline'
        ? 'Switched to the offline planner'
        : `Configured the model${text(e.details.model) ? ` ${text(e.details.model)}` : ''}`
      : ACTION_LABELS[e.action];
  return {
    action,
    question: e.context?.question ?? null,
    outcome: outcome(e),
    source: e.context?.sourceName ?? null,
    conversation: e.sessionId && e.sourceId ? { sourceId: e.sourceId, sessionId: e.sessionId, title: e.context?.sessionTitle ?? null } : null,
  };
}
