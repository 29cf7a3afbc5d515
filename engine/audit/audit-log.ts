import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { AuditAction, AuditEvent, AuditQuery, AuditVerification } from '../contract/index';
import { ConflictError, UnavailableError } from '../errors';
import { newId, nowIso } from '../ids';
import { redactor } from '../log/redact';
import { databaseIdentity, IntegrityKey } from '../secrets/integrity-key';
import type { SecretStore } from '../secrets/secret-store';
import type { Database } from '../store/migration';
import { reinstallAppendOnly } from './append-only';
import { AuditContext } from './audit-context';

interface Row {
  seq: number;
  id: string;
  at: string;
  actor: string;
  actor_profile_id: string | null;
  action: AuditAction;
  source_id: string | null;
  session_id: string | null;
  details_json: string;
  hash: string | null;
}

interface AnchorRow {
  log_id: string;
  first_seq: number;
  prev_hash: string;
  sealed_through: number;
  mac: string;
}

/** The chain's last event as the keychain remembers it: deleting events at the end cannot go unnoticed. */
const Head = z.strictObject({ v: z.literal(1), log: z.string(), seq: z.number().int().nonnegative(), hash: z.string(), mac: z.string() });
type Head = z.infer<typeof Head>;

export interface AuditEntry {
  action: AuditAction;
  sourceId?: string | null;
  sessionId?: string | null;
  details?: Record<string, unknown>;
}

/** Who an event is by: a profile's name and id, or just a name ('system', before anyone is unlocked). */
export type AuditActor = string | { name: string; profileId: string | null };

export interface AuditLogOptions {
  actor: () => AuditActor;
  host: string;
  /** The OS keychain: it holds the integrity key and the chain's head. */
  secrets: SecretStore;
  /** Told when the head could not be saved to the keychain (the log itself is written regardless). */
  onError?: (message: string, error: unknown) => void;
}

const toEvent = (r: Row): AuditEvent => ({
  id: r.id,
  seq: r.seq,
  at: r.at,
  actor: r.actor,
  actorProfileId: r.actor_profile_id ?? null,
  action: r.action,
  sourceId: r.source_id,
  sessionId: r.session_id,
  details: JSON.parse(r.details_json) as Record<string, unknown>,
});

type Reason = NonNullable<AuditVerification['reason']>;

const REASONS: Record<Reason, string> = {
  CHANGED: 'it was changed or added outside PolyStoreIQ',
  MISSING: 'it was deleted',
  TRUNCATED: 'it and the events after it were deleted',
  START: 'the record of where the log starts was removed or changed',
  FOREIGN_LOG: 'the log was replaced by another one',
  KEY_MISSING: 'the key it was sealed with is not in this OS keychain (a copied profile, or a reset keychain)',
  KEYCHAIN_UNAVAILABLE: 'the OS keychain is not available',
};

/**
 * What one event's MAC covers: the previous event's MAC, then every column of
 * the event. The acting profile's id (added with roles) is covered when set,
 * so events written before it verify as they were, and setting or clearing it
 * later changes the MAC.
 */
function chainParts(prev: string, r: Omit<Row, 'hash'>): Array<string | number | null> {
  const parts = [prev, r.seq, r.id, r.at, r.actor, r.action, r.source_id, r.session_id, r.details_json];
  return r.actor_profile_id ? [...parts, r.actor_profile_id] : parts;
}

const anchorParts = (a: Omit<AnchorRow, 'mac'>) => [a.log_id, a.first_seq, a.prev_hash, a.sealed_through];

/**
 * The append-only record of sensitive actions, tamper-evident: each event
 * carries an HMAC-SHA256 chained to the previous event's, keyed from the OS
 * keychain; where the retained log starts is a MAC'd anchor (moved only by
 * `prune`), and the last event is remembered in the keychain. Editing,
 * inserting, deleting or truncating events in the SQLite file, with or
 * without dropping the triggers, is found by `verify()`, which runs at every
 * open and from `polystore audit verify`. SQLite triggers still refuse UPDATE
 * and DELETE, and are put back at every open.
 */
