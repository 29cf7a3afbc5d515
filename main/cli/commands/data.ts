import { Option, type Command } from 'commander';
import type { PreparedQuery } from '../../../engine/contract/index';
import { CliError, intOption, type CliContext } from '../context';
import { describeMetadata, formatRun } from '../format';

export function describePreview(p: PreparedQuery): string {
  const lines = [`Query (${p.dialect}):`, ...p.query.split('\n').map((l) => `  ${l}`), ''];
  lines.push(p.verdict.allowed ? 'Guardrail: allowed (read-only)' : 'Guardrail: REFUSED');
  for (const r of p.verdict.reasons) lines.push(`  - ${r.code}: ${r.message}`);
  if (p.explain) lines.push(`Estimate: ${p.explain.estimatedRows ?? '?'} rows, cost ${p.explain.estimatedCost ?? '?'} (${p.explain.summary.split('\n')[0]})`);
  else if (p.explainError && p.verdict.allowed && !p.approval) lines.push(`Database: REJECTED (${p.explainError})`);
  else if (p.explainError) lines.push(`Estimate unavailable: ${p.explainError}`);
  return lines.join('\n');
}

interface RunOptions {
  query: string;
  yes?: boolean;
  format?: 'csv' | 'table';
  timeoutMs?: number;
  maxRows?: number;
}

/** `polystore sources test`, `metadata`, `check` and `query`. */
export function registerDataCommands(program: Command, ctx: CliContext): void {
  const sources = program.commands.find((c) => c.name() === 'sources');
  if (!sources) throw new Error('register the sources commands first');

  sources
    .command('test')
    .argument('<id>', 'source id')
    .description('Test the connection: {ok, latencyMs, serverVersion, canWrite, error?} (exit 0 whenever the test ran)')
    .action(async (id: string, _opts, command: Command) => {
      const result = await ctx.call(command, 'sources.test', { id });
      ctx.print(command, result, (r) =>
        r.ok
          ? [
              `ok: connected in ${Math.round(r.latencyMs)} ms${r.serverVersion ? ` to ${r.serverVersion}` : ''}`,
              r.canWrite ? `warning: this login can write (${r.writeDetails.join('; ')}). A read-only login is recommended.` : r.canWrite === false ? 'read-only login' : '',
            ]
              .filter(Boolean)
              .join('\n')
          : `failed (${r.error?.kind}): ${r.error?.message}`,
      );
    });

  program
    .command('metadata')
    .argument('<id>', 'source id')
    .description('Print the metadata document (schemas, tables, fields); cached unless --refresh')
    .option('--refresh', 'fetch from the source even if the cache is fresh')
    .action(async (id: string, opts: { refresh?: boolean }, command: Command) => {
      const doc = await ctx.call(command, 'metadata.get', { sourceId: id, ...(opts.refresh ? { refresh: true } : {}) });
      ctx.print(command, doc, describeMetadata);
    });

  program
    .command('check')
    .argument('<id>', 'source id')
    .requiredOption('--query <query>', 'SQL, or the MongoDB JSON document')
    .description('Run the read-only guardrail: {allowed, reasons: [{code, message}]} (exit 0 either way)')
    .action(async (id: string, opts: { query: string }, command: Command) => {
      const verdict = await ctx.call(command, 'query.check', { sourceId: id, query: opts.query });
      const out = { allowed: verdict.allowed, reasons: verdict.reasons.map((r) => ({ code: r.code, message: r.message })), statementKind: verdict.statementKind };
      ctx.print(command, out, (v) => (v.allowed ? 'allowed' : ['refused', ...v.reasons.map((r) => `  ${r.code}: ${r.message}`)].join('\n')));
    });

  program
    .command('query')
    .argument('<id>', 'source id')
    .requiredOption('--query <query>', 'SQL, or the MongoDB JSON document')
    .option('--yes', 'approve without asking (the same one-time approval the app uses is issued and consumed)')
    .addOption(new Option('--format <format>', 'output format without --json').choices(['table', 'csv']).default('table'))
    .option('--timeout-ms <ms>', "override the source's statement timeout", intOption)
    .option('--max-rows <n>', "override the source's row limit", intOption)
    .description('Validate, preview, approve and run a read-only query')
    .action(async (id: string, opts: RunOptions, command: Command) => {
      // The limits are bound into the approval, so they are chosen here, not at run time.
      const prepared = await ctx.call(command, 'query.prepare', {
        sourceId: id,
        query: opts.query,
        ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
        ...(opts.maxRows !== undefined ? { maxRows: opts.maxRows } : {}),
      });
      if (!prepared.approval) {
        ctx.io.stderr(describePreview(prepared) + '\n');
        throw new CliError(
          prepared.verdict.allowed
            ? { code: 'CONNECTOR', message: `The database rejected this query, so it was not approved: ${prepared.explainError ?? 'it could not plan it.'}` }
            : { code: 'FORBIDDEN', message: `The guardrail refused this query: ${prepared.verdict.reasons.map((r) => `${r.code} (${r.message})`).join('; ')}` },
        );
      }
      if (!opts.yes) {
        if (!ctx.io.stdinIsTTY || !ctx.io.prompt) {
          await ctx.call(command, 'query.deny', { token: prepared.approval.token });
          throw new CliError({ code: 'FORBIDDEN', message: 'Not approved: stdin is not a terminal. Review the query and pass --yes to approve it.' });
        }
        ctx.io.stderr(describePreview(prepared) + '\n');
        const answer = (await ctx.io.prompt('Run this query? [y/N] ')).trim().toLowerCase();
        if (answer !== 'y' && answer !== 'yes') {
          await ctx.call(command, 'query.deny', { token: prepared.approval.token });
          throw new CliError({ code: 'FORBIDDEN', message: 'Not approved: the query was denied and did not run.' });
        }
      }
      const run = await ctx.call(command, 'query.run', { token: prepared.approval.token });
      ctx.io.stdout(formatRun(run, ctx.globals(command).json ? 'json' : opts.format ?? 'table'));
    });
}
