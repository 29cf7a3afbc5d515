import { Option, type Command } from 'commander';
import type { AskResult, ChartRecommendation, ChatMessage, QueryResult, QueryStatus } from '../../../engine/contract/index';
import { CliError, formatTable, intOption, type CliContext } from '../context';
import { formatRun } from '../format';

function describeAsk(r: AskResult): string {
  if (r.declined) return [`Cannot answer: ${r.declined.reason}`, ...r.declined.suggestions.map((s) => `  try: ${s}`)].join('\n');
  const lines = [`${r.dialect} query (${r.provider}${r.confidence !== null ? `, confidence ${Math.round(r.confidence * 100)}%` : ''}):`, ...(r.query ?? '').split('\n').map((l) => `  ${l}`)];
  if (r.explanation) lines.push('', r.explanation);
  if (r.verified) lines.push(`Verified: you checked this query for "${r.verified.question}" (${r.verified.match === 'exact' ? 'the same question' : 'nearly the same question'}).`);
  if (r.verdict && !r.verdict.allowed) lines.push('', 'REFUSED by the guardrail:', ...r.verdict.reasons.map((x) => `  ${x.code}: ${x.message}`));
  else if (r.explainError && !r.approval) lines.push('', 'REJECTED by the database (it cannot run, so it has no approval):', `  ${r.explainError}`);
  else if (r.explainError) lines.push(`No estimate: ${r.explainError}`);
  if (r.explain) lines.push(`Estimate: ~${r.explain.estimatedRows ?? '?'} rows, cost ${r.explain.estimatedCost ?? '?'}`);
  if (r.approval) lines.push('', `Approve and run it:  polystore run ${r.approval.token}`, `Deny it:             polystore deny ${r.approval.token}`, `(the approval expires at ${r.approval.expiresAt})`);
  lines.push(`session ${r.sessionId}`);
  return lines.join('\n');
}

/** A message as one line; a query shows its status as the engine decided it (pending, done, outcome unknown ...). */
function describeMessage(m: ChatMessage, status: QueryStatus | undefined): string {
  const p = m.payload;
  switch (p.kind) {
    case 'question':
      return `you: ${p.text}`;
    case 'query':
      return `${p.author.provider}: ${p.query.replace(/\s+/g, ' ')}${status ? ` [${status === 'unknown' ? 'started, outcome unknown' : status}]` : ''}`;
    case 'decision':
      return `  ${p.decision}`;
    case 'result':
      return `  result: ${p.rowCount} rows${p.truncated ? ' (truncated)' : ''} in ${Math.round(p.latencyMs)} ms`;
    case 'declined':
      return `${p.author.provider}: cannot answer: ${p.reason}`;
    case 'error':
      return `  error (${p.stage}): ${p.message}`;
    case 'renamed':
      return `  renamed to "${p.title}"`;
  }
}

