import { BrowserWindow } from 'electron';
import { formatSmokeReport, runSmokeTest, SMOKE_STEP_TIMEOUT_MS, type SmokeEngine } from '../shared/smoke-test';

/**
 * `PolyStoreIQ --smoke-test`: the packaged app checks itself without showing
 * anything (the release job runs it from the installed DMG) and exits 0 or 1.
 */
export async function runPackagedSmokeTest(options: { openEngine: (dataDir: string) => Promise<SmokeEngine>; windowOptions: Electron.BrowserWindowConstructorOptions; url: string }): Promise<number> {
  const report = await runSmokeTest({
    host: 'electron',
    openEngine: options.openEngine,
    renderWindow: async () => {
      const win = new BrowserWindow({ ...options.windowOptions, show: false });
      try {
        await win.loadURL(options.url);
        // The renderer mounts into the page's root; its first screen (lock or setup) has a heading.
        const deadline = Date.now() + SMOKE_STEP_TIMEOUT_MS / 2;
        for (;;) {
          const seen = (await win.webContents.executeJavaScript(`document.querySelector('h1, h2')?.textContent ?? ''`)) as string;
          if (seen.trim()) return `rendered "${seen.trim()}"`;
          if (Date.now() > deadline) throw new Error('the page loaded but rendered no heading');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        win.destroy();
      }
    },
  });
  process.stdout.write(formatSmokeReport(report) + '\n');
  return report.ok ? 0 : 1;
}
