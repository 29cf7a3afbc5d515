import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { MenuItemConstructorOptions } from 'electron';
import { menuTemplate, type MenuActions } from '../../../../main/electron/menu';

// The menu is built from a pure template, so both platforms are checked here, where Electron cannot start.
function template(platform: NodeJS.Platform, production = true) {
  const calls: string[] = [];
  const actions: MenuActions = { production, command: (c) => calls.push(c), lock: () => calls.push('lock'), openDocs: () => calls.push('docs') };
  return { menu: menuTemplate(platform, actions), calls };
}

const items = (menu: MenuItemConstructorOptions[], label: string) => {
  const found = menu.find((m) => m.label === label);
  assert.ok(found, `no ${label} menu`);
  return (found.submenu as MenuItemConstructorOptions[]).filter((i) => i.type !== 'separator');
};
const roles = (list: MenuItemConstructorOptions[]) => list.map((i) => i.role ?? i.label);
const byLabel = (list: MenuItemConstructorOptions[], label: string) => {
  const item = list.find((i) => i.label === label);
  assert.ok(item, `no ${label} item`);
  return item;
};
const click = (item: MenuItemConstructorOptions) => (item.click as () => void)();

test('macOS: the app menu has About, Settings… (⌘,), Services, Hide, Hide Others, Show All and Quit', () => {
  const { menu, calls } = template('darwin');
  assert.equal(menu.map((m) => m.label), ['PolyStoreIQ', 'File', 'Edit', 'View', 'Window', 'Help']);
  const app = items(menu, 'PolyStoreIQ');
  assert.equal(roles(app), ['about', 'Settings…', 'services', 'hide', 'hideOthers', 'unhide', 'quit']);
  const settings = byLabel(app, 'Settings…');
  assert.is(settings.accelerator, 'Cmd+,');
  click(settings);
  assert.equal(calls, ['go.settings']);
});

test('macOS: Cmd accelerators for the pages (⌘1-⌘5) and lock (⌘L); File closes the window', () => {
  const { menu, calls } = template('darwin');
  const view = items(menu, 'View');
  assert.equal(
    ['Sources', 'Ask', 'Results', 'Audit Log', 'Evaluate'].map((l) => byLabel(view, l).accelerator),
    ['Cmd+1', 'Cmd+2', 'Cmd+3', 'Cmd+4', 'Cmd+5'],
  );
  click(byLabel(view, 'Results'));
  const file = items(menu, 'File');
  assert.equal(roles(file), ['Lock PolyStoreIQ', 'close']);
  assert.is(byLabel(file, 'Lock PolyStoreIQ').accelerator, 'Cmd+L');
  click(byLabel(file, 'Lock PolyStoreIQ'));
  assert.equal(calls, ['go.results', 'lock']);
});

test('Edit has undo, redo, cut, copy, paste and select all on both platforms', () => {
  for (const platform of ['darwin', 'linux'] as const) {
    const edit = roles(items(template(platform).menu, 'Edit'));
    for (const role of ['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']) assert.ok(edit.includes(role), `${platform}: ${role}`);
  }
});

test('Window and Help: the standard roles, and Help opens the documentation', () => {
  const { menu, calls } = template('darwin');
  assert.is(menu.find((m) => m.label === 'Window')?.role, 'windowMenu');
  assert.equal(roles(items(menu, 'Window')), ['minimize', 'zoom', 'front']);
  const help = items(menu, 'Help');
  click(byLabel(help, 'PolyStoreIQ Documentation'));
  assert.equal(calls, ['docs']);
});

test('Linux and Windows: no app menu; Settings, Lock and Quit under File with Ctrl accelerators; About under Help', () => {
  for (const platform of ['linux', 'win32'] as const) {
    const { menu } = template(platform);
    assert.equal(menu.map((m) => m.label), ['File', 'Edit', 'View', 'Window', 'Help'], platform);
    const file = items(menu, 'File');
    assert.equal(roles(file), ['Settings', 'Lock PolyStoreIQ', 'quit']);
    assert.equal(file.map((i) => i.accelerator), ['Ctrl+,', 'Ctrl+L', 'Ctrl+Q']);
    const view = items(menu, 'View');
    assert.equal(
      ['Sources', 'Ask', 'Results', 'Audit Log', 'Evaluate'].map((l) => byLabel(view, l).accelerator),
      ['Ctrl+1', 'Ctrl+2', 'Ctrl+3', 'Ctrl+4', 'Ctrl+5'],
    );
    assert.ok(roles(items(menu, 'Help')).includes('about'));
    const all = JSON.stringify(menu);
    assert.not.match(all, /Cmd\+/, `${platform}: no Cmd accelerator`);
  }
});

test('reload and developer tools only outside a production build', () => {
  assert.not.ok(roles(items(template('linux', true).menu, 'View')).includes('toggleDevTools'));
  assert.ok(roles(items(template('linux', false).menu, 'View')).includes('toggleDevTools'));
});

test.run();
