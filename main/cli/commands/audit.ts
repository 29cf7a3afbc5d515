import { Option, type Command } from 'commander';
import type { AuditEvent } from '../../../engine/contract/audit.contract';
import { CliError, formatTable, intOption, type CliContext } from '../context';

/** `polystore audit [--source ID] [--session S] [--action A] [--since ISO] [--until ISO]`, and `polystore audit verify`. */
export function registerAuditCommands(program: Command, ctx: CliContext): void {
  const action = new Option('--action <action>', 'only this action');
  // The actions (a zod enum) load only when `audit` runs or shows its help: every other command would load zod for them.
  program.hook('preSubcommand', async (_program, sub) => {
    // From its own module, not the contract's index: loading every channel's schemas would slow down `--help`.
    if (sub.name() === 'audit') action.choices((await import('../../../engine/contract/audit.contract')).AuditAction.options);
  });
  const audit = program
    .command('audit')
    .description('Show the audit log, newest first (--json prints an array of events)')
    .option('--source <id>', 'only events about this source')
    .option('--session <id>', 'only events of this chat session')
    .addOption(action)
    .option('--since <iso>', 'from this time (ISO-8601)')
    .option('--until <iso>', 'up to this time (ISO-8601)')
    .option('--limit <n>', 'at most this many events (default 200)', intOption)
    .action(async (opts: { source?: string; session?: string; action?: AuditEvent['action']; since?: string; until?: string; limit?: number }, command: Command) => {
      const { events } = await ctx.call(command, 'audit.list', {
        ...(opts.source ? { sourceId: opts.source } : {}),
        ...(opts.session ? { sessionId: opts.session } : {}),
        ...(opts.action ? { action: opts.action } : {}),
        ...(opts.since ? { since: opts.since } : {}),
        ...(opts.until ? { until: opts.until } : {}),
        ...(opts.limit ? { limit: opts.limit } : {}),
      });
      ctx.print(command, events, (list) =>
        list.length === 0
          ? 'No matching events.'
          : formatTable(['time', 'actor', 'action', 'source', 'session', 'details'], list.map((e) => [e.at, e.actor, e.action, e.sourceId, e.sessionId, JSON.stringify(e.details)])),
      );
    });

  audit
    .command('verify')
    .description('Check that the audit log was not altered (chained MACs keyed from the OS keychain); exits non-zero if it was')
    .action(async (_opts, command: Command) => {
      const result = await ctx.call(command, 'audit.verify');
      // --json prints the whole verification either way; the exit status says whether the log is intact.
      ctx.print(command, result, (r) => (r.status === 'ok' ? `OK: ${r.events} event${r.events === 1 ? '' : 's'} verified (${Math.round(r.elapsedMs)} ms).` : ''));
      if (result.status !== 'ok') throw new CliError({ code: result.status === 'altered' ? 'CONFLICT' : 'UNAVAILABLE', message: result.message });
    });
}
