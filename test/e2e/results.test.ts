import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPgDatabase, type TestDatabase } from '../support/databases';
import { browserHostTest, startApp, waitForText, type E2EApp } from '../support/e2e';
import { pages } from './pages';

// Charts and the results workspace, as a user meets them: the recommended chart under a result,
// switching without running again, sorting, exporting, past results, and no page errors anywhere.
let app: E2EApp;
let db: TestDatabase;
let sourceId: string;

const $ = (selector: string) => app.browser.$(selector);
const $$ = (selector: string) => app.browser.$$(selector);
let ui: ReturnType<typeof pages>;
const lastOf = (testId: string) => ui.chat.lastOf(testId);
/** How many queries the engine has run (the audit log's record of each run, readable in either host). */
const runs = () => ui.results.queryRuns();
const rowsOf = (sql: string) =>
  db
    .sql(sql)
    .trim()
    .split('\n')
    .map((line) => line.split('|'));

const trapErrors = () => ui.errors.trap();
const assertNoPageErrors = (when: string) => ui.errors.assertNone(when);
const ask = (question: string) => ui.chat.ask(question);
const latestQuery = (status: string) => ui.chat.latestQuery(status);
const askAndRun = (question: string) => ui.chat.askAndRun(question);
const drawnType = (scope: ReturnType<typeof $>) => ui.results.drawnType(scope);
const waitForDrawn = (scope: ReturnType<typeof $>, type: string) => ui.results.waitForDrawn(scope, type);
const catchDownloads = () => ui.downloads.catch();
const download = (nth: number) => ui.downloads.nth(nth);
const firstRows = (n: number) => ui.results.firstRows(n);
const clickHeader = (column: string, expected: 'asc' | 'desc' | 'none') => ui.results.clickHeader(column, expected);
/** What the system's appearance is, as the page's prefers-color-scheme sees it, changed live (DevTools emulation). */
const setSystemScheme = (value: 'light' | 'dark') =>
  (app.browser as unknown as { sendCommandAndGetResult(cmd: string, params: object): Promise<unknown> }).sendCommandAndGetResult('Emulation.setEmulatedMedia', {
    features: [{ name: 'prefers-color-scheme', value }],
  });
/** Why a test that reads an export back runs in the browser host only. */
const SAVE_DIALOG = 'the app saves an export through its native save dialog, which WebDriver cannot drive';

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

test('Results with nothing run yet: a clear empty state, no errors', async () => {
  await ui.results.open();
  await trapErrors();
  await waitForText($('main'), 'No results yet');
  await app.screenshot('90-results-empty');
  await assertNoPageErrors('on the empty Results page');
});

test('a grouped question shows its recommended chart under the result in the chat, described for screen readers', async () => {
  await ui.chat.open(sourceId);
  await trapErrors();
  const card = await askAndRun('Revenue per month in 2021');
  assert.is(await drawnType(card), 'line');
  const label = await card.$('[data-testid="chart-canvas"]').getAttribute('aria-label');
  assert.match(label ?? '', /^Line chart of total by month: 12 points; highest .+, lowest .+\.$/);
  await waitForText(card.$('[data-testid="chart-reason"]'), 'Month is a date, so a line shows how total changes over time');
  const options = await card.$$('[data-testid="chart-option"]').map((o) => o.getAttribute('data-type'));
  assert.equal(options, ['line', 'area', 'bar', 'table']);
  await app.browser.waitUntil(async () => (await app.call('telemetry.stages')).some((s) => s.stage === 'rendering.chart' && s.count >= 1), {
    timeoutMsg: 'chart rendering was not measured',
  });
  await card.scrollIntoView();
  await app.screenshot('91-chat-chart');
  await assertNoPageErrors('after the chart was drawn in the chat');
});

