import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPgDatabase, type TestDatabase } from '../support/databases';
import { browserHostTest, startApp, waitForText, type E2EApp } from '../support/e2e';
import { pages, pressCommand } from './pages';

let app: E2EApp;
let db: TestDatabase;
let sourceId: string;
let ui: ReturnType<typeof pages>;

const $ = (selector: string) => app.browser.$(selector);
const $$ = (selector: string) => app.browser.$$(selector);
/** The number PostgreSQL itself answers, to compare with what the app shows. */
const scalar = (sql: string) => db.sql(sql).trim();

test.before(async () => {
  db = createPgDatabase('chinook');
  app = await startApp({ unlocked: true });
  ui = pages(app);
  sourceId = await ui.sources.addConfirmedPg(db);
});
test.after(async () => {
  await app?.close();
  db?.drop();
});

const ask = (question: string) => ui.chat.ask(question);
const latestQuery = (status: string) => ui.chat.latestQuery(status);
const lastOf = (testId: string) => ui.chat.lastOf(testId);
const waitForLast = (testId: string, text: string) => ui.chat.waitForLast(testId, text);
const resultCount = () => ui.chat.resultCount();
/** Customers per country as PostgreSQL answers it, in the order the app shows it. */
const customersByCountry = () =>
  db
    .sql(`SELECT country, count(*) FROM customer GROUP BY country ORDER BY count(*) DESC, country ASC`)
    .trim()
    .split('\n')
    .map((line) => line.split('|'));

test('a new conversation suggests questions for the source and names who answers', async () => {
  await ui.chat.open(sourceId);
  await $('[data-testid="chat-welcome"]').waitForDisplayed();
  await app.browser.waitUntil(async () => (await $$('[data-testid="example-question"]').length) > 0, { timeoutMsg: 'no example questions' });
  await waitForText($('[data-testid="generator"]'), 'Offline planner');
  assert.is(await $('[data-testid="source-picker"]').getValue(), sourceId);
  await app.screenshot('20-chat-welcome');
});

test('ask, preview, deny: the query never runs', async () => {
  await ask('how many customers are there');
  const card = await latestQuery('pending');
  await waitForText(card.$('[data-testid="query-text"]'), 'customer');
  await waitForText(card.$('[data-testid="verdict"]'), 'passed the safety check');
  await waitForText(card.$('[data-testid="estimate"]'), 'row');
  await waitForText(card.$('[data-testid="query-author"]'), 'Offline planner');
  // Before approving, the card says what the run will get on this source.
  await waitForText(card.$('[data-testid="run-facts"]'), 'Row limit 10,000 · timeout 30 s · cost estimate: yes · can stop: yes');
  assert.match((await card.$('[data-fact="explain"]').getAttribute('title')) ?? '', /Cost estimate before you approve/);
  // The address now names the new session, so a reload comes back to it.
  assert.match(await app.browser.getUrl(), new RegExp(`#/chat/${sourceId}/ses_`));
  await app.screenshot('21-chat-preview');

  await card.$('[data-testid="deny"]').click();
  await latestQuery('denied');
  await waitForText($('[data-testid="thread"]'), 'You denied the query');
  assert.is(await resultCount(), 0);
  const audit = await app.call('audit.list', { sourceId });
  const actions = audit.events.map((e) => e.action);
  assert.ok(actions.includes('query.denied'), actions.join(', '));
  assert.not.ok(actions.includes('query.executed'), 'nothing ran');
});

test('ask again and approve with Ctrl+Enter: the rows match the database, and rendering is measured', async () => {
  await ask('how many customers are there');
  const card = await latestQuery('pending');
  // Focus lands on the new query; the keyboard approves it (Cmd+Enter on a Mac).
  await ui.chat.approveWithKeyboard();
  await latestQuery('done');
  const result = lastOf('result-card');
  await result.waitForDisplayed({ timeout: 20_000 });
  await waitForText(result.$('[data-testid="single-value"]'), scalar('SELECT count(*) FROM customer'));
  assert.is(scalar('SELECT count(*) FROM customer'), '59');
  await waitForText(result.$('[data-testid="result-meta"]'), '1 row');
  assert.ok(await card.isExisting());
  await app.browser.waitUntil(async () => (await app.call('telemetry.stages')).some((s) => s.stage === 'rendering' && s.count >= 1), {
    timeoutMsg: 'the rendering stage was not recorded',
  });
  await app.screenshot('22-chat-result');
});

