import { test } from 'uvu';
import { createPgDatabase, type TestDatabase } from '../support/databases';
import { addConfirmedPgSource, askInChat, latestQueryCard, startApp, waitForText, type E2EApp } from '../support/e2e';
import { axeChecks, READY } from './pages/axe';

// Accessibility of the workspace, in both themes: Results (the list and one result), the Audit log,
// Settings and the lock screen, on a profile with one source and one answered question
// (accessibility.test.ts has the first hour's screens).
let app: E2EApp;
let db: TestDatabase;

const $ = (selector: string) => app.browser.$(selector);
const $$ = (selector: string) => app.browser.$$(selector);
const { click, checkBothThemes } = axeChecks(() => app);

test.before(async () => {
  db = createPgDatabase('chinook');
  app = await startApp({ unlocked: true });
  const sourceId = await addConfirmedPgSource(app, db);
  await app.open(`#/chat/${sourceId}`);
  await $('[data-testid="composer"]').waitForEnabled({ timeout: READY });
  await askInChat(app, 'Revenue per month in 2021');
  await (await latestQueryCard(app, 'pending')).$('[data-testid="approve"]').click();
  await $('[data-testid="result-card"] [data-testid="chart-canvas"]').waitForExist({ timeout: READY });
});
test.after(async () => {
  await app?.close();
  db?.drop();
});

test('Results: the list of past results', async () => {
  await checkBothThemes('Results list', async () => {
    await app.open('#/results/all');
    await waitForText($('[data-testid="past-results"]'), 'Revenue per month in 2021', READY);
  });
});

test('Results: one result opened from the list', async () => {
  await app.open('#/results/all');
  await click('[data-testid="past-result"]');
  await $('[data-testid="results-page"] [data-testid="chart-canvas"]').waitForExist({ timeout: READY });
  const openResult = (await app.browser.execute(() => location.hash)) as string;
  await checkBothThemes('an open result', async () => {
    await app.open(openResult);
    await waitForText($('[data-testid="result-title"]'), 'Revenue per month in 2021', READY);
    await $('[data-testid="results-page"] [data-testid="chart-canvas"]').waitForExist({ timeout: READY });
    await app.browser.waitUntil(async () => (await $$('[data-testid="full-result"] [data-testid="result-row"]').length) > 0, { timeout: READY, timeoutMsg: 'no rows shown' });
  });
});

test('the Audit log', async () => {
  await checkBothThemes('Audit log', async () => {
    await app.open('#/audit');
    await app.browser.waitUntil(async () => (await $$('[data-testid="audit-table"] tbody tr').length) > 0, { timeout: READY, timeoutMsg: 'no audit entries shown' });
  });
});

test('Settings, with the model form (fallback open), the self-test report and About', async () => {
  await checkBothThemes('Settings', async () => {
    await app.open('#/settings');
    await $('[data-testid="model-current"]').waitForDisplayed({ timeout: READY });
    await click('[data-testid="use-fallback"]');
    await $('fieldset.fallback').waitForDisplayed({ timeout: READY });
    await click('[data-testid="run-self-test"]');
    await $('[data-testid="self-test-report"]').waitForDisplayed({ timeout: READY });
    await waitForText($('[data-testid="sample-credit"]'), 'Chinook', READY);
  });
});

test('the lock screen', async () => {
  await app.call('auth.lock');
  await checkBothThemes('lock screen', async () => {
    await app.open('#/sources');
    await $('[data-testid="lock-screen"]').waitForDisplayed({ timeout: READY });
    await waitForText($('[data-testid="engine-health"]'), 'Engine healthy', READY);
  });
});

test.run();