test('switching the chart type redraws from the rows in memory: no new run, the same rows', async () => {
  const card = lastOf('result-card');
  const before = await runs();
  await card.$('[data-testid="chart-option"][data-type="bar"]').click();
  await waitForDrawn(card, 'bar');
  await card.$('[data-testid="chart-option"][data-type="area"]').click();
  await waitForDrawn(card, 'area');
  assert.is(await runs(), before, 'switching in the chat ran nothing');

  await card.$('[data-testid="open-result"]').click();
  const page = $('[data-testid="results-page"]');
  await page.waitForDisplayed({ timeout: 10_000 });
  await waitForText($('[data-testid="result-title"]'), 'Revenue per month in 2021');
  await waitForText($('[data-testid="back-to-conversation"]'), 'Revenue per month in 2021');
  assert.is(await drawnType(page), 'line', 'the Results page opens on the recommendation');
  const rowCount = await $('[data-testid="full-result"]').getAttribute('aria-rowcount');
  for (const type of ['bar', 'area', 'line']) {
    await page.$(`[data-testid="chart-option"][data-type="${type}"]`).click();
    await waitForDrawn(page, type);
  }
  await page.$('[data-testid="chart-option"][data-type="table"]').click();
  await app.browser.waitUntil(async () => !(await page.$('[data-testid="chart-canvas"]').isExisting()), { timeoutMsg: 'Table only still draws a chart' });
  await page.$('[data-testid="chart-option"][data-type="line"]').click();
  await waitForDrawn(page, 'line');
  assert.is(await runs(), before, 'switching on the Results page ran nothing');
  assert.is(await $('[data-testid="full-result"]').getAttribute('aria-rowcount'), rowCount, 'the same rows');
  await app.screenshot('92-results-chart');
  await assertNoPageErrors('while switching chart types');
});

browserHostTest('the chart exports as a 2x PNG on the theme background, with the series drawn', SAVE_DIALOG, async () => {
  await catchDownloads();
  const size = (await app.browser.execute(() => {
    const r = document.querySelector('[data-testid="results-page"] [data-testid="chart-canvas"] canvas')!.getBoundingClientRect();
    return { width: Math.round(r.width), height: Math.round(r.height) };
  })) as { width: number; height: number };
  await $('[data-testid="results-page"] [data-testid="export-png"]').click();
  const png = await download(1);
  assert.equal([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
  assert.equal({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) }, { width: size.width * 2, height: size.height * 2 });
  const pixels = (await app.browser.executeAsync((done: (r: { opaque: boolean; drawn: number }) => void) => {
    const w = window as unknown as { __exports: Blob[] };
    void createImageBitmap(w.__exports.at(-1)!).then((bitmap) => {
      const canvas = document.createElement('canvas');
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(bitmap, 0, 0);
      const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
      let opaque = true;
      let drawn = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] !== 255) opaque = false;
        if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) drawn++;
      }
      done({ opaque, drawn });
    });
  })) as { opaque: boolean; drawn: number };
  assert.ok(pixels.opaque, 'no transparent pixels');
  assert.ok(pixels.drawn > 2_000, `the series and axes are drawn (${pixels.drawn} pixels)`);
  await assertNoPageErrors('while exporting the chart');
});

