/**
 * Electron host: lifecycle, the window, IPC registration and event forwarding.
 * Everything the app knows lives in the engine; this file only wires it up.
 */
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, net, powerMonitor, protocol, session, shell } from 'electron';
import { AppCommand, channelNames, SAMPLE_DATA_CREDIT } from '../../engine/contract/index';
import { EVENT_CHANNEL } from '../../engine/contract/transport';
import { DATABASE_FILE, openHostEngine, type EngineOptions, type HostEngine } from '../../engine/engine';
import { EngineError } from '../../engine/errors';
import { restoreForThisVersion, SchemaTooNewError } from '../../engine/store/db';
import { resolveDataDir } from '../../engine/paths';
import { writeExport } from '../../engine/export/save-export';
import { contentSecurityPolicy } from '../shared/csp';
import { createIpcHandler } from './ipc';
import { ChildKeytar } from '../../engine/secrets/child-keytar';
import { KeychainSecretStore } from '../../engine/secrets/keychain';
import { utilityProcessKeytar, utilityProcessLauncher } from './utility-process';
import { menuTemplate } from './menu';
import { runPackagedSmokeTest } from './smoke';
import { startUpdater } from './updater';
import { APP_HOST, APP_ORIGIN, APP_SCHEME, mainWindowOptions } from './window-options';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.resolve(here, '..', 'renderer');
const devServerUrl = process.env.POLYSTORE_RENDERER_URL;
const production = app.isPackaged && !devServerUrl;
/** The release job's check of an installed build: hidden, self-testing, exits 0 or 1. */
const smokeTest = process.argv.includes('--smoke-test') || process.env.POLYSTORE_SMOKE_TEST === '1';

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

let engine: HostEngine | null = null;

function serveRenderer(): void {
  const csp = contentSecurityPolicy();
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return new Response('Not found', { status: 404 });
    const relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = path.resolve(rendererDir, '.' + relative);
    if (!file.startsWith(rendererDir + path.sep) || !fs.existsSync(file)) return new Response('Not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', csp);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
}

function hardenContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!url.startsWith(APP_ORIGIN) && !(devServerUrl && url.startsWith(devServerUrl))) event.preventDefault();
    });
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      // Links to documentation open in the user's browser; the app never opens windows of its own.
      if (url.startsWith('https://')) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions({ preload: path.join(here, 'preload.cjs'), production }));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(devServerUrl ?? `${APP_ORIGIN}/index.html`);
  return win;
}

/** The engine's options for a profile folder: the same for the app and its smoke test. */
function engineOptions(dataDir: string): EngineOptions {
  return {
    dataDir,
    host: 'electron',
    workerFile: path.join(here, 'worker.mjs'),
    processLauncher: utilityProcessLauncher(path.join(here, 'child.mjs')),
    // keytar in a utility process: a keychain call stuck past its deadline (a frozen keyring daemon) is killed
    // with it, instead of holding a thread the app waits for when it quits.
    secrets: new KeychainSecretStore({ keytar: new ChildKeytar(utilityProcessKeytar(path.join(here, 'keytar-child.mjs'))) }),
    hostHandlers: {
      'host.pickFiles': async (input) => {
        const owner = BrowserWindow.getFocusedWindow();
        const options: Electron.OpenDialogOptions = {
          title: input?.title ?? 'Add files',
          properties: ['openFile', 'multiSelections'],
          filters: [
            { name: 'Data files', extensions: ['csv', 'tsv', 'txt', 'json', 'ndjson', 'jsonl', 'gz', 'parquet'] },
            { name: 'All files', extensions: ['*'] },
          ],
        };
        const chosen = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options);
        return { paths: chosen.canceled ? [] : chosen.filePaths };
      },
      'host.saveFile': async (input) => {
        const owner = BrowserWindow.getFocusedWindow();
        const options: Electron.SaveDialogOptions = {
          title: 'Save export',
          defaultPath: path.join(app.getPath('downloads'), input.fileName),
          filters: [{ name: input.format.toUpperCase(), extensions: [input.format] }],
          // Linux asks before replacing a file only when told to; macOS and Windows always ask.
          properties: ['showOverwriteConfirmation', 'createDirectory'],
        };
        const chosen = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options);
        if (chosen.canceled || !chosen.filePath) return { path: null };
        return { path: writeExport(chosen.filePath, input, { overwriteConfirmed: true }) };
      },
    },
  };
}

