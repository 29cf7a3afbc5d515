import { InvalidArgumentError, Option, type Command } from 'commander';
import { CliError, type CliContext } from '../context';

export const DEFAULT_SESSION_IDLE_MS = 15 * 60_000;
export const MIN_SESSION_IDLE_MS = 1_000;
export const MAX_SESSION_IDLE_MS = 8 * 60 * 60_000;
const UNIT_MS = { s: 1_000, m: 60_000, h: 60 * 60_000 } as const;

/** `--for 15m`, `90s`, `2h` (a bare number is minutes), from 1 s to 8 h. */
export function durationOption(value: string): number {
  const match = /^(\d+)\s*(s|m|h)?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('must be a duration such as 90s, 15m or 2h.');
  const ms = Number(match[1]) * UNIT_MS[(match[2] ?? 'm') as keyof typeof UNIT_MS];
  if (ms < MIN_SESSION_IDLE_MS || ms > MAX_SESSION_IDLE_MS) throw new InvalidArgumentError('must be between 1s and 8h.');
  return ms;
}

const minutes = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`);

/** `polystore unlock` and `polystore lock`: an unlock session for this shell's later commands. */
export function registerSessionCommands(program: Command, ctx: CliContext): void {
  program
    .command('unlock')
    .description(
      'Unlock the profile once for the CLI commands that follow (this user only): a background session keeps it unlocked until it has not been used for --for, or `polystore lock`',
    )
    .addOption(new Option('--for <duration>', 'end the session after this long without a command (1s to 8h; 15m, 2h)').argParser(durationOption).default(DEFAULT_SESSION_IDLE_MS, '15m'))
    .action(async (opts: { for: number }, command: Command) => {
      if (process.platform === 'win32') throw new CliError({ code: 'UNSUPPORTED', message: 'Unlock sessions are not available on Windows yet.' });
      const secret = (await ctx.profileSecret(command)) ?? (ctx.io.stdinIsTTY && ctx.io.prompt ? (await ctx.io.prompt('PIN or passphrase: ')).trim() : null);
      if (!secret) throw new CliError({ code: 'LOCKED', message: 'Unlocking needs your PIN or passphrase: pipe it with --pin-stdin, or set POLYSTORE_PIN.' });
      const info = await ctx.startSession(command, secret, opts.for);
      ctx.print(command, info, (i) => `Unlocked "${i.profileName}" (${i.role}) for the CLI until it is unused for ${minutes(i.idleTimeoutMs)}; \`polystore lock\` ends it.`);
    });

  program
    .command('lock')
    .description('End the unlock session of this profile (see `polystore unlock`)')
    .action(async (_opts, command: Command) => {
      const ended = await ctx.endSession(command);
      ctx.print(command, { ended }, () => (ended ? 'Locked: the unlock session ended.' : 'No unlock session was running.'));
    });
}
