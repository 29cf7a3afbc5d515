import { z } from 'zod';
import type { SlowRun, StageSla, StageStats, Trace, TraceRun, TraceStage } from '../contract/index';
import { NotFoundError } from '../errors';
import { newId } from '../ids';
import type { Database } from '../store/migration';
import { isOver, stageRank, STAGE_TARGETS, STAGES, targetOf, type Stage } from './sla';

export type { Stage } from './sla';

export interface SpanInfo {
  traceId: string;
  stage: Stage;
  sourceId?: string | null;
  sessionId?: string | null;
  model?: string | null;
  tokensIn?: number;
  tokensOut?: number;
  details?: Record<string, unknown>;
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[index]! * 10) / 10;
}

/** Start times are stored to the millisecond, durations are not: two stages one after the other may seem to overlap by under this. */
const CLOCK_GRAIN_MS = 1;

const SpanRow = z.object({ stage: z.string(), started_at: z.string(), duration_ms: z.number().nullable(), status: z.string(), source_id: z.string().nullable() });
const RunRow = z.object({
  id: z.string(),
  status: z.enum(['succeeded', 'failed', 'cancelled']),
  started_at: z.string(),
  latency_ms: z.number(),
  row_count: z.number().nullable(),
  truncated: z.number().nullable(),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  source_id: z.string(),
  result_id: z.string().nullable(),
  trace_id: z.string().nullable(),
});

type TraceStageT = z.infer<typeof TraceStage>;

/** Which stage each one ran inside, if any: a stage wholly within an earlier, longer one. */
function nesting(spans: Array<{ stage: string; start: number; end: number }>): Array<string | null> {
  return spans.map((s, i) => {
    const outer = spans.find((o, j) => j !== i && o.stage !== s.stage && o.end - o.start > s.end - s.start && o.start <= s.start + CLOCK_GRAIN_MS && s.end <= o.end + CLOCK_GRAIN_MS);
    return outer?.stage ?? null;
  });
}

/**
 * Per-stage latency under one trace id per question, stored in SQLite and
 * never sent anywhere. p50/p95 come from a query over what was recorded and
 * are shown against the targets in sla.ts.
 */
export class Telemetry {
  readonly #db: Database;
  readonly #now: () => number;

