import type { ChannelOutput } from '../../../engine/contract/index';
import { formatCount, formatDuration } from './chat-format';

export type StageStats = ChannelOutput<'telemetry.stages'>[number];
export type Trace = ChannelOutput<'telemetry.trace'>;
export type SlowRun = ChannelOutput<'telemetry.slowRuns'>[number];

export interface StageRow {
  stage: string;
  label: string;
  count: string;
  errors: string;
  p50: string;
  p95: string;
  /** "≤ 2.0 s", or "—" where the engine sets no target. */
  sla: string;
  overSla: boolean;
  tokens: string;
  hasErrors: boolean;
}

const target = (slaMs: number | null): string => (slaMs === null ? '—' : `≤ ${formatDuration(slaMs)}`);

/** Rows for the Diagnostics table, in the engine's order (the order a question travels), labels and targets as the engine names them. */
export function stageRows(stats: readonly StageStats[]): StageRow[] {
  return stats.map((s) => ({
    stage: s.stage,
    label: s.label,
    count: formatCount(s.count),
    errors: formatCount(s.errors),
    p50: formatDuration(s.p50Ms),
    p95: formatDuration(s.p95Ms),
    sla: target(s.slaMs),
    overSla: s.overSla,
    tokens: s.tokensIn + s.tokensOut === 0 ? '—' : `${formatCount(s.tokensIn)} in · ${formatCount(s.tokensOut)} out`,
    hasErrors: s.errors > 0,
  }));
}

export interface TraceStageRow {
  key: string;
  stage: string;
  label: string;
  duration: string;
  sla: string;
  overSla: boolean;
  ok: boolean;
  /** "within Writing the query" for a stage that ran inside another one. */
  within: string | null;
}

export function traceStageRows(trace: Trace): TraceStageRow[] {
  const labelOf = (stage: string) => trace.stages.find((s) => s.stage === stage)?.label ?? stage;
  return trace.stages.map((s, i) => ({
    key: `${i}-${s.stage}`,
    stage: s.stage,
    label: s.label,
    duration: formatDuration(s.durationMs),
    sla: target(s.slaMs),
    overSla: s.overSla,
    ok: s.status === 'ok',
    within: s.within ? `within ${labelOf(s.within)}` : null,
  }));
}

/** "Running the query 2.4 s (target 2.0 s)", one per stage over its target. */
export function slowSummary(run: SlowRun): string {
  return run.over.map((o) => `${o.label} ${formatDuration(o.durationMs)} (target ${formatDuration(o.slaMs)})`).join(' · ');
}

/** What the lookup box sends: the engine tells a trace id from a run id. */
export function lookupInput(text: string): { id: string } | null {
  const id = text.trim();
  return /^[A-Za-z0-9_-]{1,64}$/.test(id) ? { id } : null;
}
