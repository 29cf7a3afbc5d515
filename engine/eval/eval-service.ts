import { generateOffline, generateWithModel, type Generated, type GenerationContext } from '../chat/generation';
import type { ProviderService } from '../chat/providers';
import { descriptors } from '../connectors/descriptors';
import {
  DEFAULT_EVAL_QUESTION_DEADLINE_MS,
  EvalLine,
  type Dialect,
  type EvalRecord,
  type EvalReport,
  type EvalSummary,
  type MetadataDocument,
  type QueryResult,
  type Source,
} from '../contract/index';
import { CancelledError, ConflictError, ConnectorError, EngineError, ForbiddenError, TimeoutError, ValidationError, describeZodError, toApiError } from '../errors';
import type { EventBus } from '../events/bus';
import { newId } from '../ids';
import type { LlmProvider } from '../llm/index';
import type { Logger } from '../log/logger';
import type { JobPool } from '../pool/pool';
import type { QueryService } from '../query/query-service';
import type { SettingsStore } from '../settings/settings-store';
import type { SourceRegistry } from '../sources/source-registry';
import { matchResult } from './match';
import { calibrate, countOutcomes } from './summary';

export interface EvalServiceOptions {
  queries: QueryService;
  sources: SourceRegistry;
  providers: ProviderService;
  settings: SettingsStore;
  events: EventBus;
  pool: JobPool;
  logger: Logger;
  now?: () => number;
}

export interface EvalRunInput {
  sourceId: string;
  lines: string[];
  threshold?: number | undefined;
  evalId?: string | undefined;
  questionDeadlineMs?: number | undefined;
}

/** What one evaluation holds while its questions are asked. */
interface EvalRun {
  evalId: string;
  source: Source;
  dialect: Dialect;
  metadata: MetadataDocument;
  provider: LlmProvider | null;
  threshold: number | null;
  deadlineMs: number;
  signal: AbortSignal;
}

/** A record's scoring fields, before the threshold and the bookkeeping. */
type Scoring = Pick<EvalRecord, 'outcome' | 'query' | 'confidence' | 'answer' | 'match' | 'detail' | 'error'>;

/** The gold SQL could not give a gold answer: the question cannot be scored. */
class GoldUnusable extends EngineError {}

/** A line as a question, or the typed error naming its line number. */
function parseLine(line: number, text: string): EvalLine | ValidationError {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return new ValidationError(`Line ${line} is not JSON: ${(error as Error).message}`, { line });
  }
  const parsed = EvalLine.safeParse(json);
  return parsed.success ? parsed.data : new ValidationError(`Line ${line}: ${describeZodError(parsed.error)}`, { line });
}

/** Aborts when the run is cancelled or when the question's own time is up. */
function questionDeadline(run: AbortSignal, ms: number): { signal: AbortSignal; timedOut: () => boolean; clear: () => void } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, ms);
  const onCancel = () => controller.abort();
  run.addEventListener('abort', onCancel, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    clear: () => {
      clearTimeout(timer);
      run.removeEventListener('abort', onCancel);
    },
  };
}

const refusal = (verdict: { reasons: Array<{ code: string; message: string }> }) => verdict.reasons.map((r) => `${r.code}: ${r.message}`).join('; ');

/**
 * `polystore eval`: golden questions asked through the same generation path
 * as chat (the offline planner or the configured model), each generated query
 * run read-only with an approval issued and consumed by the evaluating user
 * (so it is audited like any run, with the source's row limit and timeout),
 * gold SQL run the same way, and the results compared by the execution-match
 * rule. Nothing is stored in the chat history.
 */
export class EvalService {
  readonly #o: EvalServiceOptions;
  readonly #now: () => number;
  readonly #running = new Map<string, AbortController>();

