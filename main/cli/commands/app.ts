import type { Command } from 'commander';
import { formatTable, intOption, type CliContext } from '../context';

/** `polystore info`, `polystore health`, `polystore selftest`. */
export function registerAppCommands(program: Command, ctx: CliContext): void {
  program
    .command('info')
    .description('Show the version, host, platform and data folder')
    .action(async (_opts, command: Command) => {
      const info = await ctx.call(command, 'app.info');
      ctx.print(command, info, (i) =>
        formatTable(['key', 'value'], [
          ['name', i.name],
          ['version', i.version],
          ['platform', `${i.platform}/${i.arch}`],
          ['data folder', i.dataDir],
          ...Object.entries(i.versions).map(([k, v]) => [k, v]),
        ]),
      );
    });

  program
    .command('selftest')
    .description('Run a job in the worker pool and report its runtime and native modules')
    .option('--cpu-probe-ms <ms>', 'also measure worker CPU throughput for this long', intOption)
    .action(async (opts: { cpuProbeMs?: number }, command: Command) => {
      const report = await ctx.call(command, 'app.selfTest', opts.cpuProbeMs !== undefined ? { cpuProbeMs: opts.cpuProbeMs } : undefined);
      ctx.print(command, report, (r) =>
        [
          `worker thread #${r.workerThreadId} (${r.offMainThread ? 'off the main thread' : 'ON THE MAIN THREAD'})`,
          `node ${r.runtime.node}, ABI ${r.runtime.modules}, ${r.runtime.platform}/${r.runtime.arch}`,
          ...r.native.map((n) => `${n.ok ? 'ok  ' : 'FAIL'} ${n.name} ${n.ok ? n.version : n.error}`),
          ...(r.cpuProbe ? [`cpu ${r.cpuProbe.hashesPerSecond} sha256/s`] : []),
        ].join('\n'),
      );
    });
}
