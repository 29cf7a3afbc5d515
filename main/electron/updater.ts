import { app, BrowserWindow, dialog } from 'electron';
import electronUpdater from 'electron-updater';
import { UpdateController, type UpdateChannel } from '../update/update-controller';

/**
 * Auto-update for the packaged app: electron-updater's autoUpdater (Squirrel.Mac
 * verifies the download's code signature before installing) driven by our
 * policy in main/update. The feed is the `publish` setting electron-builder
 * wrote into the app (app-update.yml). Development builds do not update.
 */
export function startUpdater(options: { channel: () => UpdateChannel; isBusy: () => boolean; log: (message: string) => void }): UpdateController | null {
  if (!app.isPackaged) return null;
  const { autoUpdater } = electronUpdater;
  autoUpdater.logger = { info: options.log, warn: options.log, error: options.log, debug: () => {} };
  const controller = new UpdateController({
    updater: autoUpdater,
    channel: options.channel,
    isBusy: options.isBusy,
    log: options.log,
    askToRestart: async ({ version, notes }) => {
      const owner = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
      const box: Electron.MessageBoxOptions = {
        type: 'info',
        buttons: ['Restart Now', 'Later'],
        defaultId: 0,
        cancelId: 1,
        message: `PolyStoreIQ ${version} is ready to install`,
        detail: `${notes ? `${notes}\n\n` : ''}If a query is running, the restart waits for it. Choose Later to install when you next quit.`,
      };
      const { response } = owner ? await dialog.showMessageBox(owner, box) : await dialog.showMessageBox(box);
      return response === 0;
    },
  });
  controller.start();
  return controller;
}