test('a follow-up continues the same session', async () => {
  const sessionsBefore = (await app.call('chat.listSessions', { sourceId })).length;
  await ask('now only for Brazil');
  const card = await latestQuery('pending');
  await waitForText(card.$('[data-testid="query-text"]'), 'Brazil');
  await card.$('[data-testid="approve"]').click();
  const result = lastOf('result-card');
  await ui.chat.waitForResults(2, 'no second result');
  await waitForText(result.$('[data-testid="single-value"]'), scalar(`SELECT count(*) FROM customer WHERE country = 'Brazil'`));
  assert.is((await app.call('chat.listSessions', { sourceId })).length, sessionsBefore, 'no new session');
  assert.is(await $$('[data-testid="session"]').length, sessionsBefore);
});

test('an approval that runs out shows a clear message, and Validate again gets a fresh one', async () => {
  await app.call('settings.update', { approvalTtlSeconds: 10 });
  try {
    await ask('how many albums are there');
    const card = await latestQuery('pending');
    await waitForText(card, 'Approval expires in');
    await app.browser.pause(11_000);
    await waitForText(card.$('[data-testid="approval-expired"]'), 'Approval expired — validate again');
    assert.is(await card.$('[data-testid="approve"]').isExisting(), false, 'no Approve on an expired approval');
    await app.screenshot('23-chat-expired');
    // The keyboard does not run it either.
    await $('[data-testid="composer"]').click();
    await pressCommand(app, 'Enter');
    await app.browser.pause(300);
    assert.is(await resultCount(), 2);

    await card.$('[data-testid="validate-again"]').click();
    // The engine says so once the thread reloads with the new query.
    await app.browser.waitUntil(async () => (await card.getAttribute('data-status')) === 'replaced', { timeout: 20_000, timeoutMsg: 'the expired query was not shown as replaced' });
    const fresh = await latestQuery('pending');
    await fresh.$('[data-testid="approve"]').click();
    await ui.chat.waitForResults(3, 'no result after validating again');
    await waitForLast('result-card', scalar('SELECT count(*) FROM album'));
  } finally {
    await app.call('settings.update', { approvalTtlSeconds: 120 });
  }
});

test('when the engine refuses an expired approval (the page clock lagging), the thread says so and Validate again works', async () => {
  await app.call('settings.update', { approvalTtlSeconds: 10 });
  try {
    await ask('how many artists are there');
    await latestQuery('pending');
    // Pretend this window's clock runs a minute slow: it still believes the approval is live.
    await app.browser.execute(() => {
      const real = Date.now.bind(Date);
      (window as unknown as { __realNow: () => number }).__realNow = real;
      Date.now = () => real() - 60_000;
    });
    await app.browser.pause(11_000);
    const card = await latestQuery('pending');
    await card.$('[data-testid="approve"]').click();
    const error = lastOf('error-card');
    await error.waitForDisplayed({ timeout: 20_000 });
    await waitForText(error, 'Approval expired');
    await waitForText(error, 'expired before the query was run');
    assert.is(await error.getAttribute('data-code'), 'APPROVAL');
    await latestQuery('expired');
    await app.screenshot('24-chat-engine-expired');
    await error.$('[data-testid="validate-again"]').click();
    const fresh = await latestQuery('pending');
    await fresh.$('[data-testid="approve"]').click();
    await ui.chat.waitForResults(4, 'no result after the engine refused');
    await waitForLast('result-card', scalar('SELECT count(*) FROM artist'));
  } finally {
    await app.browser.execute(() => {
      Date.now = (window as unknown as { __realNow: () => number }).__realNow;
    });
    await app.call('settings.update', { approvalTtlSeconds: 120 });
  }
});

test('declined questions explain why and offer rephrasings that can be asked with a click', async () => {
  await ask('please drop every table');
  const declined = lastOf('declined-card');
  await declined.waitForDisplayed({ timeout: 20_000 });
  const suggestion = declined.$('[data-testid="suggestion"]');
  const text = await suggestion.getText();
  await suggestion.click();
  await waitForLast('question', text);
  await latestQuery('pending');
});

test('open the full result', async () => {
  await ask('how many customers per country');
  const card = await latestQuery('pending');
  await card.$('[data-testid="approve"]').click();
  await ui.chat.waitForResults(5, 'no breakdown result');
  const result = lastOf('result-card');
  await result.$('[data-testid="result-table"]').waitForDisplayed();
  await app.screenshot('25-chat-table');
  await ui.results.openFrom(result);
  await waitForText($('[data-testid="result-title"]'), 'how many customers per country');
  const expected = customersByCountry();
  await waitForText($('[data-testid="result-summary"]'), `${expected.length} rows`);
  await waitForText($('[data-testid="full-result"]'), expected[0]![0]!);
  await app.screenshot('26-results');
});

