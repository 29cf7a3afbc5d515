import type { Approval, ApprovalService } from '../approval/approvals';
import { deriveQueryStates, type ThreadStates } from '../approval/query-status';
import type { ChatMessage, MessagePayload } from '../contract/index';
import { ApprovalError, type EngineError } from '../errors';
import type { EventBus } from '../events/bus';
import type { RunLedger, RunOutcome, RunStart } from '../query/run-ledger';
import type { Telemetry } from '../telemetry/telemetry';
import type { ChatStore } from './chat-store';
import { hintFor } from './generation';

/** First rows kept in the thread, for showing and for follow-up context; the full result is stored by resultId. */
export const PREVIEW_ROWS = 20;

export function reasonOf(error: EngineError): string | null {
  const reason = error.details?.reason ?? error.details?.kind;
  return typeof reason === 'string' ? reason : null;
}

/** What a run, or a denial, of a conversation's query needs from the conversation. QueryService calls it; ChatService reads it. */
export interface RunJournal {
  /** Refuses (an ApprovalError) a run of a query its conversation no longer offers; inside the consuming transaction. */
  check(approval: Omit<Approval, 'limits'>): void;
  /** Inside the transaction that consumes the approval: the decision is recorded with the use. */
  started(run: RunStart): void;
  /** Inside the transaction that records the outcome: the result, or the error, joins the thread. */
  finished(run: RunStart, outcome: RunOutcome): void;
  /** Inside the denial's transaction. */
  denied(approval: Omit<Approval, 'limits'>): void;
  /** A token of this query was refused before anything ran (expired, used, denied ...): the refusal joins the thread. */
  refused(ref: { sessionId: string | null; messageId: string | null; runId: string }, error: ApprovalError): void;
  /** After a transaction committed: tells the windows. */
  changed(ref: { sessionId: string | null; messageId: string | null; runId?: string }, state: 'running' | 'finished' | 'decided'): void;
}

/**
 * Records runs and denials of a conversation's queries in the conversation
 * itself, whoever asked for them (the app's Approve button, `polystore run
 * TOKEN`, a second window), and decides each query's status from what the
 * engine recorded.
 */
export class ConversationJournal implements RunJournal {
  readonly #store: ChatStore;
  readonly #approvals: ApprovalService;
  readonly #runs: RunLedger;
  readonly #telemetry: Telemetry;
  readonly #events: EventBus;
  readonly #now: () => number;
  /** The message each finished run added, until the caller that started it takes it. */
  readonly #finished = new Map<string, ChatMessage>();

  constructor(o: { store: ChatStore; approvals: ApprovalService; runs: RunLedger; telemetry: Telemetry; events: EventBus; now?: () => number }) {
    this.#store = o.store;
    this.#approvals = o.approvals;
    this.#runs = o.runs;
    this.#telemetry = o.telemetry;
    this.#events = o.events;
    this.#now = o.now ?? Date.now;
  }

