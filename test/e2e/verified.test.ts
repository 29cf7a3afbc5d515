import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPgDatabase, type TestDatabase } from '../support/databases';
import { addConfirmedPgSource, askInChat, lastOf as lastOfIn, latestQueryCard, startApp, waitForText, type E2EApp } from '../support/e2e';

let app: E2EApp;
let db: TestDatabase;
let sourceId: string;

const $ = (selector: string) => app.browser.$(selector);
/** The last element with this test id (the newest in the thread). */
const lastOf = (testId: string) => lastOfIn(app, testId);

test.before(async () => {
  db = createPgDatabase('chinook');
  app = await startApp({ unlocked: true });
  sourceId = await addConfirmedPgSource(app, db);
});
test.after(async () => {
  await app?.close();
  db?.drop();
});

const ask = (question: string) => askInChat(app, question);

/** The latest query card, once it is in the given status. */
const latestQuery = (status: string) => latestQueryCard(app, status);

test('mark a query that ran as verified (with its wording), then asking again in other words proposes it first with a Verified badge', async () => {
  await app.open(`#/chat/${sourceId}`);
  await ask('how many albums are there');
  const first = await latestQuery('pending');
  await first.$('[data-testid="approve"]').click();
  await latestQuery('done');
  await lastOf('result-card').waitForDisplayed({ timeout: 20_000 });

  await first.$('[data-testid="mark-verified"]').click();
  const wording = first.$('[data-testid="verified-question"]');
  await wording.waitForDisplayed();
  assert.is(await wording.getValue(), 'how many albums are there', 'the question as asked is the starting wording');
  await wording.setValue('How many albums does the store have?');
  await app.screenshot('60-verified-mark-form');
  await first.$('[data-testid="save-verified"]').click();
  await waitForText(first.$('[data-testid="verified-mark"]'), 'Verified answer');
  const [stored] = await app.call('verified.list', { sourceId });
  assert.is(stored?.question, 'How many albums does the store have?');

  await ask('Number of albums the store has?');
  const proposed = await latestQuery('pending');
  await waitForText(proposed.$('[data-testid="verified-badge"]'), 'Verified');
  await waitForText(proposed.$('[data-testid="query-author"]'), 'from your verified answers');
  assert.is(await proposed.$('[data-testid="query-text"]').getText(), await first.$('[data-testid="query-text"]').getText());
  assert.ok(await proposed.$('[data-testid="approve"]').isEnabled(), 'it still waits for an approval');
  await proposed.scrollIntoView();
  await app.screenshot('61-verified-proposed');

  // The same card in the dark theme (the source page below is shown dark too).
  await app.browser.execute(() => localStorage.setItem('polystore.theme', 'dark'));
  await app.browser.refresh();
  await waitForText(lastOf('verified-badge'), 'Verified', 20_000);
  await lastOf('query-card').scrollIntoView();
  await app.screenshot('63-verified-proposed-dark');
});

test("the source's page lists its verified answers; the wording can be edited and the answer removed", async () => {
  await app.open(`#/sources/${sourceId}`);
  const item = $('[data-testid="verified-answer"]');
  await waitForText(item.$('[data-testid="verified-question-text"]'), 'How many albums does the store have?');
  await $('[data-testid="verified-answers"]').scrollIntoView();
  await app.screenshot('62-verified-list');
  await item.$('[data-testid="edit-verified"]').click();
  await item.$('[data-testid="verified-wording"]').setValue('Albums in the store, how many?');
  await item.$('[data-testid="save-wording"]').click();
  await waitForText(item.$('[data-testid="verified-question-text"]'), 'Albums in the store, how many?');
  await item.$('[data-testid="remove-verified"]').click();
  await item.$('[data-testid="confirm-remove-verified"]').click();
  await $('[data-testid="verified-answer"]').waitForExist({ reverse: true, timeout: 10_000 });
  assert.equal(await app.call('verified.list', { sourceId }), []);
  const actions: string[] = (await app.call('audit.list', { sourceId })).events.map((e) => e.action);
  for (const action of ['verified.added', 'verified.edited', 'verified.removed']) assert.ok(actions.includes(action), action);
});

test.run();