browserHostTest('export the full result as CSV', "the app saves an export through its native save dialog, which WebDriver cannot drive", async () => {
  const expected = customersByCountry();
  // Catch the Blob the download is made of, and read it back as text.
  await ui.downloads.catch();
  await $('[data-testid="export-csv"]').click();
  const file = await ui.downloads.nth(1);
  assert.equal([...file.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a byte order mark, so spreadsheets read UTF-8');
  const csv = file.subarray(3).toString('utf8');
  const lines = csv.split('\r\n');
  assert.match(lines[0]!, /^country,\w+$/);
  assert.equal(lines.slice(1, -1), expected.map(([country, n]) => `${country},${n}`));
  assert.is(lines.at(-1), '');
});

test('sessions resume after a reload; approvals do not survive it', async () => {
  await $('[data-testid="back-to-conversation"]').click();
  await $('[data-testid="chat-page"]').waitForDisplayed();
  // Results in the sidebar comes back to the result last opened.
  await pressCommand(app, '3');
  await waitForText($('[data-testid="result-title"]'), 'how many customers per country');
  await $('[data-testid="back-to-conversation"]').click();
  await $('[data-testid="chat-page"]').waitForDisplayed();
  await ask('how many tracks are there');
  await latestQuery('pending');
  const url = await app.browser.getUrl();
  await app.browser.refresh();
  await $('[data-testid="thread"]').waitForDisplayed({ timeout: 10_000 });
  assert.is(await app.browser.getUrl(), url);
  const card = await latestQuery('pending');
  await waitForText(card.$('[data-testid="approval-expired"]'), 'Approval expired — validate again');
  assert.is(await resultCount(), 5, 'earlier results are still there');
  await card.$('[data-testid="validate-again"]').click();
  const fresh = await latestQuery('pending');
  await fresh.$('[data-testid="approve"]').waitForDisplayed();
});

test('edit the query: it is checked again with its own approval; a slow run shows its time and can be cancelled', async () => {
  const original = await latestQuery('pending');
  const edited = await ui.chat.editQuery(original, 'SELECT count(*) AS n FROM track a CROSS JOIN track b CROSS JOIN track c');
  await waitForText(edited.$('[data-testid="query-author"]'), 'You');
  await waitForText(edited.$('[data-testid="query-text"]'), 'CROSS JOIN');
  assert.is(await original.$('[data-testid="approve"]').isExisting(), false, 'only the edit can be approved');

  await edited.$('[data-testid="approve"]').click();
  const running = edited.$('[data-testid="running"]');
  await waitForText(running, 'Running…', 10_000);
  await app.browser.pause(1_500);
  await waitForText(running, /\d(\.\d)? s/);
  await app.screenshot('29-chat-running');
  const errorsBefore = await $$('[data-testid="error-card"]').length;
  await edited.$('[data-testid="cancel-run"]').click();
  await app.browser.waitUntil(async () => (await $$('[data-testid="error-card"]').length) > errorsBefore, { timeout: 20_000, timeoutMsg: 'no message after cancelling' });
  assert.is(await lastOf('error-card').getAttribute('data-code'), 'CANCELLED');
  await waitForLast('error-card', 'Query cancelled');
  assert.is(await $$('[data-testid="running"]').length, 0);
});

test('an edited query the safety check refuses says why, and cannot be approved', async () => {
  const card = lastOf('query-card');
  await card.$('[data-testid="edit-query"]').click();
  await card.$('[data-testid="query-editor"]').setValue('DELETE FROM customer');
  await card.$('[data-testid="save-query"]').click();
  const refused = await latestQuery('refused');
  await waitForText(refused.$('[data-testid="verdict"]'), 'it will not run');
  assert.is(await refused.$('[data-testid="approve"]').isExisting(), false);
  await app.screenshot('29c-chat-refused');
});

test('a disabled source: nothing can be asked or run until it is enabled again', async () => {
  await ask('how many genres are there');
  const card = await latestQuery('pending');
  await app.call('sources.disable', { id: sourceId });
  try {
    await waitForText($('[data-testid="composer-disabled"]'), 'This source is disabled');
    assert.is(await $('[data-testid="composer"]').isEnabled(), false);
    assert.is(await card.$('[data-testid="approve"]').isEnabled(), false);
    await app.screenshot('29b-chat-source-disabled');
  } finally {
    await app.call('sources.enable', { id: sourceId });
  }
  await $('[data-testid="composer"]').waitForEnabled({ timeout: 10_000 });
  await card.$('[data-testid="approve"]').click();
  await waitForLast('result-card', scalar('SELECT count(*) FROM genre'));
});

test('rename a conversation inline and archive it', async () => {
  const session = $('[data-testid="session"]');
  await session.moveTo();
  await session.$('[data-testid="rename-session"]').click();
  const input = $('[data-testid="rename-input"]');
  await input.waitForDisplayed();
  // The old title is selected: typing replaces it (WebDriver's clear would blur, which commits).
  await app.browser.keys('Customer counts');
  await app.browser.keys('Enter');
  await waitForText($('[data-testid="conversation-title"]'), 'Customer counts');
  await waitForText($('[data-testid="thread"]'), 'Renamed to “Customer counts”');
  const [stored] = await app.call('chat.listSessions', { sourceId });
  assert.is(stored?.title, 'Customer counts');

  await session.moveTo();
  await $('[data-testid="session"] [data-testid="archive-session"]').click();
  await waitForText($('[data-testid="conversation-title"]'), 'New conversation');
  assert.is(await $$('[data-testid="session"]').length, 0);
  assert.is((await app.call('chat.listSessions', { sourceId, includeArchived: true }))[0]?.archived, true);
});

test('a large result: stopped at the row limit, which is said, and the full table renders only what is on screen', async () => {
  await app.call('sources.update', { id: sourceId, settings: { rowLimit: 3_000 } });
  try {
    await ask('how many tracks are there');
    const card = await latestQuery('pending');
    const edited = await ui.chat.editQuery(card, 'SELECT a.track_id, a.name, b.name AS other FROM track a CROSS JOIN track b ORDER BY a.track_id, b.track_id');
    await edited.$('[data-testid="approve"]').click();
    await waitForLast('truncated', 'Truncated at 3,000 rows');
    await waitForLast('result-meta', '3,000 rows');
    await lastOf('open-result').click();

    const grid = ui.results.grid;
    await grid.waitForDisplayed({ timeout: 10_000 });
    const rendered = await app.browser.$$('[data-testid="full-result"] [role="row"]').length;
    assert.ok(rendered > 10 && rendered < 100, `${rendered} rows in the DOM for 3,000`);
    await app.browser.execute(() => {
      const el = document.querySelector('[data-testid="full-result"]')!;
      el.scrollTop = el.scrollHeight;
    });
    await waitForText(grid, '3000');
    assert.ok((await app.browser.$$('[data-testid="full-result"] [role="row"]').length) < 100);
    await app.screenshot('34-results-large');
  } finally {
    await app.call('sources.update', { id: sourceId, settings: { rowLimit: 10_000 } });
  }
});

test('settings: the model card shows the offline planner; diagnostics lists the measured stages', async () => {
  await ui.settings.open();
  await waitForText(ui.settings.modelMode, 'Offline planner');
  const stages = ui.settings.stageTable;
  await waitForText(stages, 'rendering');
  await waitForText(stages, 'execution');
  await waitForText(ui.settings.diagnostics, 'nothing is sent anywhere');
  await ui.settings.modelCard.scrollIntoView();
  await app.screenshot('27-settings-model');
  await ui.settings.diagnostics.scrollIntoView();
  await app.screenshot('28-settings-performance');
});

test('dark theme: the conversation, the result and settings', async () => {
  await app.browser.execute(() => localStorage.setItem('polystore.theme', 'dark'));
  const [session] = await app.call('chat.listSessions', { sourceId, includeArchived: true });
  await ui.chat.open(sourceId, session!.id);
  await $('[data-testid="thread"]').waitForDisplayed({ timeout: 10_000 });
  assert.is(await app.browser.execute(() => document.documentElement.dataset.theme), 'dark');
  await app.screenshot('30-dark-chat');
  await lastOf('open-result').click();
  await $('[data-testid="full-result"]').waitForDisplayed({ timeout: 10_000 });
  await app.screenshot('31-dark-results');
  await ui.chat.open(sourceId);
  await $('[data-testid="chat-welcome"]').waitForDisplayed();
  await app.screenshot('32-dark-welcome');
  await ui.settings.open();
  await ui.settings.modelCard.waitForDisplayed();
  await app.screenshot('33-dark-settings');
});

test('dark theme: the limits line on a query card waiting for approval', async () => {
  const [session] = await app.call('chat.listSessions', { sourceId, includeArchived: true });
  await ui.chat.open(sourceId, session!.id);
  await ask('how many customers are there');
  const card = await latestQuery('pending');
  await waitForText(card.$('[data-testid="run-facts"]'), 'can stop: yes');
  assert.is(await app.browser.execute(() => document.documentElement.dataset.theme), 'dark');
  await card.scrollIntoView();
  await app.screenshot('34-dark-query-limits');
  await card.$('[data-testid="deny"]').click();
  await latestQuery('denied');
});

test.run();
