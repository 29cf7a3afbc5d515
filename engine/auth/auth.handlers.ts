import type { Handlers } from '../router/router';
import type { ProfileDirectory } from './profile-directory';
import type { ProfileLock } from './profile-lock';

type AuthChannel =
  | 'auth.status'
  | 'auth.setup'
  | 'auth.unlock'
  | 'auth.lock'
  | 'auth.keepAlive'
  | 'auth.changeSecret'
  | 'auth.listProfiles'
  | 'auth.addViewer'
  | 'auth.renameProfile'
  | 'auth.removeProfile'
  | 'auth.shareSource';

export function authHandlers(lock: ProfileLock, profiles: ProfileDirectory): Pick<Handlers, AuthChannel> {
  return {
    'auth.status': () => lock.status(),
    'auth.setup': (input) => lock.setup({ kind: input.kind, secret: input.secret, profileName: input.profileName }),
    'auth.unlock': (input) => lock.unlock(input.secret, input.profileId),
    'auth.lock': () => lock.lock('manual'),
    // The router's onActivity hook already recorded the call; nothing else to do.
    'auth.keepAlive': () => ({ ok: true as const }),
    'auth.changeSecret': (input) => lock.changeSecret(input.current, input.next),
    'auth.listProfiles': () => profiles.list(),
    'auth.addViewer': async (input) => profiles.get((await lock.addViewer({ name: input.name, kind: input.kind, secret: input.secret })).id),
    'auth.renameProfile': (input) => {
      lock.rename(input.profileId, input.name);
      return profiles.get(input.profileId);
    },
    'auth.removeProfile': async (input) => ({ removed: await lock.removeProfile(input.profileId) }),
    'auth.shareSource': (input) => profiles.share(input.profileId, input.sourceId, input.shared),
  };
}
