/**
 * The app's keyboard shortcuts, one table for both places that know them: the
 * Electron menu (its accelerators) and the page (matching keys, showing
 * labels). Each is the platform's command key plus `key`: Cmd on macOS, Ctrl
 * on Linux and Windows. `key` is KeyboardEvent.key as the page sees it.
 */
export const SHORTCUT_KEYS = {
  'go.sources': '1',
  'go.chat': '2',
  'go.results': '3',
  'go.audit': '4',
  'go.eval': '5',
  'go.settings': ',',
  'chat.approve': 'Enter',
  'app.lock': 'l',
} as const;

export type ShortcutId = keyof typeof SHORTCUT_KEYS;

/** The shortcuts that open a page; the menu sends these as app.command too. */
export const NAVIGATION_COMMANDS = ['go.sources', 'go.chat', 'go.results', 'go.audit', 'go.eval', 'go.settings'] as const satisfies readonly ShortcutId[];
export type NavigationCommand = (typeof NAVIGATION_COMMANDS)[number];
