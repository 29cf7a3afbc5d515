import { Command, CommanderError, Option } from 'commander';
import { APP_VERSION } from '../../engine/version';
import { CliContext, CliError, errorJson, EXIT_CODES, exitCodesHelp, type CliEntries, type CliIO } from './context';

const VERSION_FLAGS = ['-v', '--version'];

/** `polystore --version` alone needs no command: their modules load every schema (zod), which would triple its start-up time. */
const needsCommands = (argv: string[]) => !(argv.length === 1 && VERSION_FLAGS.includes(argv[0]!));

async function buildProgram(ctx: CliContext, argv: string[]): Promise<Command> {
  const program = new Command('polystore')
    .description('PolyStoreIQ without a window: the same engine, from a terminal or a script.')
    .version(APP_VERSION, VERSION_FLAGS.join(', '), 'print the version')
    .addOption(new Option('--data-dir <dir>', 'profile folder (default: the OS app-data folder; env POLYSTORE_HOME)'))
    .addOption(new Option('--json', 'machine-readable output'))
    .addOption(new Option('--pin-stdin', 'read the profile PIN or passphrase from stdin (else env POLYSTORE_PIN)'))
    .addOption(new Option('--profile <name>', 'unlock this profile (a viewer) instead of the owner (env POLYSTORE_PROFILE)'))
    .addHelpText('after', exitCodesHelp())
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.io.stdout(s),
      writeErr: (s) => ctx.io.stderr(s),
    })
    .exitOverride();
  if (needsCommands(argv)) (await import('./commands/index')).registerCommands(program, ctx);
  const harden = (command: Command) => {
    command.exitOverride().configureOutput(program.configureOutput());
    command.commands.forEach(harden);
  };
  program.commands.forEach(harden);
  return program;
}

/** An engine error raised before any channel answers (opening the profile, say) keeps its code and exit status. */
async function asApiError(error: unknown): Promise<{ code: keyof typeof EXIT_CODES; message: string; details?: Record<string, unknown> }> {
  const { EngineError } = await import('../../engine/errors');
  if (error instanceof EngineError) return { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

function wantsJson(argv: string[]): boolean {
  return argv.includes('--json');
}

/**
 * Runs the CLI with the given arguments (without `node` and the script); resolves to the exit code.
 * The bundled bin passes where its worker, child and unlock-session entries are.
 */
export async function runCli(argv: string[], io: CliIO, poolEntries: CliEntries | null = null): Promise<number> {
  const ctx = new CliContext(io, poolEntries);
  try {
    const program = await buildProgram(ctx, argv);
    if (argv.length === 0) {
      program.outputHelp();
      return 0;
    }
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return 0;
      // Commander already wrote its message; under --json, add the machine-readable form.
      if (wantsJson(argv)) io.stderr(JSON.stringify({ error: { code: 'VALIDATION', message: error.message.replace(/^error: /, '') } }) + '\n');
      return EXIT_CODES.VALIDATION;
    }
    const apiError = error instanceof CliError ? error.error : await asApiError(error);
    if (wantsJson(argv)) io.stderr(errorJson(apiError) + '\n');
    else io.stderr(`error: ${apiError.message} (${apiError.code})\n`);
    return EXIT_CODES[apiError.code];
  } finally {
    await ctx.close();
  }
}

export function processIO(): CliIO {
  return {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    env: process.env,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    prompt: async (question) => {
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}
