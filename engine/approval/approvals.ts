import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit-log';
import { ApprovalError } from '../errors';
import { nowIso } from '../ids';
import type { SecretStore } from '../secrets/secret-store';
import type { Database } from '../store/migration';

/** Why a token was refused. Stable codes: the UI and the audit log use them. */
export type ApprovalRefusal = 'TAMPERED' | 'EXPIRED' | 'REPLAYED' | 'DENIED' | 'WRONG_QUERY' | 'WRONG_SOURCE';

const Payload = z.object({
  v: z.literal(1),
  s: z.string(),
  h: z.string(),
  ses: z.string().nullable(),
  msg: z.string().nullable(),
  exp: z.number(),
  n: z.string(),
});
type Payload = z.infer<typeof Payload>;

export interface Approval {
  nonce: string;
  sourceId: string;
  query: string;
  sessionId: string | null;
  messageId: string | null;
  expiresAt: string;
}

interface Row {
  nonce: string;
  source_id: string;
  query_hash: string;
  query_text: string;
  session_id: string | null;
  message_id: string | null;
  expires_at: string;
  status: 'issued' | 'consumed' | 'denied';
}

export const APPROVAL_KEY_ACCOUNT = 'approval-key';
export const hashQuery = (query: string) => createHash('sha256').update(query, 'utf8').digest('hex');

/**
 * Approval tokens: HMAC-SHA256, with a key created per installation and kept
 * in the OS keychain, over the source, a hash of the exact query text, the
 * session, the message, an expiry and a nonce. A token is single use: its
 * nonce moves from `issued` to `consumed` (or `denied`) exactly once. The key
 * never leaves the engine.
 */
export class ApprovalService {
  readonly #db: Database;
  readonly #secrets: SecretStore;
  readonly #audit: AuditLog;
  readonly #ttlSeconds: () => number;
  readonly #now: () => number;
  #key: Promise<Buffer> | null = null;

  constructor(db: Database, options: { secrets: SecretStore; audit: AuditLog; ttlSeconds: () => number; now?: () => number }) {
    this.#db = db;
    this.#secrets = options.secrets;
    this.#audit = options.audit;
    this.#ttlSeconds = options.ttlSeconds;
    this.#now = options.now ?? Date.now;
  }

