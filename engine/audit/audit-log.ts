import type { AuditAction, AuditEvent, AuditQuery } from '../contract/index';
import { newId, nowIso } from '../ids';
import { redactor } from '../log/redact';
import type { Database } from '../store/migration';

interface Row {
  seq: number;
  id: string;
  at: string;
  actor: string;
  action: AuditAction;
  source_id: string | null;
  session_id: string | null;
  details_json: string;
}

export interface AuditEntry {
  action: AuditAction;
  sourceId?: string | null;
  sessionId?: string | null;
  details?: Record<string, unknown>;
}

const toEvent = (r: Row): AuditEvent => ({
  id: r.id,
  seq: r.seq,
  at: r.at,
  actor: r.actor,
  action: r.action,
  sourceId: r.source_id,
  sessionId: r.session_id,
  details: JSON.parse(r.details_json) as Record<string, unknown>,
});

/**
 * The append-only record of sensitive actions. SQLite triggers refuse UPDATE
 * and DELETE; `prune` is the one audited way to drop old events.
 */
export class AuditLog {
  readonly #db: Database;
  readonly #actor: () => string;
  readonly #host: string;

  constructor(db: Database, options: { actor: () => string; host: string }) {
    this.#db = db;
    this.#actor = options.actor;
    this.#host = options.host;
  }

  record(entry: AuditEntry): AuditEvent {
    // Details are redacted before they are stored: a secret must not reach SQLite through an error text.
    const details = redactor.redactValue({ ...entry.details, host: this.#host });
    const id = newId('aud');
    const info = this.#db
      .prepare(`INSERT INTO audit_events (id, at, actor, action, source_id, session_id, details_json) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(id, nowIso(), this.#actor(), entry.action, entry.sourceId ?? null, entry.sessionId ?? null, JSON.stringify(details));
    return toEvent(this.#db.prepare('SELECT * FROM audit_events WHERE seq = ?').get(info.lastInsertRowid) as Row);
  }

  list(query: Partial<AuditQuery> = {}): { events: AuditEvent[]; hasMore: boolean } {
    const filters: Array<[string, unknown]> = [
      ['source_id = ?', query.sourceId],
      ['session_id = ?', query.sessionId],
      ['action = ?', query.action],
      ['at >= ?', query.since && new Date(query.since).toISOString()],
      ['at <= ?', query.until && new Date(query.until).toISOString()],
      ['seq < ?', query.beforeSeq],
    ];
    const active = filters.filter(([, value]) => value !== undefined && value !== '');
    const where = active.map(([clause]) => clause);
    const params = active.map(([, value]) => value);
    const limit = query.limit ?? 200;
    const rows = this.#db
      .prepare(`SELECT * FROM audit_events ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq DESC LIMIT ?`)
      .all(...params, limit + 1) as Row[];
    return { events: rows.slice(0, limit).map(toEvent), hasMore: rows.length > limit };
  }

  /** Deletes events older than `before`, and records that it did, in one transaction. */
  prune(before: Date): number {
    return this.#db.transaction(() => {
      this.#db.prepare('INSERT INTO audit_prune_guard (active) VALUES (1)').run();
      const { changes } = this.#db.prepare('DELETE FROM audit_events WHERE at < ?').run(before.toISOString());
      this.#db.prepare('DELETE FROM audit_prune_guard').run();
      this.record({ action: 'audit.pruned', details: { before: before.toISOString(), deleted: changes } });
      return changes;
    })();
  }
}