browserHostTest("a bar chart's order is the user's: largest first redraws without a run, and the SVG export draws that order", SAVE_DIALOG, async () => {
  const page = $('[data-testid="results-page"]');
  const before = await runs();
  await page.$('[data-testid="chart-option"][data-type="bar"]').click();
  await waitForDrawn(page, 'bar');
  const order = page.$('[data-testid="chart-order"]');
  assert.is(await order.getValue(), 'returned', 'bars start in the order the query returned them');
  /** The month labels of an exported SVG, in the order drawn. */
  const exportedMonths = async (nth: number) => {
    await page.$('[data-testid="export-svg"]').click();
    const svg = (await download(nth)).toString('utf8');
    return [...svg.matchAll(/<text[^>]*>([^<]*2021[^<]*)<\/text>/g)].map((m) => m[1]!);
  };
  await catchDownloads();
  const returned = await exportedMonths(1);
  assert.is(returned.length, 12, `twelve months labelled (${returned.join(', ')})`);
  await order.selectByAttribute('value', 'largest');
  await app.browser.waitUntil(async () => (await page.$('[data-testid="chart-canvas"]').getAttribute('aria-label'))?.startsWith('Bar chart') ?? false, { timeoutMsg: 'no bar chart after the order changed' });
  const largest = await exportedMonths(2);
  // The same months, reordered by revenue (ties keep month order), as the database adds them up.
  const totals = rowsOf("SELECT sum(total) FROM invoice WHERE invoice_date >= '2021-01-01' AND invoice_date < '2022-01-01' GROUP BY date_trunc('month', invoice_date) ORDER BY date_trunc('month', invoice_date)").map((r) => Number(r[0]));
  const expected = returned.map((label, i) => ({ label, total: totals[i]! })).sort((a, b) => b.total - a.total).map((m) => m.label);
  assert.equal(largest, expected);
  assert.is(await runs(), before, 'reordering ran nothing');
  await assertNoPageErrors('while reordering and exporting the bars');
});

test('click to sort: type-aware, both directions, humanized headers with the raw name on hover', async () => {
  await ui.chat.open(sourceId);
  await trapErrors();
  const card = await askAndRun('Total sales per country');
  assert.is(await drawnType(card), 'bar');
  await card.$('[data-testid="open-result"]').click();
  await $('[data-testid="results-page"]').waitForDisplayed({ timeout: 10_000 });
  const header = $('[data-testid="column-header"][data-column="total"]');
  await waitForText(header, 'Total');
  assert.match((await $('[data-testid="column-header"][data-column="billing_country"]').getText()).trim(), /^Billing country$/);
  assert.match((await $('[data-testid="column-header"][data-column="billing_country"]').getAttribute('title')) ?? '', /^billing_country · /);

  const ascending = rowsOf('SELECT billing_country, sum(total) FROM invoice GROUP BY billing_country ORDER BY sum(total) ASC, billing_country ASC');
  await clickHeader('total', 'asc');
  const up = await firstRows(3);
  assert.equal(up.map((r) => r[1]), ascending.slice(0, 3).map((r) => r[0]));
  assert.equal(up.map((r) => r[0]), ['1', '2', '3'], 'row numbers follow the order shown');
  await clickHeader('total', 'desc');
  const down = await firstRows(1);
  assert.is(down[0]![1], ascending.at(-1)![0]);
  // The number is formatted; the exact value is on hover.
  const totalCell = $('[data-testid="full-result"] [data-testid="result-row"][aria-rowindex="2"] [role="cell"]:nth-child(3)');
  assert.match(await totalCell.getText(), /^\d{1,3}(,\d{3})*(\.\d{1,2})?$/);
  await assertNoPageErrors('while sorting');
});

browserHostTest('CSV exports the order shown', SAVE_DIALOG, async () => {
  const ascending = rowsOf('SELECT billing_country, sum(total) FROM invoice GROUP BY billing_country ORDER BY sum(total) ASC, billing_country ASC');
  await catchDownloads();
  await $('[data-testid="export-csv"]').click();
  const lines = (await download(1)).subarray(3).toString('utf8').split('\r\n');
  assert.is(lines[0], 'billing_country,total');
  assert.is(lines.length - 2, ascending.length, 'every row, and only those');
  // Stable: countries with the same total keep the order the query returned them in (by name).
  const descending = rowsOf('SELECT billing_country, sum(total) FROM invoice GROUP BY billing_country ORDER BY sum(total) DESC, billing_country ASC');
  assert.equal(lines.slice(1, -1).map((l) => l.split(',')[0]), descending.map((r) => r[0]), 'in the order shown (total, descending)');
  await assertNoPageErrors('while exporting the sorted rows');
});

