import { app, Menu, type MenuItemConstructorOptions } from 'electron';
import { SAMPLE_DATA_CREDIT } from '../../engine/contract/index';

export function buildMenu(options: { production: boolean; onLock: () => void }): void {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Lock PolyStoreIQ', accelerator: 'CmdOrCtrl+Shift+L', click: options.onLock },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(options.production ? [] : [{ type: 'separator' as const }, { role: 'reload' as const }, { role: 'toggleDevTools' as const }]),
      ],
    },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  app.setAboutPanelOptions({ applicationName: 'PolyStoreIQ', applicationVersion: app.getVersion(), credits: SAMPLE_DATA_CREDIT });
}
