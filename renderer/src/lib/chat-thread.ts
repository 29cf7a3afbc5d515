import type { ChatMessage, MessagePayload } from '../../../engine/contract/index';

export type QueryPayload = Extract<MessagePayload, { kind: 'query' }>;
export type ResultPayload = Extract<MessagePayload, { kind: 'result' }>;
export type ErrorPayload = Extract<MessagePayload, { kind: 'error' }>;
export type QueryMessage = ChatMessage & { payload: QueryPayload };
export type ResultMessage = ChatMessage & { payload: ResultPayload };

/**
 * Where a previewed query stands, read from the messages that follow it. The
 * engine owns the approval state machine; this only mirrors what it recorded.
 * - refused: the guardrail said no, or the database rejected it at EXPLAIN, so it can never run;
 * - pending: the latest query, waiting for the user's decision;
 * - approved: it ran (its result or error follows);
 * - denied: the user said no; it never ran;
 * - failed: the engine refused the approval (expired, already used, ...);
 * - replaced: edited or validated again, so a newer message carries the approval;
 * - skipped: the conversation moved on without a decision.
 */
export type QueryStatus = 'refused' | 'pending' | 'approved' | 'denied' | 'failed' | 'replaced' | 'skipped';

export interface QueryState {
  status: QueryStatus;
  /** The newer message that replaced this one (an edit or "validate again"). */
  replacedBy: string | null;
  resultMessageId: string | null;
  errorMessageId: string | null;
}

export interface ThreadIndex {
  queries: ReadonlyMap<string, QueryState>;
  /** The only query that may be approved: the latest one, while nothing has decided it. */
  pendingQueryId: string | null;
  /** The last query message of the session, whatever its status. */
  latestQueryId: string | null;
  byId: ReadonlyMap<string, ChatMessage>;
}

export const isQuery = (m: ChatMessage): m is QueryMessage => m.payload.kind === 'query';
export const isResult = (m: ChatMessage): m is ResultMessage => m.payload.kind === 'result';

/**
 * The database rejected the query when it was estimated (an unknown column, a
 * type error): the engine then issued no approval although the guardrail allowed it.
 */
export function rejectedByStore(p: QueryPayload): boolean {
  return p.verdict.allowed && p.explainError !== null && p.approvalExpiresAt === null;
}

/** Derives every query's status from the thread (messages in any order; sorted by seq here). */
export function indexThread(messages: readonly ChatMessage[]): ThreadIndex {
  const sorted = [...messages].sort((a, b) => a.seq - b.seq);
  const queries = new Map<string, QueryState>();
  const byId = new Map(sorted.map((m) => [m.id, m]));
  let latestQueryId: string | null = null;
  let lastQuestionSeq = -1;
  for (const m of sorted) {
    const p = m.payload;
    switch (p.kind) {
      case 'question':
        lastQuestionSeq = m.seq;
        break;
      case 'query': {
        queries.set(m.id, { status: p.verdict.allowed && !rejectedByStore(p) ? 'pending' : 'refused', replacedBy: null, resultMessageId: null, errorMessageId: null });
        const original = p.editedFrom ? queries.get(p.editedFrom) : undefined;
        if (original && p.editedFrom) {
          original.replacedBy = m.id;
          if (original.status === 'pending' || original.status === 'failed') original.status = 'replaced';
        }
        latestQueryId = m.id;
        break;
      }
      case 'decision': {
        const q = queries.get(p.queryMessageId);
        if (q && q.status !== 'refused') q.status = p.decision === 'approved' ? 'approved' : 'denied';
        break;
      }
      case 'result': {
        const q = queries.get(p.queryMessageId);
        if (q) {
          q.resultMessageId = m.id;
          if (q.status !== 'refused') q.status = 'approved';
        }
        break;
      }
      case 'error': {
        const q = p.relatedMessageId ? queries.get(p.relatedMessageId) : undefined;
        if (q) {
          q.errorMessageId = m.id;
          // An approval the engine refused never ran; an execution error follows an approval.
          if (p.stage === 'approval' && q.status === 'pending') q.status = 'failed';
        }
        break;
      }
      case 'declined':
      case 'renamed':
        break;
      default:
        p satisfies never;
    }
  }
  // A pending query stays approvable only while it is the latest thing asked about.
  for (const [id, q] of queries) {
    if (q.status !== 'pending') continue;
    const seq = byId.get(id)!.seq;
    if (id !== latestQueryId || lastQuestionSeq > seq) q.status = 'skipped';
  }
  const pendingQueryId = latestQueryId && queries.get(latestQueryId)?.status === 'pending' ? latestQueryId : null;
  return { queries, pendingQueryId, latestQueryId, byId };
}

export interface Turn {
  /** The question's message id, or the first message's when the turn has no question. */
  key: string;
  question: ChatMessage | null;
  /** Everything that answered it, in order. */
  replies: ChatMessage[];
}

/** Groups the thread into turns: a question and what followed it until the next question. */
export function groupTurns(messages: readonly ChatMessage[]): Turn[] {
  const turns: Turn[] = [];
  for (const m of [...messages].sort((a, b) => a.seq - b.seq)) {
    if (m.payload.kind === 'question') turns.push({ key: m.id, question: m, replies: [] });
    else if (turns.length) turns[turns.length - 1]!.replies.push(m);
    else turns.push({ key: m.id, question: null, replies: [m] });
  }
  return turns;
}

/** The engine refused an approval because it was too old (APPROVAL / EXPIRED). */
export function isExpiredApproval(payload: MessagePayload): boolean {
  return payload.kind === 'error' && payload.code === 'APPROVAL' && (payload.reason === 'EXPIRED' || (payload.reason === null && /expired/i.test(payload.message)));
}

/**
 * "Validate again" (the same query, a fresh approval) is offered for the
 * latest query when its approval was refused or has run out, never for one
 * that ran, was denied or was replaced.
 */
export function canValidateAgain(index: ThreadIndex, queryMessageId: string, hasLiveToken: boolean): boolean {
  if (queryMessageId !== index.latestQueryId) return false;
  const status = index.queries.get(queryMessageId)?.status;
  return status === 'failed' || (status === 'pending' && !hasLiveToken);
}

/** The text of the question a query answers, for titles. */
export function questionFor(index: ThreadIndex, query: QueryMessage): string | null {
  const q = query.payload.questionId ? index.byId.get(query.payload.questionId) : undefined;
  return q?.payload.kind === 'question' ? q.payload.text : null;
}
