import { Option, type Command } from 'commander';
import type { AuthStatus } from '../../../engine/contract/index';
import { CliError, formatTable, type CliContext } from '../context';

const describe = (s: AuthStatus) =>
  formatTable(['key', 'value'], [
    ['state', s.state],
    ['profile', s.profileName ?? ''],
    ['role', s.role ?? ''],
    ['secret', s.secretKind ?? ''],
    ['failed attempts', s.failedAttempts],
    ['retry after', s.retryAfterMs ? `${Math.ceil(s.retryAfterMs / 1000)} s` : ''],
    ['auto-lock', s.autoLockMinutes ? `${s.autoLockMinutes} min` : 'off'],
  ]);

/** `polystore init` and `polystore auth status | change-secret`. */
export function registerAuthCommands(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('Create the local profile, protected by a PIN (6+ digits) or a passphrase (--passphrase); read from --pin-stdin or POLYSTORE_PIN')
    .addOption(new Option('--passphrase', 'the secret is a passphrase rather than a PIN'))
    .addOption(new Option('--name <name>', 'profile name').default('Owner'))
    .action(async (opts: { passphrase?: boolean; name: string }, command: Command) => {
      const secret = await ctx.profileSecret(command);
      if (!secret) throw new CliError({ code: 'VALIDATION', message: 'Give the new PIN or passphrase with --pin-stdin (piped) or POLYSTORE_PIN.' });
      const status = await ctx.call(command, 'auth.setup', { kind: opts.passphrase ? 'passphrase' : 'pin', secret, profileName: opts.name });
      ctx.print(command, status, () => `Profile "${status.profileName}" created. Keep your ${opts.passphrase ? 'passphrase' : 'PIN'} safe: it cannot be recovered.`);
    });

  const auth = program.command('auth').description('The profile lock');
  auth
    .command('status')
    .description('Show whether a profile exists and how many unlock attempts failed')
    .action(async (_opts, command: Command) => {
      const status = await ctx.call(command, 'auth.status');
      ctx.print(command, status, describe);
    });
  auth
    .command('change-secret')
    .description('Change the PIN or passphrase: stdin holds the current one, then the new one, one per line')
    .addOption(new Option('--passphrase', 'the new secret is a passphrase rather than a PIN'))
    .action(async (opts: { passphrase?: boolean }, command: Command) => {
      const current = await ctx.takeStdinSecret('the current PIN or passphrase');
      const next = await ctx.takeStdinSecret('the new PIN or passphrase');
      await ctx.unlock(command, current);
      const status = await ctx.call(command, 'auth.changeSecret', { current, next: { kind: opts.passphrase ? 'passphrase' : 'pin', secret: next } });
      ctx.print(command, status, () => 'Changed.');
    });
}
