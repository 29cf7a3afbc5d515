import { test } from 'uvu';
import { Key } from 'webdriverio';
import * as assert from 'uvu/assert';
import { createPgDatabase, type TestDatabase } from '../support/databases';
import { addConfirmedPgSource, askInChat, lastOf as lastOfIn, latestQueryCard, startApp, waitForText, waitReplaced, type E2EApp } from '../support/e2e';
import { PageErrors, ResultsPage } from './pages';
import { axeChecks } from './pages/axe';

// The Results table as a user arranges it: hide a column, drag one wider, come back to the same
// layout after a reload, select cells or a row and copy them as TSV with the keyboard.
let app: E2EApp;
let db: TestDatabase;
let sourceId: string;

const $ = (selector: string) => app.browser.$(selector);
const $$ = (selector: string) => app.browser.$$(selector);
const lastOf = (testId: string) => lastOfIn(app, testId);
const BIG_ROWS = 100_000;
const QUERY = 'SELECT track_id, name, composer, milliseconds, unit_price FROM track ORDER BY track_id LIMIT 50';
const header = (column: string) => $(`[data-testid="column-cell"][data-column="${column}"]`);
const cell = (row: number, column: number) => $(`[data-testid="full-result"] [data-testid="result-row"][aria-rowindex="${row + 1}"] [role="cell"]:nth-of-type(${column + 1})`);

async function headerWidth(column: string): Promise<number> {
  return (await app.browser.execute((c: string) => document.querySelector(`[data-testid="column-cell"][data-column="${c}"]`)!.getBoundingClientRect().width, column)) as number;
}

async function shownColumns(): Promise<string[]> {
  return $$('[data-testid="column-cell"]').map(async (h) => (await h.getAttribute('data-column')) ?? '');
}

/** Records what each copy puts on the clipboard (the app writes it in the copy event, which needs no permission). */
async function catchCopies() {
  await app.browser.execute(() => {
    const w = window as unknown as { __copied: string[] };
    if (w.__copied) return;
    w.__copied = [];
    document.addEventListener('copy', (e) => w.__copied.push(e.clipboardData?.getData('text/plain') ?? ''));
  });
}