test('sort by name; the quick filter narrows the rows shown', async () => {
  const ascending = rowsOf('SELECT billing_country, sum(total) FROM invoice GROUP BY billing_country ORDER BY sum(total) ASC, billing_country ASC');
  await clickHeader('billing_country', 'asc');
  assert.is((await firstRows(1))[0]![1], 'Argentina');

  // The quick filter narrows the rows shown (and what the CSV holds).
  const matching = db.sql(`SELECT count(DISTINCT billing_country) FROM invoice WHERE billing_country ILIKE '%an%'`).trim();
  await $('[data-testid="table-filter"]').setValue('an');
  await waitForText($('[data-testid="filter-count"]'), `${matching} of ${ascending.length} rows`);
  await app.screenshot('93-results-sorted');
  await assertNoPageErrors('while sorting');
});

browserHostTest('the filtered rows are what the CSV and the TSV hold', SAVE_DIALOG, async () => {
  const ascending = rowsOf('SELECT billing_country, sum(total) FROM invoice GROUP BY billing_country ORDER BY sum(total) ASC, billing_country ASC');
  const matching = db.sql(`SELECT count(DISTINCT billing_country) FROM invoice WHERE billing_country ILIKE '%an%'`).trim();
  await waitForText($('[data-testid="filter-count"]'), `${matching} of ${ascending.length} rows`);
  await $('[data-testid="export-csv"]').click();
  const filteredCsv = (await download(2)).subarray(3).toString('utf8').split('\r\n');
  assert.is(filteredCsv.length - 2, Number(matching));
  // TSV: the same rows, tab-separated, with no byte order mark.
  await $('[data-testid="export-tsv"]').click();
  const tsv = (await download(3)).toString('utf8').split('\r\n');
  assert.is(tsv[0], 'billing_country\ttotal');
  assert.equal(tsv.slice(1, -1).map((l) => l.split('\t')[0]), filteredCsv.slice(1, -1).map((l) => l.split(',')[0]), 'the rows the CSV holds, in its order');
  await assertNoPageErrors('while exporting the filtered rows');
});

test('nulls sort last both ways; a large result scrolls and resizes without page errors', async () => {
  await ui.chat.open(sourceId);
  await trapErrors();
  await ask('List the 10 longest tracks');
  const card = await latestQuery('pending');
  const edited = await ui.chat.editQuery(card, 'SELECT track_id, name, composer, milliseconds, unit_price FROM track ORDER BY track_id');
  const before = await $$('[data-testid="result-card"]').length;
  await edited.$('[data-testid="approve"]').click();
  await app.browser.waitUntil(async () => (await $$('[data-testid="result-card"]').length) > before, { timeout: 30_000, timeoutMsg: 'no result' });
  await lastOf('result-card').$('[data-testid="open-result"]').click();
  const grid = $('[data-testid="full-result"]');
  await grid.waitForDisplayed({ timeout: 10_000 });
  const total = Number(db.sql('SELECT count(*) FROM track').trim());
  assert.is(await grid.getAttribute('aria-rowcount'), String(total + 1));

  for (const direction of ['asc', 'desc'] as const) {
    await clickHeader('composer', direction);
    assert.not.equal((await firstRows(1))[0]![3], 'null', `no null first (${direction})`);
    await app.browser.execute(() => {
      const el = document.querySelector('[data-testid="full-result"]')!;
      el.scrollTop = el.scrollHeight;
    });
    await app.browser.waitUntil(
      async () =>
        (await app.browser.execute(() => {
          const rows = [...document.querySelectorAll('[data-testid="full-result"] [data-testid="result-row"]')];
          const last = rows.sort((a, b) => Number(b.getAttribute('aria-rowindex')) - Number(a.getAttribute('aria-rowindex')))[0];
          return last?.querySelectorAll('[role="cell"]')[3]?.textContent?.trim() ?? '';
        })) === 'null',
      { timeoutMsg: `the last row is not a null composer (${direction})` },
    );
    await app.browser.execute(() => {
      document.querySelector('[data-testid="full-result"]')!.scrollTop = 0;
    });
  }

  // Scroll through, resize the window both ways: Svelte's update-depth error used to fire here.
  for (const fraction of [0.25, 0.5, 0.75, 1, 0]) {
    await app.browser.execute((f: number) => {
      const el = document.querySelector('[data-testid="full-result"]')!;
      el.scrollTop = (el.scrollHeight - el.clientHeight) * f;
    }, fraction);
    await app.browser.waitUntil(async () => (await $$('[data-testid="result-row"]').length) > 0);
  }
  await app.browser.setWindowSize(900, 640);
  await app.browser.waitUntil(async () => (await $$('[data-testid="result-row"]').length) > 0);
  await app.screenshot('94-results-narrow');
  await app.browser.setWindowSize(1280, 820);
  await app.browser.waitUntil(async () => (await $$('[data-testid="result-row"]').length) > 0);
  await assertNoPageErrors('while scrolling and resizing a large result');
});

