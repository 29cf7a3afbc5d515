import { Option, type Command } from 'commander';
import type { ProfileSummary } from '../../../engine/contract/index';
import { formatTable, type CliContext } from '../context';

const table = (list: ProfileSummary[]) =>
  formatTable(['id', 'name', 'role', 'secret', 'shared sources'], list.map((p) => [p.id, p.name, p.role, p.secretKind, p.role === 'owner' ? 'all' : p.sharedSourceIds.join(', ')]));

/** `polystore profiles list | add-viewer NAME | rename ID NAME | remove ID | share ID SOURCE | unshare ID SOURCE` (the owner's; a viewer gets FORBIDDEN). */
export function registerProfilesCommands(program: Command, ctx: CliContext): void {
  const profiles = program.command('profiles').description('The owner and viewer profiles of this data folder (owner only)');
  profiles
    .command('list')
    .description('Every profile, its role and the sources shared with it')
    .action(async (_opts, command: Command) => ctx.print(command, await ctx.call(command, 'auth.listProfiles'), table));
  profiles
    .command('add-viewer')
    .description("Add a viewer with its own PIN (or --passphrase), read from stdin after the owner's PIN")
    .argument('<name>', 'the viewer profile name')
    .addOption(new Option('--passphrase', "the viewer's secret is a passphrase rather than a PIN"))
    .action(async (name: string, opts: { passphrase?: boolean }, command: Command) => {
      await ctx.unlock(command);
      const secret = await ctx.takeStdinSecret("the viewer's PIN or passphrase");
      const viewer = await ctx.call(command, 'auth.addViewer', { name, kind: opts.passphrase ? 'passphrase' : 'pin', secret });
      ctx.print(command, viewer, (v) => `Viewer "${v.name}" added: ${v.id}. Share sources with it: polystore profiles share ${v.id} SOURCE_ID`);
    });
  profiles
    .command('rename')
    .description('Rename a profile (the owner included)')
    .argument('<id>', 'profile id')
    .argument('<name>', 'the new name')
    .action(async (id: string, name: string, _opts, command: Command) => {
      ctx.print(command, await ctx.call(command, 'auth.renameProfile', { profileId: id, name }), (p) => `Renamed to "${p.name}".`);
    });
  profiles
    .command('remove')
    .description('Remove a viewer profile and its shares')
    .argument('<id>', 'profile id')
    .action(async (id: string, _opts, command: Command) => {
      const result = await ctx.call(command, 'auth.removeProfile', { profileId: id });
      ctx.print(command, result, (r) => (r.removed ? 'Removed.' : 'No such profile.'));
    });
  for (const [verb, shared] of [['share', true], ['unshare', false]] as const) {
    profiles
      .command(verb)
      .description(shared ? 'Share a source with a viewer' : 'Stop sharing a source with a viewer')
      .argument('<id>', 'viewer profile id')
      .argument('<source>', 'source id')
      .action(async (id: string, source: string, _opts, command: Command) => {
        ctx.print(command, await ctx.call(command, 'auth.shareSource', { profileId: id, sourceId: source, shared }), (p) => table([p]));
      });
  }
}
