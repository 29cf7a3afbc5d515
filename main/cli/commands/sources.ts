import { Argument, Option, type Command } from 'commander';
import type { CreateSourceInput, Source, SourceTypeInfo, TlsMode } from '../../../engine/contract/index';
import { formatTable, intOption, type CliContext } from '../context';

interface AddOptions {
  name?: string;
  url?: string;
  passwordStdin?: boolean;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  tls?: TlsMode;
  caFile?: string;
  statementTimeoutMs?: number;
  rowLimit?: number;
  allowSampleValues?: boolean;
}

/** One cell for the login's risks: what they are and whether the owner confirmed them. */
const riskCell = (s: Source) => (s.risks.length === 0 ? '' : `${s.risksConfirmed ? 'confirmed' : 'UNCONFIRMED'}: ${s.risks.map((r) => r.code).join(', ')}`);

/** The source's circuit breaker: empty while it is closed and nothing is failing. */
function circuitCell(s: Source): string {
  const c = s.circuit;
  if (c.state === 'closed') return c.consecutiveFailures === 0 ? '' : `closed, ${c.consecutiveFailures} failing`;
  const at = c.retryAt ? new Date(c.retryAt).toLocaleTimeString() : 'soon';
  return c.state === 'open' ? `OPEN until ${at}` : 'half-open: next call probes';
}

const summary = (s: Source) =>
  formatTable(
    ['id', 'name', 'type', 'status', 'last checked', 'secret', 'login risks', 'circuit'],
    [[s.id, s.name, s.type, s.status, s.lastCheckedAt ?? 'never', s.hasSecret ? 'keychain' : '', riskCell(s), circuitCell(s)]],
  );

function detail(s: Source): string {
  return [
    summary(s),
    '',
    `connection: ${JSON.stringify(s.connection)}`,
    `settings:   ${JSON.stringify(s.settings)}`,
    `can:        ${capabilityList(s.capabilities, true) || 'nothing'}`,
    `cannot:     ${capabilityList(s.capabilities, false) || 'nothing'}`,
    `can write:  ${s.canWrite === null ? 'unknown' : s.canWrite ? 'YES: use a read-only login' : 'no'}`,
    ...s.risks.map((r) => `risk:       ${r.code}: ${r.message}`),
    ...(s.risks.length > 0 && !s.risksConfirmed ? [`            Queries will not run until you confirm: polystore sources confirm-risks ${s.id}`] : []),
    ...(s.lastError ? [`last error: ${s.lastError}`] : []),
    ...(s.circuit.message ? [`circuit:    ${s.circuit.message}`] : []),
  ].join('\n');
}

const capabilityList = (c: Source['capabilities'], supported: boolean) =>
  Object.entries(c)
    .filter(([, v]) => v === supported)
    .map(([k]) => k)
    .join(', ');

function describeTypes(types: SourceTypeInfo[]): string {
  return [
    formatTable(
      ['type', 'label', 'port', 'url example', 'row limit', 'timeout ms', 'cannot'],
      types.map((t) => [t.type, t.label, t.defaultPort ?? '', t.urlExample ?? '', t.defaults.rowLimit, t.defaults.statementTimeoutMs, capabilityList(t.capabilities, false)]),
    ),
  ].join('\n');
}

