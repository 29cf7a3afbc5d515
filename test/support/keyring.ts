import { execFileSync } from 'node:child_process';

/**
 * Drives the real gnome-keyring of this test's private D-Bus session
 * (test/support/with-keyring.sh): lock it as a screen lock would, unlock it
 * as the user would, freeze and thaw its daemon. Nothing here is a stand-in
 * for the keychain; it changes the state of the real one.
 */
const SECRETS = ['--session', '--dest', 'org.freedesktop.secrets'];
const LOGIN = '/org/freedesktop/secrets/collection/login';
const DEADLINE_MS = 15_000;

function gdbus(args: string[]): string {
  return execFileSync('gdbus', ['call', ...args], { encoding: 'utf8', timeout: DEADLINE_MS }).trim();
}

export function keyringLocked(): boolean {
  return gdbus([...SECRETS, '--object-path', LOGIN, '--method', 'org.freedesktop.DBus.Properties.Get', 'org.freedesktop.Secret.Collection', 'Locked']).includes('true');
}

/** Locks the login keyring (the Secret Service's own Lock call: no prompt needed). */
export function lockKeyring(): void {
  gdbus([...SECRETS, '--object-path', '/org/freedesktop/secrets', '--method', 'org.freedesktop.Secret.Service.Lock', `['${LOGIN}']`]);
  if (!keyringLocked()) throw new Error('the keyring did not lock');
}

/**
 * Unlocks it with the session's password. Unlocking needs a prompt, which a
 * session without a display cannot show, so a new daemon replaces the running
 * one and unlocks the same keyring files, as logging in again would.
 */
export function unlockKeyring(): void {
  const password = process.env.POLYSTORE_TEST_KEYRING_PASSWORD;
  if (!password) throw new Error('run through scripts/test.mjs: it provides the keyring and its password');
  execFileSync('gnome-keyring-daemon', ['--replace', '--unlock', '--components=secrets'], { input: password, stdio: ['pipe', 'ignore', 'ignore'], timeout: DEADLINE_MS });
  const until = Date.now() + DEADLINE_MS;
  while (keyringLocked()) {
    if (Date.now() > until) throw new Error('the keyring did not unlock');
    execFileSync('sleep', ['0.1']);
  }
}

/** The keyring daemon's process id, asked of the bus (the process that owns the Secret Service name). */
export function keyringDaemonPid(): number {
  const out = gdbus(['--session', '--dest', 'org.freedesktop.DBus', '--object-path', '/org/freedesktop/DBus', '--method', 'org.freedesktop.DBus.GetConnectionUnixProcessID', 'org.freedesktop.secrets']);
  const pid = Number(/uint32 (\d+)/.exec(out)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no keyring daemon on this session bus: ${out}`);
  return pid;
}

/** Runs `work` while the keyring daemon is stopped (SIGSTOP), as a daemon that hangs; it always runs again afterwards. */
export async function withFrozenKeyring<T>(work: () => Promise<T>): Promise<T> {
  const pid = keyringDaemonPid();
  process.kill(pid, 'SIGSTOP');
  try {
    return await work();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}
