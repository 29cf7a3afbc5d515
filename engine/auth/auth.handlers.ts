import type { Handlers } from '../router/router';
import type { ProfileLock } from './profile-lock';

export function authHandlers(lock: ProfileLock): Pick<Handlers, 'auth.status' | 'auth.setup' | 'auth.unlock' | 'auth.lock' | 'auth.keepAlive' | 'auth.changeSecret'> {
  return {
    'auth.status': () => lock.status(),
    'auth.setup': (input) => lock.setup({ kind: input.kind, secret: input.secret, profileName: input.profileName }),
    'auth.unlock': (input) => lock.unlock(input.secret),
    'auth.lock': () => lock.lock('manual'),
    // The router's onActivity hook already recorded the call; nothing else to do.
    'auth.keepAlive': () => ({ ok: true as const }),
    'auth.changeSecret': (input) => lock.changeSecret(input.current, input.next),
  };
}
