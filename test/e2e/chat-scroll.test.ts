import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPgDatabase, type TestDatabase } from '../support/databases';
import { addConfirmedPgSource, askInChat, lastOf as lastOfIn, latestQueryCard, startApp, waitForText, type E2EApp } from '../support/e2e';

// A conversation opens at its latest message (also after a reload, while the charts above it draw),
// follows new messages, and stays where the reader is once they scrolled up to read. The conversation
// list keeps every source's conversations and finds them again; it folds away in a small window.
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

test('history: switching source keeps every conversation listed, each with its source; search finds one by its question; Ask resumes it', async () => {
  const replica = await addConfirmedPgSource(app, db, 'Chinook replica');
  await app.open(`#/chat/${replica}`);
  await askInChat(app, 'Which genres have the most tracks');
  await app.browser.waitUntil(async () => (await app.browser.getUrl()).includes(`#/chat/${replica}/`), { timeout: 20_000, timeoutMsg: 'the question did not start a conversation' });
  const replicaSession = (await app.browser.getUrl()).split('/').pop() ?? '';

  // Back to the first source: its conversation and the replica's are both still listed, each saying whose it is.
  await $('[data-testid="source-picker"]').selectByAttribute('value', sourceId);
  await app.browser.waitUntil(async () => (await app.browser.getUrl()).endsWith(`#/chat/${sourceId}`), { timeoutMsg: 'the source did not change' });
  await app.browser.waitUntil(async () => (await $$('[data-testid="session"]').length) === 2, { timeout: 10_000, timeoutMsg: 'both conversations are not listed after switching source' });
  const labels = await $$('[data-testid="session-source"]').map((e) => e.getText());
  assert.equal([...labels].sort(), ['Chinook', 'Chinook replica']);

  // Search by a question asked in it (not the first source's questions).
  await $('[data-testid="session-search"]').setValue('genres');
  await app.browser.waitUntil(async () => (await $$('[data-testid="session"]').length) === 1, { timeout: 10_000, timeoutMsg: 'search did not narrow the list' });
  await waitForText($('[data-testid="session"]'), 'Chinook replica');
  await $('[data-testid="session"] a').click();
  await app.browser.waitUntil(async () => (await app.browser.getUrl()).endsWith(`#/chat/${replica}/${replicaSession}`), { timeoutMsg: 'the found conversation did not open' });
  await waitForText($('[data-testid="thread"]'), 'Which genres have the most tracks');

  // Elsewhere and back through "Ask" in the sidebar: the same conversation, not a blank one.
  await $('nav a[data-route="sources"]').click();
  await waitForText($('main h1'), 'Sources');
  await $('nav a[data-route="chat"]').click();
  await app.browser.waitUntil(async () => (await app.browser.getUrl()).endsWith(`#/chat/${replica}/${replicaSession}`), { timeoutMsg: 'Ask did not resume the last conversation' });
  await waitForText($('[data-testid="thread"]'), 'Which genres have the most tracks');
  await app.screenshot('99-chat-history-all-sources');
});

test('at 1000x700 the conversation list folds away, leaving the thread at least 640 px, and stays folded after a reload', async () => {
  const chatWidth = async () => (await app.browser.execute(() => document.querySelector('section.conversation')!.getBoundingClientRect().width)) as number;
  await app.browser.setWindowSize(1000, 700);
  try {
    const viewport = (await app.browser.execute(() => window.innerWidth)) as number;
    await app.open(`#/chat/${sourceId}/${sessionId}`);
    const toggle = $('[data-testid="toggle-rail"]');
    await toggle.waitForDisplayed();
    const open = await chatWidth();
    assert.is(await toggle.getAttribute('aria-label'), 'Hide conversations');
    await toggle.click();
    await app.browser.waitUntil(async () => (await chatWidth()) >= 640, { timeoutMsg: 'the thread is still narrower than 640 px with the list folded' });
    assert.is(await toggle.getAttribute('aria-expanded'), 'false');
    assert.is(await toggle.getAttribute('aria-label'), 'Show conversations');
    assert.not.ok(await $('[data-testid="sessions"]').isExisting(), 'the list is folded away');
    const folded = await chatWidth();
    console.log(`window 1000x700 (viewport ${viewport} px wide): thread ${Math.round(open)} px with the list, ${Math.round(folded)} px folded`);
    await app.screenshot('99-chat-rail-folded-1000x700');

    await app.browser.refresh();
    await $('[data-testid="thread"]').waitForDisplayed({ timeout: 10_000 });
    assert.is(await $('[data-testid="toggle-rail"]').getAttribute('aria-expanded'), 'false', 'still folded after a reload');
    assert.ok((await chatWidth()) >= 640, 'still at least 640 px after a reload');
    await $('[data-testid="toggle-rail"]').click();
    await $('[data-testid="sessions"]').waitForExist({ timeoutMsg: 'the list did not come back' });
  } finally {
    await app.browser.setWindowSize(1280, 820);
  }
});

test.run();
