import type { AuditLog } from '../audit/audit-log';
import { descriptors } from '../connectors/descriptors';
import type { AskResult, ChartRecommendation, ChatMessage, ChatSession, LedgerEntry as LedgerRecord, MessagePayload, ResultSummary } from '../contract/index';
import { chartHintsFromPlan } from '../charts/plan-hints';
import { recommendChart, sampleIndexes } from '../charts/recommend';
import { ColumnReader } from '../contract/result-columns';
import { queryChartHints } from '../connectors/descriptors';
import { ApprovalError, EngineError, NotFoundError, ValidationError } from '../errors';
import type { EventBus } from '../events/bus';
import { newId } from '../ids';
import type { LedgerEntry } from '../llm/index';
import type { Logger } from '../log/logger';
import { parseStoredPlan } from '../planner/plan-schema';
import type { PlannerTurn, QueryPlan } from '../planner/planner';
import type { JobPool } from '../pool/pool';
import type { ConversationTurn } from '../prompt/index';
import { approvable, type QueryService, type Review } from '../query/query-service';
import type { SettingsStore } from '../settings/settings-store';
import type { SourceRegistry } from '../sources/source-registry';
import type { Telemetry } from '../telemetry/telemetry';
import type { VerifiedService } from '../verified/verified-service';
import type { ChatStore, SessionFilter } from './chat-store';
import { reasonOf, type ConversationJournal } from './conversation-journal';
import { generateOffline, generateWithModel, hintFor, type Generated } from './generation';
import type { ProviderService } from './providers';

type QueryPayload = Extract<MessagePayload, { kind: 'query' }>;
/** Chart recommendations kept in memory (a few hundred bytes each). */
const KEPT_CHARTS = 256;

type ResultPayload = Extract<MessagePayload, { kind: 'result' }>;

export interface ChatServiceOptions {
  store: ChatStore;
  /** Runs and denials record themselves in the thread through it; it decides each query's status. */
  journal: ConversationJournal;
  /** Verified answers: proposed first when a question matches one, and given to a model as examples. */
  verified: Pick<VerifiedService, 'match' | 'examples'>;
  queries: QueryService;
  sources: SourceRegistry;
  providers: ProviderService;
  telemetry: Telemetry;
  audit: AuditLog;
  settings: SettingsStore;
  events: EventBus;
  pool: JobPool;
  logger: Logger;
  now?: () => number;
}

/** Error codes a model provider raises; the offline planner is offered instead of them. */
const MODEL_FAILURES: ReadonlySet<string> = new Set(['PROVIDER', 'TIMEOUT', 'RATE_LIMITED', 'UNAVAILABLE']);

function titleFrom(question: string): string {
  const t = question.replace(/\s+/g, ' ').trim();
  return t.length > 60 ? `${t.slice(0, 57)}…` : t;
}

/** A short, plain summary of a result for the next turn's context. */
function summarize(result: ResultPayload): string {
  const head = result.preview[0];
  const first = head ? result.columns.map((c, i) => `${c.name}=${JSON.stringify(head[i])}`).join(', ') : '';
  return `${result.rowCount} row${result.rowCount === 1 ? '' : 's'}${result.truncated ? ' (truncated)' : ''}${first ? `; first: ${first}` : ''}`.slice(0, 400);
}

/**
 * A question becomes a safe, previewed query, and nothing runs without the
 * user's explicit approval. One trace id follows each question through
 * generation, validation, approval, execution (and rendering, from the UI).
 */
export class ChatService {
  readonly #o: ChatServiceOptions;
  /**
   * The chart recommendation of the results opened most recently, by result id. A stored result and the
   * plan of its query never change, so the recommendation (about 100 ms for 100,000 rows) is worked out
   * once per result, not at every open, and the table, chart card and switches of one result reuse it.
   * Kept in memory, not stored: a newer engine's rules apply to old results.
   */
  readonly #charts = new Map<string, ChartRecommendation>();

  constructor(options: ChatServiceOptions) {
    this.#o = options;
  }

  // ---- sessions ----

  listSessions(options: SessionFilter): ChatSession[] {
    return this.#o.store.sessions(options);
  }

  createSession(sourceId: string, title?: string): ChatSession {
    const source = this.#o.sources.assertUsable(sourceId);
    return this.#o.store.createSession(source.id, title ?? `Questions about ${source.name}`);
  }

