import { z } from 'zod';
import { ChartRecommendation } from './chart.contract';
import { channel, Id } from './channel';
import { event } from './event';
import { Dialect, ExplainEstimate, ResultColumn, Verdict } from './query.contract';
import { refineColumns, type ResultColumns } from './result-columns';
import { Approval } from './query-ops.contract';
import { QueryState } from './query-status.contract';
import { VerifiedMatch } from './verified.contract';

/** A result's rows as columns; only "an object" here, the object holding it checks it with `refineColumns`. */
const ResultColumnsData = z.custom<ResultColumns>((value) => typeof value === 'object' && value !== null, 'must be the columns of a result');

export const ChatSession = z.object({
  id: z.string(),
  sourceId: z.string().nullable(),
  title: z.string(),
  archived: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  messageCount: z.number().int().nonnegative(),
});
export type ChatSession = z.infer<typeof ChatSession>;

/** Who produced the query: a model (provider and model id), the built-in offline planner, the user, or a verified answer of the source. */
export const QueryAuthor = z.object({
  kind: z.enum(['model', 'offline', 'user', 'verified']),
  provider: z.string(),
  model: z.string().nullable(),
});
export type QueryAuthor = z.infer<typeof QueryAuthor>;

/** One generation attempt; a rejected attempt is sent back for correction (up to 2 retries). */
export const GenerationAttempt = z.object({
  query: z.string(),
  outcome: z.enum(['accepted', 'guardrail', 'store-error', 'malformed']),
  detail: z.string().nullable(),
});

/**
 * How to read a calibrated confidence: the probability that the query answers
 * the question, with the levels the app shows it by. Sent with the query (not
 * written into the renderer), so a refitted planner changes the wording too.
 */
export const ConfidenceScale = z.object({
  /** From here an answer is shown as confident. */
  confidentAt: z.number().min(0).max(1),
  /** Below this it is shown as unsure (more likely wrong than right); between the two, as one to check. */
  unsureBelow: z.number().min(0).max(1),
  /** On the development set, at least this share of answers shown as confident were right. */
  confidentPrecision: z.number().min(0).max(1),
});
export type ConfidenceScale = z.infer<typeof ConfidenceScale>;

/** Typed message payloads. Messages are immutable; corrections are new messages. */
export const MessagePayload = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('question'), text: z.string() }),
  z.object({
    kind: z.literal('query'),
    /** The question this answers (message id). */
    questionId: z.string().nullable(),
    /** For an edited query: the message it replaces. */
    editedFrom: z.string().nullable(),
    dialect: Dialect,
    query: z.string(),
    explanation: z.string(),
    confidence: z.number().min(0).max(1).nullable(),
    /** Set when `confidence` is calibrated (the offline planner's); null for a model's own estimate, or a plan from before calibration. */
    confidenceScale: ConfidenceScale.nullable().default(null),
    author: QueryAuthor,
    verdict: Verdict,
    explain: ExplainEstimate.nullable(),
    explainError: z.string().nullable(),
    attempts: z.array(GenerationAttempt),
    /** The exact outgoing request texts are stored with the message: see chat.ledger. */
    ledgerEntries: z.number().int().nonnegative(),
    approvalExpiresAt: z.string().nullable(),
    traceId: z.string(),
    /** The offline planner's structured plan, so a follow-up can modify it. */
    plan: z.unknown().nullable(),
    /** Set when this is a verified answer proposed for the question (author kind `verified`). */
    verified: VerifiedMatch.nullable().default(null),
  }),
  z.object({ kind: z.literal('decision'), queryMessageId: z.string(), decision: z.enum(['approved', 'denied']) }),
  z.object({
    kind: z.literal('result'),
    queryMessageId: z.string(),
    runId: z.string(),
    resultId: z.string(),
    rowCount: z.number().int().nonnegative(),
    truncated: z.boolean(),
    columns: z.array(ResultColumn),
    latencyMs: z.number().nonnegative(),
    /** First rows, for the thread and for follow-up context; the full result is stored by resultId. */
    preview: z.array(z.array(z.unknown())),
  }),
  z.object({
    kind: z.literal('declined'),
    questionId: z.string().nullable(),
    reason: z.string(),
    suggestions: z.array(z.string()),
    author: QueryAuthor,
  }),
  z.object({
    kind: z.literal('error'),
    stage: z.enum(['generation', 'validation', 'approval', 'execution']),
    code: z.string(),
    message: z.string(),
    /** What the user can do next, in plain words. */
    hint: z.string().nullable(),
    /** The machine-readable reason, when the error has one (EXPIRED, REPLAYED, SOURCE_DISABLED, AUTH, …). */
    reason: z.string().nullable().default(null),
    relatedMessageId: z.string().nullable(),
    /** Set when a configured model failed to write the query: the offline planner can answer the question instead (chat.ask with useOfflinePlanner). */
    offlineRetry: z.boolean().optional(),
  }),
  z.object({ kind: z.literal('renamed'), title: z.string() }),
]);
export type MessagePayload = z.infer<typeof MessagePayload>;

