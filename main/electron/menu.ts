/**
 * The application menu as a pure function of the platform, so it is tested
 * without starting Electron (main.ts builds and installs it). macOS gets the
 * standard app menu (About, Settings…, Services, Hide, Quit) and Cmd
 * accelerators; Linux and Windows keep Settings and Quit under File and use
 * Ctrl. Page items send an app.command to the window in front; the page's own
 * key handler takes the same keys when it has focus (shortcuts.ts).
 */
import type { MenuItemConstructorOptions } from 'electron';
import { SHORTCUT_KEYS, type NavigationCommand, type ShortcutId } from '../../engine/contract/shortcuts';

export interface MenuActions {
  production: boolean;
  /** Opens a page in the window in front. */
  command: (command: NavigationCommand) => void;
  lock: () => void;
  /** Opens the documentation (the README). */
  openDocs: () => void;
}

const ACCELERATOR_KEYS: Record<string, string> = { ',': ',', Enter: 'Return', l: 'L' };

/** An Electron accelerator for a shortcut of the table: "Cmd+1" on macOS, "Ctrl+1" elsewhere. */
export function accelerator(id: ShortcutId, platform: NodeJS.Platform): string {
  const key = SHORTCUT_KEYS[id];
  return `${platform === 'darwin' ? 'Cmd' : 'Ctrl'}+${ACCELERATOR_KEYS[key] ?? key}`;
}

const PAGES: Array<[NavigationCommand, string]> = [
  ['go.sources', 'Sources'],
  ['go.chat', 'Ask'],
  ['go.results', 'Results'],
  ['go.audit', 'Audit Log'],
  ['go.eval', 'Evaluate'],
];

export function menuTemplate(platform: NodeJS.Platform, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const separator: MenuItemConstructorOptions = { type: 'separator' };
  const settings: MenuItemConstructorOptions = { label: mac ? 'Settings…' : 'Settings', accelerator: accelerator('go.settings', platform), click: () => actions.command('go.settings') };
  const lock: MenuItemConstructorOptions = { label: 'Lock PolyStoreIQ', accelerator: accelerator('app.lock', platform), click: () => actions.lock() };

  const appMenu: MenuItemConstructorOptions = {
    label: 'PolyStoreIQ',
    submenu: [
      { role: 'about', label: 'About PolyStoreIQ' },
      separator,
      settings,
      separator,
      { role: 'services' },
      separator,
      { role: 'hide', label: 'Hide PolyStoreIQ' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      separator,
      { role: 'quit', label: 'Quit PolyStoreIQ' },
    ],
  };
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: mac ? [lock, separator, { role: 'close' }] : [settings, separator, lock, separator, { role: 'quit', accelerator: 'Ctrl+Q' }],
  };
  const edit: MenuItemConstructorOptions = {
    label: 'Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      separator,
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      ...(mac ? [{ role: 'pasteAndMatchStyle' } as const] : []),
      { role: 'delete' },
      separator,
      { role: 'selectAll' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      ...PAGES.map(([command, label]): MenuItemConstructorOptions => ({ label, accelerator: accelerator(command, platform), click: () => actions.command(command) })),
      separator,
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      separator,
      { role: 'togglefullscreen' },
      ...(actions.production ? [] : [separator, { role: 'reload' } as const, { role: 'toggleDevTools' } as const]),
    ],
  };
  const window: MenuItemConstructorOptions = {
    label: 'Window',
    role: 'windowMenu',
    submenu: mac ? [{ role: 'minimize' }, { role: 'zoom' }, separator, { role: 'front' }] : [{ role: 'minimize' }, { role: 'close' }],
  };
  const help: MenuItemConstructorOptions = {
    label: 'Help',
    role: 'help',
    submenu: [{ label: 'PolyStoreIQ Documentation', click: () => actions.openDocs() }, ...(mac ? [] : [separator, { role: 'about', label: 'About PolyStoreIQ' } as const])],
  };
  return [...(mac ? [appMenu] : []), file, edit, view, window, help];
}
