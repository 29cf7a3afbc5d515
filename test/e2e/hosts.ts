/**
 * Which E2E specs also drive the packaged Electron app (npm run test:e2e:electron, on a Mac),
 * and which run only against the browser host, each with its reason. Every test/e2e/*.test.ts
 * is in exactly one list (test/unit/e2e/hosts.test.ts fails otherwise), so a new spec is
 * classified when it is added, not forgotten.
 *
 * A spec joins the Electron run when it reaches the app only through the shared E2EApp
 * (browser, call, open, screenshot) and test/e2e/pages; `app.launched` (the browser host's
 * engine and server) and channels the page cannot call exist only in the browser host.
 */

/** Specs the Electron run includes, in the order it runs them. */
export const ELECTRON_SPECS = [
  'accessibility.test.ts',
  'accessibility-workspace.test.ts',
  'chat.test.ts',
  'chat-scroll.test.ts',
  'eval.test.ts',
  'login-risks.test.ts',
  'page-calls.test.ts',
  'providers.test.ts',
  'results.test.ts',
  'roles.test.ts',
  'verified.test.ts',
] as const;

/** Specs only the browser host runs, and why. */
export const BROWSER_HOST_ONLY: Readonly<Record<string, string>> = {
  'app-shell.test.ts': "checks the browser host's launch token and its page without a token; the app has no token",
  'audit-integrity.test.ts': "edits the browser host's SQLite file through app.launched to alter the audit log",
  'lock-screen-chunk.test.ts': 'checks the dist/renderer build the browser host serves; it starts no app',
  'profile-and-sources.test.ts': 'presses Control shortcuts, which are Cmd on macOS (pages.commandKey would make it portable)',
  'results-export.test.ts': "calls host.saveFile through app.launched; the app's save goes through the native save dialog, which WebDriver cannot drive",
  'results-table.test.ts': 'copies with Control+C, which is Cmd+C on macOS (pages.commandKey would make it portable)',
  'sample.test.ts': "reads the sources through app.launched's engine",
  'source-circuit.test.ts': 'calls sources.get, a channel the page cannot call (app.call in the app goes through the page)',
};
