import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit-log';
import { ApprovalError } from '../errors';
import { reinstallAppendOnly } from '../audit/append-only';
import { nowIso } from '../ids';
import type { SecretStore } from '../secrets/secret-store';
import type { Database } from '../store/migration';

/** Why a token was refused. Stable codes: the UI and the audit log use them. */
export type ApprovalRefusal = 'TAMPERED' | 'EXPIRED' | 'REPLAYED' | 'DENIED' | 'WRONG_QUERY' | 'WRONG_SOURCE' | 'LIMITS_EXCEEDED';

/** What a run may cost, fixed when the query is approved: a run may ask for less, never for more. */
export interface RunLimits {
  maxRows: number;
  timeoutMs: number;
  maxBytes: number;
}

const Limit = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const Payload = z.strictObject({
  v: z.literal(2),
  s: z.string().min(1),
  h: z.string().regex(/^[0-9a-f]{64}$/),
  ses: z.string().nullable(),
  msg: z.string().nullable(),
  exp: z.number().int().nonnegative(),
  n: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
  lim: z.strictObject({ rows: Limit, ms: Limit, bytes: Limit }),
});
type Payload = z.infer<typeof Payload>;

export interface Approval {
  nonce: string;
  sourceId: string;
  query: string;
  sessionId: string | null;
  messageId: string | null;
  expiresAt: string;
  limits: RunLimits;
}

interface Row {
  nonce: string;
  source_id: string;
  query_hash: string;
  query_text: string;
  session_id: string | null;
  message_id: string | null;
  expires_at: string;
  /** From approval_uses, the one record of use: null while the token is unused. */
  used: 'consumed' | 'denied' | null;
}

export const APPROVAL_KEY_ACCOUNT = 'approval-key';
export const hashQuery = (query: string) => createHash('sha256').update(query, 'utf8').digest('hex');

const VERSION = 'v2';
/** Version, body, signature: nothing before, between or after. The body is bounded like the channel's token. */
const TOKEN_SHAPE = /^v2\.([A-Za-z0-9_-]{1,4000})\.([A-Za-z0-9_-]{43})$/;

/** base64url as Node writes it: no padding, and no stray bits in the last character (two spellings of one value are refused). */
function decodeCanonical(text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : null;
}

/** The token's parts when its shape and encodings are exactly what `issue` writes; the signature is not checked here. */
function parseToken(token: string): { body: string; signature: Buffer; payload: Payload } | null {
  const match = TOKEN_SHAPE.exec(token);
  if (!match) return null;
  const [, body, signatureText] = match as unknown as [string, string, string];
  const bodyBytes = decodeCanonical(body);
  const signature = decodeCanonical(signatureText);
  if (!bodyBytes || !signature || signature.length !== 32) return null;
  const text = bodyBytes.toString('utf8');
  let payload: Payload;
  try {
    payload = Payload.parse(JSON.parse(text));
  } catch {
    return null;
  }
  // The JSON must be byte-for-byte what issue() serializes (key order, no spaces, no duplicate keys).
  if (JSON.stringify(payload) !== text || !Buffer.from(text, 'utf8').equals(bodyBytes)) return null;
  return { body, signature, payload };
}

