/**
 * Page objects for the flows most specs repeat, on top of test/support/e2e.ts. They reach the app
 * only through E2EApp's shared members (browser, call, open), so a spec written with them runs
 * against the browser host and the packaged app alike (test/e2e/hosts.ts).
 */
import type { E2EApp } from '../../support/e2e';
import { ChatPage } from './chat';
import { LockScreen } from './lock';
import { Downloads, PageErrors, ResultsPage } from './results';
import { SettingsPage } from './settings';
import { Sources } from './sources';

export { commandKey, pressCommand } from './keys';
export { ChatPage, Downloads, LockScreen, PageErrors, ResultsPage, SettingsPage, Sources };

export function pages(app: E2EApp) {
  return {
    chat: new ChatPage(app),
    results: new ResultsPage(app),
    settings: new SettingsPage(app),
    lock: new LockScreen(app),
    sources: new Sources(app),
    errors: new PageErrors(app),
    downloads: new Downloads(app),
  };
}