async function lastCopy(count: number): Promise<string> {
  await app.browser.waitUntil(async () => ((await app.browser.execute(() => (window as unknown as { __copied: string[] }).__copied.length)) as number) >= count, {
    timeoutMsg: 'nothing was copied',
  });
  return (await app.browser.execute(() => (window as unknown as { __copied: string[] }).__copied.at(-1))) as string;
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

test('open a five-column result on the Results page', async () => {
  await app.open(`#/chat/${sourceId}`);
  await askInChat(app, 'List the 10 longest tracks');
  const card = await latestQueryCard(app, 'pending');
  await card.$('[data-testid="edit-query"]').click();
  await card.$('[data-testid="query-editor"]').setValue(QUERY);
  await card.$('[data-testid="save-query"]').click();
  await waitReplaced(app, card);
  await (await latestQueryCard(app, 'pending')).$('[data-testid="approve"]').click();
  await app.browser.waitUntil(async () => (await $$('[data-testid="result-card"]').length) > 0, { timeout: 30_000, timeoutMsg: 'no result' });
  await lastOf('result-card').$('[data-testid="open-result"]').click();
  await $('[data-testid="full-result"]').waitForDisplayed({ timeout: 10_000 });
  assert.equal(await shownColumns(), ['track_id', 'name', 'composer', 'milliseconds', 'unit_price']);
});

test('numbers sit right-aligned in the locale format, the exact value on hover', async () => {
  const ms = cell(1, 4);
  assert.is(await ms.getText(), Number(db.sql('SELECT milliseconds FROM track WHERE track_id = 1').trim()).toLocaleString('en-US'));
  assert.is(await ms.getCSSProperty('text-align').then((p) => p.value), 'right');
  assert.match(await cell(1, 2).getCSSProperty('text-align').then((p) => String(p.value)), /^(left|start)$/, 'text is not');
});

test('a hidden column leaves the table and the copy; the last one cannot be hidden', async () => {
  await $('[data-testid="column-picker"] summary').click();
  await $('[data-testid="column-toggle"][data-column="composer"]').click();
  await app.browser.waitUntil(async () => !(await shownColumns()).includes('composer'), { timeoutMsg: 'composer is still shown' });
  await waitForText($('[data-testid="hidden-count"]'), '1 hidden');
  assert.is((await cell(1, 1).parentElement().$$('[role="cell"]')).length, 5, 'the row number and four cells a row');
  for (const column of ['track_id', 'name', 'milliseconds']) await $(`[data-testid="column-toggle"][data-column="${column}"]`).click();
  assert.equal(await shownColumns(), ['unit_price']);
  assert.not.ok(await $('[data-testid="column-toggle"][data-column="unit_price"]').isEnabled(), 'the last column stays');
  for (const column of ['track_id', 'name', 'milliseconds']) await $(`[data-testid="column-toggle"][data-column="${column}"]`).click();
  assert.equal(await shownColumns(), ['track_id', 'name', 'milliseconds', 'unit_price']);
  await $('[data-testid="column-picker"] summary').click();
});

test('a column drags wider, and the arrow keys resize it too', async () => {
  const before = await headerWidth('name');
  const handle = header('name').$('[data-testid="column-resize"]');
  await app.browser.action('pointer').move({ origin: handle }).down().move({ origin: 'pointer', x: 90, y: 0, duration: 100 }).up().perform();
  await app.browser.waitUntil(async () => Math.abs((await headerWidth('name')) - (before + 90)) <= 2, { timeoutMsg: `name did not widen by 90px from ${before}` });
  await handle.click();
  await app.browser.keys(['ArrowLeft']);
  await app.browser.waitUntil(async () => Math.abs((await headerWidth('name')) - (before + 90 - 16)) <= 2, { timeoutMsg: 'ArrowLeft did not narrow it' });
  // Rows follow the header.
  const cellWidth = (await app.browser.execute(() => document.querySelector('[data-testid="result-row"] [role="cell"]:nth-of-type(3)')!.getBoundingClientRect().width)) as number;
  assert.ok(Math.abs(cellWidth - (await headerWidth('name'))) <= 1, 'the cells are as wide as their header');
});

test('the layout comes back when the result is opened again', async () => {
  const width = await headerWidth('name');
  await app.browser.refresh();
  await $('[data-testid="full-result"]').waitForDisplayed({ timeout: 10_000 });
  assert.equal(await shownColumns(), ['track_id', 'name', 'milliseconds', 'unit_price']);
  assert.ok(Math.abs((await headerWidth('name')) - width) <= 1, 'the width is kept');
  await app.screenshot('99-results-table-layout');
});

test('click a cell, Shift+click another, Ctrl+C: the rectangle as TSV with the values as stored', async () => {
  await catchCopies();
  await cell(1, 2).click();
  await app.browser.action('key').down(Key.Shift).perform(true);
  await cell(3, 4).click();
  await app.browser.action('key').up(Key.Shift).perform();
  assert.is(await $$('[data-testid="full-result"] [role="cell"][data-selected]').length, 9);
  await app.browser.keys(['Control', 'c']);
  const expected = db
    .sql('SELECT name, milliseconds, unit_price FROM track ORDER BY track_id LIMIT 3')
    .trim()
    .split('\n')
    .map((line) => line.split('|').join('\t'))
    .join('\n');
  assert.is(await lastCopy(1), expected);
  await waitForText($('[data-testid="copy-status"]'), 'Copied 9 cells as TSV');
});

test('a row number selects the row; Ctrl+C copies it', async () => {
  await $('[data-testid="result-row"][aria-rowindex="3"] [data-testid="row-number"]').click();
  await app.browser.keys(['Control', 'c']);
  const row = db.sql('SELECT track_id, name, milliseconds, unit_price FROM track WHERE track_id = 2').trim().split('|').join('\t');
  assert.is(await lastCopy(2), row);
  await waitForText($('[data-testid="copy-status"]'), 'Copied 1 row as TSV');
  await app.screenshot('99-results-table-copy');
});

test('100,000 rows: opens, sorts, filters and scrolls end to end', async () => {
  const big = await app.call('sources.create', { name: 'Chinook big', type: 'postgres', url: `${db.url}?sslmode=disable`, settings: { rowLimit: BIG_ROWS } });
  await app.call('sources.test', { id: big.id });
  await app.call('sources.confirmRisks', { id: big.id });
  await app.open(`#/chat/${big.id}`);
  await askInChat(app, 'List the 10 longest tracks');
  const card = await latestQueryCard(app, 'pending');
  await card.$('[data-testid="edit-query"]').click();
  await card.$('[data-testid="query-editor"]').setValue(`SELECT g AS n, g * 1.5 AS amount, md5(g::text) AS code FROM generate_series(1, ${BIG_ROWS}) g`);
  await card.$('[data-testid="save-query"]').click();
  await waitReplaced(app, card);
  await (await latestQueryCard(app, 'pending')).$('[data-testid="approve"]').click();
  await app.browser.waitUntil(async () => (await lastOf('result-card').$('[data-testid="open-result"]').isExisting()), { timeout: 60_000, timeoutMsg: 'no result' });
  await lastOf('result-card').$('[data-testid="open-result"]').click();
  const grid = $('[data-testid="full-result"]');
  await grid.waitForDisplayed({ timeout: 30_000 });
  assert.is(await grid.getAttribute('aria-rowcount'), String(BIG_ROWS + 1));
  // Long tasks (> 50 ms on the main thread) while sorting and scrolling from top to bottom.
  await app.browser.execute(() => {
    const w = window as unknown as { __long: number[] };
    w.__long = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__long.push(e.duration))).observe({ type: 'longtask' });
  });
  const started = Date.now();
  await $('[data-testid="column-header"][data-column="amount"]').click();
  await $('[data-testid="column-header"][data-column="amount"]').click();
  await app.browser.waitUntil(async () => (await cell(1, 1).getText()) === BIG_ROWS.toLocaleString('en-US'), { timeout: 10_000, timeoutMsg: 'did not sort descending' });
  const sortMs = Date.now() - started;
  for (const fraction of [0.1, 0.3, 0.5, 0.7, 0.9, 1]) {
    await app.browser.execute((f: number) => {
      const el = document.querySelector('[data-testid="full-result"]')!;
      el.scrollTop = (el.scrollHeight - el.clientHeight) * f;
    }, fraction);
    await app.browser.waitUntil(async () => (await $$('[data-testid="result-row"]').length) > 0);
  }
  await app.browser.waitUntil(async () => (await $$(`[data-testid="result-row"][aria-rowindex="${BIG_ROWS + 1}"]`).length) === 1, { timeoutMsg: 'the last row is not shown at the end' });
  const longest = Math.max(0, ...((await app.browser.execute(() => (window as unknown as { __long: number[] }).__long)) as number[]));
  console.log(`100,000 rows: two sorts and first row shown in ${sortMs} ms; longest main-thread task while sorting and scrolling ${Math.round(longest)} ms`);
  // Speed is reported, not asserted: on a shared, busy machine a timed assertion is a flaky test (targets belong in benchmarks).
});