  /** A session, its messages, and where each of its queries stands (decided here, in the engine). */
  getSession(sessionId: string) {
    const session = this.#o.store.session(sessionId);
    const messages = this.#o.store.messages(sessionId);
    return { session, messages, ...this.#o.journal.states(sessionId, messages) };
  }

  rename(sessionId: string, title: string): ChatSession {
    this.#o.store.session(sessionId);
    this.#o.store.append(sessionId, 'event', { kind: 'renamed', title });
    const session = this.#o.store.setTitle(sessionId, title);
    this.#changed(sessionId, null);
    return session;
  }

  archive(sessionId: string, archived: boolean): ChatSession {
    const session = this.#o.store.setArchived(sessionId, archived);
    this.#changed(sessionId, null);
    return session;
  }

  /**
   * The stored rows of a result and how to draw them. The chart follows the
   * rows, and the plan when the offline planner wrote the query (which
   * columns are groupings, time buckets and aggregates).
   */
  result(resultId: string) {
    const result = this.#o.queries.storedResult(resultId);
    if (!result) throw new NotFoundError('Result', resultId);
    const { columns, data, rowCount, truncated } = result;
    if (result.expiredAt) return { columns, data, rowCount, truncated, expiredAt: result.expiredAt };
    const chart = this.#chartOf(resultId, () => {
      const query = this.#o.store.queryMessageOfResult(resultId);
      // The chart rules read rows: only the sample they look at is made from the columns.
      const reader = new ColumnReader(data);
      const sample = { columns, rows: sampleIndexes(data.rowCount).map((r) => reader.row(r)), total: data.rowCount };
      // The plan (offline planner) knows the most; the query text (a MongoDB grouping) fills in what it does not.
      return recommendChart(sample, query?.payload.kind === 'query' ? { ...queryChartHints(query.payload.dialect, query.payload.query), ...chartHintsFromPlan(query.payload.plan) } : {});
    });
    return { columns, data, rowCount, truncated, chart, expiredAt: null };
  }

  #chartOf(resultId: string, recommend: () => ChartRecommendation): ChartRecommendation {
    const chart = this.#charts.get(resultId) ?? recommend();
    // Most recently opened last, so the oldest goes first.
    this.#charts.delete(resultId);
    this.#charts.set(resultId, chart);
    if (this.#charts.size > KEPT_CHARTS) this.#charts.delete(this.#charts.keys().next().value!);
    return chart;
  }

  /** Past results, most recent first, with the question each answered; `search` filters on the question, title and column names. */
  listResults(input: { search?: string; limit?: number }): ResultSummary[] {
    const limit = input.limit ?? 200;
    const needle = input.search?.toLowerCase() ?? '';
    // Searching reads further back than one page, so an older match is still found.
    const candidates = this.#o.store.resultMessages(needle ? Math.max(limit, 2_000) : limit);
    const out: ResultSummary[] = [];
    for (const { message, sessionTitle, sourceId } of candidates) {
      if (message.payload.kind !== 'result') continue;
      const p = message.payload;
      const question = this.#questionOf(p.queryMessageId);
      const columns = p.columns.map((c) => c.name);
      if (needle && ![question ?? '', sessionTitle, ...columns].some((t) => t.toLowerCase().includes(needle))) continue;
      out.push({ sessionId: message.sessionId, messageId: message.id, resultId: p.resultId, sourceId, sessionTitle, question, rowCount: p.rowCount, truncated: p.truncated, columns, createdAt: message.createdAt });
      if (out.length >= limit) break;
    }
    return out;
  }

  #questionOf(queryMessageId: string): string | null {
    try {
      const query = this.#o.store.message(queryMessageId);
      if (query.payload.kind !== 'query' || !query.payload.questionId) return null;
      const question = this.#o.store.message(query.payload.questionId);
      return question.payload.kind === 'question' ? question.payload.text : null;
    } catch {
      return null;
    }
  }

  ledger(messageId: string): LedgerRecord[] {
    this.#o.store.message(messageId);
    return this.#o.store.ledger(messageId);
  }

  #changed(sessionId: string, messageId: string | null): void {
    this.#o.events.emit('chat.updated', { sessionId, messageId });
  }

  // ---- context for follow-ups ----

  /** Recent turns of this session, oldest first: what the question was, the query, and what came of it. */
  #history(sessionId: string): { conversation: ConversationTurn[]; planner: PlannerTurn[] } {
    const messages = this.#o.store.messages(sessionId);
    const conversation: ConversationTurn[] = [];
    const planner: PlannerTurn[] = [];
    // The latest query per question (an edited query replaces the generated one).
    const latestQuery = new Map<string, ChatMessage>();
    for (const m of messages) if (m.payload.kind === 'query' && m.payload.questionId) latestQuery.set(m.payload.questionId, m);
    for (const m of messages) {
      if (m.payload.kind !== 'question') continue;
      const queryMessage = latestQuery.get(m.id);
      const query = queryMessage?.payload.kind === 'query' ? queryMessage.payload : null;
      const result = query
        ? messages.find((r) => r.payload.kind === 'result' && r.payload.queryMessageId === queryMessage!.id)?.payload
        : undefined;
      const res = result?.kind === 'result' ? result : null;
      conversation.push({
        question: m.payload.text,
        query: query?.query ?? null,
        ...(res ? { columns: res.columns.map((c) => c.name), resultSummary: summarize(res) } : {}),
      });
      if (query?.plan) {
        const plan = this.#storedPlan(queryMessage!.id, query.plan);
        // A follow-up refines the latest plan; with that one unreadable, an older plan is not what it refers to.
        if (plan) planner.push({ question: m.payload.text, plan });
        else planner.length = 0;
      }
    }
    const depth = this.#o.settings.get().chatContextTurns;
    return { conversation: conversation.slice(-depth || conversation.length), planner: planner.slice(-depth || planner.length) };
  }

  /** A plan stored with a query, for follow-ups; one this engine cannot read is left out (the question is then read on its own). */
  #storedPlan(messageId: string, stored: unknown): QueryPlan | null {
    const parsed = parseStoredPlan(stored);
    if (parsed.ok) return parsed.plan;
    this.#o.logger.warn('a stored plan could not be read; follow-ups are planned without it', { messageId, reason: parsed.error.details?.reason, paths: parsed.error.details?.paths });
    return null;
  }

  // ---- asking ----

  async ask(input: { sourceId?: string; sessionId?: string; question: string; useOfflinePlanner?: boolean }, signal: AbortSignal = new AbortController().signal): Promise<AskResult> {
    let session: ChatSession;
    if (input.sessionId) {
      session = this.#o.store.session(input.sessionId);
      if (input.sourceId && session.sourceId !== input.sourceId) throw new ValidationError('That session belongs to another source.', { field: 'sourceId' });
    } else if (input.sourceId) {
      this.#o.sources.assertUsable(input.sourceId);
      session = this.#o.store.createSession(input.sourceId, titleFrom(input.question));
    } else throw new ValidationError('Choose a source, or continue a session.', { field: 'sourceId' });
    if (!session.sourceId) throw new ValidationError('The source of this session was removed. Start a new session.', { field: 'sessionId' });
    const sourceId = session.sourceId;
    const source = this.#o.sources.assertUsable(sourceId);
    const dialect = descriptors[source.type].dialect;
    const { conversation, planner } = this.#history(session.id);
    const question = this.#o.store.append(session.id, 'user', { kind: 'question', text: input.question });
    this.#changed(session.id, question.id);
    const traceId = newId('trc');
    const ledger: LedgerEntry[] = [];
    const proposed = await this.#proposeVerified({ sessionId: session.id, sourceId, dialect, questionId: question.id, question: input.question, traceId });
    if (proposed) return proposed;

    let generated: Generated;
    let modelUsed = false;
    try {
      const metadata = await this.#o.queries.metadata(sourceId);
      const provider = input.useOfflinePlanner ? null : await this.#o.providers.create((entry) => ledger.push(entry));
      modelUsed = provider !== null;
      const settings = this.#o.settings.get();
      const review = (query: string) =>
        this.#o.telemetry.span({ traceId, stage: 'validation', sourceId, sessionId: session.id }, () => this.#o.queries.review(sourceId, query));
      generated = await this.#o.telemetry.span({ traceId, stage: 'generation', sourceId, sessionId: session.id, model: provider ? provider.model : 'offline' }, async (span) => {
        const ctx = {
          question: input.question,
          source,
          dialect,
          metadata,
          conversation,
          plannerHistory: planner,
          verifiedExamples: this.#o.verified.examples(sourceId, input.question),
          contextLimits: { chatContextTurns: settings.chatContextTurns, chatContextTokenBudget: settings.chatContextTokenBudget },
          review,
          signal,
        };
        const result = provider ? await generateWithModel(ctx, provider, ledger) : await generateOffline(ctx, this.#o.pool);
        span.tokensIn = result.usage.inputTokens;
        span.tokensOut = result.usage.outputTokens;
        if (result.author.model) span.model = result.author.model;
        return result;
      });
    } catch (error) {
      const engineError = error instanceof EngineError ? error : new EngineError('INTERNAL', 'The question could not be answered.');
      if (!(error instanceof EngineError)) this.#o.logger.error('generation failed unexpectedly', { error });
      const failed = this.#o.store.append(session.id, 'assistant', {
        kind: 'error',
        stage: 'generation',
        code: engineError.code,
        message: engineError.message,
        hint: hintFor(engineError),
        reason: reasonOf(engineError),
        relatedMessageId: question.id,
        // The model (not the source) failed: the planner on this machine can still answer.
        ...(modelUsed && MODEL_FAILURES.has(engineError.code) ? { offlineRetry: true } : {}),
      });
      if (ledger.length) this.#o.store.addLedger(failed.id, ledger);
      this.#changed(session.id, failed.id);
      // The session exists now: say which, so the caller can show it with the error in its thread.
      throw new EngineError(engineError.code, engineError.message, { ...engineError.details, sessionId: session.id, messageId: failed.id });
    }

    if (!generated.ok) {
      const declined = this.#o.store.append(session.id, 'assistant', {
        kind: 'declined',
        questionId: question.id,
        reason: generated.reason,
        suggestions: generated.suggestions,
        author: generated.author,
      });
      if (generated.ledger.length) this.#o.store.addLedger(declined.id, generated.ledger);
      this.#changed(session.id, declined.id);
      return {
        sessionId: session.id,
        messageId: declined.id,
        questionMessageId: question.id,
        query: null,
        dialect,
        explanation: null,
        verdict: null,
        approval: null,
        explain: null,
        provider: generated.author.provider,
        confidence: null,
        declined: { reason: generated.reason, suggestions: generated.suggestions },
        explainError: generated.explainError,
        traceId,
        verified: null,
        signals: null,
      };
    }
    return this.#present(session.id, sourceId, {
      questionId: question.id,
      editedFrom: null,
      dialect,
      query: generated.query,
      explanation: generated.explanation,
      confidence: generated.confidence,
      confidenceScale: generated.confidenceScale,
      signals: generated.signals,
      author: generated.author,
      attempts: generated.attempts,
      review: generated.review,
      plan: generated.plan,
      ledger: generated.ledger,
      traceId,
      verified: null,
    });
  }

  /**
   * A question that asks what a verified answer of this source asks gets that
   * query first, labelled as verified, reviewed by the guardrail and offered
   * for approval like any query. A verified query the source no longer
   * accepts (refused, or rejected by EXPLAIN after a schema change) is passed
   * over, and the question is answered as if none matched.
   */
  async #proposeVerified(input: { sessionId: string; sourceId: string; dialect: QueryPayload['dialect']; questionId: string; question: string; traceId: string }): Promise<AskResult | null> {
    const found = this.#o.verified.match(input.sourceId, input.question);
    if (!found || found.answer.dialect !== input.dialect) return null;
    const query = found.answer.query;
    const review = await this.#o.telemetry
      .span({ traceId: input.traceId, stage: 'validation', sourceId: input.sourceId, sessionId: input.sessionId }, () => this.#o.queries.review(input.sourceId, query))
      .catch((error: unknown) => {
        this.#o.logger.warn('a verified answer could not be reviewed; generating a query instead', { verifiedId: found.match.id, error });
        return null;
      });
    if (!review || !approvable(review)) {
      if (review) this.#o.logger.info('a verified answer no longer passes review; generating a query instead', { verifiedId: found.match.id });
      return null;
    }
    return this.#present(input.sessionId, input.sourceId, {
      questionId: input.questionId,
      editedFrom: null,
      dialect: input.dialect,
      query,
      explanation: `The verified answer to “${found.answer.question}”.`,
      confidence: null,
      confidenceScale: null,
      author: { kind: 'verified', provider: 'verified answer', model: null },
      attempts: [{ query, outcome: 'accepted', detail: null }],
      review,
      plan: null,
      ledger: [],
      traceId: input.traceId,
      verified: found.match,
    });
  }

  /** Stores the query message and, only if the guardrail allowed it and the store could plan it, issues the approval bound to it. */
  async #present(
    sessionId: string,
    sourceId: string,
    q: Omit<QueryPayload, 'kind' | 'verdict' | 'explain' | 'explainError' | 'ledgerEntries' | 'approvalExpiresAt'> & {
      review: Review;
      ledger: LedgerEntry[];
      /** The planner's signals behind a calibrated confidence: returned with the answer, not stored. */
      signals?: AskResult['signals'];
    },
  ): Promise<AskResult> {
    const messageId = newId('msg');
    const allowed = q.review.verdict.allowed;
    const approval = approvable(q.review) ? await this.#o.queries.issueApproval({ sourceId, query: q.query, sessionId, messageId }) : null;
    if (!approval) this.#o.queries.auditRefusal({ sourceId, sessionId, messageId }, q.review);
    const message = this.#o.store.append(
      sessionId,
      'assistant',
      {
        kind: 'query',
        questionId: q.questionId,
        editedFrom: q.editedFrom,
        dialect: q.dialect,
        query: q.query,
        explanation: q.explanation,
        confidence: q.confidence,
        confidenceScale: q.confidenceScale,
        author: q.author,
        verdict: q.review.verdict,
        explain: q.review.explain,
        explainError: q.review.explainError,
        attempts: q.attempts,
        ledgerEntries: q.ledger.length,
        approvalExpiresAt: approval?.expiresAt ?? null,
        traceId: q.traceId,
        plan: q.plan,
        verified: q.verified,
      },
      messageId,
    );
    if (q.ledger.length) this.#o.store.addLedger(message.id, q.ledger);
    this.#o.audit.record({
      action: 'query.generated',
      sourceId,
      sessionId,
      details: { messageId, author: q.author.kind, provider: q.author.provider, allowed, storeRejected: q.review.storeRejected, attempts: q.attempts.length, edited: q.editedFrom !== null },
    });
    this.#changed(sessionId, message.id);
    return {
      sessionId,
      messageId: message.id,
      questionMessageId: q.questionId ?? message.id,
      query: q.query,
      dialect: q.dialect,
      explanation: q.explanation,
      verdict: q.review.verdict,
      approval: approval ? { token: approval.token, expiresAt: approval.expiresAt } : null,
      explain: q.review.explain,
      explainError: q.review.explainError,
      provider: q.author.provider,
      confidence: q.confidence,
      declined: null,
      traceId: q.traceId,
      verified: q.verified,
      signals: q.signals ?? null,
    };
  }

  #queryMessage(sessionId: string, messageId: string): ChatMessage & { payload: QueryPayload } {
    const message = this.#o.store.message(messageId);
    if (message.sessionId !== sessionId || message.payload.kind !== 'query') throw new ValidationError('That message is not a query of this session.', { field: 'messageId' });
    return message as ChatMessage & { payload: QueryPayload };
  }

  /** An edited query is a new query: validated again, with a new approval of its own. */
  async editQuery(input: { sessionId: string; messageId: string; query: string }): Promise<AskResult> {
    const session = this.#o.store.session(input.sessionId);
    const original = this.#queryMessage(input.sessionId, input.messageId);
    if (!session.sourceId) throw new ValidationError('The source of this session was removed.', { field: 'sessionId' });
    const sourceId = session.sourceId;
    const traceId = newId('trc');
    const review = await this.#o.telemetry.span({ traceId, stage: 'validation', sourceId, sessionId: session.id }, () => this.#o.queries.review(sourceId, input.query));
    const unchanged = input.query === original.payload.query;
    return this.#present(session.id, sourceId, {
      questionId: original.payload.questionId,
      editedFrom: original.id,
      dialect: original.payload.dialect,
      query: input.query,
      explanation: unchanged ? original.payload.explanation : 'Edited by you.',
      confidence: unchanged ? original.payload.confidence : null,
      confidenceScale: unchanged ? original.payload.confidenceScale : null,
      author: unchanged ? original.payload.author : { kind: 'user', provider: 'you', model: null },
      attempts: [{ query: input.query, outcome: !review.verdict.allowed ? 'guardrail' : review.storeRejected ? 'store-error' : 'accepted', detail: review.storeRejected ? review.explainError : null }],
      review,
      plan: unchanged ? original.payload.plan : null,
      ledger: [],
      traceId,
      verified: unchanged ? original.payload.verified : null,
    });
  }

  // ---- decisions ----

  /**
   * Approves and runs the query with its token. The run records itself in
   * the thread (the decision with the approval's use, then the result or the
   * error: see ConversationJournal), so this returns the message it added. A
   * query the conversation no longer offers (replaced, skipped) is refused
   * with a typed error and nothing is added; another refusal (expired, used)
   * is added to the thread as an error.
   */
  async approve(input: { sessionId: string; messageId: string; token: string; runId?: string }): Promise<ChatMessage> {
    const session = this.#o.store.session(input.sessionId);
    const message = this.#queryMessage(input.sessionId, input.messageId);
    const traceId = message.payload.traceId;
    const runId = input.runId ?? newId('run');
    try {
      // Refused (in the thread) before the token is used: it would run, and be recorded for, the other query.
      if (!this.#tokenIsFor(message, input.token)) throw new ApprovalError('WRONG_QUERY', 'This approval was issued for another query of the conversation.');
      this.#o.journal.decided(runId, (this.#o.now ?? Date.now)());
      await this.#o.telemetry.span({ traceId, stage: 'execution', sourceId: session.sourceId, sessionId: session.id }, () =>
        this.#o.queries.run({ token: input.token, runId, traceId, expectQuery: message.payload.query, ...(session.sourceId ? { expectSourceId: session.sourceId } : {}) }),
      );
      const result = this.#o.journal.take(runId);
      if (!result) throw new EngineError('INTERNAL', 'The run finished but its result was not recorded in the conversation.');
      return result;
    } catch (error) {
      this.#o.journal.decided(runId, null);
      // A run that started recorded its own outcome in the thread.
      const recorded = this.#o.journal.take(runId);
      if (recorded) return recorded;
      const engineError = error instanceof EngineError ? error : new EngineError('INTERNAL', 'The query failed unexpectedly.');
      const reason = reasonOf(engineError);
      if (engineError.code === 'APPROVAL' && (reason === 'REPLACED' || reason === 'SKIPPED')) throw engineError;
      const failed = this.#o.store.append(session.id, 'assistant', {
        kind: 'error',
        stage: engineError instanceof ApprovalError || engineError.code === 'APPROVAL' ? 'approval' : 'execution',
        code: engineError.code,
        message: engineError.message,
        hint: hintFor(engineError),
        reason,
        relatedMessageId: message.id,
      });
      this.#changed(session.id, failed.id);
      return failed;
    }
  }

  async deny(input: { sessionId: string; messageId: string; token: string }): Promise<ChatMessage> {
    const message = this.#queryMessage(input.sessionId, input.messageId);
    if (!this.#tokenIsFor(message, input.token)) throw new ValidationError('This approval belongs to another query of the conversation.', { field: 'token' });
    await this.#o.queries.deny(input.token);
    const decision = this.#o.store
      .messages(input.sessionId)
      .findLast((m) => m.payload.kind === 'decision' && m.payload.queryMessageId === message.id && m.payload.decision === 'denied');
    if (!decision) throw new EngineError('INTERNAL', 'The denial was not recorded in the conversation.');
    return decision;
  }

  /** A token names the query it approves (a token of the wrong shape is left to the approval check, which refuses it). */
  #tokenIsFor(message: ChatMessage, token: string): boolean {
    const bound = this.#o.queries.tokenTarget(token);
    return !bound || (bound.sessionId === message.sessionId && bound.messageId === message.id);
  }

  /** Runs a token from outside a conversation view (the CLI's `polystore run TOKEN`). */
  async runToken(token: string, options: { maxRows?: number; timeoutMs?: number } = {}) {
    return this.#o.queries.run({ token, ...options });
  }
}
