import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPgDatabase, type TestDatabase } from '../support/databases';
import { addConfirmedPgSource, askInChat, lastOf as lastOfIn, latestQueryCard, startApp, type E2EApp } from '../support/e2e';

// A conversation opens at its latest message (also after a reload, while the charts above it draw),
// follows new messages, and stays where the reader is once they scrolled up to read.
let app: E2EApp;
let db: TestDatabase;
let sourceId: string;
let sessionId: string;

const $ = (selector: string) => app.browser.$(selector);
const $$ = (selector: string) => app.browser.$$(selector);
const lastOf = (testId: string) => lastOfIn(app, testId);

interface Position {
  fromBottom: number;
  top: number;
  overflow: number;
}

/** How far the thread is scrolled from its end (0 = at the latest message). */
async function position(): Promise<Position> {
  return (await app.browser.execute(() => {
    const s = document.querySelector('[data-testid="thread-scroller"]')!;
    return { fromBottom: s.scrollHeight - s.scrollTop - s.clientHeight, top: s.scrollTop, overflow: s.scrollHeight - s.clientHeight };
  })) as Position;
}

async function waitAtLatest(when: string) {
  await app.browser.waitUntil(async () => (await position()).fromBottom <= 2, { timeout: 15_000, timeoutMsg: `not at the latest message ${when}` });
}

async function askAndRun(question: string) {
  const before = await $$('[data-testid="result-card"]').length;
  await askInChat(app, question);
  await (await latestQueryCard(app, 'pending')).$('[data-testid="approve"]').click();
  await app.browser.waitUntil(async () => (await $$('[data-testid="result-card"]').length) > before, { timeout: 30_000, timeoutMsg: `no result for "${question}"` });
}

test.before(async () => {
  db = createPgDatabase('chinook');
  app = await startApp({ unlocked: true });
  sourceId = await addConfirmedPgSource(app, db);
});
test.after(async () => {
  await app?.close();
  db?.drop();
});

test('a conversation taller than the window: three results with their charts', async () => {
  await app.open(`#/chat/${sourceId}`);
  for (const question of ['Revenue per month in 2021', 'Total sales per country', 'List the 10 longest tracks']) await askAndRun(question);
  assert.ok((await position()).overflow > 600, 'the thread is taller than the window');
  const hash = (await app.browser.execute(() => location.hash)) as string;
  sessionId = hash.split('/')[3] ?? '';
  assert.ok(sessionId, `the conversation is in the address (${hash})`);
});

test('after a reload the thread opens at its latest message, once the charts above have drawn', async () => {
  await app.browser.refresh();
  await lastOf('result-card').waitForExist({ timeout: 15_000 });
  await app.browser.waitUntil(async () => (await $$('[data-testid="result-card"] [data-testid="chart-canvas"]').length) >= 1, { timeout: 15_000, timeoutMsg: 'no chart drawn' });
  await waitAtLatest('after the reload');
  assert.ok(await lastOf('result-card').isDisplayed({ withinViewport: true }), 'the latest result is on screen');
  assert.not.ok(await $('[data-testid="jump-to-latest"]').isExisting(), 'no "Latest" button at the end');
  await app.screenshot('99-chat-opens-at-latest');
});

test('scrolled up to read, a new message does not move the thread; "Latest" goes back and follows again', async () => {
  await app.browser.execute(() => {
    document.querySelector('[data-testid="thread-scroller"]')!.scrollTop = 0;
  });
  await $('[data-testid="jump-to-latest"]').waitForDisplayed({ timeoutMsg: 'no "Latest" button after scrolling up' });
  const queries = await $$('[data-testid="query-card"]').length;
  // Another window asks in the same conversation: the message arrives here through the engine's event.
  await app.call('chat.ask', { sessionId, question: 'How many customers are there?' });
  await app.browser.waitUntil(async () => (await $$('[data-testid="query-card"]').length) > queries, { timeout: 15_000, timeoutMsg: 'the new message did not arrive' });
  assert.is((await position()).top, 0, 'still where the reader was');
  await $('[data-testid="jump-to-latest"]').click();
  await waitAtLatest('after "Latest"');
  await app.browser.waitUntil(async () => !(await $('[data-testid="jump-to-latest"]').isExisting()), { timeoutMsg: 'the button stayed' });
  await app.screenshot('99-chat-latest-again');
});

test.run();
