import { assertCapability, descriptors } from '../connectors/descriptors';
import type { SourceHostContext, SourceHostHooks } from '../connectors/host-context';
import type { ConnectionSpec, ConnectionTestResult } from '../connectors/types';
import type { ApprovalService, ApprovalUse, RunLimits } from '../approval/approvals';
import type { RunJournal } from '../chat/conversation-journal';
import type { AuditLog } from '../audit/audit-log';
import { MetadataDocument, type ConnectionTest, type CreateSourceInput, type PreparedQuery, type ResultColumn, type RunResult, type SourceFile, type Verdict } from '../contract/index';
import { PREVIEW_BUDGET, PREVIEW_DEADLINE_MS } from '../connectors/shared/preview-budget';
import { breakerPolicyOf } from '../connectors/shared/circuit-breaker';
import { ApprovalError, CancelledError, ConflictError, EngineError, PreviewLimitError, UnsupportedError } from '../errors';
import { newId } from '../ids';
import type { Logger } from '../log/logger';
import type { Job, JobOutput } from '../pool/jobs';
import type { JobPool } from '../pool/pool';
import type { SettingsStore } from '../settings/settings-store';
import { SourceCircuits, sqliteCircuitStore, type CircuitTarget } from '../sources/source-circuits';
import type { SourceRegistry } from '../sources/source-registry';
import type { Database } from '../store/migration';
import type { RunLedger, RunOutcome, RunStart } from './run-ledger';
import { readStoredColumns } from './stored-columns';
import { encodeColumns, type ResultColumns } from '../contract/result-columns';

/** A PreviewLimitError, also after the worker boundary turned it into a plain EngineError. */
function isPreviewLimit(error: unknown): error is EngineError {
  return error instanceof EngineError && (error.details?.kind === 'PREVIEW_LIMIT' || (error.code as string) === 'PREVIEW_LIMIT');
}

/** Over the preview budget becomes a refusal (no approval can follow); any other failure stays an error. */
function previewRefusal(error: unknown): Verdict {
  if (!isPreviewLimit(error)) throw error;
  // The store's own message says what went over; the host's deadline says it did not finish.
  const detail = error.message.trim().replace(/\.?$/, '.');
  return {
    allowed: false,
    statementKind: null,
    reasons: [{ code: 'PREVIEW_LIMIT', message: `This query is too expensive to preview safely, so it gets no approval and did not run. ${detail}` }],
  };
}

/**
 * What a look at a query found before any approval: the guardrail's verdict,
 * the store's estimate, and whether the store refused to plan it.
 */
export interface Review extends Pick<PreparedQuery, 'verdict' | 'explain' | 'explainError'> {
  /** EXPLAIN failed because the store cannot run the query (an unknown column, a type error…): it gets no approval. */
  storeRejected: boolean;
}

/** Only a query the guardrail allowed and the store could plan gets an approval token. */
export function approvable(review: Review): boolean {
  return review.verdict.allowed && !review.storeRejected;
}

/**
 * An EXPLAIN failure that says nothing against the query: the store has no
 * estimate for this kind of statement. Any other failure (the store's error,
 * a lost connection, a crash) means nobody saw the query plan, so no token.
 */
function estimateUnavailable(error: unknown): boolean {
  return error instanceof EngineError && error.code === 'UNSUPPORTED';
}

export interface QueryServiceOptions {
  db: Database;
  pool: JobPool;
  sources: SourceRegistry;
  approvals: ApprovalService;
  audit: AuditLog;
  settings: SettingsStore;
  logger: Logger;
  /** Where runs are recorded (their start with the approval's use, their outcome after). */
  runs: RunLedger;
  /** The conversation a token's query belongs to: it refuses replaced or skipped queries and records runs and denials in the thread. */
  journal?: RunJournal;
  /** Each source's circuit breaker, shared with what shows it (the registry); one of its own when not given. */
  circuits?: SourceCircuits;
  now?: () => number;
}

