import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPgDatabase, type TestDatabase } from '../support/databases';
import { addConfirmedPgSource, askInChat, keepArtifact, lastOf as lastOfIn, latestQueryCard, startApp, waitForText, type E2EApp } from '../support/e2e';
import { Downloads, pages } from './pages';

// Exporting a chart as SVG from the Results page, as a user does it in the browser host: the file is a
// real SVG document (it parses, a browser draws it), it holds the series as drawn, and the page says where it went.
let app: E2EApp;
let db: TestDatabase;
let sourceId: string;

const $ = (selector: string) => app.browser.$(selector);
const $$ = (selector: string) => app.browser.$$(selector);
const lastOf = (testId: string) => lastOfIn(app, testId);

/** Asks in the chat, approves the proposed query, opens its result on the Results page. */
async function openResultFor(question: string) {
  await app.open(`#/chat/${sourceId}`);
  await askInChat(app, question);
  await (await latestQueryCard(app, 'pending')).$('[data-testid="approve"]').click();
  await app.browser.waitUntil(async () => (await $$('[data-testid="result-card"]').length) > 0, { timeout: 30_000, timeoutMsg: 'no result' });
  await lastOf('result-card').$('[data-testid="open-result"]').click();
  await $('[data-testid="results-page"] [data-testid="chart-canvas"]').waitForExist({ timeout: 15_000 });
}

/** Keeps the Blobs downloads are made of (the shared page object), to read them back in the page. */
const catchDownloads = () => new Downloads(app).catch();

interface SvgFacts {
  text: string;
  parsed: boolean;
  root: string;
  width: string | null;
  texts: string[];
  paths: { d: string; fill: string; stroke: string }[];
  fills: string[];
  drawnWidth: number;
  title: string;
}

