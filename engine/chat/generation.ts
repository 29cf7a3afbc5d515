import type { AskResult, Dialect, MessagePayload, MetadataDocument, Source } from '../contract/index';
import type { EngineError} from '../errors';
import { CancelledError, ProviderError } from '../errors';
import type { LedgerEntry, LlmProvider } from '../llm/index';
import type { JobPool } from '../pool/pool';
import type { PlanSignals } from '../planner/confidence';
import { PLANNER_CONFIDENCE_SCALE } from '../planner/confidence-scale';
import type { PlannerTurn } from '../planner/planner';
import { buildPrompt, QueryAnswer, type ConversationTurn } from '../prompt/index';
import type { Review } from '../query/query-service';

type QueryPayload = Extract<MessagePayload, { kind: 'query' }>;
export type { Review };

export interface GenerationContext {
  question: string;
  source: Source;
  dialect: Dialect;
  metadata: MetadataDocument;
  conversation: ConversationTurn[];
  plannerHistory: PlannerTurn[];
  /** The source's verified pairs closest to the question, given to a model as examples. */
  verifiedExamples?: Array<{ question: string; query: string }>;
  contextLimits: { chatContextTurns: number; chatContextTokenBudget: number };
  /** Guardrail verdict plus the store's estimate; its failure is feedback for a retry. */
  review(query: string): Promise<Review>;
  signal: AbortSignal;
}

export type Generated =
  | {
      ok: true;
      query: string;
      explanation: string;
      confidence: number | null;
      /** Set only when `confidence` is calibrated. */
      confidenceScale: QueryPayload['confidenceScale'];
      /** What a calibrated confidence was computed from. */
      signals: AskResult['signals'];
      author: QueryPayload['author'];
      attempts: QueryPayload['attempts'];
      review: Review;
      plan: unknown;
      ledger: LedgerEntry[];
      usage: { inputTokens: number; outputTokens: number };
    }
  | {
      ok: false;
      reason: string;
      suggestions: string[];
      /** The store's reason when it rejected the query written for the question. */
      explainError: string | null;
      author: QueryPayload['author'];
      ledger: LedgerEntry[];
      usage: { inputTokens: number; outputTokens: number };
    };

/** Retries after the first attempt when the guardrail or the store rejects the query. */
export const MAX_CORRECTIONS = 2;

/** What a rejected attempt tells the model, in words it can act on. */
function feedbackFor(review: Review): { outcome: 'guardrail' | 'store-error'; detail: string } | null {
  if (!review.verdict.allowed) return { outcome: 'guardrail', detail: review.verdict.reasons.map((r) => `${r.code}: ${r.message}`).join('; ') };
  if (review.storeRejected) return { outcome: 'store-error', detail: review.explainError ?? 'The database could not plan the query.' };
  return null;
}

/** The planner's signals as JSON can carry them: a number without a finite value (no runner-up reading) becomes null. */
function portableSignals(signals: PlanSignals): NonNullable<AskResult['signals']> {
  return Object.fromEntries(Object.entries(signals).map(([name, value]) => [name, typeof value === 'number' && !Number.isFinite(value) ? null : value]));
}

/**
 * The built-in planner: deterministic, offline, runs in the worker pool. A
 * query the store rejects at EXPLAIN is not shown for approval: the planner
 * has no other reading to try yet, so it declines with the store's reason.
 */
export async function generateOffline(ctx: GenerationContext, pool: JobPool): Promise<Generated> {
  const author = { kind: 'offline' as const, provider: 'offline planner', model: null };
  const usage = { inputTokens: 0, outputTokens: 0 };
  const input = { question: ctx.question, metadata: ctx.metadata, dialect: ctx.dialect, rowLimit: ctx.source.settings.rowLimit, history: ctx.plannerHistory };
  const plan = await pool.run({ kind: 'planner.plan', input }, { signal: ctx.signal });
  if (!plan.ok) return { ok: false, reason: plan.reason, suggestions: plan.suggestions, explainError: null, author, ledger: [], usage };
  const review = await ctx.review(plan.query);
  if (review.storeRejected) {
    const detail = (review.explainError ?? 'it could not plan it').replace(/\.$/, '');
    const why = `the database rejected the query I wrote for it (${detail})`;
    const declined = await pool.run({ kind: 'planner.decline', input, why }, { signal: ctx.signal });
    const reason = declined.ok ? `I can't answer that offline: ${why}.` : declined.reason;
    return { ok: false, reason, suggestions: declined.ok ? [] : declined.suggestions, explainError: review.explainError, author, ledger: [], usage };
  }
  const feedback = feedbackFor(review);
  return {
    ok: true,
    query: plan.query,
    explanation: plan.explanation,
    confidence: plan.confidence,
    // Calibrated when the planner measured its signals; a follow-up's confidence is a rule of thumb, not calibrated.
    confidenceScale: plan.signals ? PLANNER_CONFIDENCE_SCALE : null,
    signals: plan.signals ? portableSignals(plan.signals) : null,
    author,
    attempts: [{ query: plan.query, outcome: feedback ? feedback.outcome : 'accepted', detail: feedback?.detail ?? null }],
    review,
    plan: plan.plan,
    ledger: [],
    usage,
  };
}

