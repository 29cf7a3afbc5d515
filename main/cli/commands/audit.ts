import { Option, type Command } from 'commander';
import { AuditAction, type AuditEvent } from '../../../engine/contract/index';
import { formatTable, intOption, type CliContext } from '../context';

/** `polystore audit [--source ID] [--session S] [--action A] [--since ISO] [--until ISO]`. */
export function registerAuditCommands(program: Command, ctx: CliContext): void {
  program
    .command('audit')
    .description('Show the audit log, newest first (--json prints an array of events)')
    .option('--source <id>', 'only events about this source')
    .option('--session <id>', 'only events of this chat session')
    .addOption(new Option('--action <action>', 'only this action').choices(AuditAction.options))
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
}