/**
 * Connector error kinds that can only happen while opening a connection, so
 * the statement cannot have reached the server (engine/connectors/shared/connection-errors.ts).
 * An allow-list: anything else may have started.
 */
const CONNECT_PHASE_KINDS = new Set(['HOST_UNREACHABLE', 'PORT_CLOSED', 'AUTH_FAILED', 'DATABASE_NOT_FOUND', 'TLS_REQUIRED', 'TLS_INVALID', 'TIMEOUT', 'UNKNOWN']);

/**
 * Whether a failed run's statement may have reached the server. A connector
 * that knows says so (`details.statementStarted`); otherwise only a failure
 * to connect, or a refusal before any work (RATE_LIMITED), proves it did not.
 */
export function statementMayHaveStarted(error: EngineError): boolean {
  const said = error.details?.statementStarted;
  if (typeof said === 'boolean') return said;
  // A pooled connection the server had dropped (a restart) fails on BEGIN, before the statement is sent.
  if (error.details?.beforeStatement === true) return false;
  if (error.code === 'RATE_LIMITED') return false;
  return !(error.code === 'CONNECTOR' && CONNECT_PHASE_KINDS.has(String(error.details?.kind ?? '')));
}

/** A query to approve; `maxRows` and `timeoutMs`, when given, replace the source's limits in the approval. */
export interface ApprovalRequest {
  sourceId: string;
  query: string;
  sessionId?: string | null | undefined;
  messageId?: string | null | undefined;
  maxRows?: number | undefined;
  timeoutMs?: number | undefined;
}

/**
 * Everything that reaches a store goes through here, and every execution
 * through an approval token: test, metadata (cached with a TTL), validate,
 * prepare (validate + explain + token), run (consume token + execute), deny, cancel.
 * The work itself happens in the worker pool.
 */
export class QueryService {
  readonly #o: QueryServiceOptions;
  readonly #now: () => number;
  readonly #running = new Map<string, { controller: AbortController; sourceId: string }>();
  /** The last preparation queued per source (settled either way). */
  readonly #preparing = new Map<string, Promise<void>>();
  readonly #circuits: SourceCircuits;

