import type { Command } from 'commander';
import type { AppInfo } from '../../../engine/contract/app.contract';
// From its own module, not the contract's index: loading every channel's schemas would slow down `--help`.
import type { SlowRun, StageStats, Trace } from '../../../engine/contract/telemetry.contract';
import { formatTable, type CliContext } from '../context';
import type { z } from 'zod';

type Stats = z.infer<typeof StageStats>;

/** What `polystore diagnostics --json` prints: the versions to quote in a report, the latency of every stage against its target, and the recent slow questions. */
export interface Diagnostics {
  name: string;
  version: string;
  versions: Record<string, string>;
  stages: Stats[];
  slowRuns: Array<z.infer<typeof SlowRun>>;
}

const ms = (value: number | null): string => (value === null ? '' : `${Math.round(value)} ms`);
const target = (slaMs: number | null): string => (slaMs === null ? '' : `<= ${ms(slaMs)}`);

function describeTrace(trace: z.infer<typeof Trace>): string {
  const stages = formatTable(
    ['stage', 'started', 'duration', 'status', 'target', ''],
    trace.stages.map((s) => [s.stage, s.startedAt, ms(s.durationMs), s.status, target(s.slaMs), [s.overSla ? 'OVER' : '', s.within ? `within ${s.within}` : ''].filter(Boolean).join(' ')]),
  );
  const runs = trace.runs.length === 0
    ? 'no run (not approved, or not yet)'
    : formatTable(['run', 'status', 'rows', 'latency', 'error'], trace.runs.map((r) => [r.runId, r.status, r.rowCount === null ? '' : `${r.rowCount}${r.truncated ? ' (truncated)' : ''}`, ms(r.latencyMs), r.errorCode ? `${r.errorCode}: ${r.errorMessage ?? ''}` : '']));
  return [`trace ${trace.traceId}${trace.slow ? ' (slow)' : ''}`, stages, `total ${ms(trace.totalMs)} (stages ${ms(trace.stagesMs)})`, runs].join('\n');
}

function describeDiagnostics(d: Diagnostics): string {
  const versions = Object.entries(d.versions).map(([k, v]) => `${k} ${v}`);
  const stages = d.stages.length === 0
    ? 'No stages recorded yet: ask and run a question first.'
    : formatTable(['stage', 'runs', 'errors', 'p50', 'p95', 'target', ''], d.stages.map((s) => [s.stage, s.count, s.errors, ms(s.p50Ms), ms(s.p95Ms), target(s.slaMs), s.overSla ? 'OVER' : '']));
  const slow = d.slowRuns.length === 0
    ? 'No slow questions.'
    : formatTable(['slow trace', 'started', 'run', 'over'], d.slowRuns.map((r) => [r.traceId, r.startedAt, r.runId ?? '', r.over.map((o) => `${o.stage} ${ms(o.durationMs)} > ${ms(o.slaMs)}`).join(', ')]));
  return [`${d.name} ${d.version} (${versions.join(', ')})`, stages, slow].join('\n');
}

/** `polystore trace RUN_OR_TRACE_ID` and `polystore diagnostics`. */
export function registerTelemetryCommands(program: Command, ctx: CliContext): void {
  program
    .command('trace')
    .argument('<id>', 'the trace id of a question (`traceId` in `polystore ask --json`) or the id of a run of its query (`runId`)')
    .description('Show the stages of one question (generation, validation, approval, execution...) with their durations, targets and outcomes, and the rows or error of its run')
    .action(async (id: string, _opts, command: Command) => {
      const trace = await ctx.call(command, 'telemetry.trace', { id });
      ctx.print(command, trace, describeTrace);
    });

  program
    .command('diagnostics')
    .option('--since <iso>', 'only stages from this time (ISO-8601)')
    .description('Show p50/p95 latency per stage against its target, recorded locally, the recent slow questions, and the app and runtime versions')
    .action(async (opts: { since?: string }, command: Command) => {
      const info: AppInfo = await ctx.call(command, 'app.info');
      const stages = await ctx.call(command, 'telemetry.stages', opts.since ? { since: opts.since } : undefined);
      const slowRuns = await ctx.call(command, 'telemetry.slowRuns', { limit: 10 });
      const diagnostics: Diagnostics = { name: info.name, version: info.version, versions: info.versions, stages, slowRuns };
      ctx.print(command, diagnostics, describeDiagnostics);
    });
}