  constructor(db: Database, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  record(info: SpanInfo & { startedAt: number; durationMs: number; status: 'ok' | 'error' }): void {
    this.#db
      .prepare(
        `INSERT INTO telemetry_runs (id, trace_id, stage, started_at, duration_ms, status, model, tokens_in, tokens_out, source_id, session_id, details_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        newId('tel'),
        info.traceId,
        info.stage,
        new Date(info.startedAt).toISOString(),
        info.durationMs,
        info.status,
        info.model ?? null,
        info.tokensIn ?? null,
        info.tokensOut ?? null,
        info.sourceId ?? null,
        info.sessionId ?? null,
        JSON.stringify(info.details ?? {}),
      );
  }

  /** Times `work` as one stage; the stage is recorded as an error if it throws. */
  async span<T>(info: SpanInfo, work: (span: SpanInfo) => Promise<T>): Promise<T> {
    const startedAt = this.#now();
    const t0 = performance.now();
    const mutable: SpanInfo = { ...info };
    try {
      const value = await work(mutable);
      this.record({ ...mutable, startedAt, durationMs: performance.now() - t0, status: 'ok' });
      return value;
    } catch (error) {
      this.record({ ...mutable, startedAt, durationMs: performance.now() - t0, status: 'error' });
      throw error;
    }
  }

  stages(since?: string): Array<z.infer<typeof StageStats>> {
    const rows = this.#db
      .prepare(`SELECT stage, duration_ms AS d, status, tokens_in AS ti, tokens_out AS tout FROM telemetry_runs ${since ? 'WHERE started_at >= ?' : ''} ORDER BY stage, duration_ms`)
      .all(...(since ? [new Date(since).toISOString()] : [])) as Array<{ stage: string; d: number | null; status: string; ti: number | null; tout: number | null }>;
    const byStage = new Map<string, typeof rows>();
    for (const r of rows) byStage.set(r.stage, [...(byStage.get(r.stage) ?? []), r]);
    return [...byStage.entries()]
      .sort(([a], [b]) => stageRank(a) - stageRank(b) || a.localeCompare(b))
      .map(([stage, list]) => {
        const durations = list.map((r) => r.d).filter((d): d is number => d !== null);
        const p95Ms = percentile(durations, 95);
        const { label, slaMs } = targetOf(stage);
        return {
          stage,
          count: list.length,
          errors: list.filter((r) => r.status !== 'ok').length,
          p50Ms: percentile(durations, 50),
          p95Ms,
          tokensIn: list.reduce((n, r) => n + (r.ti ?? 0), 0),
          tokensOut: list.reduce((n, r) => n + (r.tout ?? 0), 0),
          label,
          slaMs,
          overSla: isOver(stage, p95Ms),
        };
      });
  }

  slas(): Array<z.infer<typeof StageSla>> {
    return STAGES.map((stage) => ({ stage, ...STAGE_TARGETS[stage] }));
  }

  /**
   * One question by its trace id or by the id of a run of its query: its
   * stages in the order they started, the runs (rows, errors), and totals.
   * NOT_FOUND when nothing was recorded under it.
   */
  lookup(id: { traceId: string } | { runId: string } | { id: string }): z.infer<typeof Trace> {
    const traceId = this.#resolve(id);
    const spans = z
      .array(SpanRow)
      .parse(this.#db.prepare('SELECT stage, started_at, duration_ms, status, source_id FROM telemetry_runs WHERE trace_id = ? ORDER BY started_at, duration_ms DESC, rowid').all(traceId));
    if (spans.length === 0) throw new NotFoundError('Trace', traceId);
    const timed = spans.map((s) => ({ stage: s.stage, start: Date.parse(s.started_at), end: Date.parse(s.started_at) + (s.duration_ms ?? 0) }));
    const within = nesting(timed);
    const stages: TraceStageT[] = spans.map((s, i) => {
      const { label, slaMs } = targetOf(s.stage);
      return { stage: s.stage, startedAt: s.started_at, durationMs: s.duration_ms, status: s.status === 'ok' ? 'ok' : 'error', label, slaMs, overSla: isOver(s.stage, s.duration_ms), within: within[i]! };
    });
    const totalMs = Math.max(...timed.map((t) => t.end)) - Math.min(...timed.map((t) => t.start));
    const stagesMs = stages.reduce((sum, s) => sum + (s.within === null ? (s.durationMs ?? 0) : 0), 0);
    return {
      traceId,
      stages,
      runs: this.#runs(traceId),
      totalMs: Math.max(0, totalMs),
      stagesMs: Math.round(stagesMs * 10) / 10,
      slow: stages.some((s) => s.overSla),
    };
  }

  /** The stages recorded under one trace id, in the order they started; NOT_FOUND when there are none. */
  trace(traceId: string): TraceStageT[] {
    return this.lookup({ traceId }).stages;
  }

  /** The most recent questions with a stage over its target, newest first. */
  slowRuns(limit = 20): Array<z.infer<typeof SlowRun>> {
    const over = STAGES.filter((s) => STAGE_TARGETS[s].slaMs !== null);
    const clauses = over.map(() => '(stage = ? AND duration_ms > ?)').join(' OR ');
    const params = over.flatMap((s) => [s, STAGE_TARGETS[s].slaMs]);
    const traces = this.#db
      .prepare(`SELECT trace_id AS t, MIN(started_at) AS at FROM telemetry_runs WHERE ${clauses} GROUP BY trace_id ORDER BY at DESC LIMIT ?`)
      .all(...params, limit) as Array<{ t: string; at: string }>;
    return traces.map(({ t }) => {
      const spans = z.array(SpanRow).parse(this.#db.prepare('SELECT stage, started_at, duration_ms, status, source_id FROM telemetry_runs WHERE trace_id = ? ORDER BY started_at, duration_ms DESC, rowid').all(t));
      const run = this.#runs(t).at(-1) ?? null;
      return {
        traceId: t,
        startedAt: spans[0]!.started_at,
        runId: run?.runId ?? null,
        sourceId: run?.sourceId ?? spans.find((s) => s.source_id)?.source_id ?? null,
        over: spans
          .filter((s) => isOver(s.stage, s.duration_ms))
          .map((s) => ({ stage: s.stage, label: targetOf(s.stage).label, durationMs: s.duration_ms!, slaMs: targetOf(s.stage).slaMs! })),
      };
    });
  }

  #resolve(id: { traceId: string } | { runId: string } | { id: string }): string {
    if ('traceId' in id) return id.traceId;
    const any = 'id' in id ? id.id : null;
    if (any && this.#db.prepare('SELECT 1 FROM telemetry_runs WHERE trace_id = ? LIMIT 1').get(any) !== undefined) return any;
    const runId = any ?? (id as { runId: string }).runId;
    const row = this.#db.prepare('SELECT trace_id FROM query_runs WHERE id = ?').get(runId) as { trace_id: string | null } | undefined;
    if (!row?.trace_id) throw new NotFoundError(any ? 'Trace or run' : 'Run', runId);
    return row.trace_id;
  }

  #runs(traceId: string): Array<z.infer<typeof TraceRun>> {
    const rows = z
      .array(RunRow)
      .parse(
        this.#db
          .prepare('SELECT id, status, started_at, latency_ms, row_count, truncated, error_code, error_message, source_id, result_id, trace_id FROM query_runs WHERE trace_id = ? ORDER BY started_at, rowid')
          .all(traceId),
      );
    return rows.map((r) => ({
      runId: r.id,
      status: r.status,
      startedAt: r.started_at,
      latencyMs: Math.max(0, r.latency_ms),
      rowCount: r.row_count,
      truncated: r.truncated === null ? null : r.truncated === 1,
      errorCode: r.error_code,
      errorMessage: r.error_message,
      sourceId: r.source_id,
      resultId: r.result_id,
    }));
  }
}