/**
 * Opens the profile. After going back to an older release, a profile a newer
 * one migrated is refused; when a backup this version understands exists, the
 * user may restore it (the newer database is kept aside) instead of being stuck.
 */
async function openProfile(dataDir: string): Promise<HostEngine> {
  try {
    return await openHostEngine(engineOptions(dataDir));
  } catch (error) {
    if (!(error instanceof SchemaTooNewError) || !error.backup) throw error;
    const { response } = await dialog.showMessageBox({
      type: 'warning',
      buttons: ['Restore Backup', 'Quit'],
      defaultId: 1,
      cancelId: 1,
      message: 'This profile was opened by a newer version of PolyStoreIQ',
      detail:
        `A backup from ${error.backup.takenAt}, taken before version ${error.backup.appVersion} upgraded the profile, can be restored. ` +
        'Anything changed since then stays in the newer database, which is kept next to it; installing the newer version again and restoring that file recovers it.',
    });
    if (response !== 0) throw error;
    restoreForThisVersion(path.join(dataDir, DATABASE_FILE));
    return openHostEngine(engineOptions(dataDir));
  }
}

async function start(): Promise<void> {
  await app.whenReady();
  if (smokeTest) {
    serveRenderer();
    hardenContents();
    const code = await runPackagedSmokeTest({
      openEngine: (dir) => openHostEngine(engineOptions(dir)),
      windowOptions: mainWindowOptions({ preload: path.join(here, 'preload.cjs'), production }),
      url: `${APP_ORIGIN}/index.html`,
    });
    app.exit(code);
    return;
  }
  const dataDir = resolveDataDir(process.env.POLYSTORE_HOME ? null : app.getPath('userData'));
  engine = await openProfile(dataDir);
  serveRenderer();
  hardenContents();

  const handle = createIpcHandler(engine.router, devServerUrl ? new URL(devServerUrl).origin : undefined);
  for (const channel of channelNames) ipcMain.handle(channel, (event, payload: unknown) => handle(event, channel, payload));

  engine.events.subscribe((event, payload) => {
    for (const win of BrowserWindow.getAllWindows()) win.webContents.send(EVENT_CHANNEL, event, payload);
  });
  // Lock with the machine: a locked screen or a closed lid locks the profile too.
  powerMonitor.on('lock-screen', () => engine?.lockNow('system-lock'));
  powerMonitor.on('suspend', () => engine?.lockNow('suspend'));

  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(process.platform, {
        production,
        lock: () => engine?.lockNow('menu'),
        // Only the window in front is told; the page ignores it while locked.
        command: (command) => BrowserWindow.getFocusedWindow()?.webContents.send(EVENT_CHANNEL, 'app.command', AppCommand.parse({ command })),
        // Shipped next to the app (electron-builder extraResources); in development, the repository's.
        openDocs: () => void shell.openPath(app.isPackaged ? path.join(process.resourcesPath, 'README.md') : path.resolve(here, '..', '..', 'README.md')),
      }),
    ),
  );
  const running = engine;
  startUpdater({
    channel: () => running.readSettings().updateChannel,
    isBusy: () => running.isBusy(),
    log: (message) => running.logger.info(message),
  });
  app.setAboutPanelOptions({ applicationName: 'PolyStoreIQ', applicationVersion: app.getVersion(), credits: SAMPLE_DATA_CREDIT });
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let closing = false;
app.on('before-quit', (event) => {
  if (closing || !engine) return;
  closing = true;
  event.preventDefault();
  void engine.close().finally(() => app.quit());
});

start().catch((error: unknown) => {
  console.error('PolyStoreIQ failed to start:', error);
  // A packaged app has no terminal: say why it stops (an engine error's message is written for users).
  if (!smokeTest) dialog.showErrorBox('PolyStoreIQ could not start', error instanceof EngineError ? error.message : String(error));
  app.exit(1);
});
