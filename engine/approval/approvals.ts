import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit-log';
import { actingCaller } from '../auth/acting';
import { mayUse, type Caller } from '../auth/permissions';
import { ApprovalError, ForbiddenError } from '../errors';
import { reinstallAppendOnly } from '../audit/append-only';
import { singleUseGuard } from '../store/migrations/0110-run-starts';
import { nowIso } from '../ids';
import type { SecretStore } from '../secrets/secret-store';
import type { Database } from '../store/migration';

/** Why a token was refused. Stable codes: the UI and the audit log use them. */
export type ApprovalRefusal =
  | 'TAMPERED'
  | 'EXPIRED'
  | 'REPLAYED'
  | 'DENIED'
  | 'WRONG_QUERY'
  | 'WRONG_SOURCE'
  | 'LIMITS_EXCEEDED'
  /** A newer version of the query (an edit, "validate again") carries the approval now. */
  | 'REPLACED'
  /** The conversation moved on (a newer question or query) without a decision on this one. */
  | 'SKIPPED';

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
  /** The profile it was issued to; null for approvals issued before migration 0150 (the owner's). */
  profile_id: string | null;
}

/**
 * What approval_uses says about a nonce: `used` is null while the token may
 * run (never used, or its last use was given back by a run that failed
 * before its statement reached the server); `attempts` counts its uses.
 */
export interface UseState {
  used: 'consumed' | 'denied' | null;
  attempts: number;
}

/** One use of an approval: the run it starts is attempt `attempt` of the nonce. */
export interface ApprovalUse extends Approval {
  attempt: number;
}

/** An approval of a conversation's query, for deriving the query's status. */
export interface MessageApproval {
  messageId: string;
  nonce: string;
  expiresAt: string;
  used: UseState['used'];
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
 * nonce. A token is single use: using or denying it inserts a row into
 * `approval_uses`, keyed by nonce and attempt, and a trigger refuses a second
 * use unless the first was given back by a run that failed before its
 * statement reached the server (the `status` column of `approvals` is only a
 * mirror for people reading the table). The key never leaves the engine.
 * An approval is the profile's that asked for it: another profile holding the
 * token can neither run nor deny it (FORBIDDEN, and the token stays usable).
 */
export class ApprovalService {
  readonly #db: Database;
  readonly #secrets: SecretStore;
  readonly #audit: AuditLog;
  readonly #ttlSeconds: () => number;
  readonly #now: () => number;
  readonly #caller: () => Caller | null;
  #key: Promise<Buffer> | null = null;