test('Results lists past results (most recent first) when none is open, and searches them', async () => {
  await $('[data-testid="all-results"]').click();
  const list = $('[data-testid="past-results"]');
  await list.waitForDisplayed({ timeout: 10_000 });
  const items = await $$('[data-testid="past-result"]').map((i) => i.getText());
  assert.ok(items.length >= 3, items.join(' | '));
  assert.match(items[0]!, /List the 10 longest tracks/);
  assert.ok(items.some((t) => t.includes('Revenue per month in 2021')));
  await $('[data-testid="results-search"]').setValue('revenue');
  await app.browser.waitUntil(async () => (await $$('[data-testid="past-result"]').length) === 1, { timeoutMsg: 'search did not narrow the list' });
  await app.screenshot('95-results-list');
  await $('[data-testid="past-result"]').click();
  await waitForText($('[data-testid="result-title"]'), 'Revenue per month in 2021');
  await assertNoPageErrors('in the list of past results');
});

test('dark theme: charts and the table take the dark tokens', async () => {
  await app.browser.execute(() => localStorage.setItem('polystore.theme', 'dark'));
  await app.browser.refresh();
  await trapErrors();
  const page = $('[data-testid="results-page"]');
  await page.waitForDisplayed({ timeout: 10_000 }).catch(async (error: unknown) => {
    await app.screenshot('96-results-dark-failed');
    throw error;
  });
  assert.is(await drawnType(page), 'line');
  assert.is(await app.browser.execute(() => document.documentElement.dataset.theme), 'dark');
  await app.screenshot('96-results-dark');
  await $('[data-testid="back-to-conversation"]').click();
  await $('[data-testid="chat-page"]').waitForDisplayed({ timeout: 10_000 });
  await app.browser.waitUntil(async () => (await $$('[data-testid="chart-canvas"]').length) > 0, { timeout: 15_000, timeoutMsg: 'no chart in the dark chat' });
  await app.screenshot('97-chat-dark');
  await app.browser.execute(() => localStorage.setItem('polystore.theme', 'light'));
  await assertNoPageErrors('in the dark theme');
});

