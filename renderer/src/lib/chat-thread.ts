import type { ChatMessage, MessagePayload, QueryState as EngineQueryState, QueryStatus as EngineQueryStatus } from '../../../engine/contract/index';

export type QueryPayload = Extract<MessagePayload, { kind: 'query' }>;
export type ResultPayload = Extract<MessagePayload, { kind: 'result' }>;
export type ErrorPayload = Extract<MessagePayload, { kind: 'error' }>;
export type QueryMessage = ChatMessage & { payload: QueryPayload };
export type ResultMessage = ChatMessage & { payload: ResultPayload };

/**
 * Where a previewed query stands. The engine decides it (chat.getSession
 * returns it; see engine/contract/query-status.contract.ts for each value) and
 * refuses to approve a query that is not pending; the thread only shows it.
 */
export type QueryStatus = EngineQueryStatus;

/** What the thread shows of a query's state; the fields after `errorMessageId` are known once the engine's answer is in. */
export type QueryState = Pick<EngineQueryState, 'status' | 'replacedBy' | 'resultMessageId' | 'errorMessageId'> &
  Partial<Pick<EngineQueryState, 'runId' | 'approvalExpiresAt' | 'statementStarted'>>;

export interface ThreadIndex {
  queries: ReadonlyMap<string, QueryState>;
  /** The only query that may be approved, as the engine says. */
  pendingQueryId: string | null;
  /** The last query message of the session, whatever its status. */
  latestQueryId: string | null;
  byId: ReadonlyMap<string, ChatMessage>;
}

/** What chat.getSession says about the queries, next to the messages. */
export interface EngineThreadStates {
  queries: readonly EngineQueryState[];
  pendingQueryId: string | null;
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

/**
 * Indexes the thread for display, with each query's state as the engine
 * decided it. A query message the engine has not described yet (shown before
 * the reload that follows) gets no state; nothing here decides one.
 */
export function indexThread(messages: readonly ChatMessage[], engine: EngineThreadStates): ThreadIndex {
  const sorted = [...messages].sort((a, b) => a.seq - b.seq);
  const byId = new Map(sorted.map((m) => [m.id, m]));
  const latestQueryId = sorted.findLast(isQuery)?.id ?? null;
  const queries = new Map<string, QueryState>(engine.queries.filter((q) => byId.has(q.messageId)).map((q) => [q.messageId, q]));
  const pendingQueryId = engine.pendingQueryId && byId.has(engine.pendingQueryId) ? engine.pendingQueryId : null;
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
 * latest query when the engine says its approval ran out, or it is pending
 * but this window holds no live approval for it (a reload, a refused one).
 */
export function canValidateAgain(index: ThreadIndex, queryMessageId: string, hasLiveToken: boolean): boolean {
  if (queryMessageId !== index.latestQueryId) return false;
  const status = index.queries.get(queryMessageId)?.status;
  return status === 'expired' || (status === 'pending' && !hasLiveToken);
}

/** The text of the question a query answers, for titles. */
export function questionFor(index: ThreadIndex, query: QueryMessage): string | null {
  const q = query.payload.questionId ? index.byId.get(query.payload.questionId) : undefined;
  return q?.payload.kind === 'question' ? q.payload.text : null;
}