  /** `caller`: who is asking (default: the router's caller of this call; none for the engine's own work, which is not checked). */
  constructor(db: Database, options: { secrets: SecretStore; audit: AuditLog; ttlSeconds: () => number; now?: () => number; caller?: () => Caller | null }) {
    this.#db = db;
    this.#caller = options.caller ?? actingCaller;
    this.#secrets = options.secrets;
    this.#audit = options.audit;
    this.#ttlSeconds = options.ttlSeconds;
    this.#now = options.now ?? Date.now;
    db.transaction(() => {
      reinstallAppendOnly(db, 'approval_uses');
      db.exec(singleUseGuard());
    }).immediate();
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
      .prepare(`INSERT INTO approvals (nonce, source_id, query_hash, query_text, session_id, message_id, issued_at, expires_at, profile_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(nonce, payload.s, payload.h, input.query, payload.ses, payload.msg, new Date(this.#now()).toISOString(), expiresAt, this.#caller()?.profileId ?? null);
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
    const row = this.#db.prepare('SELECT * FROM approvals WHERE nonce = ?').get(payload.n) as Row | undefined;
    if (!row) return this.#refuse('TAMPERED', 'This approval was not issued by this installation.', payload);
    this.#assertIssuedToCaller(row, payload);
    return { payload, row };
  }

  /** Only the profile the approval was issued to may use or deny it; the refusal is audited and uses nothing up. */
  #assertIssuedToCaller(row: Row, payload: Payload): void {
    const caller = this.#caller();
    if (!caller || mayUse(caller, row.profile_id)) return;
    this.#audit.record({ action: 'query.refused', sourceId: payload.s, sessionId: payload.ses, details: { reason: 'WRONG_PROFILE', messageId: payload.msg } });
    throw new ForbiddenError('NOT_YOURS', 'This approval was issued to another profile: only that profile can run or deny it. Ask the question again to get your own approval.');
  }

  #refuse(reason: ApprovalRefusal, message: string, payload?: Payload): never {
    this.#audit.record({ action: 'query.refused', sourceId: payload?.s ?? null, sessionId: payload?.ses ?? null, details: { reason, messageId: payload?.msg ?? null } });
    throw new ApprovalError(reason, message);
  }

  /**
   * Consumes a token for exactly one run. `expect` pins the source (and the
   * query text, when the caller has one) the token must have been issued for;
   * `limits` are what the run asks for, and may not exceed what was approved.
   *
   * The use, whatever `hooks.begin` writes (the run's start, its
   * conversation's record) and the audit event are one IMMEDIATE transaction:
   * after a crash either all of them exist or none, and the token is still
   * usable. `hooks.check` may refuse first (an ApprovalError), in the same transaction.
   */
  async consume<T = void>(
    token: string,
    expect: { sourceId?: string; query?: string; limits?: Partial<Pick<RunLimits, 'maxRows' | 'timeoutMs'>> } = {},
    hooks: { check?: (approval: Omit<Approval, 'limits'>) => void; begin?: (use: ApprovalUse) => T } = {},
  ): Promise<{ use: ApprovalUse; begun: T }> {
    const { payload, row } = await this.#verify(token);
    const consume = this.#db.transaction((): { refusal: [ApprovalRefusal, string] } | { use: ApprovalUse; begun: T } => {
        const state = this.useState(payload.n);
        const refusal = this.#refusalFor(payload, row, state, expect) ?? checked(hooks.check, this.#approval(payload, row));
        if (refusal) return { refusal };
        const limits = this.#limitsFor(payload, expect.limits ?? {});
        if ('refusal' in limits) return limits;
        const use: ApprovalUse = { ...this.#approval(payload, row), limits, attempt: state.attempts + 1 };
        this.#insertUse(payload.n, use.attempt, 'consumed');
        const begun = hooks.begin ? hooks.begin(use) : (undefined as T);
        this.#audit.record({
          action: 'query.approved',
          sourceId: payload.s,
          sessionId: payload.ses,
          details: { messageId: payload.msg, queryHash: payload.h, nonce: payload.n, attempt: use.attempt, limits, ...runIdOf(begun) },
        });
        return { use, begun };
      });
    let outcome: ReturnType<typeof consume>;
    try {
      outcome = consume.immediate();
    } catch (error) {
      // Another process used it between our read and our write: the key or the single-use trigger said no.
      if (isUsedAlready(error)) this.#refuse('REPLAYED', 'This approval has already been used. Each approval runs a query once.', payload);
      throw error;
    }
    if ('refusal' in outcome) this.#refuse(...outcome.refusal, payload);
    return outcome;
  }

  /** Why this token may not be used now, or null; checked inside the consuming transaction. */
  #refusalFor(payload: Payload, row: Row, state: UseState, expect: { sourceId?: string; query?: string }): [ApprovalRefusal, string] | null {
    if (state.used === 'denied') return ['DENIED', 'This query was denied, so it cannot run. Ask again to get a new preview.'];
    if (state.used === 'consumed') return ['REPLAYED', 'This approval has already been used. Each approval runs a query once.'];
    if (this.#now() > payload.exp) return ['EXPIRED', 'This approval expired before the query was run. Review the query and approve it again.'];
    // The stored text must still be the text that was approved.
    if (row.query_hash !== payload.h || hashQuery(row.query_text) !== payload.h || row.source_id !== payload.s) {
      return ['TAMPERED', 'The approved query does not match what is stored. Approve the query again.'];
    }
    if (expect.sourceId && expect.sourceId !== payload.s) return ['WRONG_SOURCE', 'This approval was issued for another source.'];
    if (expect.query !== undefined && hashQuery(expect.query) !== payload.h) {
      return ['WRONG_QUERY', 'This approval was issued for a different query. An edited query needs its own approval.'];
    }
    return null;
  }

  /** The approved limits, lowered where the run asks for less; asking for more is refused (the token is not used up). */
  #limitsFor(payload: Payload, asked: Partial<Pick<RunLimits, 'maxRows' | 'timeoutMs'>>): RunLimits | { refusal: [ApprovalRefusal, string] } {
    const approved = { maxRows: payload.lim.rows, timeoutMs: payload.lim.ms, maxBytes: payload.lim.bytes };
    if ((asked.maxRows ?? 0) > approved.maxRows || (asked.timeoutMs ?? 0) > approved.timeoutMs) {
      return {
        refusal: [
          'LIMITS_EXCEEDED',
          `This approval allows at most ${approved.maxRows.toLocaleString('en-US')} rows and a ${approved.timeoutMs / 1000} s timeout. ` +
            'Run it with those limits or lower, or approve the query again with the limits you need.',
        ],
      };
    }
    return { ...approved, maxRows: asked.maxRows ?? approved.maxRows, timeoutMs: asked.timeoutMs ?? approved.timeoutMs };
  }

  /** Records a use; the primary key (nonce, attempt) and the single-use trigger refuse a second one. Inside the caller's transaction. */
  #insertUse(nonce: string, attempt: number, outcome: 'consumed' | 'denied'): void {
    const at = nowIso();
    this.#db.prepare('INSERT INTO approval_uses (nonce, attempt, outcome, at) VALUES (?, ?, ?, ?)').run(nonce, attempt, outcome, at);
    this.#db.prepare('UPDATE approvals SET status = ?, decided_at = ? WHERE nonce = ?').run(outcome, at, nonce);
  }

  /** What the uses of a nonce say now (the last use decides; a use given back leaves the token usable). */
  useState(nonce: string): UseState {
    const last = this.#db
      .prepare(
        `SELECT u.attempt, u.outcome,
           EXISTS (SELECT 1 FROM query_run_starts s JOIN query_runs r ON r.id = s.id
                   WHERE s.nonce = u.nonce AND s.attempt = u.attempt AND r.status = 'failed' AND r.statement_started = 0) AS given_back
         FROM approval_uses u WHERE u.nonce = ? ORDER BY u.attempt DESC LIMIT 1`,
      )
      .get(nonce) as { attempt: number; outcome: 'consumed' | 'denied'; given_back: number } | undefined;
    if (!last) return { used: null, attempts: 0 };
    return { used: last.outcome === 'consumed' && last.given_back === 1 ? null : last.outcome, attempts: last.attempt };
  }

  /** A run that failed before its statement reached the server gave its use back: the mirror says so too. Inside the outcome's transaction. */
  gaveBack(nonce: string): void {
    this.#db.prepare(`UPDATE approvals SET status = 'issued', decided_at = NULL WHERE nonce = ?`).run(nonce);
  }

  /** The approvals issued for the queries of one conversation, with what became of them. */
  forSession(sessionId: string): MessageApproval[] {
    const rows = this.#db.prepare('SELECT nonce, message_id, expires_at FROM approvals WHERE session_id = ? AND message_id IS NOT NULL').all(sessionId) as Array<{
      nonce: string;
      message_id: string;
      expires_at: string;
    }>;
    return rows.map((r) => ({ messageId: r.message_id, nonce: r.nonce, expiresAt: r.expires_at, used: this.useState(r.nonce).used }));
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

  /**
   * Records a denial: the token can never be used afterwards. `record` (the
   * conversation's decision) and the audit event share the denial's transaction.
   */
  async deny(token: string, record: (approval: Omit<Approval, 'limits'>) => void = () => {}): Promise<Omit<Approval, 'limits'>> {
    const { payload, row } = await this.#verify(token);
    const approval = this.#approval(payload, row);
    const refused = this.#db
      .transaction((): boolean => {
        const state = this.useState(payload.n);
        if (state.used === 'consumed') return true;
        if (state.used === 'denied') return false;
        this.#insertUse(payload.n, state.attempts + 1, 'denied');
        record(approval);
        this.#audit.record({ action: 'query.denied', sourceId: payload.s, sessionId: payload.ses, details: { messageId: payload.msg, queryHash: payload.h, nonce: payload.n } });
        return false;
      })
      .immediate();
    if (refused) this.#refuse('REPLAYED', 'This query already ran; it can no longer be denied.', payload);
    return approval;
  }
}

/** A caller's check that refused with an ApprovalError, as a refusal (audited like the others); anything else propagates. */
function checked(check: ((approval: Omit<Approval, 'limits'>) => void) | undefined, approval: Omit<Approval, 'limits'>): [ApprovalRefusal, string] | null {
  try {
    check?.(approval);
    return null;
  } catch (error) {
    if (error instanceof ApprovalError && typeof error.details?.reason === 'string') return [error.details.reason as ApprovalRefusal, error.message];
    throw error;
  }
}

function isUsedAlready(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || (code === 'SQLITE_CONSTRAINT_TRIGGER' && /used already/.test((error as Error).message));
}

/** The run id a `begin` callback returned, for the audit event. */
function runIdOf(begun: unknown): { runId?: string } {
  const runId = (begun as { runId?: unknown } | null | undefined)?.runId;
  return typeof runId === 'string' ? { runId } : {};
}