  constructor(options: EvalServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  async run(input: EvalRunInput): Promise<EvalReport> {
    const evalId = input.evalId ?? newId('evl');
    if (this.#running.has(evalId)) throw new ConflictError('An evaluation with this id is already running.', { evalId });
    const controller = new AbortController();
    this.#running.set(evalId, controller);
    const started = this.#now();
    try {
      const run = await this.#open(evalId, input, controller.signal);
      const lines = input.lines.map((text, i) => ({ line: i + 1, text })).filter((l) => l.text.trim() !== '');
      const records: EvalRecord[] = [];
      for (const { line, text } of lines) {
        if (controller.signal.aborted) throw new CancelledError('The evaluation was cancelled.');
        const record = await this.#score(run, line, text);
        records.push(record);
        this.#o.events.emit('eval.progress', { evalId, sourceId: input.sourceId, done: records.length, total: lines.length, record });
      }
      return { evalId, sourceId: input.sourceId, records, summary: summarize(records, run.threshold, this.#now() - started) };
    } finally {
      this.#running.delete(evalId);
    }
  }

  cancel(evalId: string): boolean {
    const controller = this.#running.get(evalId);
    if (!controller) return false;
    controller.abort();
    return true;
  }

  /** The source, its metadata and the model, checked once: a source that cannot run queries fails the whole run. */
  async #open(evalId: string, input: EvalRunInput, signal: AbortSignal): Promise<EvalRun> {
    const source = this.#o.sources.assertUsable(input.sourceId);
    // Layer 3 before anything is asked: a login that can write must be confirmed, as at every run.
    if (source.lastCheckedAt === null) await this.#o.queries.test(input.sourceId);
    this.#o.sources.assertRisksConfirmed(input.sourceId);
    const metadata = await this.#o.queries.metadata(input.sourceId);
    return {
      evalId,
      source,
      dialect: descriptors[source.type].dialect,
      metadata,
      provider: await this.#o.providers.create(),
      threshold: input.threshold ?? null,
      deadlineMs: input.questionDeadlineMs ?? DEFAULT_EVAL_QUESTION_DEADLINE_MS,
      signal,
    };
  }

  async #score(run: EvalRun, line: number, text: string): Promise<EvalRecord> {
    const started = this.#now();
    const parsed = parseLine(line, text);
    if (parsed instanceof ValidationError) {
      const scoring: Scoring = { outcome: 'error', query: null, confidence: null, answer: null, match: null, detail: parsed.message, error: toApiError(parsed) };
      return { line, id: null, question: null, ...scoring, latencyMs: this.#now() - started };
    }
    const deadline = questionDeadline(run.signal, run.deadlineMs);
    let scoring: Scoring;
    try {
      scoring = await this.#ask(run, parsed, deadline.signal);
    } catch (error) {
      if (run.signal.aborted) throw new CancelledError('The evaluation was cancelled.');
      const failure = deadline.timedOut()
        ? new TimeoutError(`The question did not finish within ${run.deadlineMs / 1000} s.`, { deadlineMs: run.deadlineMs })
        : error;
      const apiError = toApiError(failure, (e) => this.#o.logger.error('evaluation question failed unexpectedly', { error: e }));
      scoring = { outcome: 'error', query: null, confidence: null, answer: null, match: null, detail: apiError.message, error: apiError };
    } finally {
      deadline.clear();
    }
    return { line, id: parsed.id ?? null, question: parsed.question, ...withThreshold(scoring, run.threshold), latencyMs: this.#now() - started };
  }

  /** Gold first (a gold that cannot run makes the question unscorable), then the generated query. */
  async #ask(run: EvalRun, line: EvalLine, signal: AbortSignal): Promise<Scoring> {
    const gold = line.rows ?? (await this.#goldRows(run, line.gold_sql!, signal));
    const generated = await this.#generate(run, line.question, signal);
    if (!generated.ok) return { outcome: 'declined', query: null, confidence: null, answer: null, match: null, detail: generated.reason, error: null };
    const answered = { query: generated.query, confidence: generated.confidence };
    let result: QueryResult;
    try {
      result = await this.#runReviewed(run, generated.query, 'generated query', signal);
    } catch (error) {
      if (signal.aborted) throw error;
      const apiError = toApiError(error, (e) => this.#o.logger.error('evaluation run failed unexpectedly', { error: e }));
      return { outcome: 'error', ...answered, answer: 'error', match: null, detail: apiError.message, error: apiError };
    }
    const match = matchResult({ gold, actual: result.rows, ordered: line.ordered });
    const correct = match.outcome !== 'mismatch';
    const truncated = result.truncated ? ` (the result was cut at ${result.rowLimit} rows)` : '';
    return { outcome: correct ? 'correct' : 'wrong', ...answered, answer: correct ? 'correct' : 'wrong', match: correct ? (match.outcome as 'exact' | 'superset') : null, detail: `${match.why}${truncated}`, error: null };
  }

  #generate(run: EvalRun, question: string, signal: AbortSignal): Promise<Generated> {
    const settings = this.#o.settings.get();
    const ctx: GenerationContext = {
      question,
      source: run.source,
      dialect: run.dialect,
      metadata: run.metadata,
      conversation: [],
      plannerHistory: [],
      contextLimits: { chatContextTurns: settings.chatContextTurns, chatContextTokenBudget: settings.chatContextTokenBudget },
      review: (query) => this.#o.queries.review(run.source.id, query),
      signal,
    };
    return run.provider ? generateWithModel(ctx, run.provider, []) : generateOffline(ctx, this.#o.pool);
  }

  /** Gold SQL through the same path as any query; a gold that cannot run leaves the question unscorable. */
  async #goldRows(run: EvalRun, sql: string, signal: AbortSignal): Promise<unknown[][]> {
    let result: QueryResult;
    try {
      result = await this.#runReviewed(run, sql, 'gold SQL', signal);
    } catch (error) {
      if (signal.aborted || !(error instanceof EngineError)) throw error;
      throw new GoldUnusable(error.code, error.message, error.details);
    }
    if (result.truncated) throw new GoldUnusable('VALIDATION', `The gold result has more rows than the source's row limit (${result.rowLimit}), so it cannot be compared whole.`);
    return result.rows;
  }

  /**
   * The read-only path of every query: guardrail and EXPLAIN, an approval
   * only when both pass (a refusal is audited), then the approved run.
   */
  async #runReviewed(run: EvalRun, query: string, what: string, signal: AbortSignal): Promise<QueryResult> {
    const prepared = await this.#o.queries.prepare({ sourceId: run.source.id, query });
    if (!prepared.verdict.allowed) throw new ForbiddenError('GUARDRAIL', `The ${what} was refused, so it did not run: ${refusal(prepared.verdict)}`);
    if (!prepared.approval) throw new ConnectorError(`The database rejected the ${what}: ${prepared.explainError ?? 'it could not plan it'}`);
    try {
      return await this.#runToken(run, prepared.approval.token, query, signal);
    } catch (error) {
      if (signal.aborted || !(error instanceof EngineError)) throw error;
      throw new EngineError(error.code, `The ${what} failed: ${error.message}`, error.details);
    }
  }

  /** Consumes the approval; the deadline or a cancel stops the query on the server. */
  async #runToken(run: EvalRun, token: string, query: string, signal: AbortSignal): Promise<QueryResult> {
    if (signal.aborted) {
      await this.#o.queries.deny(token);
      throw new CancelledError();
    }
    const runId = newId('run');
    const stop = () => void this.#o.queries.cancel(runId);
    signal.addEventListener('abort', stop, { once: true });
    try {
      const ran = await this.#o.queries.run({ token, runId, expectSourceId: run.source.id, expectQuery: query });
      return ran.result;
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }
}

/** An answer below the threshold counts as declined, and the detail says how it would have scored. */
function withThreshold(scoring: Scoring, threshold: number | null): Scoring {
  if (threshold === null || scoring.answer === null || (scoring.confidence ?? 0) >= threshold) return scoring;
  return { ...scoring, outcome: 'declined', detail: `Confidence ${scoring.confidence ?? 'none'} is below the threshold ${threshold}; the answer was ${scoring.answer}. ${scoring.detail}` };
}

function summarize(records: readonly EvalRecord[], threshold: number | null, elapsedMs: number): EvalSummary {
  const asked = records.filter((r) => r.question !== null);
  const counts = countOutcomes(records);
  const correct = (match: 'exact' | 'superset') => records.filter((r) => r.outcome === 'correct' && r.match === match).length;
  return {
    questions: asked.length,
    badLines: records.length - asked.length,
    counts,
    accuracy: asked.length === 0 ? 0 : counts.correct / asked.length,
    exact: correct('exact'),
    superset: correct('superset'),
    threshold,
    calibration: calibrate(asked, asked.length),
    elapsedMs,
  };
}