  constructor(options: QueryServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#circuits = options.circuits ?? new SourceCircuits({
        now: this.#now,
        store: sqliteCircuitStore(options.db),
        policy: () => breakerPolicyOf(options.settings.get()),
        onChange: (sourceId) => options.sources.circuitChanged(sourceId),
      });
    options.sources.showCircuits(this.#circuits);
  }

  /** What a source's circuit names in its fail-fast message. */
  #circuitTarget(sourceId: string): CircuitTarget {
    const { id, type, name } = this.#o.sources.get(sourceId);
    return { id, type, name };
  }

  /** A call that reaches the source's store, through its circuit breaker. */
  #guarded<T>(sourceId: string, call: () => Promise<T>): Promise<T> {
    return this.#circuits.guard(this.#circuitTarget(sourceId), call);
  }

  #hooks(spec: ConnectionSpec): SourceHostHooks | null {
    return descriptors[spec.type].hostHooks;
  }

  /** The spec for a job, after the execution pre-check and the store's own preparation. */
  async #ready(sourceId: string, signal?: AbortSignal, reimport = false): Promise<ConnectionSpec> {
    const spec = await this.#o.sources.connectionSpec(sourceId);
    const hooks = this.#hooks(spec);
    if (hooks?.prepare) {
      const ctx: SourceHostContext = {
        spec,
        db: this.#o.db,
        pool: this.#o.pool,
        settings: this.#o.settings.get(),
        audit: this.#o.audit,
        invalidateMetadata: () => this.invalidateMetadata(sourceId),
        ...(signal ? { signal } : {}),
        ...(reimport ? { reimport } : {}),
      };
      await this.#oneAtATime(sourceId, () => hooks.prepare!(ctx));
    }
    return spec;
  }

  /**
   * Preparations of one source run one after another: a new file source opened on its page
   * (which loads its schema) and tested at once would otherwise import its files twice into
   * the same database at the same time. The second finds the first's import and only checks it.
   */
  async #oneAtATime(sourceId: string, prepare: () => Promise<void>): Promise<void> {
    const before = this.#preparing.get(sourceId) ?? Promise.resolve();
    const mine = before.then(prepare);
    const settled = mine.then(
      () => {},
      () => {},
    );
    this.#preparing.set(sourceId, settled);
    try {
      await mine;
    } finally {
      if (this.#preparing.get(sourceId) === settled) this.#preparing.delete(sourceId);
    }
  }

  async test(sourceId: string): Promise<ConnectionTest> {
    const spec = await this.#o.sources.connectionSpec(sourceId);
    let result: ConnectionTestResult = await this.#o.pool.run({ kind: 'connector.test', spec });
    // Whatever the circuit says, a test goes through: one that connects closes it.
    this.#circuits.tested(sourceId, result);
    if (result.ok) {
      try {
        await this.#ready(sourceId);
      } catch (error) {
        const message = error instanceof EngineError ? error.message : 'The source could not be prepared.';
        result = { ...result, ok: false, error: { kind: 'FILE_UNREADABLE', message } };
      }
    }
    this.#o.sources.recordTest(sourceId, result);
    this.#o.audit.record({
      action: 'source.tested',
      sourceId,
      details: { ok: result.ok, latencyMs: Math.round(result.latencyMs), canWrite: result.canWrite, error: result.error?.kind ?? null },
    });
    return result;
  }

  /** Tests details from the add-source form before they are saved. */
  testDraft(input: CreateSourceInput): Promise<ConnectionTest> {
    return this.#o.pool.run({ kind: 'connector.test', spec: this.#o.sources.draftSpec(input) });
  }

  files(sourceId: string): SourceFile[] {
    const source = this.#o.sources.readable(sourceId);
    const hooks = descriptors[source.type].hostHooks;
    if (!hooks?.files) throw new UnsupportedError(`A ${descriptors[source.type].label} source has no files.`);
    return hooks.files(this.#o.db, { sourceId, connection: source.connection });
  }

  invalidateMetadata(sourceId: string): void {
    this.#o.db.prepare('DELETE FROM metadata_cache WHERE source_id = ?').run(sourceId);
  }

  /** Metadata from the cache inside the TTL; from the store on refresh or when stale. */
  async metadata(sourceId: string, options: { refresh?: boolean } = {}): Promise<MetadataDocument> {
    this.#o.sources.assertUsable(sourceId);
    const ttlMs = this.#o.settings.get().metadataTtlMinutes * 60_000;
    if (!options.refresh && ttlMs > 0) {
      const row = this.#o.db.prepare('SELECT fetched_at, document_json FROM metadata_cache WHERE source_id = ?').get(sourceId) as
        | { fetched_at: string; document_json: string }
        | undefined;
      if (row && this.#now() - Date.parse(row.fetched_at) < ttlMs) {
        return { ...MetadataDocument.parse(JSON.parse(row.document_json)), cached: true };
      }
    }
    // A refresh is the user asking for the source as it is now: a file source imports its files again.
    const spec = await this.#ready(sourceId, undefined, options.refresh === true);
    const document = await this.#guarded(sourceId, () => this.#o.pool.run({ kind: 'connector.metadata', spec }));
    this.#o.db
      .prepare(
        'INSERT INTO metadata_cache (source_id, fetched_at, document_json) VALUES (?, ?, ?) ON CONFLICT (source_id) DO UPDATE SET fetched_at = excluded.fetched_at, document_json = excluded.document_json',
      )
      .run(sourceId, new Date(this.#now()).toISOString(), JSON.stringify(document));
    if (options.refresh) this.#o.audit.record({ action: 'metadata.refreshed', sourceId });
    return { ...document, cached: false };
  }

  /** The guardrail's verdict; reads the source's catalog (cached) but never runs the query. */
  async check(sourceId: string, query: string): Promise<Verdict> {
    this.#o.sources.assertUsable(sourceId);
    const spec = await this.#ready(sourceId);
    try {
      return await this.#preview({ kind: 'connector.validate', spec, query });
    } catch (error) {
      return previewRefusal(error);
    }
  }

  /**
   * The guardrail's verdict and, where the store can explain and the query is
   * allowed, its estimate. A check or estimate over the preview budget refuses
   * the query (PREVIEW_LIMIT): nobody approves what could not be looked at.
   * A query the store rejects at EXPLAIN is `storeRejected`: it cannot run, so it gets no approval either.
   */
  async review(sourceId: string, query: string): Promise<Review> {
    const source = this.#o.sources.assertUsable(sourceId);
    const spec = await this.#ready(sourceId);
    let verdict: Verdict;
    try {
      verdict = await this.#preview({ kind: 'connector.validate', spec, query });
    } catch (error) {
      return { verdict: previewRefusal(error), explain: null, explainError: null, storeRejected: false };
    }
    let explain: PreparedQuery['explain'] = null;
    let explainError: string | null = null;
    let storeRejected = false;
    if (verdict.allowed && source.capabilities.explain) {
      try {
        explain = await this.#preview({ kind: 'connector.explain', spec, query });
      } catch (error) {
        if (isPreviewLimit(error)) return { verdict: previewRefusal(error), explain: null, explainError: null, storeRejected: false };
        explainError = error instanceof EngineError ? error.message : 'The database could not plan the query.';
        storeRejected = !estimateUnavailable(error);
      }
    }
    return { verdict, explain, explainError, storeRejected };
  }

  /**
   * A validate or explain job with a deadline of its own: the store enforces
   * the preview budget itself, and this is the backstop when it does not (a
   * job still running at the deadline is cancelled and counts as over budget).
   */
  async #preview<K extends 'connector.validate' | 'connector.explain'>(job: Job<K>): Promise<JobOutput<K>> {
    // A timer of our own rather than AbortSignal.timeout(), whose unreferenced timer would let a host with nothing else to do exit instead.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), PREVIEW_DEADLINE_MS);
    try {
      return await this.#guarded(job.spec.sourceId, () => this.#o.pool.run(job, { signal: deadline.signal, graceMs: 500 }));
    } catch (error) {
      if (deadline.signal.aborted) {
        throw new PreviewLimitError(
          `Checking or estimating it did not finish within ${PREVIEW_DEADLINE_MS / 1000} s (the preview budget is ${PREVIEW_BUDGET.timeMs / 1000} s). Simplify the query, for example filter before computing large values, and try again.`,
          { deadlineMs: PREVIEW_DEADLINE_MS },
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Issues a single-use approval for exactly this text and these limits: the
   * source's row limit, statement timeout and byte cap as they are now, or
   * lower or higher ones chosen explicitly at approval. Callers check that the verdict allowed it.
   */
  issueApproval(input: ApprovalRequest) {
    const { settings } = this.#o.sources.assertUsable(input.sourceId);
    const limits: RunLimits = {
      maxRows: input.maxRows ?? settings.rowLimit,
      timeoutMs: input.timeoutMs ?? settings.statementTimeoutMs,
      maxBytes: settings.maxResultBytes,
    };
    return this.#o.approvals.issue({ sourceId: input.sourceId, query: input.query, sessionId: input.sessionId ?? null, messageId: input.messageId ?? null, limits });
  }

  /** Validate, estimate, and (only if allowed and the store could plan it) issue a single-use approval for exactly this text. */
  async prepare(input: ApprovalRequest): Promise<PreparedQuery> {
    const source = this.#o.sources.assertUsable(input.sourceId);
    const review = await this.review(input.sourceId, input.query);
    const { verdict, explain, explainError } = review;
    const approval = approvable(review) ? await this.issueApproval(input) : null;
    if (!approval) this.auditRefusal(input, review);
    return {
      sourceId: input.sourceId,
      query: input.query,
      dialect: descriptors[source.type].dialect,
      verdict,
      explain,
      explainError,
      approval: approval ? { token: approval.token, expiresAt: approval.expiresAt } : null,
    };
  }

  /** Records why a reviewed query got no approval: the guardrail refused it, or the store rejected it at EXPLAIN. */
  auditRefusal(input: { sourceId: string; sessionId?: string | null; messageId?: string | null }, review: Pick<Review, 'verdict' | 'storeRejected'>): void {
    const reason = review.verdict.allowed ? { reason: 'EXPLAIN_FAILED' } : { reason: 'GUARDRAIL', codes: review.verdict.reasons.map((r) => r.code) };
    this.#o.audit.record({
      action: 'query.refused',
      sourceId: input.sourceId,
      sessionId: input.sessionId ?? null,
      details: { ...reason, messageId: input.messageId ?? null },
    });
  }

  /**
   * The only path to a connector's execute. Before anything reaches the
   * database, one transaction consumes the token, records the run's start
   * (and, for a conversation's query, the decision in its thread) and writes
   * the audit event; the outcome is written after, with the result or the
   * error. A run that fails before its statement could reach the server
   * gives the approval back (usable again until it expires); one that may
   * have started says so. Limits are the token's (`maxRows` and `timeoutMs`
   * may lower them; asking for more is refused).
   */
  async run(input: { token: string; runId?: string; maxRows?: number; timeoutMs?: number; traceId?: string; expectSourceId?: string; expectQuery?: string }): Promise<RunResult> {
    const runId = input.runId ?? newId('run');
    if (this.#running.has(runId)) throw new ConflictError('A run with this id is already in progress.');
    // Before the token is consumed, so a refusal here leaves it usable once the owner has confirmed.
    const bound = this.#o.approvals.peek(input.token);
    const journal = this.#o.journal;
    // Also before the token is consumed: a source whose circuit is open refuses at once and the approval stays usable.
    const permit = bound ? this.#circuits.admit(this.#circuitTarget(bound.sourceId), NOT_RUN_NOTE) : null;
    let consumed: { use: ApprovalUse; begun: RunStart };
    try {
      consumed = await this.#consume(input, runId, bound);
    } catch (error) {
      permit?.settle(error);
      throw error;
    }
    const { use, begun: run } = consumed;
    const controller = new AbortController();
    this.#running.set(runId, { controller, sourceId: use.sourceId });
    journal?.changed(run, 'running');
    let reached = false;
    try {
      const spec = await this.#ready(use.sourceId, controller.signal);
      reached = true;
      const result = await this.#o.pool.run(
        { kind: 'connector.execute', spec, query: use.query, timeoutMs: use.limits.timeoutMs, maxRows: use.limits.maxRows, maxBytes: use.limits.maxBytes },
        { signal: controller.signal, graceMs: 1_500 },
      );
      permit?.settle();
      const resultId = newId('res');
      this.#finish(run, { status: 'succeeded', result, resultId }, { rowCount: result.rowCount, truncated: result.truncated, elapsedMs: Math.round(result.elapsedMs) });
      return { runId, resultId, sourceId: use.sourceId, query: use.query, result };
    } catch (error) {
      permit?.settle(error);
      let engineError = error instanceof EngineError ? error : new EngineError('INTERNAL', 'The query failed unexpectedly.');
      if (!(error instanceof EngineError)) this.#o.logger.error('query run failed unexpectedly', { runId, error });
      const cancelled = engineError instanceof CancelledError || engineError.code === 'CANCELLED';
      const statementStarted = reached && statementMayHaveStarted(engineError);
      engineError = withRunOutcome(engineError, { runId, statementStarted, approvalExpiresAt: use.expiresAt, given: !cancelled && !statementStarted });
      this.#finish(run, { status: cancelled ? 'cancelled' : 'failed', error: engineError, statementStarted: cancelled || statementStarted }, { code: engineError.code, message: engineError.message, statementStarted });
      throw engineError;
    } finally {
      this.#running.delete(runId);
      journal?.changed(run, 'finished');
    }
  }

  /**
   * Checks the login, then consumes the token and records the run's start
   * (see run). A conversation's query records a refusal of its verified
   * token (expired, used, denied ...) in its thread; a replaced or skipped
   * query's refusal adds nothing there.
   */
  async #consume(
    input: { token: string; traceId?: string; maxRows?: number; timeoutMs?: number; expectSourceId?: string; expectQuery?: string },
    runId: string,
    bound: { sourceId: string; sessionId: string | null; messageId: string | null } | null,
  ): Promise<{ use: ApprovalUse; begun: RunStart }> {
    const journal = this.#o.journal;
    try {
      if (bound) await this.#assertLoginConfirmed(bound.sourceId);
      return await this.#o.approvals.consume(
      input.token,
      {
        ...(input.expectSourceId ? { sourceId: input.expectSourceId } : {}),
        ...(input.expectQuery !== undefined ? { query: input.expectQuery } : {}),
        limits: { ...(input.maxRows !== undefined ? { maxRows: input.maxRows } : {}), ...(input.timeoutMs !== undefined ? { timeoutMs: input.timeoutMs } : {}) },
      },
      {
        ...(journal ? { check: (approval: Parameters<RunJournal['check']>[0]) => journal.check(approval) } : {}),
        begin: (consumed: ApprovalUse) => {
          const start = this.#o.runs.start(consumed, runId, input.traceId ?? this.#traceOf(consumed));
          journal?.started(start);
          return start;
        },
      },
    );
    } catch (error) {
      if (journal && bound && error instanceof ApprovalError) journal.refused({ sessionId: bound.sessionId, messageId: bound.messageId, runId }, error);
      throw error;
    }
  }

  /**
   * The question a conversation's token belongs to, for timing a run started elsewhere (the CLI's
   * query.run) as that question's execution stage. Read from the token unverified: call it only
   * once run() has accepted the token.
   */
  traceForToken(token: string): { traceId: string; sourceId: string; sessionId: string | null } | null {
    const bound = this.#o.approvals.peek(token);
    if (!bound?.messageId) return null;
    const traceId = this.#traceOf({ messageId: bound.messageId });
    return traceId ? { traceId, sourceId: bound.sourceId, sessionId: bound.sessionId } : null;
  }

  /** The trace of the conversation's query a token approves, so a run from elsewhere (the CLI) joins the question's trace. */
  #traceOf(use: Pick<ApprovalUse, 'messageId'>): string | null {
    if (!use.messageId) return null;
    const row = this.#o.db.prepare(`SELECT json_extract(payload_json, '$.traceId') AS trace FROM chat_messages WHERE id = ? AND kind = 'query'`).get(use.messageId) as
      | { trace: string | null }
      | undefined;
    return row?.trace ?? null;
  }

  /** The outcome, its audit event and its place in the conversation, in one transaction; a failure before the statement gives the approval back. */
  #finish(run: RunStart, outcome: RunOutcome, details: Record<string, unknown>): void {
    this.#o.db.transaction(() => {
      this.#o.runs.finish(run, outcome);
      const givenBack = outcome.status === 'failed' && !outcome.statementStarted;
      if (givenBack) this.#o.approvals.gaveBack(run.nonce);
      this.#o.audit.record({
        action: outcome.status === 'succeeded' ? 'query.executed' : 'query.failed',
        sourceId: run.sourceId,
        sessionId: run.sessionId,
        details: { runId: run.runId, messageId: run.messageId, nonce: run.nonce, attempt: run.attempt, ...details, ...(givenBack ? { approvalGivenBack: true } : {}) },
      });
      this.#o.journal?.finished(run, outcome);
    })();
  }

  /** The source and conversation a token names, unverified (consuming it checks everything); null for a token of the wrong shape. */
  tokenTarget(token: string): { sourceId: string; sessionId: string | null; messageId: string | null } | null {
    return this.#o.approvals.peek(token);
  }

  /** Whether this engine is running the run now. */
  isRunning(runId: string): boolean {
    return this.#running.has(runId);
  }

  /**
   * Layer 3: what the login can do beyond reading is known (a source never tested is tested now)
   * and, if anything, confirmed by the owner.
   */
  async #assertLoginConfirmed(sourceId: string): Promise<void> {
    if (this.#o.sources.get(sourceId).lastCheckedAt === null) await this.test(sourceId);
    this.#o.sources.assertRisksConfirmed(sourceId);
  }

  /** Denies a token; a conversation's query records the decision in its thread, in the denial's transaction. */
  async deny(token: string): Promise<void> {
    const journal = this.#o.journal;
    const approval = await this.#o.approvals.deny(token, journal ? (a) => journal.denied(a) : undefined);
    journal?.changed(approval, 'decided');
  }

  cancel(runId: string): boolean {
    const running = this.#running.get(runId);
    if (!running) return false;
    running.controller.abort();
    return true;
  }

  /** Refuses (UNSUPPORTED) to stop a run on a store that cannot stop a query; a run not in progress here is cancel()'s to report. */
  assertCancellable(runId: string): void {
    const running = this.#running.get(runId);
    if (running) assertCapability(this.#o.sources.get(running.sourceId).type, 'cancel');
  }

  /** `expiredAt` is set when the retention policy gave the rows back (engine/retention): `rows` is empty then. */
  storedResult(resultId: string): StoredResult | null {
    const row = this.#o.db
      .prepare('SELECT q.columns_json, q.rows_json, q.columns_blob, q.row_count, q.truncated, r.expired_at FROM query_results q LEFT JOIN result_retention r ON r.result_id = q.id WHERE q.id = ?')
      .get(resultId) as { columns_json: string; rows_json: string; columns_blob: Uint8Array | null; row_count: number; truncated: number; expired_at: string | null } | undefined;
    if (!row) return null;
    const columns = JSON.parse(row.columns_json) as ResultColumn[];
    return {
      expiredAt: row.expired_at,
      columns,
      // An expired result keeps its row count but not its rows.
      data: row.expired_at ? encodeColumns([], columns.length) : readStoredColumns(resultId, row, columns.length),
      rowCount: row.row_count,
      truncated: row.truncated === 1,
    };
  }
}

