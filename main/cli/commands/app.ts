import path from 'node:path';
import type { Command } from 'commander';
import { CliError, formatTable, intOption, type CliContext } from '../context';

/** `polystore info`, `polystore health`, `polystore selftest`, `polystore backups`, `polystore restore-backup`. */
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

  // Both work without opening the engine: restoring is for a profile this version refuses to open.
  program
    .command('backups')
    .description('List the copies of the profile taken before each upgrade changed it (newest first)')
    .action(async (_opts, command: Command) => {
      const [{ listBackups }, { DATABASE_FILE }] = await Promise.all([import('../../../engine/store/backups'), import('../../../engine/engine')]);
      const backups = listBackups(path.join(ctx.dataDir(command), DATABASE_FILE));
      ctx.print(command, backups, (list) =>
        list.length === 0 ? 'No backups yet: one is taken before an upgrade first changes this profile.' : formatTable(['taken', 'schema', 'before version', 'file'], list.map((b) => [b.takenAt, b.schema, b.appVersion, b.file])),
      );
    });

  program
    .command('restore-backup')
    .description('After going back to an older PolyStoreIQ: restore the newest backup it understands (the newer database is kept aside)')
    .option('--yes', 'do not ask for confirmation')
    .action(async (opts: { yes?: boolean }, command: Command) => {
      const [{ restoreForThisVersion }, { restorableBackup }, { DATABASE_FILE }, { migrations }] = await Promise.all([
        import('../../../engine/store/db'),
        import('../../../engine/store/backups'),
        import('../../../engine/engine'),
        import('../../../engine/store/migrations/index'),
      ]);
      const file = path.join(ctx.dataDir(command), DATABASE_FILE);
      if (!opts.yes) {
        const candidate = restorableBackup(file, migrations.at(-1)?.id ?? 0);
        const question = candidate
          ? `Restore the backup from ${candidate.takenAt} (taken before version ${candidate.appVersion} upgraded the profile)? Changes made since then stay in the newer database, kept aside. [y/N] `
          : 'Restore a backup? [y/N] ';
        if (!ctx.io.stdinIsTTY) throw new CliError({ code: 'VALIDATION', message: 'Confirm with --yes (stdin is not a terminal).' });
        if (!ctx.io.prompt || !/^y(es)?$/i.test((await ctx.io.prompt(question)).trim())) throw new CliError({ code: 'CANCELLED', message: 'Nothing was restored.' });
      }
      const restored = restoreForThisVersion(file);
      ctx.print(command, restored, (r) => `Restored the backup from ${r.backup.takenAt}. The newer database is kept at ${r.keptAside}.`);
    });
}