/** The last download read as an SVG in the page: does it parse, what does it draw, and does the browser draw it as an image. */
async function lastSvg(): Promise<SvgFacts> {
  return (await app.browser.executeAsync((done: (facts: SvgFacts) => void) => {
    const w = window as unknown as { __exports: Blob[] };
    const wait = () => {
      const blob = w.__exports.at(-1);
      if (!blob) return void setTimeout(wait, 50);
      void blob.text().then((text) => {
        const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
        const root = doc.documentElement;
        const image = new Image();
        const facts = {
          text,
          parsed: doc.getElementsByTagName('parsererror').length === 0,
          root: root.nodeName,
          width: root.getAttribute('width'),
          texts: [...doc.querySelectorAll('text')].map((t) => t.textContent ?? ''),
          paths: [...doc.querySelectorAll('path')].map((p) => ({ d: p.getAttribute('d') ?? '', fill: p.getAttribute('fill') ?? '', stroke: p.getAttribute('stroke') ?? '' })),
          fills: [...doc.querySelectorAll('path')].map((p) => p.getAttribute('fill') ?? ''),
          title: doc.querySelector('title')?.textContent ?? '',
          drawnWidth: 0,
        };
        image.onload = () => done({ ...facts, drawnWidth: image.naturalWidth });
        image.onerror = () => done(facts);
        image.src = URL.createObjectURL(blob);
      });
    };
    wait();
  })) as SvgFacts;
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

test('the browser host has no save dialog: the engine says UNSUPPORTED, so exports fall back to a download', async () => {
  const r = await app.launched.engine.router.dispatch('host.saveFile', { fileName: 'x.svg', format: 'svg', content: '<svg/>' }, { host: 'test' });
  assert.ok(!r.ok && r.error.code === 'UNSUPPORTED', JSON.stringify(r));
  const bad = await app.launched.engine.router.dispatch('host.saveFile', { fileName: '../etc/passwd', format: 'csv', content: '' }, { host: 'test' });
  assert.ok(!bad.ok && bad.error.code === 'VALIDATION', 'a file name with a folder is refused before any handler');
});

test('a bar chart exports as an SVG a browser draws: every country labelled, one bar each, the theme background', async () => {
  await openResultFor('Total sales per country');
  const page = $('[data-testid="results-page"]');
  await catchDownloads();
  await page.$('[data-testid="export-svg"]').click();
  const svg = await lastSvg();
  const countries = db
    .sql('SELECT DISTINCT billing_country FROM invoice ORDER BY 1')
    .trim()
    .split('\n');
  assert.ok(svg.parsed, 'the SVG parses');
  assert.is(svg.root, 'svg');
  assert.ok(svg.drawnWidth > 0, 'the browser draws it as an image');
  assert.match(svg.title, /bar chart/i, 'titled with the chart summary');
  for (const country of countries) assert.ok(svg.texts.includes(country), `${country} is labelled`);
  const barColor = (await app.browser.execute(() => getComputedStyle(document.documentElement).getPropertyValue('--chart-1').trim())) as string;
  const bars = svg.fills.filter((f) => f.toLowerCase() === barColor.toLowerCase()).length;
  assert.ok(bars >= countries.length, `one bar per country (${bars} of ${countries.length} in ${barColor})`);
  await waitForText($('[data-testid="save-notice"]'), /^Downloaded total-sales-per-country-\d{4}-\d{2}-\d{2}\.svg/);
  // Kept next to the screenshots, to look at.
  keepArtifact('98-results-export.svg', svg.text);
  await app.screenshot('98-results-svg-export');
});

test('a line chart exports its line as one smooth stroke through every month, with the axis titled', async () => {
  await openResultFor('Revenue per month in 2021');
  await catchDownloads();
  await $('[data-testid="results-page"] [data-testid="export-svg"]').click();
  const svg = await lastSvg();
  assert.ok(svg.parsed && svg.drawnWidth > 0);
  const lineColor = (await app.browser.execute(() => getComputedStyle(document.documentElement).getPropertyValue('--chart-1').trim())) as string;
  const strokes = svg.paths.filter((p) => p.stroke.toLowerCase() === lineColor.toLowerCase() && p.fill === 'none');
  const line = strokes.sort((a, b) => b.d.length - a.d.length)[0];
  assert.ok(line, 'the series is drawn as a stroke in its colour');
  // Twelve months: a start and eleven segments (Chart.js's monotone curve, kept as Béziers).
  assert.is((line!.d.match(/[CL]/g) ?? []).length, 11, line!.d);
  assert.ok(strokes.length >= 12, 'and a marker on each month');
  assert.ok(svg.texts.includes('Total'), 'the value axis is titled');
  keepArtifact('98-results-export-line.svg', svg.text);
});

/** Two measures a month: drawn as two lines, each with its legend item. */
const TWO_MEASURES = `SELECT date_trunc('month', invoice_date)::date AS month, sum(total) AS total, count(*) AS invoice_count
FROM invoice WHERE invoice_date >= '2021-01-01' AND invoice_date < '2022-01-01' GROUP BY 1 ORDER BY 1`;

/** The chart colour a series is drawn in (`--chart-N`), as the theme gives it. */
const chartColor = async (n: number) => ((await app.browser.execute((name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim(), `--chart-${n}`)) as string).toLowerCase();

interface ColorSpots {
  /** The centre of the legend box in this colour (the lowest patch of it: the legend is under the chart), in page coordinates. */
  legend: { x: number; y: number } | null;
  /** Pixels of this colour above the legend: the series as drawn. */
  drawn: number;
}

/** Where the Results page's chart canvas shows `hex`, read from its pixels (Chart.js draws its legend on the canvas). */
async function colorSpots(hex: string): Promise<ColorSpots> {
  return (await app.browser.execute((color) => {
    const canvas = document.querySelector('[data-testid="results-page"] [data-testid="chart-canvas"] canvas') as HTMLCanvasElement;
    const { width, height } = canvas;
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, width, height).data;
    const want = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
    const near = (i: number) => Math.abs(pixels[i]! - want[0]!) + Math.abs(pixels[i + 1]! - want[1]!) + Math.abs(pixels[i + 2]! - want[2]!) < 24 && pixels[i + 3]! > 200;
    let bottom = -1;
    for (let y = height - 1; y >= 0 && bottom < 0; y--) for (let x = 0; x < width; x++) if (near((y * width + x) * 4)) { bottom = y; break; }
    if (bottom < 0) return { legend: null, drawn: 0 };
    const rect = canvas.getBoundingClientRect();
    // The canvas's pixels per CSS pixel, across and down (they need not be equal while a resize settles).
    const [scaleX, scaleY] = [width / rect.width, height / rect.height];
    // The legend box is 12 CSS pixels square: its patch is the matching pixels within that height above its bottom edge.
    const top = bottom - Math.ceil(14 * scaleY);
    let sx = 0, sy = 0, n = 0, drawn = 0;
    for (let y = 0; y <= bottom; y++)
      for (let x = 0; x < width; x++) {
        if (!near((y * width + x) * 4)) continue;
        if (y > top) { sx += x; sy += y; n++; } else drawn++;
      }
    return { legend: { x: rect.left + sx / n / scaleX, y: rect.top + sy / n / scaleY }, drawn };
  }, hex)) as ColorSpots;
}

test('a series hidden from the legend stays hidden in the SVG export, and the other is still drawn', async () => {
  const ui = pages(app);
  await app.open(`#/chat/${sourceId}`);
  await askInChat(app, 'Revenue per month in 2021');
  const edited = await ui.chat.editQuery(await latestQueryCard(app, 'pending'), TWO_MEASURES);
  await edited.$('[data-testid="approve"]').click();
  await app.browser.waitUntil(async () => (await lastOf('result-card').$('[data-testid="open-result"]').isExisting()), { timeout: 30_000, timeoutMsg: 'no result' });
  await lastOf('result-card').$('[data-testid="open-result"]').click();
  const canvas = $('[data-testid="results-page"] [data-testid="chart-canvas"]');
  await canvas.waitForExist({ timeout: 15_000 });
  assert.is(await canvas.getAttribute('data-chart-type'), 'line');
  const [first, second] = [await chartColor(1), await chartColor(2)];
  // A series' line is an open stroke in its colour; its legend box (kept, struck through, when hidden, as on screen) is a closed square.
  const strokes = (svg: SvgFacts, color: string) => svg.paths.filter((p) => p.stroke.toLowerCase() === color && p.fill === 'none' && !/Z\s*$/i.test(p.d)).length;

  // Both lines are drawn, and exported, before anything is hidden.
  let spots: ColorSpots = { legend: null, drawn: 0 };
  await app.browser.waitUntil(async () => ((spots = await colorSpots(second)), spots.legend !== null && spots.drawn > 0), { timeout: 10_000, timeoutMsg: 'the second series is not drawn' });
  await catchDownloads();
  await $('[data-testid="results-page"] [data-testid="export-svg"]').click();
  const both = await lastSvg();
  assert.ok(strokes(both, first) > 0 && strokes(both, second) > 0, `both series in the export (${first}: ${strokes(both, first)}, ${second}: ${strokes(both, second)})`);

  // A click on the second series' legend item hides it on the canvas (found after the export: its notice moved the chart down).
  spots = await colorSpots(second);
  await app.browser.action('pointer').move({ x: Math.round(spots.legend!.x), y: Math.round(spots.legend!.y), origin: 'viewport' }).down().up().perform();
  await app.browser.waitUntil(async () => (await colorSpots(second)).drawn === 0, { timeout: 10_000, timeoutMsg: 'the legend click did not hide the series' });
  assert.ok((await colorSpots(first)).drawn > 0, 'the first series is still drawn');
  await app.screenshot('99-results-hidden-series');

  await catchDownloads();
  await $('[data-testid="results-page"] [data-testid="export-svg"]').click();
  const svg = await lastSvg();
  assert.ok(svg.parsed && svg.drawnWidth > 0);
  keepArtifact('99-results-export-hidden-series.svg', svg.text);
  assert.is(strokes(svg, second), 0, `the hidden series (${second}) is not in the export`);
  assert.ok(strokes(svg, first) > 0, `the other series (${first}) is`);
  assert.ok(svg.texts.includes('Invoice count'), 'the legend still names the hidden series, as on screen');
});

test.run();
