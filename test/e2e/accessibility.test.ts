import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPgDatabase, type TestDatabase } from '../support/databases';
import { TEST_PIN } from '../support/engine';
import { addConfirmedPgSource, askInChat, latestQueryCard, startApp, waitForText, type E2EApp } from '../support/e2e';
import { axeChecks, READY } from './pages/axe';

// Accessibility of the first hour: profile setup, Sources, a source, the Add source dialog and a first
// answer, in both themes, plus keyboard focus rings. The workspace screens (Results, Audit log,
// Settings, the lock screen) are in accessibility-workspace.test.ts: one file took longer than a
// file's 600 s budget on a loaded machine.
let app: E2EApp;
let db: TestDatabase;
let sourceId = '';
let conversation = '';

const $ = (selector: string) => app.browser.$(selector);
const { click, settle, checkBothThemes, tabStops } = axeChecks(() => app);

test.before(async () => {
  db = createPgDatabase('chinook');
  app = await startApp();
  await app.open('#/sources'); // the first theme switch needs the app on the page
});
test.after(async () => {
  await app?.close();
  db?.drop();
});

test('profile setup on a fresh profile', async () => {
  await checkBothThemes('profile setup', async () => {
    await app.open('#/sources');
    await $('[data-testid="setup-screen"]').waitForDisplayed({ timeout: READY });
    await waitForText($('[data-testid="engine-health"]'), 'Engine healthy', READY);
  });
});

// Each test below brings the app to its state itself, so one screen's violations do not hide the next screen's.
test('Sources with no source yet', async () => {
  await app.call('auth.setup', { kind: 'pin', secret: TEST_PIN });
  await checkBothThemes('Sources, empty', async () => {
    await app.open('#/sources');
    await waitForText($('main'), 'No sources yet', READY);
    await $('[data-testid="try-sample"]').waitForEnabled({ timeout: READY });
  });
});

test('Sources listing a PostgreSQL source', async () => {
  sourceId = await addConfirmedPgSource(app, db);
  await checkBothThemes('Sources, one source', async () => {
    await app.open('#/sources');
    await waitForText($('[data-testid="source-row"]'), 'Chinook', READY);
  });
});

test('a source page with its schema', async () => {
  await checkBothThemes('source detail', async () => {
    await app.open(`#/sources/${sourceId}`);
    await waitForText($('main h1'), 'Chinook', READY);
    await waitForText($('[data-testid="metadata-tree"]'), 'album', READY);
  });
});

test('the Add source dialog with the PostgreSQL form', async () => {
  await checkBothThemes('source dialog', async () => {
    await app.open('#/sources');
    await click('[data-testid="add-source"]');
    await click('button[data-type="postgres"]');
    await $('input[name="name"]').waitForDisplayed({ timeout: READY });
  });
});

test('Ask with an approved result and its chart', async () => {
  await app.open(`#/chat/${sourceId}`);
  await $('[data-testid="composer"]').waitForEnabled({ timeout: READY });
  await askInChat(app, 'Revenue per month in 2021');
  await (await latestQueryCard(app, 'pending')).$('[data-testid="approve"]').click();
  await $('[data-testid="result-card"] [data-testid="chart-canvas"]').waitForExist({ timeout: READY });
  conversation = (await app.browser.execute(() => location.hash)) as string;
  assert.match(conversation, /^#\/chat\/[^/]+\/[^/]+/, 'the conversation is in the address');
  await checkBothThemes('Ask with a result', async () => {
    await app.open(conversation);
    await $('[data-testid="result-card"] [data-testid="chart-canvas"]').waitForExist({ timeout: READY });
    await $('[data-testid="query-card"]').waitForDisplayed({ timeout: READY });
  });
});

test('every Tab stop on Sources and in a conversation shows a solid focus ring of at least 2px', async () => {
  const faint: string[] = [];
  for (const [page, ready] of [
    ['#/sources', '[data-testid="source-row"]'],
    [conversation, '[data-testid="result-card"] [data-testid="chart-canvas"]'],
  ] as const) {
    await app.open(page);
    await $(ready).waitForExist({ timeout: READY });
    await settle();
    const stops = await tabStops(40);
    assert.ok(stops.length >= 8, `Tab moves through ${page} (${stops.length} stops)`);
    faint.push(...stops.filter((s) => !s.ring).map((s) => `${page}: ${s.what}`));
  }
  assert.equal(faint, [], 'focused elements without a visible ring');
});

test.run();