/** `polystore ask`, `run`, `deny`, `sessions`, `providers`. */
export function registerChatCommands(program: Command, ctx: CliContext): void {
  program
    .command('ask')
    .argument('<id>', 'source id')
    .argument('<question>', 'the question, in plain language')
    .option('--session <id>', 'continue this session (follow-up questions use its context)')
    .description('Turn a question into a query and show it with its guardrail verdict; nothing runs until you approve it (`polystore run TOKEN`)')
    .action(async (id: string, question: string, opts: { session?: string }, command: Command) => {
      const result = await ctx.call(command, 'chat.ask', { sourceId: id, question, ...(opts.session ? { sessionId: opts.session } : {}) });
      ctx.print(command, result, describeAsk);
    });

  program
    .command('run')
    .argument('<token>', 'the approval token printed by `ask`')
    .addOption(new Option('--format <format>', 'output format without --json').choices(['table', 'csv']).default('table'))
    .option('--timeout-ms <ms>', 'a lower timeout than the approval allows', intOption)
    .option('--max-rows <n>', 'a lower row limit than the approval allows', intOption)
    .description('Approve and run exactly the query the token was issued for (once)')
    .action(async (token: string, opts: { format: 'table' | 'csv'; timeoutMs?: number; maxRows?: number }, command: Command) => {
      // The engine records a conversation's run in its thread (and refuses a query the conversation replaced or moved past).
      const ran = await ctx.call(command, 'query.run', {
        token,
        ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
        ...(opts.maxRows !== undefined ? { maxRows: opts.maxRows } : {}),
      });
      // The stored result's chart follows the plan of the query it answers, when it came from a conversation.
      const { chart } = await ctx.call(command, 'chat.result', { resultId: ran.resultId });
      const run: { runId: string; resultId: string; result: QueryResult; chart?: ChartRecommendation | undefined } = { ...ran, chart: chart ?? ran.chart };
      ctx.io.stdout(formatRun(run, ctx.globals(command).json ? 'json' : opts.format));
    });

  program
    .command('deny')
    .argument('<token>', 'the approval token printed by `ask`')
    .description('Deny a previewed query: it will never run')
    .action(async (token: string, _opts, command: Command) => {
      // A conversation's query records the denial in its thread, whoever denies it.
      await ctx.call(command, 'query.deny', { token });
      ctx.print(command, { denied: true }, () => 'Denied. The query did not run and cannot run with this approval.');
    });

  const sessions = program.command('sessions').description('Conversations');
  sessions
    .command('list')
    .option('--all', 'include archived sessions')
    .option('--source <id>', 'only sessions about this source')
    .action(async (opts: { all?: boolean; source?: string }, command: Command) => {
      const list = await ctx.call(command, 'chat.listSessions', { ...(opts.all ? { includeArchived: true } : {}), ...(opts.source ? { sourceId: opts.source } : {}) });
      ctx.print(command, list, (l) =>
        l.length === 0 ? 'No sessions yet. Ask something with `polystore ask SOURCE "question"`.' : formatTable(['id', 'title', 'source', 'messages', 'updated'], l.map((s) => [s.id, s.title, s.sourceId, s.messageCount, s.updatedAt])),
      );
    });
  sessions
    .command('show')
    .argument('<id>', 'session id')
    .action(async (id: string, _opts, command: Command) => {
      const session = await ctx.call(command, 'chat.getSession', { sessionId: id });
      ctx.print(command, session, (s) => {
        const status = new Map(s.queries.map((q) => [q.messageId, q.status]));
        return [`${s.session.title} (${s.session.id})`, ...s.messages.map((m) => describeMessage(m, status.get(m.id)))].join('\n');
      });
    });

  const providers = program.command('providers').description('The model that writes queries (the built-in offline planner when none is set)');
  providers
    .command('list')
    .description('Show the configured provider and the available presets')
    .action(async (_opts, command: Command) => {
      const [info, presets] = await Promise.all([ctx.call(command, 'providers.get'), ctx.call(command, 'providers.presets')]);
      ctx.print(command, { ...info, presets }, (i) =>
        [
          i.mode === 'offline' ? 'Using the built-in offline planner (no model configured).' : `Using ${i.primary?.label} ${i.primary?.model} at ${i.primary?.baseUrl}${i.primary?.hasApiKey ? ' (API key in keychain)' : ''}`,
          ...(i.fallback ? [`Fallback: ${i.fallback.label} ${i.fallback.model} at ${i.fallback.baseUrl}`] : []),
          '',
          formatTable(['preset', 'label', 'base URL', 'hosted'], presets.map((p) => [p.id, p.label, p.baseUrl ?? '(give --base-url)', p.hosted ? 'yes' : 'local'])),
        ].join('\n'),
      );
    });
  providers
    .command('set')
    .argument('<preset>', 'openai | anthropic | ollama | lmstudio | llamacpp | vllm | custom | offline')
    .option('--model <id>', 'model id')
    .option('--base-url <url>', 'server URL (defaults to the preset)')
    .option('--timeout-ms <ms>', 'request timeout', intOption)
    .option('--key-stdin', 'read the API key from stdin (stored in the OS keychain)')
    .description('Choose the model provider')
    .action(async (preset: string, opts: { model?: string; baseUrl?: string; timeoutMs?: number; keyStdin?: boolean }, command: Command) => {
      if (preset === 'offline') {
        ctx.print(command, await ctx.call(command, 'providers.clear'), () => 'Using the built-in offline planner.');
        return;
      }
      await ctx.unlock(command);
      const apiKey = opts.keyStdin ? await ctx.takeStdinSecret('the API key') : undefined;
      const kind = preset === 'openai' || preset === 'anthropic' ? preset : 'openai-compatible';
      const config = {
        kind,
        ...(kind === 'openai-compatible' ? { preset } : {}),
        ...(opts.model ? { model: opts.model } : {}),
        ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
        ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
      };
      const info = await ctx.call(command, 'providers.set', { config, ...(apiKey ? { apiKey } : {}) });
      ctx.print(command, info, (i) => `Using ${i.primary?.label} ${i.primary?.model}${i.primary?.hasApiKey ? ' (API key in keychain)' : ''}.`);
    });
  providers
    .command('test')
    .description('Send a tiny request to the configured provider')
    .action(async (_opts, command: Command) => {
      const result = await ctx.call(command, 'providers.test');
      ctx.print(command, result, (r) => (r.ok ? `ok: ${r.provider} ${r.model} answered in ${Math.round(r.latencyMs)} ms` : `failed: ${r.error?.message}`));
      if (!result.ok) throw new CliError(result.error ?? { code: 'PROVIDER', message: 'The provider test failed.' });
    });
}
