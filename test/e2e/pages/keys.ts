import { platformOf } from '../../../renderer/src/lib/shortcuts';
import type { E2EApp } from '../../support/e2e';

/**
 * The command key of the platform the page runs on: Cmd in the app on a Mac, Control elsewhere
 * (the renderer reads shortcuts the same way, renderer/src/lib/shortcuts.ts).
 */
export async function commandKey(app: E2EApp): Promise<'Meta' | 'Control'> {
  const platform = (await app.browser.execute(() => navigator.platform)) as string;
  return platformOf(platform) === 'mac' ? 'Meta' : 'Control';
}

/** Presses the command key with `key` (Cmd+key on a Mac, Ctrl+key elsewhere). */
export async function pressCommand(app: E2EApp, ...keys: string[]): Promise<void> {
  await app.browser.keys([await commandKey(app), ...keys]);
}
