/**
 * Keyboard shortcuts as each platform spells them: Cmd on macOS (labels ⌘1,
 * ⌘↵), Ctrl on Linux and Windows (Ctrl+1, Ctrl+Enter). Matching and labels
 * come from the one table in the contract, which the Electron menu uses too.
 * Pure: the platform is passed in (see platformOf), so both are unit-tested.
 */
import { SHORTCUT_KEYS, type NavigationCommand, type ShortcutId } from '../../../engine/contract/shortcuts';
import type { RouteId } from './routes';

export type Platform = 'mac' | 'other';

/** The platform from navigator.platform ("MacIntel", "Linux x86_64", "Win32"…). */
export function platformOf(navigatorPlatform: string): Platform {
  return /Mac|iPhone|iPad/.test(navigatorPlatform) ? 'mac' : 'other';
}

/** Key names as shown: macOS uses glyphs, elsewhere words. */
const MAC_KEYS: Record<string, string> = { Enter: '↵', Escape: '⎋', Backspace: '⌫' };

function keyName(key: string, platform: Platform): string {
  const named = platform === 'mac' ? MAC_KEYS[key] : undefined;
  return named ?? (key.length === 1 ? key.toUpperCase() : key);
}

/** A key without the command key, e.g. in "↵ ask · ⇧↵ new line" (macOS) or "Enter ask · Shift+Enter new line". */
export function keyLabel(key: string, platform: Platform, modifiers: { shift?: boolean } = {}): string {
  const name = keyName(key, platform);
  if (!modifiers.shift) return name;
  return platform === 'mac' ? `⇧${name}` : `Shift+${name}`;
}

/** The command key plus `key`, as the platform writes it: "⌘C" on macOS, "Ctrl+C" elsewhere. */
export function comboLabel(key: string, platform: Platform): string {
  return platform === 'mac' ? `⌘${keyName(key, platform)}` : `Ctrl+${keyName(key, platform)}`;
}

export function shortcutLabel(id: ShortcutId, platform: Platform): string {
  return comboLabel(SHORTCUT_KEYS[id], platform);
}

/** The value of aria-keyshortcuts ("Meta+Enter", "Control+Enter"). */
export function ariaShortcut(id: ShortcutId, platform: Platform): string {
  return `${platform === 'mac' ? 'Meta' : 'Control'}+${SHORTCUT_KEYS[id] === ',' ? 'Comma' : SHORTCUT_KEYS[id]}`;
}

export interface KeyPress {
  key: string;
  metaKey: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/** The platform's command key alone (no Alt, and not both Cmd and Ctrl): Shift is left to the caller. */
export function hasCommandKey(event: KeyPress, platform: Platform): boolean {
  if (event.altKey) return false;
  return platform === 'mac' ? event.metaKey && !event.ctrlKey : event.ctrlKey && !event.metaKey;
}

/**
 * The shortcut a key press means, or null. Shift is not part of any, except
 * that lock also answers to the older Cmd/Ctrl+Shift+L.
 */
export function matchShortcut(event: KeyPress, platform: Platform): ShortcutId | null {
  if (!hasCommandKey(event, platform)) return null;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  for (const [id, expected] of Object.entries(SHORTCUT_KEYS) as Array<[ShortcutId, string]>) {
    if (key !== expected) continue;
    if (event.shiftKey && id !== 'app.lock') return null;
    return id;
  }
  return null;
}

const ROUTE_OF: Record<NavigationCommand, RouteId> = {
  'go.sources': 'sources',
  'go.chat': 'chat',
  'go.results': 'results',
  'go.audit': 'audit',
  'go.eval': 'eval',
  'go.settings': 'settings',
};

/** The page a shortcut or menu command opens, or null for one that does something else. */
export function routeOf(id: ShortcutId): RouteId | null {
  return Object.hasOwn(ROUTE_OF, id) ? ROUTE_OF[id as NavigationCommand] : null;
}

/** The shortcut that opens a page. */
export function routeShortcut(route: RouteId): ShortcutId {
  return `go.${route}`;
}

/** The platform this page runs on (the one impure line; everything above takes it as an argument). */
export const currentPlatform: Platform = typeof navigator === 'undefined' ? 'other' : platformOf(navigator.platform);