test('following the system theme, a chart already drawn redraws in the dark colours when the system turns dark', async () => {
  // The theme follows the system (the default), and the system turns dark while the chart is on screen.
  await app.browser.execute(() => localStorage.removeItem('polystore.theme'));
  await ui.results.open();
  // Set once the page is loaded: opening it may start a new page, which would not keep an earlier override.
  await setSystemScheme('light');
  await trapErrors();
  const revenue = $('[data-testid="past-result"]*=Revenue per month in 2021');
  await revenue.waitForClickable({ timeout: 10_000 });
  await revenue.click();
  const page = $('[data-testid="results-page"]');
  await page.waitForDisplayed({ timeout: 10_000 });
  await waitForDrawn(page, 'line');
  /** The chart's own background (its top-left pixel: the theme's surface, painted under the chart) and the page's theme. */
  const drawn = async () =>
    (await app.browser.execute(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="results-page"] [data-testid="chart-canvas"] canvas')!;
      const [r, g, b] = canvas.getContext('2d')!.getImageData(1, 1, 1, 1).data;
      return { theme: document.documentElement.dataset.theme, luma: Math.round(0.2126 * r! + 0.7152 * g! + 0.0722 * b!) };
    })) as { theme: string; luma: number };
  const light = await drawn();
  assert.is(light.theme, 'light');
  assert.ok(light.luma > 200, `a light chart background (luma ${light.luma})`);
  const before = await runs();
  await setSystemScheme('dark');
  let now = light;
  const redrawnDark = await app.browser
    .waitUntil(async () => ((now = await drawn()), now.theme === 'dark' && now.luma < 80), { timeout: 10_000 })
    .catch(() => false);
  assert.ok(redrawnDark, `the chart was redrawn dark (page theme ${now.theme}, chart background luma ${now.luma})`);
  assert.is(await runs(), before, 'redrawn from the rows in memory');
  await setSystemScheme('light');
  await app.browser.waitUntil(async () => (await drawn()).luma > 200, { timeout: 10_000, timeoutMsg: 'the chart did not come back light' });
  await assertNoPageErrors('while the system theme changed');
  // Back where the next test starts: the conversation.
  await $('[data-testid="back-to-conversation"]').click();
  await $('[data-testid="chat-page"]').waitForDisplayed({ timeout: 10_000 });
});

test('a result links to its trace: Settings -> Diagnostics shows every stage against its target and opens a question by run id', async () => {
  await trapErrors();
  const card = lastOf('result-card');
  const traceId = await card.$('[data-testid="result-trace-id"]').getText();
  assert.match(traceId, /^trc_/);
  await card.$('[data-testid="open-trace-link"]').click();
  const diagnostics = $('[data-testid="diagnostics-card"]');
  await diagnostics.waitForDisplayed({ timeout: 10_000 });
  const stages = $('[data-testid="stage-table"]');
  for (const stage of ['generation', 'validation', 'approval', 'execution', 'transfer', 'rendering']) {
    await $(`[data-testid="stage-table"] tr[data-stage="${stage}"]`).waitForExist({ timeout: 10_000, timeoutMsg: `no ${stage} row` });
  }
  await waitForText($('[data-testid="stage-table"] tr[data-stage="execution"]'), '≤ 2.0 s');
  await waitForText(stages, 'Running the query');

  // The link opened this result's question: its stages, and the run with its rows.
  const view = $('[data-testid="trace-view"]');
  await waitForText(view.$('[data-testid="trace-id"]'), traceId);
  await waitForText(view.$('[data-testid="trace-stages"]'), 'Running the query');
  await waitForText(view.$('[data-testid="trace-runs"]'), /succeeded\s+\d[\d,]* rows?/);
  const runId = await view.$('[data-testid="trace-runs"] .mono').getText();
  assert.match(runId, /^run_/);
  await diagnostics.scrollIntoView();
  await app.screenshot('98-settings-diagnostics');

  // The same question by the id of its run, typed in the box; an unknown id says so.
  await $('[data-testid="trace-lookup"]').setValue('run_nothing_recorded');
  await $('[data-testid="open-trace"]').click();
  await waitForText(diagnostics, 'Nothing was recorded under run_nothing_recorded');
  await $('[data-testid="trace-lookup"]').setValue(runId);
  await $('[data-testid="open-trace"]').click();
  await waitForText($('[data-testid="trace-view"] [data-testid="trace-id"]'), traceId);
  await assertNoPageErrors('in Settings -> Diagnostics');
});

test.run();
