import type { ChatMessage, QueryState, QueryStatus } from '../contract/index';
import type { RunFact } from '../query/run-ledger';
import type { MessageApproval } from './approvals';

export interface StatusFacts {
  /** The conversation's messages, in any order. */
  messages: readonly ChatMessage[];
  /** The approvals issued for its queries (at most one per query message). */
  approvals: readonly MessageApproval[];
  /** Its recorded runs, oldest first. */
  runs: readonly RunFact[];
  now: number;
}

export interface ThreadStates {
  queries: QueryState[];
  /** The only query that may be approved: the latest one, while its approval is unused and live. */
  pendingQueryId: string | null;
}

const RUN_STATUS: Record<RunFact['state'], QueryStatus> = {
  running: 'running',
  unknown: 'unknown',
  succeeded: 'done',
  failed: 'failed',
  cancelled: 'failed',
};

/**
 * Every query's status in one conversation, from what the engine recorded:
 * the messages, the approvals and their uses, and the runs. The one place
 * that decides it; the renderer and the CLI show it, and approving a query
 * that is not pending is refused with it.
 */
export function deriveQueryStates(facts: StatusFacts): ThreadStates {
  const sorted = [...facts.messages].sort((a, b) => a.seq - b.seq);
  const approvals = new Map(facts.approvals.map((a) => [a.messageId, a]));
  const lastRun = new Map<string, RunFact>();
  for (const run of facts.runs) lastRun.set(run.messageId, run);
  const replacedBy = new Map<string, string>();
  const resultOf = new Map<string, string>();
  const errorOf = new Map<string, string>();
  const decided = new Map<string, 'approved' | 'denied'>();
  let latestQueryId: string | null = null;
  let lastQuestionSeq = -1;
  for (const m of sorted) {
    const p = m.payload;
    if (p.kind === 'question') lastQuestionSeq = m.seq;
    else if (p.kind === 'query') {
      latestQueryId = m.id;
      if (p.editedFrom && !replacedBy.has(p.editedFrom)) replacedBy.set(p.editedFrom, m.id);
    } else if (p.kind === 'result') resultOf.set(p.queryMessageId, m.id);
    else if (p.kind === 'error' && p.relatedMessageId) errorOf.set(p.relatedMessageId, m.id);
    else if (p.kind === 'decision') decided.set(p.queryMessageId, p.decision);
  }

  const queries: QueryState[] = [];
  for (const m of sorted) {
    if (m.payload.kind !== 'query') continue;
    const approval = approvals.get(m.id);
    const run = lastRun.get(m.id);
    const state: QueryState = {
      messageId: m.id,
      status: 'pending',
      replacedBy: replacedBy.get(m.id) ?? null,
      resultMessageId: resultOf.get(m.id) ?? null,
      errorMessageId: errorOf.get(m.id) ?? null,
      runId: run?.runId ?? null,
      approvalExpiresAt: approval?.expiresAt ?? m.payload.approvalExpiresAt,
      statementStarted: run?.state === 'failed' ? run.statementStarted : null,
    };
    const unused = !approval || approval.used === null;
    const runDecides = run && !(run.state === 'failed' && run.statementStarted === false && unused);
    if (!m.payload.verdict.allowed || state.approvalExpiresAt === null) state.status = 'refused';
    else if (runDecides) state.status = RUN_STATUS[run.state];
    else if (approval?.used === 'denied' || decided.get(m.id) === 'denied') state.status = 'denied';
    else if (approval?.used === 'consumed' || (!run && decided.get(m.id) === 'approved')) state.status = 'approved';
    else if (state.replacedBy) state.status = 'replaced';
    else if (m.id !== latestQueryId || lastQuestionSeq > m.seq) state.status = 'skipped';
    else if (facts.now > Date.parse(state.approvalExpiresAt)) state.status = 'expired';
    queries.push(state);
  }
  const latest = queries.find((q) => q.messageId === latestQueryId);
  return { queries, pendingQueryId: latest?.status === 'pending' ? latest.messageId : null };
}