/** `polystore sources add | list | show | update | disable | enable | confirm-risks | remove`. */
export function registerSourcesCommands(program: Command, ctx: CliContext): void {
  const sources = program.command('sources').description('Databases and files you can ask questions about');

  const add = sources
    .command('add')
    .description('Add a source: `sources add postgres|mysql|mongodb --name N --url URL` or `sources add file --name N PATH...`')
    .addArgument(new Argument('<type>', 'source type').choices(['postgres', 'mysql', 'mongodb', 'file']))
    .argument('[paths...]', 'files, for a file source')
    // Checked in the action, not by commander: a required option here would be required of `add sample` too.
    .option('--name <name>', 'a name for the source (required)')
    .option('--url <url>', 'connection URL; a password in it goes to the OS keychain, never to disk')
    .option('--password-stdin', 'read the password from stdin (after the PIN when --pin-stdin is also given)')
    .option('--host <host>', 'host (instead of --url)')
    .option('--port <port>', 'port', intOption)
    .option('--database <name>', 'database')
    .option('--user <user>', 'user')
    .addOption(new Option('--tls <mode>', 'TLS mode').choices(['off', 'prefer', 'require', 'verify']))
    .option('--ca-file <path>', 'CA certificate (PEM) for --tls verify')
    .option('--statement-timeout-ms <ms>', 'statement timeout (default: see `sources types`)', intOption)
    .option('--row-limit <n>', 'row limit (default: see `sources types`)', intOption)
    .option('--allow-sample-values', 'allow sampled column values in prompts to hosted models')
    .action(async (type: CreateSourceInput['type'], paths: string[], opts: AddOptions, command: Command) => {
      if (opts.name === undefined) command.error("error: required option '--name <name>' not specified", { code: 'commander.missingMandatoryOptionValue' });
      await ctx.unlock(command);
      const password = opts.passwordStdin ? await ctx.takeStdinSecret('the password') : undefined;
      const settings = {
        ...(opts.statementTimeoutMs !== undefined ? { statementTimeoutMs: opts.statementTimeoutMs } : {}),
        ...(opts.rowLimit !== undefined ? { rowLimit: opts.rowLimit } : {}),
        ...(opts.allowSampleValues ? { allowSampleValues: true } : {}),
      };
      let input: unknown;
      if (type === 'file') input = { name: opts.name, type, connection: { paths }, settings };
      else if (opts.url) input = { name: opts.name, type, url: opts.url, ...(password ? { password } : {}), settings };
      else {
        // The default port is the engine's (`sources.types`), not a copy here.
        const info = (await ctx.call(command, 'sources.types')).find((t) => t.type === type);
        const port = opts.port ?? info?.defaultPort ?? undefined;
        // No --tls: the connection schema's default for this kind of source applies.
        const tls = opts.tls || opts.caFile ? { tls: { ...(opts.tls ? { mode: opts.tls } : {}), ...(opts.caFile ? { caFile: opts.caFile } : {}) } } : {};
        const connection =
          type === 'mongodb'
            ? { hosts: [{ host: opts.host, port }], database: opts.database, ...(opts.user ? { user: opts.user } : {}), ...tls }
            : { host: opts.host, port, database: opts.database, user: opts.user, ...tls };
        input = { name: opts.name, type, connection, ...(password ? { password } : {}), settings };
      }
      const source = await ctx.call(command, 'sources.create', input as CreateSourceInput);
      ctx.print(command, source, detail);
    });

  // `sources add sample` is a command of its own: it takes none of `add`'s options, not even --name.
  add
    .command('sample')
    .description('Add the built-in sample data (the Chinook music store), ready to ask; gives the existing one if it is already added')
    .action(async (_opts, command: Command) => {
      await ctx.unlock(command);
      const source = await ctx.call(command, 'sources.addSample');
      const examples = await ctx.call(command, 'sources.examples', { id: source.id });
      ctx.print(command, source, (s) =>
        [detail(s), '', 'Try one of these:', ...examples.map((q) => `  polystore ask ${s.id} "${q}"`)].join('\n'),
      );
    });

  sources
    .command('types')
    .description('The kinds of source that can be added: labels, default ports, URL examples, default limits and what each cannot do')
    .action(async (_opts, command: Command) => {
      ctx.print(command, await ctx.call(command, 'sources.types'), describeTypes);
    });

  sources
    .command('list')
    .description('List sources with their status and circuit breaker (open: calls fail fast until it retries)')
    .action(async (_opts, command: Command) => {
      const list = await ctx.call(command, 'sources.list');
      ctx.print(command, list, (l) =>
        l.length === 0
          ? 'No sources yet. Add one with `polystore sources add`.'
          : formatTable(
              ['id', 'name', 'type', 'status', 'last checked', 'login risks', 'circuit'],
              l.map((s) => [s.id, s.name, s.type, s.status, s.lastCheckedAt ?? 'never', riskCell(s), circuitCell(s)]),
            ),
      );
    });

  sources
    .command('show')
    .argument('<id>', 'source id')
    .description('Show one source (never its password)')
    .action(async (id: string, _opts, command: Command) => {
      ctx.print(command, await ctx.call(command, 'sources.get', { id }), detail);
    });

  sources
    .command('update')
    .argument('<id>', 'source id')
    .description('Rename a source, change its URL, password or limits')
    .option('--name <name>', 'new name')
    .option('--url <url>', 'new connection URL')
    .option('--password-stdin', 'read a new password from stdin')
    .option('--remove-password', 'delete the stored password')
    .option('--statement-timeout-ms <ms>', 'statement timeout', intOption)
    .option('--row-limit <n>', 'row limit', intOption)
    .action(async (id: string, opts: { name?: string; url?: string; passwordStdin?: boolean; removePassword?: boolean; statementTimeoutMs?: number; rowLimit?: number }, command: Command) => {
      await ctx.unlock(command);
      const password = opts.removePassword ? null : opts.passwordStdin ? await ctx.takeStdinSecret('the password') : undefined;
      const settings = {
        ...(opts.statementTimeoutMs !== undefined ? { statementTimeoutMs: opts.statementTimeoutMs } : {}),
        ...(opts.rowLimit !== undefined ? { rowLimit: opts.rowLimit } : {}),
      };
      const source = await ctx.call(command, 'sources.update', {
        id,
        ...(opts.name ? { name: opts.name } : {}),
        ...(opts.url ? { url: opts.url } : {}),
        ...(password !== undefined ? { password } : {}),
        ...(Object.keys(settings).length ? { settings } : {}),
      });
      ctx.print(command, source, detail);
    });

  for (const [verb, channel, text] of [
    ['disable', 'sources.disable', 'Disable a source: nothing runs against it until it is enabled'],
    ['enable', 'sources.enable', 'Enable a disabled source'],
    ['confirm-risks', 'sources.confirmRisks', 'Confirm what the login can do beyond reading (found by `sources test`), so approved queries may run'],
  ] as const) {
    sources
      .command(verb)
      .argument('<id>', 'source id')
      .description(text)
      .action(async (id: string, _opts, command: Command) => {
        ctx.print(command, await ctx.call(command, channel, { id }), summary);
      });
  }

  sources
    .command('remove')
    .argument('<id>', 'source id')
    .description('Remove a source and its keychain entry')
    .action(async (id: string, _opts, command: Command) => {
      const result = await ctx.call(command, 'sources.remove', { id });
      ctx.print(command, result, () => `Removed ${id}.`);
    });
}