export const ChatMessage = z.object({
  id: z.string(),
  sessionId: z.string(),
  seq: z.number().int().positive(),
  role: z.enum(['user', 'assistant', 'event']),
  payload: MessagePayload,
  createdAt: z.string(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/** What `polystore ask` prints, and what the app gets back from a question. */
export const AskResult = z.object({
  sessionId: z.string(),
  messageId: z.string(),
  questionMessageId: z.string(),
  /** Null when the question could not be answered (see `declined`). */
  query: z.string().nullable(),
  dialect: Dialect,
  explanation: z.string().nullable(),
  verdict: Verdict.nullable(),
  approval: Approval.nullable(),
  explain: ExplainEstimate.nullable(),
  provider: z.string(),
  confidence: z.number().nullable(),
  declined: z.object({ reason: z.string(), suggestions: z.array(z.string()) }).nullable(),
  /** The store's EXPLAIN error: the query cannot run, so it has no approval (or, where the store cannot estimate such a query, why there is no estimate). */
  explainError: z.string().nullable().default(null),
  traceId: z.string(),
  /** The verified answer this query is, when the question matched one. */
  verified: VerifiedMatch.nullable().default(null),
  /**
   * What the offline planner's calibrated confidence was computed from (PlanSignals in
   * engine/planner/confidence.ts: unknown words, guesses, joins ...), for evaluations; null otherwise.
   * A signal without a finite value (the margin when there was no runner-up reading) is null.
   */
  signals: z.record(z.string(), z.union([z.number(), z.boolean(), z.string(), z.null()])).nullable().default(null),
});
export type AskResult = z.infer<typeof AskResult>;

export const LedgerEntry = z.object({
  provider: z.string(),
  url: z.string(),
  hosted: z.boolean(),
  at: z.string(),
  requestText: z.string(),
});
export type LedgerEntry = z.infer<typeof LedgerEntry>;

/** A past result, for the Results page's list: where it came from and what it answered. */
export const ResultSummary = z.object({
  sessionId: z.string(),
  messageId: z.string(),
  resultId: z.string(),
  sourceId: z.string().nullable(),
  sessionTitle: z.string(),
  /** The question the query answered; null for a query typed or edited without one. */
  question: z.string().nullable(),
  rowCount: z.number().int().nonnegative(),
  truncated: z.boolean(),
  columns: z.array(z.string()),
  createdAt: z.string(),
});
export type ResultSummary = z.infer<typeof ResultSummary>;

const SessionRef = z.strictObject({ sessionId: Id });
const Token = z.string().min(10).max(4096);

export const chatChannels = {
  'chat.listSessions': channel({
    summary: 'Chat sessions, most recent first (archived ones on request); of one source, or whose title or a question contains `search`.',
    input: z.strictObject({ includeArchived: z.boolean().optional(), sourceId: Id.optional(), search: z.string().trim().max(200).optional() }).optional(),
    output: z.array(ChatSession),
  }),
  'chat.createSession': channel({
    summary: 'Starts a conversation about one source.',
    input: z.strictObject({ sourceId: Id, title: z.string().trim().min(1).max(200).optional() }),
    output: ChatSession,
  }),
  'chat.getSession': channel({
    summary: 'A session with all its messages, in order.',
    input: SessionRef,
    output: z.object({
      session: ChatSession,
      messages: z.array(ChatMessage),
      /** Where each query message stands, decided by the engine (the thread only shows it). */
      queries: z.array(QueryState),
      /** The one query that may be approved now, if any. */
      pendingQueryId: z.string().nullable(),
    }),
  }),
  'chat.renameSession': channel({
    summary: 'Renames a session (recorded in the thread).',
    input: z.strictObject({ sessionId: Id, title: z.string().trim().min(1).max(200) }),
    output: ChatSession,
  }),
  'chat.archiveSession': channel({
    summary: 'Archives or restores a session.',
    input: z.strictObject({ sessionId: Id, archived: z.boolean() }),
    output: ChatSession,
  }),
  'chat.ask': channel({
    summary: 'Asks a question: generates a query, validates it and (if allowed) returns a single-use approval. Nothing runs.',
    input: z.strictObject({
      sourceId: Id.optional(),
      sessionId: Id.optional(),
      question: z.string().trim().min(1).max(4_000),
      /** Answer this one question with the built-in offline planner, whatever model is configured (after the model failed). */
      useOfflinePlanner: z.boolean().optional(),
    }),
    output: AskResult,
  }),
  'chat.editQuery': channel({
    summary: 'Replaces a generated query with an edited one: validated again, with a new approval.',
    input: z.strictObject({ sessionId: Id, messageId: Id, query: z.string().min(1).max(100_000) }),
    output: AskResult,
  }),
  'chat.approve': channel({
    summary: 'Approves and runs exactly the previewed query; the result is stored in the thread.',
    input: z.strictObject({ sessionId: Id, messageId: Id, token: Token, runId: Id.optional() }),
    output: z.object({ message: ChatMessage }),
  }),
  'chat.deny': channel({
    summary: 'Denies a previewed query; it never runs.',
    input: z.strictObject({ sessionId: Id, messageId: Id, token: Token }),
    output: z.object({ message: ChatMessage }),
  }),
  'chat.cancel': channel({ summary: 'Cancels a running query.', input: z.strictObject({ runId: Id }), output: z.object({ cancelled: z.boolean() }) }),
  'chat.ledger': channel({
    summary: 'The exact text of every request that left the machine for a message (the context ledger).',
    input: z.strictObject({ messageId: Id }),
    output: z.array(LedgerEntry),
  }),
  'chat.listResults': channel({
    summary: 'Past results, most recent first; `search` matches the question, the conversation title or a column name.',
    input: z.strictObject({ search: z.string().trim().max(200).optional(), limit: z.number().int().min(1).max(500).optional() }).optional(),
    output: z.array(ResultSummary),
  }),
  'chat.result': channel({
    summary: 'The stored rows of a result message, as columns.',
    input: z.strictObject({ resultId: Id }),
    output: z.object({
      columns: z.array(ResultColumn),
      /**
       * The rows as columns (result-columns.ts), read in place by the page: this is how the app's table and
       * chart receive every result. Checked in one loop per column, not per cell, and passed on uncopied.
       */
      data: ResultColumnsData,
      rowCount: z.number(),
      truncated: z.boolean(),
      /** How the rows are best drawn, and the alternatives the app switches between without running again. */
      chart: ChartRecommendation.optional(),
      /**
       * Set when the retention policy (Settings) gave the rows back: `data` has no rows, the thread keeps the
       * question, the query and its first rows, and running the query again brings the result back.
       */
      expiredAt: z.string().nullable().default(null),
    }).superRefine(refineColumns),
  }),
};

export const chatEvents = {
  'chat.updated': event(z.object({ sessionId: z.string(), messageId: z.string().nullable() })),
  'chat.running': event(z.object({ sessionId: z.string(), messageId: z.string(), runId: z.string(), state: z.enum(['running', 'finished']) })),
};