  #loadKey(): Promise<Buffer> {
    this.#key ??= (async () => {
      const stored = await this.#secrets.get(APPROVAL_KEY_ACCOUNT);
      if (stored) return Buffer.from(stored, 'base64');
      const key = randomBytes(32);
      await this.#secrets.set(APPROVAL_KEY_ACCOUNT, key.toString('base64'));
      return key;
    })();
    this.#key.catch(() => (this.#key = null));
    return this.#key;
  }

  #sign(key: Buffer, body: string): string {
    return createHmac('sha256', key).update(body).digest('base64url');
  }

  async issue(input: { sourceId: string; query: string; sessionId?: string | null; messageId?: string | null }): Promise<{ token: string; expiresAt: string; nonce: string }> {
    const key = await this.#loadKey();
    const nonce = randomBytes(16).toString('base64url');
    const expires = this.#now() + this.#ttlSeconds() * 1000;
    const payload: Payload = { v: 1, s: input.sourceId, h: hashQuery(input.query), ses: input.sessionId ?? null, msg: input.messageId ?? null, exp: expires, n: nonce };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const expiresAt = new Date(expires).toISOString();
    this.#db
      .prepare(`INSERT INTO approvals (nonce, source_id, query_hash, query_text, session_id, message_id, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(nonce, payload.s, payload.h, input.query, payload.ses, payload.msg, new Date(this.#now()).toISOString(), expiresAt);
    return { token: `v1.${body}.${this.#sign(key, body)}`, expiresAt, nonce };
  }

  /** Checks a token's signature and shape; the refusal is audited. */
  async #verify(token: string): Promise<{ payload: Payload; row: Row }> {
    const key = await this.#loadKey();
    const [version, body, signature] = token.split('.');
    const refuse = (reason: ApprovalRefusal, message: string, payload?: Payload): never => this.#refuse(reason, message, payload);
    if (version !== 'v1' || !body || !signature) return refuse('TAMPERED', 'This approval is not valid. Approve the query again.');
    const expected = Buffer.from(this.#sign(key, body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return refuse('TAMPERED', 'This approval has been altered and cannot be used. Approve the query again.');
    let payload: Payload;
    try {
      payload = Payload.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    } catch {
      return refuse('TAMPERED', 'This approval is not valid. Approve the query again.');
    }
    const row = this.#db.prepare('SELECT * FROM approvals WHERE nonce = ?').get(payload.n) as Row | undefined;
    if (!row) return refuse('TAMPERED', 'This approval was not issued by this installation.', payload);
    return { payload, row };
  }

  #refuse(reason: ApprovalRefusal, message: string, payload?: Payload): never {
    this.#audit.record({ action: 'query.refused', sourceId: payload?.s ?? null, sessionId: payload?.ses ?? null, details: { reason, messageId: payload?.msg ?? null } });
    throw new ApprovalError(reason, message);
  }

  /**
   * Consumes a token for exactly one run. `expect` pins the source (and the
   * query text, when the caller has one) the token must have been issued for.
   */
  async consume(token: string, expect: { sourceId?: string; query?: string } = {}): Promise<Approval> {
    const { payload, row } = await this.#verify(token);
    if (row.status === 'denied') this.#refuse('DENIED', 'This query was denied, so it cannot run. Ask again to get a new preview.', payload);
    if (row.status === 'consumed') this.#refuse('REPLAYED', 'This approval has already been used. Each approval runs a query once.', payload);
    if (this.#now() > payload.exp) this.#refuse('EXPIRED', 'This approval expired before the query was run. Review the query and approve it again.', payload);
    // The stored text must still be the text that was approved.
    if (row.query_hash !== payload.h || hashQuery(row.query_text) !== payload.h || row.source_id !== payload.s) {
      this.#refuse('TAMPERED', 'The approved query does not match what is stored. Approve the query again.', payload);
    }
    if (expect.sourceId && expect.sourceId !== payload.s) this.#refuse('WRONG_SOURCE', 'This approval was issued for another source.', payload);
    if (expect.query !== undefined && hashQuery(expect.query) !== payload.h) {
      this.#refuse('WRONG_QUERY', 'This approval was issued for a different query. An edited query needs its own approval.', payload);
    }
    const { changes } = this.#db.prepare(`UPDATE approvals SET status = 'consumed', decided_at = ? WHERE nonce = ? AND status = 'issued'`).run(nowIso(), payload.n);
    if (changes !== 1) this.#refuse('REPLAYED', 'This approval has already been used. Each approval runs a query once.', payload);
    this.#audit.record({ action: 'query.approved', sourceId: payload.s, sessionId: payload.ses, details: { messageId: payload.msg, queryHash: payload.h } });
    return { nonce: payload.n, sourceId: payload.s, query: row.query_text, sessionId: payload.ses, messageId: payload.msg, expiresAt: row.expires_at };
  }

  /**
   * What a token says it is for, without verifying or consuming it (callers
   * route it to its conversation; consume() still checks everything).
   */
  peek(token: string): { sourceId: string; sessionId: string | null; messageId: string | null } | null {
    const body = token.split('.')[1];
    if (!body) return null;
    try {
      const p = Payload.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
      return { sourceId: p.s, sessionId: p.ses, messageId: p.msg };
    } catch {
      return null;
    }
  }

  /** Records a denial: the token can never be used afterwards. */
  async deny(token: string): Promise<Approval> {
    const { payload, row } = await this.#verify(token);
    if (row.status === 'consumed') this.#refuse('REPLAYED', 'This query already ran; it can no longer be denied.', payload);
    if (row.status === 'issued') this.#db.prepare(`UPDATE approvals SET status = 'denied', decided_at = ? WHERE nonce = ? AND status = 'issued'`).run(nowIso(), payload.n);
    this.#audit.record({ action: 'query.denied', sourceId: payload.s, sessionId: payload.ses, details: { messageId: payload.msg, queryHash: payload.h } });
    return { nonce: payload.n, sourceId: payload.s, query: row.query_text, sessionId: payload.ses, messageId: payload.msg, expiresAt: row.expires_at };
  }
}
