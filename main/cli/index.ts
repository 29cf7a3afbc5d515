import { Command, CommanderError, Option } from 'commander';
import { APP_VERSION } from '../../engine/version';
import { registerAppCommands } from './commands/app';
import { registerAuditCommands } from './commands/audit';
import { registerAuthCommands } from './commands/auth';
import { registerChatCommands } from './commands/chat';
import { registerDataCommands } from './commands/data';
import { registerEvalCommands } from './commands/eval';
import { registerSourcesCommands } from './commands/sources';
import { registerVerifiedCommands } from './commands/verified';
import { CliContext, CliError, EXIT_CODES, type CliIO } from './context';

function buildProgram(ctx: CliContext): Command {
  const program = new Command('polystore')
    .description('PolyStoreIQ without a window: the same engine, from a terminal or a script.')
    .version(APP_VERSION, '-v, --version', 'print the version')
    .addOption(new Option('--data-dir <dir>', 'profile folder (default: the OS app-data folder; env POLYSTORE_HOME)'))
    .addOption(new Option('--json', 'machine-readable output'))
    .addOption(new Option('--pin-stdin', 'read the profile PIN or passphrase from stdin (else env POLYSTORE_PIN)'))
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.io.stdout(s),
      writeErr: (s) => ctx.io.stderr(s),
    })
    .exitOverride();
  registerAuthCommands(program, ctx);
  registerSourcesCommands(program, ctx);
  registerDataCommands(program, ctx);
  registerChatCommands(program, ctx);
  registerEvalCommands(program, ctx);
  registerVerifiedCommands(program, ctx);
  registerAuditCommands(program, ctx);
  registerAppCommands(program, ctx);
  const harden = (command: Command) => {
    command.exitOverride().configureOutput(program.configureOutput());
    command.commands.forEach(harden);
  };
  program.commands.forEach(harden);
  return program;
}

function wantsJson(argv: string[]): boolean {
  return argv.includes('--json');
}

/** Runs the CLI with the given arguments (without `node` and the script); resolves to the exit code. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const ctx = new CliContext(io);
  const program = buildProgram(ctx);
  try {
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
    const apiError =
      error instanceof CliError ? error.error : { code: 'INTERNAL' as const, message: error instanceof Error ? error.message : String(error) };
    if (wantsJson(argv)) io.stderr(JSON.stringify({ error: { code: apiError.code, message: apiError.message } }) + '\n');
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
