import type { BrowserWindowConstructorOptions } from 'electron';

/** The app's own origin: the renderer is served from this custom scheme, never from file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'polystore';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * The main window's options. Pinned by a unit test: every line here is a
 * security property, so changing one should be a deliberate, reviewed act.
 */
export function mainWindowOptions(options: { preload: string; production: boolean }): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'PolyStoreIQ',
    titleBarStyle: 'hiddenInset',
    backgroundColor: '#15161a',
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: !options.production,
      safeDialogs: true,
    },
  };
}

/** Only the app's own page (or, in development, Vite's dev server) may call the engine. */
export function isTrustedSenderUrl(url: string | undefined, devServerOrigin?: string): boolean {
  if (!url) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST) return true;
  return devServerOrigin !== undefined && parsed.origin === devServerOrigin;
}
