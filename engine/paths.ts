import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'PolyStoreIQ';

/**
 * Where the profile lives. `--data-dir` (explicit) wins over POLYSTORE_HOME,
 * which wins over the OS application-data folder (the same folder Electron's
 * `app.getPath('userData')` uses for this app name).
 */
export function resolveDataDir(explicit?: string | null, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return path.resolve(explicit);
  if (env.POLYSTORE_HOME) return path.resolve(env.POLYSTORE_HOME);
  const home = os.homedir();
  switch (process.platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', APP_NAME);
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
    default:
      return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_NAME);
  }
}