  states(sessionId: string, messages: readonly ChatMessage[] = this.#store.messages(sessionId)): ThreadStates {
    return deriveQueryStates({ messages, approvals: this.#approvals.forSession(sessionId), runs: this.#runs.forSession(sessionId), now: this.#now() });
  }

  check(approval: Omit<Approval, 'limits'>): void {
    if (!approval.sessionId || !approval.messageId) return;
    const state = this.states(approval.sessionId).queries.find((q) => q.messageId === approval.messageId);
    if (state?.status === 'replaced') throw new ApprovalError('REPLACED', 'A newer version of this query replaced it, so it can no longer be approved. Approve the newer one.');
    if (state?.status === 'skipped') {
      throw new ApprovalError('SKIPPED', 'The conversation moved on, so this query can no longer be approved. Ask again, or validate it again for a fresh approval.');
    }
  }

  #queryOf(sessionId: string | null, messageId: string | null): ChatMessage | null {
    if (!sessionId || !messageId) return null;
    try {
      const message = this.#store.message(messageId);
      return message.sessionId === sessionId && message.payload.kind === 'query' ? message : null;
    } catch {
      return null;
    }
  }

  /**
   * When the user's decision reached the engine, for a run about to start: the approval stage ends
   * there, before the execution stage begins, instead of when the token is consumed inside the run
   * (which would count the time in between in both stages).
   */
  decided(runId: string, at: number | null): void {
    if (at === null) this.#decidedAt.delete(runId);
    else this.#decidedAt.set(runId, at);
  }

  readonly #decidedAt = new Map<string, number>();

  started(run: RunStart): void {
    const decidedAt = this.#decidedAt.get(run.runId);
    this.#decidedAt.delete(run.runId);
    const query = this.#queryOf(run.sessionId, run.messageId);
    if (!query) return;
    this.#approvalStage(query, 'ok', decidedAt);
    this.#store.append(query.sessionId, 'event', { kind: 'decision', queryMessageId: query.id, decision: 'approved' });
  }

  finished(run: RunStart, outcome: RunOutcome): void {
    const query = this.#queryOf(run.sessionId, run.messageId);
    if (!query) return;
    const payload: MessagePayload =
      outcome.status === 'succeeded'
        ? {
            kind: 'result',
            queryMessageId: query.id,
            runId: run.runId,
            resultId: outcome.resultId,
            rowCount: outcome.result.rowCount,
            truncated: outcome.result.truncated,
            columns: outcome.result.columns,
            latencyMs: outcome.result.elapsedMs,
            preview: outcome.result.rows.slice(0, PREVIEW_ROWS),
          }
        : {
            kind: 'error',
            stage: 'execution',
            code: outcome.error.code,
            message: outcome.error.message,
            hint: outcome.statementStarted ? hintFor(outcome.error) : 'The query never reached the database, so the approval was not used: approve it again before it expires.',
            reason: outcome.statementStarted ? reasonOf(outcome.error) : 'NOT_STARTED',
            relatedMessageId: query.id,
          };
    this.#finished.set(run.runId, this.#store.append(query.sessionId, 'assistant', payload));
  }

  /** The message a finished run added to its conversation (once). */
  take(runId: string): ChatMessage | null {
    const message = this.#finished.get(runId) ?? null;
    this.#finished.delete(runId);
    return message;
  }

  refused(ref: { sessionId: string | null; messageId: string | null; runId: string }, error: ApprovalError): void {
    const reason = reasonOf(error);
    // Not for a token that did not verify (it may name any conversation), nor for a query the conversation moved past.
    if (reason === 'TAMPERED' || reason === 'REPLACED' || reason === 'SKIPPED') return;
    const query = this.#queryOf(ref.sessionId, ref.messageId);
    if (!query) return;
    const message = this.#store.append(query.sessionId, 'assistant', {
      kind: 'error',
      stage: 'approval',
      code: error.code,
      message: error.message,
      hint: hintFor(error),
      reason,
      relatedMessageId: query.id,
    });
    this.#finished.set(ref.runId, message);
    this.#events.emit('chat.updated', { sessionId: query.sessionId, messageId: message.id });
  }

  denied(approval: Omit<Approval, 'limits'>): void {
    const query = this.#queryOf(approval.sessionId, approval.messageId);
    if (!query) return;
    this.#approvalStage(query, 'error');
    this.#store.append(query.sessionId, 'event', { kind: 'decision', queryMessageId: query.id, decision: 'denied' });
  }

  changed(ref: { sessionId: string | null; messageId: string | null; runId?: string }, state: 'running' | 'finished' | 'decided'): void {
    if (!ref.sessionId || !ref.messageId) return;
    if (ref.runId && state !== 'decided') this.#events.emit('chat.running', { sessionId: ref.sessionId, messageId: ref.messageId, runId: ref.runId, state });
    this.#events.emit('chat.updated', { sessionId: ref.sessionId, messageId: ref.messageId });
  }

  /** The approval stage lasts from the preview to the user's decision. */
  #approvalStage(query: ChatMessage, status: 'ok' | 'error', decidedAt: number = this.#now()): void {
    if (query.payload.kind !== 'query') return;
    const shown = Date.parse(query.createdAt);
    this.#telemetry.record({
      traceId: query.payload.traceId,
      stage: 'approval',
      sessionId: query.sessionId,
      startedAt: shown,
      durationMs: Math.max(0, decidedAt - shown),
      status,
      details: { decision: status === 'ok' ? 'approved' : 'denied' },
    });
  }
}