test('pages instead of scrolling: 500 a page, the last page holds rows 99,501 to 100,000 in the sorted order', async () => {
  const results = new ResultsPage(app);
  const errors = new PageErrors(app);
  await errors.trap();
  // The 100,000-row result is open, sorted by amount descending (n = 100,000 first), and scrolled to its end:
  // pages open where the user was reading, on the last one.
  await results.showPages(500);
  await results.waitForPage('200');
  await results.turnPage('first', '1');
  assert.equal(await results.pagerText(), { page: 'Page 1 of 200', rows: 'Rows 1–500 of 100,000' });
  await results.turnPage('next', '2');
  let rows = await results.drawnRows();
  assert.equal(rows[0], { number: '501', rowIndex: '502', first: (BIG_ROWS - 500).toLocaleString('en-US') }, 'page 2 starts at row 501');

  await results.turnPage('last', '200');
  assert.equal(await results.pagerText(), { page: 'Page 200 of 200', rows: 'Rows 99,501–100,000 of 100,000' });
  rows = await results.drawnRows();
  assert.equal(rows[0], { number: '99501', rowIndex: '99502', first: '500' }, 'the page starts at row 99,501: n = 500 in descending order');
  assert.ok(rows.every((r) => Number(r.rowIndex) === Number(r.number) + 1), 'aria-rowindex is the absolute row number + 1 (the header is row 1)');
  assert.not.ok(await results.pager.$('[data-testid="page-next"]').isEnabled(), 'no next page after the last');
  // The end of the page is the end of the result.
  await app.browser.execute(() => {
    const el = document.querySelector('[data-testid="full-result"]')!;
    el.scrollTop = el.scrollHeight;
  });
  await app.browser.waitUntil(async () => (await results.drawnRows()).some((r) => r.number === String(BIG_ROWS) && r.first === '1'), { timeoutMsg: 'row 100,000 (n = 1) is not at the end of the last page' });
  assert.ok((await results.drawnRows()).every((r) => Number(r.number) > 99_500), 'only the last page\'s rows');
  const clipped = (await app.browser.execute(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="full-result"] [data-testid="row-number"]')].filter((c) => c.scrollWidth > c.clientWidth).map((c) => c.textContent),
  )) as string[];
  assert.equal(clipped, [], 'every row number shows whole, 100000 included (none cut to an ellipsis)');
  await app.screenshot('99-results-table-pages');

  // PageUp on the focused table turns back a page; a smaller page size keeps the first row read in view.
  await results.grid.click();
  await app.browser.keys(['PageUp']);
  await results.waitForPage('199');
  // Back to scrolling and to pages again: both keep the rows being read (page 199 starts at row 99,001).
  await $('[data-testid="table-view-option"][data-view="scroll"]').click();
  await results.pager.waitForExist({ reverse: true, timeoutMsg: 'the pager stayed after choosing Scroll' });
  await app.browser.waitUntil(async () => (await results.drawnRows()).some((r) => r.number === '99001'), { timeoutMsg: 'scrolling did not start at row 99,001' });
  await results.showPages(500);
  await results.waitForPage('199');
  await results.pager.$('[data-testid="page-size"]').selectByAttribute('value', '25');
  await results.waitForPage('3,961');
  assert.equal(await results.pagerText(), { page: 'Page 3,961 of 4,000', rows: 'Rows 99,001–99,025 of 100,000' });
  await errors.assertNone('while switching to pages, turning them and changing their size');
});

test('the pager and the Scroll | Pages switch: nothing serious for axe in either theme', async () => {
  const { checkBothThemes } = axeChecks(() => app);
  await checkBothThemes('Results table in pages', async () => {
    await new ResultsPage(app).pager.waitForDisplayed({ timeoutMsg: 'no pager' });
  });
});

test('dark theme: the selection, the column menu and the handles take the dark tokens', async () => {
  await app.browser.execute(() => localStorage.setItem('polystore.theme', 'dark'));
  await app.browser.refresh();
  await $('[data-testid="full-result"]').waitForDisplayed({ timeout: 10_000 });
  await cell(2, 2).click();
  await $('[data-testid="column-picker"] summary').click();
  await app.screenshot('99-results-table-dark');
  await app.browser.execute(() => localStorage.setItem('polystore.theme', 'light'));
});

test.run();
