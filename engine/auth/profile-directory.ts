import type { ProfileSummary, Role } from '../contract/index';
import { ConflictError, NotFoundError } from '../errors';
import { nowIso } from '../ids';
import type { AuditLog } from '../audit/audit-log';
import type { Database } from '../store/migration';
import type { AccessControl, ViewerScope } from './permissions';
import type { ProfileLock } from './profile-lock';

interface SummaryRow {
  id: string;
  name: string;
  role: Role;
  secret_kind: 'pin' | 'passphrase';
  created_at: string;
}

/**
 * What the owner manages about profiles besides their secrets (those stay in
 * ProfileLock): which sources each viewer may use, and which conversations
 * each profile started. Also answers the router's questions about a viewer's
 * reach, read from SQLite on every call so a share withdrawn in another
 * process (the CLI) applies at once.
 */
export class ProfileDirectory {
  readonly #db: Database;
  readonly #audit: AuditLog;

  constructor(db: Database, audit: AuditLog) {
    this.#db = db;
    this.#audit = audit;
  }

  list(): ProfileSummary[] {
    const rows = this.#db.prepare(`SELECT id, name, role, secret_kind, created_at FROM profiles ORDER BY role = 'owner' DESC, created_at`).all() as SummaryRow[];
    return rows.map((r) => this.#summary(r));
  }

  get(id: string): ProfileSummary {
    const row = this.#db.prepare('SELECT id, name, role, secret_kind, created_at FROM profiles WHERE id = ?').get(id) as SummaryRow | undefined;
    if (!row) throw new NotFoundError('Profile', id);
    return this.#summary(row);
  }

  #summary(r: SummaryRow): ProfileSummary {
    const shared = this.#db.prepare('SELECT source_id FROM source_shares WHERE profile_id = ? ORDER BY created_at, source_id').pluck().all(r.id) as string[];
    return { id: r.id, name: r.name, role: r.role, secretKind: r.secret_kind, createdAt: r.created_at, sharedSourceIds: shared };
  }

  /** Shares a source with a viewer or withdraws it; the owner sees every source, so sharing with the owner is refused. */
  share(profileId: string, sourceId: string, shared: boolean): ProfileSummary {
    const profile = this.get(profileId);
    if (profile.role !== 'viewer') throw new ConflictError('Sources are shared with viewers; the owner sees every source already.');
    if (!this.#db.prepare('SELECT 1 FROM sources WHERE id = ?').get(sourceId)) throw new NotFoundError('Source', sourceId);
    const changed = shared
      ? this.#db.prepare('INSERT OR IGNORE INTO source_shares (source_id, profile_id, created_at) VALUES (?, ?, ?)').run(sourceId, profileId, nowIso()).changes
      : this.#db.prepare('DELETE FROM source_shares WHERE source_id = ? AND profile_id = ?').run(sourceId, profileId).changes;
    if (changed) this.#audit.record({ action: shared ? 'source.shared' : 'source.unshared', sourceId, details: { profileId, name: profile.name } });
    return this.get(profileId);
  }

  /** The router's view of who is unlocked and what a viewer reaches. */
  accessFor(lock: ProfileLock): AccessControl {
    return {
      caller: () => {
        const p = lock.current();
        return p ? { profileId: p.id, role: p.role } : null;
      },
      scopeOf: (profileId) => this.scopeOf(profileId),
      claimSession: (sessionId, profileId) => this.claimSession(sessionId, profileId),
      runProfile: (runId) => this.runProfile(runId),
    };
  }

  /** Records who started a conversation; the first profile to use it keeps it. */
  claimSession(sessionId: string, profileId: string): void {
    this.#db.prepare('INSERT OR IGNORE INTO session_owners (session_id, profile_id) SELECT id, ? FROM chat_sessions WHERE id = ?').run(profileId, sessionId);
  }

  /** The profile whose approval started a run: undefined for an unknown run, null for one from before approvals named it. */
  runProfile(runId: string): string | null | undefined {
    const row = this.#db.prepare('SELECT a.profile_id AS profileId FROM query_run_starts s JOIN approvals a ON a.nonce = s.nonce WHERE s.id = ?').get(runId) as
      | { profileId: string | null }
      | undefined;
    return row?.profileId;
  }

  /** What one viewer may reach: the sources shared with it, and its own conversations on them. */
  scopeOf(profileId: string): ViewerScope {
    const shared = this.#db.prepare('SELECT 1 FROM source_shares WHERE source_id = ? AND profile_id = ?');
    const session = this.#db.prepare('SELECT s.source_id AS sourceId, o.profile_id AS owner FROM chat_sessions s LEFT JOIN session_owners o ON o.session_id = s.id WHERE s.id = ?');
    const messageSession = this.#db.prepare('SELECT session_id FROM chat_messages WHERE id = ?').pluck();
    // Whose run stored the result: the profile its approval was issued to (none before migration 0150), and its conversation.
    const resultRun = this.#db.prepare(
      `SELECT q.source_id AS sourceId, a.profile_id AS profileId, r.session_id AS sessionId
       FROM query_results q JOIN query_runs r ON r.result_id = q.id LEFT JOIN approvals a ON a.nonce = r.nonce WHERE q.id = ?`,
    );
    const sourceShared = (sourceId: string): boolean => shared.get(sourceId, profileId) !== undefined;
    const ownsSession = (sessionId: string): boolean => {
      const row = session.get(sessionId) as { sourceId: string | null; owner: string | null } | undefined;
      return row !== undefined && row.owner === profileId && (row.sourceId === null || sourceShared(row.sourceId));
    };
    return {
      sourceShared,
      ownsSession,
      ownsMessage: (messageId) => {
        const sessionId = messageSession.get(messageId) as string | undefined;
        return sessionId !== undefined && ownsSession(sessionId);
      },
      ownsResult: (resultId) => {
        const run = resultRun.get(resultId) as { sourceId: string | null; profileId: string | null; sessionId: string | null } | undefined;
        if (!run || run.sourceId === null || !sourceShared(run.sourceId)) return false;
        return run.profileId === profileId || (run.sessionId !== null && ownsSession(run.sessionId));
      },
      sessionUnclaimed: (sessionId) => {
        const row = session.get(sessionId) as { sourceId: string | null; owner: string | null } | undefined;
        return row !== undefined && row.owner === null && row.sourceId !== null && sourceShared(row.sourceId);
      },
    };
  }
}
