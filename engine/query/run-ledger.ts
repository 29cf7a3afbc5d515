import { randomBytes } from 'node:crypto';
import type { ApprovalUse } from '../approval/approvals';
import { reinstallAppendOnly } from '../audit/append-only';
import type { QueryResult } from '../contract/index';
import type { EngineError } from '../errors';
import { nowIso } from '../ids';
import type { Database } from '../store/migration';
import { storedColumnsBlob } from './stored-columns';

/**
 * How long past its own timeout a run can still be going (connecting, the
 * cancel round trip, moving the rows): after that another window shows a run
 * with no outcome as "outcome unknown" rather than "running".
 */
export const RUN_GRACE_MS = 60_000;

/** A run as recorded when its approval was consumed, before anything reached the database. */
export interface RunStart {
  runId: string;
  nonce: string;
  attempt: number;
  sourceId: string;
  sessionId: string | null;
  messageId: string | null;
  traceId: string | null;
  startedAt: string;
  /** Epoch ms when the run started (for its latency). */
  started: number;
}

export type RunOutcome =
  | { status: 'succeeded'; result: QueryResult; resultId: string }
  | { status: 'failed' | 'cancelled'; error: EngineError; statementStarted: boolean };

/** What the ledger knows about one run of a conversation's query. */
export interface RunFact {
  runId: string;
  messageId: string;
  startedAt: string;
  /** `running`: no outcome yet and still going; `unknown`: no outcome and its process ended (or its deadline passed). */
  state: 'running' | 'unknown' | 'succeeded' | 'failed' | 'cancelled';
  /** For a failed run: false when the statement never reached the server (the approval was given back). */
  statementStarted: boolean | null;
  resultId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
}

interface StartRow {
  id: string;
  message_id: string;
  started_at: string;
  deadline_at: string;
  instance_id: string;
  pid: number;
  status: RunFact['state'] | null;
  statement_started: number | null;
  result_id: string | null;
  error_code: string | null;
  error_message: string | null;
}

/** Whether a process with this id exists (EPERM: it does, owned by someone else). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

/**
 * The record of every run: its start (written with the approval's use, in
 * one transaction) and its outcome (written after). The tables are
 * append-only; a start without an outcome is a run whose outcome is unknown.
 */
export class RunLedger {
  /** This engine, as opposed to another process on the same profile (the CLI, a second app). */
  readonly instanceId = randomBytes(9).toString('base64url');
  readonly #db: Database;
  readonly #now: () => number;
  readonly #isRunningHere: (runId: string) => boolean;

  constructor(db: Database, options: { now?: () => number; isRunningHere: (runId: string) => boolean }) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#isRunningHere = options.isRunningHere;
    reinstallAppendOnly(db, 'query_run_starts');
  }

  /** Records the start of a run; inside the transaction that consumes its approval. */
  start(use: ApprovalUse, runId: string, traceId: string | null): RunStart {
    const started = this.#now();
    const run: RunStart = {
      runId,
      nonce: use.nonce,
      attempt: use.attempt,
      sourceId: use.sourceId,
      sessionId: use.sessionId,
      messageId: use.messageId,
      traceId,
      startedAt: new Date(started).toISOString(),
      started,
    };
    const deadline = new Date(started + use.limits.timeoutMs + RUN_GRACE_MS).toISOString();
    this.#db
      .prepare(
        `INSERT INTO query_run_starts (id, nonce, attempt, source_id, session_id, message_id, trace_id, started_at, deadline_at, instance_id, pid)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(runId, run.nonce, run.attempt, run.sourceId, run.sessionId, run.messageId, traceId, run.startedAt, deadline, this.instanceId, process.pid);
    return run;
  }

  /** Records the outcome (and a result's rows); inside the caller's transaction. */
  finish(run: RunStart, outcome: RunOutcome): void {
    const result = outcome.status === 'succeeded' ? outcome.result : null;
    const error = outcome.status === 'succeeded' ? null : outcome.error;
    if (outcome.status === 'succeeded') {
      this.#db
        .prepare('INSERT INTO query_results (id, source_id, columns_json, rows_json, columns_blob, row_count, truncated, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(
          outcome.resultId,
          run.sourceId,
          JSON.stringify(outcome.result.columns),
          // The rows are kept as columns, encoded once here so that opening the result reads buffers (migration 0160).
          '[]',
          storedColumnsBlob(outcome.result.rows, outcome.result.columns.length),
          outcome.result.rowCount,
          outcome.result.truncated ? 1 : 0,
          nowIso(),
        );
    }
    this.#db
      .prepare(
        `INSERT INTO query_runs (id, nonce, source_id, session_id, message_id, trace_id, started_at, finished_at, status, latency_ms, row_count, truncated, error_code, error_message, result_id, statement_started)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        run.runId,
        run.nonce,
        run.sourceId,
        run.sessionId,
        run.messageId,
        run.traceId,
        run.startedAt,
        nowIso(),
        outcome.status,
        Math.max(0, this.#now() - run.started),
        result?.rowCount ?? null,
        result ? (result.truncated ? 1 : 0) : null,
        error?.code ?? null,
        error?.message ?? null,
        outcome.status === 'succeeded' ? outcome.resultId : null,
        outcome.status === 'succeeded' || outcome.statementStarted ? 1 : 0,
      );
  }

  /** Every recorded run of the conversation's queries, oldest first. */
  forSession(sessionId: string): RunFact[] {
    const rows = this.#db
      .prepare(
        `SELECT s.id, s.message_id, s.started_at, s.deadline_at, s.instance_id, s.pid,
                r.status, r.statement_started, r.result_id, r.error_code, r.error_message
         FROM query_run_starts s LEFT JOIN query_runs r ON r.id = s.id
         WHERE s.session_id = ? AND s.message_id IS NOT NULL
         UNION ALL
         -- Runs recorded before starts were (profiles from before migration 0110).
         SELECT r.id, r.message_id, r.started_at, r.finished_at, '', 0, r.status, r.statement_started, r.result_id, r.error_code, r.error_message
         FROM query_runs r
         WHERE r.session_id = ? AND r.message_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM query_run_starts s WHERE s.id = r.id)
         ORDER BY 3`,
      )
      .all(sessionId, sessionId) as StartRow[];
    return rows.map((r) => ({
      runId: r.id,
      messageId: r.message_id,
      startedAt: r.started_at,
      state: r.status ?? (this.#stillRunning(r) ? 'running' : 'unknown'),
      statementStarted: r.statement_started === null ? null : r.statement_started === 1,
      resultId: r.result_id,
      errorCode: r.error_code,
      errorMessage: r.error_message,
    }));
  }

  /** A run with no outcome is still going if this engine runs it, or another live process does and its deadline has not passed. */
  #stillRunning(r: Pick<StartRow, 'id' | 'instance_id' | 'pid' | 'deadline_at'>): boolean {
    if (r.instance_id === this.instanceId) return this.#isRunningHere(r.id);
    return this.#now() < Date.parse(r.deadline_at) && r.pid !== process.pid && processAlive(r.pid);
  }
}
