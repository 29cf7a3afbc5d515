import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROUTES } from '../../../../renderer/src/lib/routes';
import { ariaShortcut, comboLabel, keyLabel, matchShortcut, platformOf, routeOf, routeShortcut, shortcutLabel, type KeyPress } from '../../../../renderer/src/lib/shortcuts';

const press = (key: string, mods: Partial<Omit<KeyPress, 'key'>> = {}): KeyPress => ({ key, metaKey: false, ctrlKey: false, altKey: false, shiftKey: false, ...mods });

test('the platform comes from navigator.platform', () => {
  assert.is(platformOf('MacIntel'), 'mac');
  assert.is(platformOf('iPad'), 'mac');
  assert.is(platformOf('Linux x86_64'), 'other');
  assert.is(platformOf('Win32'), 'other');
});

test('macOS labels: ⌘1-⌘5 for the pages, ⌘, for Settings, ⌘↵ to approve, ⌘L to lock', () => {
  assert.equal(
    ROUTES.map((r) => shortcutLabel(routeShortcut(r.id), 'mac')),
    ['⌘1', '⌘2', '⌘3', '⌘4', '⌘5', '⌘,'],
  );
  assert.is(shortcutLabel('chat.approve', 'mac'), '⌘↵');
  assert.is(shortcutLabel('app.lock', 'mac'), '⌘L');
  assert.is(comboLabel('c', 'mac'), '⌘C');
  assert.is(ariaShortcut('chat.approve', 'mac'), 'Meta+Enter');
  assert.is(keyLabel('Enter', 'mac'), '↵');
  assert.is(keyLabel('Enter', 'mac', { shift: true }), '⇧↵');
});

test('Linux and Windows labels: Ctrl+1 … Ctrl+, , Ctrl+Enter, Ctrl+L', () => {
  assert.equal(
    ROUTES.map((r) => shortcutLabel(routeShortcut(r.id), 'other')),
    ['Ctrl+1', 'Ctrl+2', 'Ctrl+3', 'Ctrl+4', 'Ctrl+5', 'Ctrl+,'],
  );
  assert.is(shortcutLabel('chat.approve', 'other'), 'Ctrl+Enter');
  assert.is(shortcutLabel('app.lock', 'other'), 'Ctrl+L');
  assert.is(comboLabel('c', 'other'), 'Ctrl+C');
  assert.is(ariaShortcut('chat.approve', 'other'), 'Control+Enter');
  assert.is(ariaShortcut('go.settings', 'other'), 'Control+Comma');
  assert.is(keyLabel('Enter', 'other'), 'Enter');
  assert.is(keyLabel('Enter', 'other', { shift: true }), 'Shift+Enter');
});

test('on macOS Cmd matches and Ctrl does not', () => {
  assert.is(matchShortcut(press('1', { metaKey: true }), 'mac'), 'go.sources');
  assert.is(matchShortcut(press('4', { metaKey: true }), 'mac'), 'go.audit');
  assert.is(matchShortcut(press(',', { metaKey: true }), 'mac'), 'go.settings');
  assert.is(matchShortcut(press('Enter', { metaKey: true }), 'mac'), 'chat.approve');
  assert.is(matchShortcut(press('l', { metaKey: true }), 'mac'), 'app.lock');
  assert.is(matchShortcut(press('1', { ctrlKey: true }), 'mac'), null);
  assert.is(matchShortcut(press('Enter', { ctrlKey: true }), 'mac'), null);
});

test('on Linux and Windows Ctrl matches and the Windows/Super key does not', () => {
  assert.is(matchShortcut(press('2', { ctrlKey: true }), 'other'), 'go.chat');
  assert.is(matchShortcut(press('3', { ctrlKey: true }), 'other'), 'go.results');
  assert.is(matchShortcut(press('Enter', { ctrlKey: true }), 'other'), 'chat.approve');
  assert.is(matchShortcut(press('L', { ctrlKey: true }), 'other'), 'app.lock');
  assert.is(matchShortcut(press('2', { metaKey: true }), 'other'), null);
});

test('plain keys, Alt and Shift combinations are not shortcuts (except the older Shift+L for lock)', () => {
  assert.is(matchShortcut(press('2'), 'other'), null);
  assert.is(matchShortcut(press('Enter'), 'mac'), null);
  assert.is(matchShortcut(press('2', { ctrlKey: true, altKey: true }), 'other'), null);
  assert.is(matchShortcut(press('Enter', { ctrlKey: true, shiftKey: true }), 'other'), null);
  assert.is(matchShortcut(press('x', { ctrlKey: true }), 'other'), null);
  assert.is(matchShortcut(press('L', { ctrlKey: true, shiftKey: true }), 'other'), 'app.lock');
  assert.is(matchShortcut(press('L', { metaKey: true, shiftKey: true }), 'mac'), 'app.lock');
});

test('each page has its own shortcut, and a page shortcut leads back to its page', () => {
  const ids = ROUTES.map((r) => routeShortcut(r.id));
  assert.is(new Set(ids.map((id) => shortcutLabel(id, 'other'))).size, ROUTES.length);
  for (const r of ROUTES) assert.is(routeOf(routeShortcut(r.id)), r.id);
  assert.is(routeOf('chat.approve'), null);
  assert.is(routeOf('app.lock'), null);
});

test.run();
