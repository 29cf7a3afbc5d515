import type { Command } from 'commander';
import type { AppInfo } from '../../../engine/contract/app.contract';
// From its own module, not the contract's index: loading every channel's schemas would slow down `--help`.
import type { StageStats, TraceStage } from '../../../engine/contract/telemetry.contract';
import { formatTable, type CliContext } from '../context';
import type { z } from 'zod';

type Stats = z.infer<typeof StageStats>;
type Stage = z.infer<typeof TraceStage>;

/** What `polystore diagnostics --json` prints: the versions to quote in a report, and the latency of every stage. */
export interface Diagnostics {
  name: string;
  version: string;
  versions: Record<string, string>;
  stages: Stats[];
}

const ms = (value: number | null): string => (value === null ? '' : `${Math.round(value)} ms`);

function describeTrace(trace: { traceId: string; stages: Stage[] }): string {
  const total = trace.stages.reduce((sum, s) => sum + (s.durationMs ?? 0), 0);
  return [
    `trace ${trace.traceId}`,
    formatTable(['stage', 'started', 'duration', 'status'], trace.stages.map((s) => [s.stage, s.startedAt, ms(s.durationMs), s.status])),
    `total ${ms(total)}`,
  ].join('\n');
}

function describeDiagnostics(d: Diagnostics): string {
  const versions = Object.entries(d.versions).map(([k, v]) => `${k} ${v}`);
  const stages = d.stages.length === 0
    ? 'No stages recorded yet: ask and run a question first.'
    : formatTable(['stage', 'runs', 'errors', 'p50', 'p95'], d.stages.map((s) => [s.stage, s.count, s.errors, ms(s.p50Ms), ms(s.p95Ms)]));
  return [`${d.name} ${d.version} (${versions.join(', ')})`, stages].join('\n');
}

/** `polystore trace TRACE_ID` and `polystore diagnostics`. */
export function registerTelemetryCommands(program: Command, ctx: CliContext): void {
  program
    .command('trace')
    .argument('<trace-id>', 'the trace id of a question (`traceId` in `polystore ask --json`)')
    .description('Show the stages of one question (generation, validation, approval, execution...) with their durations and outcomes')
    .action(async (traceId: string, _opts, command: Command) => {
      const trace = await ctx.call(command, 'telemetry.trace', { traceId });
      ctx.print(command, trace, describeTrace);
    });

  program
    .command('diagnostics')
    .option('--since <iso>', 'only stages from this time (ISO-8601)')
    .description('Show p50/p95 latency per stage, recorded locally, with the app and runtime versions')
    .action(async (opts: { since?: string }, command: Command) => {
      const info: AppInfo = await ctx.call(command, 'app.info');
      const stages = await ctx.call(command, 'telemetry.stages', opts.since ? { since: opts.since } : undefined);
      const diagnostics: Diagnostics = { name: info.name, version: info.version, versions: info.versions, stages };
      ctx.print(command, diagnostics, describeDiagnostics);
    });
}