/**
 * A model writes the query; when the guardrail or the store (through EXPLAIN)
 * rejects it, the error goes back to the model, up to MAX_CORRECTIONS times,
 * before anything is shown. Every outgoing request is in the ledger.
 */
export async function generateWithModel(ctx: GenerationContext, provider: LlmProvider, ledger: LedgerEntry[]): Promise<Generated> {
  const author = { kind: 'model' as const, provider: provider.label, model: provider.model };
  const usage = { inputTokens: 0, outputTokens: 0 };
  const prompt = buildPrompt({
    question: ctx.question,
    metadata: ctx.metadata,
    settings: ctx.source.settings,
    providerHosted: provider.hosted,
    history: ctx.conversation,
    conversation: ctx.contextLimits,
    sourceName: ctx.source.name,
    examples: ctx.verifiedExamples ?? [],
  });
  const attempts: QueryPayload['attempts'] = [];
  const messages = [...prompt.messages];
  let last: { answer: QueryAnswer; review: Review } | null = null;
  for (let attempt = 0; attempt <= MAX_CORRECTIONS; attempt++) {
    if (ctx.signal.aborted) throw new CancelledError();
    const response = await provider.complete({ system: prompt.system, messages, contextBlocks: prompt.contextBlocks, outputSchema: prompt.outputSchema, signal: ctx.signal });
    usage.inputTokens += response.usage.inputTokens;
    usage.outputTokens += response.usage.outputTokens;
    author.model = response.model;
    const parsed = QueryAnswer.safeParse(response.structured);
    if (!parsed.success) {
      attempts.push({ query: response.text.slice(0, 2_000), outcome: 'malformed', detail: 'The answer did not match the expected shape.' });
      messages.push({ role: 'assistant', content: response.text }, { role: 'user', content: 'That answer was not the JSON object described. Answer again with exactly that JSON object.' });
      continue;
    }
    const answer = parsed.data;
    const review = await ctx.review(answer.query);
    last = { answer, review };
    const feedback = feedbackFor(review);
    attempts.push({ query: answer.query, outcome: feedback ? feedback.outcome : 'accepted', detail: feedback?.detail ?? null });
    if (!feedback) break;
    messages.push(
      { role: 'assistant', content: JSON.stringify(answer) },
      {
        role: 'user',
        content:
          feedback.outcome === 'guardrail'
            ? `PolyStoreIQ refused that query: ${feedback.detail}. Write a corrected query that only reads data, as one statement.`
            : `The database rejected that query: ${feedback.detail}. Write a corrected query for the schema given.`,
      },
    );
  }
  if (!last) {
    throw new ProviderError('The model did not return a usable answer after several attempts. Try rephrasing the question, or check the model in Settings.', {
      kind: 'MALFORMED_OUTPUT',
    });
  }
  return {
    ok: true,
    query: last.answer.query,
    explanation: last.answer.explanation,
    confidence: last.answer.confidence,
    confidenceScale: null,
    signals: null,
    author,
    attempts,
    review: last.review,
    plan: null,
    ledger,
    usage,
  };
}

/** A plain-words hint for an error shown in the thread. */
export function hintFor(error: EngineError): string | null {
  const reason = String(error.details?.reason ?? error.details?.kind ?? '');
  switch (error.code) {
    case 'APPROVAL':
      return reason === 'EXPIRED' ? 'Approvals last a few minutes. Use “Validate again” to get a fresh one.' : 'Ask again or edit the query to get a new approval.';
    case 'TIMEOUT':
      return 'The query ran longer than the source allows. Narrow it (a filter, a LIMIT), or raise the statement timeout in the source settings.';
    case 'CANCELLED':
      return null;
    case 'RATE_LIMITED':
      // The pool's refusals (admission.ts) and our own provider limits (llm/rate-limit.ts) say which; the provider's 429 says none.
      if (reason.startsWith('SOURCE_') || reason === 'LANE_FULL') return 'This source has as much work as its limits allow (Settings, Limits). Ask again once the wait above has passed.';
      if (reason.startsWith('PROVIDER_')) return 'The model requests have reached their limit (Settings, Limits, or the provider asked for a pause). Ask again once the wait above has passed.';
      return 'The model provider is rate-limiting requests. Wait a moment and ask again.';
    case 'PROVIDER':
      return reason === 'AUTH' ? 'Check the API key in Settings.' : reason === 'NETWORK' ? 'Check that the model server is running, or switch to the offline planner in Settings.' : 'Try again, or switch models in Settings.';
    case 'FORBIDDEN':
      return reason === 'SOURCE_DISABLED' ? 'Enable the source on the Sources page.' : null;
    case 'CONNECTOR':
      return 'Check the query against the schema on the source page, edit it, and approve it again.';
    default:
      return null;
  }
}