export class AuditLog {
  readonly #db: Database;
  readonly #o: AuditLogOptions;
  readonly #headAccount: string;
  readonly #dbIdentity: string;
  #key: IntegrityKey | null = null;
  #opening: Promise<AuditVerification> | null = null;
  #last: AuditVerification | null = null;
  #flushing: Promise<void> | null = null;
  #flushAgain = false;
  #savedHead: { seq: number; hash: string } | null = null;

  constructor(db: Database, options: AuditLogOptions) {
    this.#db = db;
    this.#o = options;
    this.#dbIdentity = databaseIdentity(db);
    this.#headAccount = `audit-head:${this.#dbIdentity}`;
  }

  /**
   * Loads the key, puts the guards back, seals events written before the
   * chain existed (first open after the upgrade only), and verifies. A
   * failure (keychain unavailable) is not cached: the next call tries again.
   */
  open(): Promise<AuditVerification> {
    this.#opening ??= this.#open();
    this.#opening.catch(() => (this.#opening = null));
    return this.#opening;
  }

  async #open(): Promise<AuditVerification> {
    const key = await IntegrityKey.load(this.#o.secrets);
    const head = await this.#readHead();
    // Read inside the write transaction: two processes opening an old log at once seal it once.
    const anchor = this.#db.transaction(() => {
      const existing = this.#anchor();
      // A row left in the guard table would switch the delete trigger off.
      this.#db.exec('DELETE FROM audit_prune_guard');
      if (!existing && !head) this.#seal(key);
      reinstallAppendOnly(this.#db, 'audit_events', { deleteGuard: 'audit_prune_guard' });
      return existing;
    }).immediate();
    this.#key = key;
    let result = this.#verify(key, head);
    // A start that does not verify under a key created just now was sealed with a key this keychain never had.
    if (anchor && key.created && result.reason === 'START') result = this.#result({ alteredAt: anchor.first_seq, reason: 'KEY_MISSING' });
    if (!head) await this.#writeHead();
    else this.#savedHead = { seq: head.seq, hash: head.hash };
    this.#last = result;
    return result;
  }

  /** Gives the events written before the chain existed their hashes, in order, and anchors the chain before the first. */
  #seal(key: IntegrityKey): void {
    const logId = randomBytes(16).toString('base64url');
    const rows = this.#db.prepare('SELECT * FROM audit_events ORDER BY seq').all() as Row[];
    const firstSeq = rows[0]?.seq ?? this.#nextSeq();
    const genesis = key.mac('audit-anchor', ['genesis', logId]);
    this.#db.exec('DROP TRIGGER IF EXISTS audit_events_no_update');
    const update = this.#db.prepare('UPDATE audit_events SET hash = ? WHERE seq = ?');
    let prev = genesis;
    for (const row of rows) {
      prev = key.mac('audit-chain', chainParts(prev, row));
      update.run(prev, row.seq);
    }
    const anchor = { log_id: logId, first_seq: firstSeq, prev_hash: genesis, sealed_through: rows.at(-1)?.seq ?? firstSeq - 1 };
    this.#db
      .prepare('INSERT INTO audit_anchor (id, log_id, first_seq, prev_hash, sealed_through, mac, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?)')
      .run(anchor.log_id, anchor.first_seq, anchor.prev_hash, anchor.sealed_through, key.mac('audit-anchor', anchorParts(anchor)), nowIso());
  }

  #anchor(): AnchorRow | null {
    return (this.#db.prepare('SELECT log_id, first_seq, prev_hash, sealed_through, mac FROM audit_anchor WHERE id = 1').get() as AnchorRow | undefined) ?? null;
  }

  /** After every event that ever existed (SQLite's AUTOINCREMENT memory included): where an empty log starts. */
  #nextSeq(): number {
    const last = this.#db.prepare('SELECT MAX(seq) FROM audit_events').pluck().get() as number | null;
    const seen = this.#db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'audit_events'`).pluck().get() as number | undefined;
    return Math.max(last ?? 0, seen ?? 0) + 1;
  }

  #requireKey(): IntegrityKey {
    if (!this.#key) {
      throw new UnavailableError('The audit log cannot be written: its key in the OS keychain could not be read. Make sure the keychain is available and unlocked, then try again.', {
        reason: 'KEYCHAIN_UNAVAILABLE',
      });
    }
    return this.#key;
  }

  record(entry: AuditEntry): AuditEvent {
    const key = this.#requireKey();
    // Details are redacted before they are stored: a secret must not reach SQLite through an error text.
    const details = redactor.redactValue({ ...entry.details, host: this.#o.host });
    const actor = this.#o.actor();
    const fields = {
      id: newId('aud'),
      at: nowIso(),
      actor: typeof actor === 'string' ? actor : actor.name,
      actor_profile_id: typeof actor === 'string' ? null : actor.profileId,
      action: entry.action,
      source_id: entry.sourceId ?? null,
      session_id: entry.sessionId ?? null,
      details_json: JSON.stringify(details),
    };
    // IMMEDIATE: another process appending at the same time waits, so two events never chain to the same predecessor.
    const row = this.#db.transaction((): Row => {
      const last = this.#lastEvent();
      // Consecutive numbers: an event can only follow the one before it, so events deleted at the end cannot be papered over by new ones.
      const partial = { seq: last.seq + 1, ...fields };
      const full: Row = { ...partial, hash: key.mac('audit-chain', chainParts(last.hash, partial)) };
      this.#db
        .prepare(`INSERT INTO audit_events (seq, id, at, actor, actor_profile_id, action, source_id, session_id, details_json, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(full.seq, full.id, full.at, full.actor, full.actor_profile_id, full.action, full.source_id, full.session_id, full.details_json, full.hash);
      return full;
    }).immediate();
    this.#scheduleHead();
    return toEvent(row);
  }

  /** The last event's number and MAC; for an empty log, the anchor's (the event before the first kept one). */
  #lastEvent(): { seq: number; hash: string } {
    const last = this.#db.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string | null } | undefined;
    if (last) return { seq: last.seq, hash: last.hash ?? '' };
    const anchor = this.#anchor();
    return anchor ? { seq: anchor.first_seq - 1, hash: anchor.prev_hash } : { seq: this.#nextSeq() - 1, hash: '' };
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
    const context = new AuditContext(this.#db);
    const events = rows.slice(0, limit).map((row) => {
      const event = toEvent(row);
      return { ...event, context: context.describe(event) };
    });
    return { events, hasMore: rows.length > limit };
  }

  /**
   * Deletes the events older than `before` (the oldest ones only: a prefix of
   * the chain), moves the anchor past them and records that it did, in one
   * transaction. An altered log is not pruned, so the evidence stays.
   */
  /** Whether any retained event is older than `before`: retention prunes only then, since a prune records an event of its own. */
  hasEventsBefore(before: Date): boolean {
    return this.#db.prepare('SELECT 1 FROM audit_events WHERE at < ? LIMIT 1').get(before.toISOString()) !== undefined;
  }

  prune(before: Date, options: { by?: 'retention' } = {}): number {
    const key = this.#requireKey();
    const current = this.#verify(key, null);
    if (current.status !== 'ok') throw new ConflictError(`${current.message} It is not pruned, so that the evidence stays.`, { alteredAt: current.alteredAt });
    return this.#db.transaction(() => {
      const firstKept = (this.#db.prepare('SELECT MIN(seq) FROM audit_events WHERE at >= ?').pluck().get(before.toISOString()) as number | null) ?? this.#lastEvent().seq + 1;
      const lastDropped = this.#db.prepare('SELECT seq, hash FROM audit_events WHERE seq < ? ORDER BY seq DESC LIMIT 1').get(firstKept) as { seq: number; hash: string } | undefined;
      let deleted = 0;
      if (lastDropped) {
        const anchor = { ...this.#anchor()!, first_seq: firstKept, prev_hash: lastDropped.hash };
        this.#db.prepare('INSERT INTO audit_prune_guard (active) VALUES (1)').run();
        deleted = this.#db.prepare('DELETE FROM audit_events WHERE seq < ?').run(firstKept).changes;
        this.#db.prepare('DELETE FROM audit_prune_guard').run();
        this.#db
          .prepare('UPDATE audit_anchor SET first_seq = ?, prev_hash = ?, mac = ?, updated_at = ? WHERE id = 1')
          .run(anchor.first_seq, anchor.prev_hash, key.mac('audit-anchor', anchorParts(anchor)), nowIso());
      }
      this.record({ action: 'audit.pruned', details: { before: before.toISOString(), deleted, firstSeq: firstKept, ...(options.by ? { by: options.by } : {}) } });
      return deleted;
    }).immediate();
  }

  /** Verifies the whole retained log against the key and the head in the keychain. */
  async verify(): Promise<AuditVerification> {
    try {
      await this.open();
      const key = this.#requireKey();
      if (key.created && this.#last?.reason === 'KEY_MISSING') return (this.#last = { ...this.#last, checkedAt: nowIso() });
      await this.flush();
      this.#last = this.#verify(key, await this.#readHead());
      return this.#last;
    } catch (error) {
      if (!(error instanceof UnavailableError)) throw error;
      return this.#result({ alteredAt: null, reason: 'KEYCHAIN_UNAVAILABLE', status: 'unverifiable' });
    }
  }

  /** The last verification (at open, or the latest `verify()`); null before the log could be opened. */
  lastVerification(): AuditVerification | null {
    return this.#last;
  }

  #verify(key: IntegrityKey, head: Head | null): AuditVerification {
    const started = performance.now();
    const anchor = this.#anchor();
    const firstRow = this.#db.prepare('SELECT MIN(seq) FROM audit_events').pluck().get() as number | null;
    const done = (alteredAt: number | null, reason: Reason | null, counted: { events: number; lastSeq: number | null }) =>
      this.#result({ alteredAt, reason, events: counted.events, firstSeq: firstRow, lastSeq: counted.lastSeq, elapsedMs: performance.now() - started });
    if (!anchor || !key.verify('audit-anchor', anchorParts(anchor), anchor.mac)) {
      return done(Math.max(1, firstRow ?? anchor?.first_seq ?? 1), 'START', { events: 0, lastSeq: null });
    }
    let prev = anchor.prev_hash;
    let prevSeq = anchor.first_seq - 1;
    let events = 0;
    let hashAtHead: string | null = head?.seq === prevSeq ? prev : null;
    for (const row of this.#db.prepare('SELECT * FROM audit_events ORDER BY seq').iterate() as IterableIterator<Row>) {
      const gap = row.seq > prevSeq + 1;
      // Sealed older events may have gaps (their links are still checked); new ones may not.
      if (row.hash === null || !key.verify('audit-chain', chainParts(prev, row), row.hash) || (gap && row.seq > anchor.sealed_through)) {
        return done(gap ? prevSeq + 1 : row.seq, gap ? 'MISSING' : 'CHANGED', { events, lastSeq: prevSeq > 0 ? prevSeq : null });
      }
      prev = row.hash;
      prevSeq = row.seq;
      events++;
      if (row.seq === head?.seq) hashAtHead = row.hash;
    }
    const counted = { events, lastSeq: events > 0 ? prevSeq : null };
    if (head) {
      if (!key.verify('audit-head', [this.#dbIdentity, head.log, head.seq, head.hash], head.mac) || head.log !== anchor.log_id) {
        return done(Math.max(1, anchor.first_seq), 'FOREIGN_LOG', counted);
      }
      if (head.seq > prevSeq) return done(prevSeq + 1, 'TRUNCATED', counted);
      if (hashAtHead !== null && hashAtHead !== head.hash) return done(head.seq, 'CHANGED', counted);
    }
    return done(null, null, counted);
  }

  #result(r: { alteredAt: number | null; reason: Reason | null; status?: AuditVerification['status']; events?: number; firstSeq?: number | null; lastSeq?: number | null; elapsedMs?: number }): AuditVerification {
    const events = r.events ?? 0;
    const status = r.status ?? (r.reason ? 'altered' : 'ok');
    const message =
      status === 'ok'
        ? `Audit log verified: ${events} event${events === 1 ? '' : 's'}.`
        : status === 'unverifiable'
          ? `The audit log could not be verified: ${REASONS[r.reason!]}.`
          : `Audit log altered at event ${r.alteredAt}: ${REASONS[r.reason!]}.`;
    return {
      status,
      events,
      firstSeq: r.firstSeq ?? null,
      lastSeq: r.lastSeq ?? null,
      alteredAt: status === 'altered' ? r.alteredAt : null,
      reason: r.reason,
      message,
      checkedAt: nowIso(),
      elapsedMs: r.elapsedMs ?? 0,
    };
  }

  async #readHead(): Promise<Head | null> {
    const stored = await this.#o.secrets.get(this.#headAccount);
    if (!stored) return null;
    try {
      return Head.parse(JSON.parse(stored));
    } catch {
      // Unreadable counts as a head that does not match: verify() reports it.
      return { v: 1, log: '', seq: 0, hash: '', mac: '' };
    }
  }

  /** After each event, the keychain learns the new last event; writes are coalesced and never block recording. */
  #scheduleHead(): void {
    if (this.#flushing) {
      this.#flushAgain = true;
      return;
    }
    this.#flushing = (async () => {
      do {
        this.#flushAgain = false;
        // Let the caller's transaction end first: only committed events may become the head.
        await new Promise((resolve) => setImmediate(resolve));
        await this.#writeHead().catch((error: unknown) => this.#o.onError?.('The audit log head could not be saved to the OS keychain.', error));
      } while (this.#flushAgain);
    })().finally(() => (this.#flushing = null));
  }

  async #writeHead(): Promise<void> {
    const key = this.#requireKey();
    if (this.#db.inTransaction) {
      this.#flushAgain = true;
      return;
    }
    const anchor = this.#anchor();
    if (!anchor) return;
    const { seq, hash } = this.#lastEvent();
    if (this.#savedHead && this.#savedHead.seq >= seq) return;
    // The new head must extend the saved one: if the event the keychain remembers is gone or different, keep that evidence.
    if (this.#savedHead && this.#hashAt(this.#savedHead.seq, anchor) !== this.#savedHead.hash) {
      this.#o.onError?.('The audit log was altered; its head in the OS keychain is kept as evidence.', new ConflictError(`event ${this.#savedHead.seq} changed`));
      return;
    }
    const head: Head = { v: 1, log: anchor.log_id, seq, hash, mac: key.mac('audit-head', [this.#dbIdentity, anchor.log_id, seq, hash]) };
    await this.#o.secrets.set(this.#headAccount, JSON.stringify(head));
    this.#savedHead = { seq, hash };
  }

  /** The MAC stored for event `seq`, or the remembered one when pruning has dropped it (undefined: no longer known). */
  #hashAt(seq: number, anchor: AnchorRow): string | null | undefined {
    if (seq === anchor.first_seq - 1) return anchor.prev_hash;
    if (seq < anchor.first_seq) return this.#savedHead?.hash;
    return (this.#db.prepare('SELECT hash FROM audit_events WHERE seq = ?').pluck().get(seq) as string | null | undefined) ?? null;
  }

  /** Resolves when the keychain knows the last event recorded so far (hosts call it before closing). */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }
}