/** A stored result: its columns' data (result-columns.ts), not row arrays. */
export interface StoredResult {
  columns: ResultColumn[];
  data: ResultColumns;
  rowCount: number;
  truncated: boolean;
  expiredAt: string | null;
}

/** What a run refused by an open circuit adds to its message: nothing was consumed. */
const NOT_RUN_NOTE = 'The query did not run, so its approval was not used: run it again after that, before the approval expires.';

/**
 * The run's error, saying what became of the approval: given back (the
 * statement never reached the server) or used (it may have started there).
 */
function withRunOutcome(error: EngineError, o: { runId: string; statementStarted: boolean; approvalExpiresAt: string; given: boolean }): EngineError {
  const lost = error.code === 'CONNECTOR' && error.details?.kind === 'CONNECTION_LOST';
  const note = o.given
    ? ` The query never reached the database, so the approval was not used: run it again before it expires (${o.approvalExpiresAt}).`
    : lost && o.statementStarted
      ? ' The query may have started on the database before the connection was lost, so the approval is used up.'
      : '';
  const details = { ...error.details, runId: o.runId, statementStarted: o.statementStarted, ...(o.given ? { approvalGivenBack: true } : {}) };
  const next = new EngineError(error.code, error.message + note, details, { cause: error });
  // Keep the class where callers test it (a cancelled run is a CancelledError).
  if (error instanceof CancelledError) return new CancelledError(next.message, details);
  return next;
}
