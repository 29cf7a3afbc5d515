import type { z } from 'zod';
import type { StageStats, TraceStage } from '../contract/index';
import { NotFoundError } from '../errors';
import { newId } from '../ids';
import type { Database } from '../store/migration';

export type Stage = 'generation' | 'validation' | 'approval' | 'execution' | 'rendering' | 'rendering.chart';

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

/**
 * Per-stage latency under one trace id per question, stored in SQLite and
 * never sent anywhere. p50/p95 come from a query over what was recorded.
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
    const order: string[] = ['generation', 'validation', 'approval', 'execution', 'rendering'];
    return [...byStage.entries()]
      .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
      .map(([stage, list]) => {
        const durations = list.map((r) => r.d).filter((d): d is number => d !== null);
        return {
          stage,
          count: list.length,
          errors: list.filter((r) => r.status !== 'ok').length,
          p50Ms: percentile(durations, 50),
          p95Ms: percentile(durations, 95),
          tokensIn: list.reduce((n, r) => n + (r.ti ?? 0), 0),
          tokensOut: list.reduce((n, r) => n + (r.tout ?? 0), 0),
        };
      });
  }

  /** The stages recorded under one trace id, in the order they started; NOT_FOUND when there are none. */
  trace(traceId: string): Array<z.infer<typeof TraceStage>> {
    const rows = this.#db
      .prepare('SELECT stage, started_at, duration_ms, status FROM telemetry_runs WHERE trace_id = ? ORDER BY started_at, rowid')
      .all(traceId) as Array<{ stage: string; started_at: string; duration_ms: number | null; status: string }>;
    if (rows.length === 0) throw new NotFoundError('Trace', traceId);
    return rows.map((r) => ({ stage: r.stage, startedAt: r.started_at, durationMs: r.duration_ms, status: r.status === 'ok' ? 'ok' : 'error' }));
  }
}