/**
 * Approval tokens: HMAC-SHA256, with a key created per installation and kept
 * in the OS keychain, over the source, a hash of the exact query text, the
 * session, the message, the run limits (rows, time, bytes), an expiry and a
 * nonce. A token is single use: using or denying it inserts its nonce into
 * `approval_uses`, whose primary key refuses a second insert (the `status`
 * column of `approvals` is only a mirror for people reading the table). The
 * key never leaves the engine.
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
    reinstallAppendOnly(db, 'approval_uses');
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

  #sign(key: Buffer, body: string): Buffer {
    return createHmac('sha256', key).update(`${VERSION}.${body}`).digest();
  }

  async issue(input: { sourceId: string; query: string; sessionId?: string | null; messageId?: string | null; limits: RunLimits }): Promise<{ token: string; expiresAt: string; nonce: string }> {
    const key = await this.#loadKey();
    const nonce = randomBytes(16).toString('base64url');
    const expires = this.#now() + this.#ttlSeconds() * 1000;
    const { maxRows, timeoutMs, maxBytes } = input.limits;
    const payload = Payload.parse({
      v: 2,
      s: input.sourceId,
      h: hashQuery(input.query),
      ses: input.sessionId ?? null,
      msg: input.messageId ?? null,
      exp: expires,
      n: nonce,
      lim: { rows: maxRows, ms: timeoutMs, bytes: maxBytes },
    });
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const expiresAt = new Date(expires).toISOString();
    this.#db
      .prepare(`INSERT INTO approvals (nonce, source_id, query_hash, query_text, session_id, message_id, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(nonce, payload.s, payload.h, input.query, payload.ses, payload.msg, new Date(this.#now()).toISOString(), expiresAt);
    return { token: `${VERSION}.${body}.${this.#sign(key, body).toString('base64url')}`, expiresAt, nonce };
  }

  /** Checks a token's exact shape and its signature (in constant time); the refusal is audited. */
  async #verify(token: string): Promise<{ payload: Payload; row: Row }> {
    const key = await this.#loadKey();
    const parsed = parseToken(token);
    if (!parsed) return this.#refuse('TAMPERED', 'This approval is not valid. Approve the query again.');
    if (!timingSafeEqual(this.#sign(key, parsed.body), parsed.signature)) {
      return this.#refuse('TAMPERED', 'This approval has been altered and cannot be used. Approve the query again.');
    }
    const { payload } = parsed;
    const row = this.#db
      .prepare('SELECT a.*, u.outcome AS used FROM approvals a LEFT JOIN approval_uses u ON u.nonce = a.nonce WHERE a.nonce = ?')
      .get(payload.n) as Row | undefined;
    if (!row) return this.#refuse('TAMPERED', 'This approval was not issued by this installation.', payload);
    return { payload, row };
  }

  #refuse(reason: ApprovalRefusal, message: string, payload?: Payload): never {
    this.#audit.record({ action: 'query.refused', sourceId: payload?.s ?? null, sessionId: payload?.ses ?? null, details: { reason, messageId: payload?.msg ?? null } });
    throw new ApprovalError(reason, message);
  }

  /**
   * Consumes a token for exactly one run. `expect` pins the source (and the
   * query text, when the caller has one) the token must have been issued for;
   * `limits` are what the run asks for, and may not exceed what was approved.
   */
  async consume(token: string, expect: { sourceId?: string; query?: string; limits?: Partial<Pick<RunLimits, 'maxRows' | 'timeoutMs'>> } = {}): Promise<Approval> {
    const { payload, row } = await this.#verify(token);
    if (row.used === 'denied') this.#refuse('DENIED', 'This query was denied, so it cannot run. Ask again to get a new preview.', payload);
    if (row.used === 'consumed') this.#refuse('REPLAYED', 'This approval has already been used. Each approval runs a query once.', payload);
    if (this.#now() > payload.exp) this.#refuse('EXPIRED', 'This approval expired before the query was run. Review the query and approve it again.', payload);
    // The stored text must still be the text that was approved.
    if (row.query_hash !== payload.h || hashQuery(row.query_text) !== payload.h || row.source_id !== payload.s) {
      this.#refuse('TAMPERED', 'The approved query does not match what is stored. Approve the query again.', payload);
    }
    if (expect.sourceId && expect.sourceId !== payload.s) this.#refuse('WRONG_SOURCE', 'This approval was issued for another source.', payload);
    if (expect.query !== undefined && hashQuery(expect.query) !== payload.h) {
      this.#refuse('WRONG_QUERY', 'This approval was issued for a different query. An edited query needs its own approval.', payload);
    }
    const limits = this.#limitsFor(payload, expect.limits ?? {});
    if (!this.#use(payload.n, 'consumed')) this.#refuse('REPLAYED', 'This approval has already been used. Each approval runs a query once.', payload);
    this.#audit.record({ action: 'query.approved', sourceId: payload.s, sessionId: payload.ses, details: { messageId: payload.msg, queryHash: payload.h, nonce: payload.n, limits } });
    return { ...this.#approval(payload, row), limits };
  }

  /** The approved limits, lowered where the run asks for less; asking for more is refused (the token is not used up). */
  #limitsFor(payload: Payload, asked: Partial<Pick<RunLimits, 'maxRows' | 'timeoutMs'>>): RunLimits {
    const approved = { maxRows: payload.lim.rows, timeoutMs: payload.lim.ms, maxBytes: payload.lim.bytes };
    if ((asked.maxRows ?? 0) > approved.maxRows || (asked.timeoutMs ?? 0) > approved.timeoutMs) {
      this.#refuse(
        'LIMITS_EXCEEDED',
        `This approval allows at most ${approved.maxRows.toLocaleString('en-US')} rows and a ${approved.timeoutMs / 1000} s timeout. ` +
          'Run it with those limits or lower, or approve the query again with the limits you need.',
        payload,
      );
    }
    return { ...approved, maxRows: asked.maxRows ?? approved.maxRows, timeoutMs: asked.timeoutMs ?? approved.timeoutMs };
  }

  /** Records the one use of a nonce; false when it was used (or denied) already, whatever `approvals.status` says. */
  #use(nonce: string, outcome: 'consumed' | 'denied'): boolean {
    try {
      this.#db.transaction(() => {
        const at = nowIso();
        this.#db.prepare('INSERT INTO approval_uses (nonce, outcome, at) VALUES (?, ?, ?)').run(nonce, outcome, at);
        this.#db.prepare('UPDATE approvals SET status = ?, decided_at = ? WHERE nonce = ?').run(outcome, at, nonce);
      })();
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return false;
      throw error;
    }
  }

  #usedAs(nonce: string): Row['used'] {
    return (this.#db.prepare('SELECT outcome FROM approval_uses WHERE nonce = ?').pluck().get(nonce) as Row['used'] | undefined) ?? null;
  }

  #approval(payload: Payload, row: Row): Omit<Approval, 'limits'> {
    return { nonce: payload.n, sourceId: payload.s, query: row.query_text, sessionId: payload.ses, messageId: payload.msg, expiresAt: row.expires_at };
  }

  /**
   * What a token says it is for, without verifying or consuming it (callers
   * route it to its conversation; consume() still checks everything). A token
   * of the wrong shape says nothing.
   */
  peek(token: string): { sourceId: string; sessionId: string | null; messageId: string | null } | null {
    const parsed = parseToken(token);
    return parsed ? { sourceId: parsed.payload.s, sessionId: parsed.payload.ses, messageId: parsed.payload.msg } : null;
  }

  /** Records a denial: the token can never be used afterwards. */
  async deny(token: string): Promise<Omit<Approval, 'limits'>> {
    const { payload, row } = await this.#verify(token);
    const alreadyRan = () => this.#refuse('REPLAYED', 'This query already ran; it can no longer be denied.', payload);
    if (row.used === 'consumed') alreadyRan();
    if (row.used === null && !this.#use(payload.n, 'denied') && this.#usedAs(payload.n) === 'consumed') alreadyRan();
    this.#audit.record({ action: 'query.denied', sourceId: payload.s, sessionId: payload.ses, details: { messageId: payload.msg, queryHash: payload.h, nonce: payload.n } });
    return this.#approval(payload, row);
  }
}
