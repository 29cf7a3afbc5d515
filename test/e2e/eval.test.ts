import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/webdriverio';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EvalRecord } from '../../engine/contract/index';
import { createPgDatabase, type TestDatabase } from '../support/databases';
import { addConfirmedPgSource, startApp, waitForText, type E2EApp } from '../support/e2e';
import { tempDir } from '../support/tmp';
import { Downloads } from './pages';

// The Evaluate page against real PostgreSQL (Chinook) with the offline planner: a golden file is
// chosen through the page's file input, run, read, filtered, exported, and a long run is cancelled.
let app: E2EApp;
let db: TestDatabase;
let files: ReturnType<typeof tempDir>;
let sourceId = '';

/** A liveness bound for a busy machine, not a speed target. */
const READY = 60_000;

const $ = (selector: string) => app.browser.$(selector);
const $$ = (selector: string) => app.browser.$$(selector);

/** One the offline planner answers right, the same question with a wrong gold, a line that is not JSON, one scored against gold SQL. */
const GOLDEN = [
  JSON.stringify({ id: 'albums', question: 'How many albums are there?', rows: [[347]] }),
  JSON.stringify({ id: 'albums-wrong-gold', question: 'How many albums are there?', rows: [[348]] }),
  '{"question": "how many',
  JSON.stringify({ id: 'artists', question: 'How many artists are there?', gold_sql: 'SELECT count(*) FROM artist' }),
];
/** Gold SQL that counts 275^4 rows: each such question runs until the source's statement timeout, so the run is long. */
const SLOW_GOLD = 'SELECT count(*) FROM artist a, artist b, artist c, artist d';

function writeFile(name: string, text: string): string {
  const file = path.join(files.path, name);
  fs.writeFileSync(file, text);
  return file;
}

/** Chooses a file as the file dialog would: chromedriver types its path into the page's file input. */
async function choose(file: string): Promise<void> {
  await $('[data-testid="eval-file-input"]').setValue(file);
}

async function phase(): Promise<string | null> {
  const section = $('[data-testid="eval-run-section"]');
  return (await section.isExisting()) ? section.getAttribute('data-phase') : null;
}

async function waitForPhase(expected: string): Promise<void> {
  await app.browser.waitUntil(async () => (await phase()) === expected, { timeout: READY * 3, timeoutMsg: `the evaluation did not reach ${expected}` });
}

/** The records listed, as [line, outcome]. */
async function listed(): Promise<Array<[number, string]>> {
  const rows = await $$('[data-testid="eval-record"]').getElements();
  const out: Array<[number, string]> = [];
  for (const row of rows) out.push([Number(await row.getAttribute('data-line')), (await row.getAttribute('data-outcome')) ?? '']);
  return out;
}

/** Switches the theme live, as the system setting does (the page keeps its state). */
async function colorScheme(theme: 'light' | 'dark'): Promise<void> {
  await app.browser.sendCommand('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value: theme }] });
  await app.browser.waitUntil(async () => (await $('html').getAttribute('data-theme')) === theme, { timeout: READY, timeoutMsg: `the app did not follow the system to ${theme}` });
  await settle();
  // The buttons have their new theme's surface (a screenshot taken mid-fade shows them grey).
  await app.browser.waitUntil(
    async () =>
      (await app.browser.execute(() => {
        const probe = document.createElement('div');
        probe.style.background = 'var(--surface)';
        document.body.append(probe);
        const surface = getComputedStyle(probe).backgroundColor;
        probe.remove();
        return [...document.querySelectorAll('.btn:not(.primary):not(.ghost):not([aria-pressed="true"]):not(:disabled):not(:hover)')].every((b) => getComputedStyle(b).backgroundColor === surface);
      })) as boolean,
    { timeout: READY, timeoutMsg: `the buttons did not take the ${theme} theme's surface` },
  );
}

/** Waits until no transition is running (buttons fade to the new theme's colours). */
async function settle(): Promise<void> {
  await app.browser.waitUntil(
    async () => (await app.browser.execute(() => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity))) as boolean,
    { timeout: READY, timeoutMsg: 'animations did not finish' },
  );
}

async function axeFindings(where: string): Promise<string[]> {
  const results = await new AxeBuilder({ client: app.browser }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${where}: ${v.id} (${v.impact}) at ${n.target.join(' ')}: ${v.help}`));
}

test.before(async () => {
  db = createPgDatabase('chinook');
  files = tempDir('polystore-eval-files-');
  app = await startApp({ unlocked: true });
  sourceId = await addConfirmedPgSource(app, db);
});
test.after(async () => {
  await app?.close();
  files?.remove();
  db?.drop();
});

test('the empty page explains the file format; a file that is not JSON lines is refused with a typed error and keeps the file chosen before', async () => {
  await app.open('#/eval');
  await waitForText($('[data-testid="eval-empty"]'), 'one JSON object a line', READY);
  assert.match(await $('[data-testid="eval-example"]').getText(), /"question": "How many albums are there\?", "rows": \[\[347\]\]/);
  assert.is(await $('[data-testid="eval-source"]').getValue(), sourceId, 'the only source is chosen');
  assert.not.ok(await $('[data-testid="eval-run"]').isEnabled(), 'nothing to run without a file');
  await colorScheme('light');
  await app.screenshot('70-eval-empty');

  await choose(writeFile('golden.json', JSON.stringify(GOLDEN.filter((l) => l.startsWith('{"id"')).map((l) => JSON.parse(l)), null, 2)));
  const error = $('[data-testid="eval-file-error"]');
  await waitForText(error, 'one JSON array, not one object a line');
  assert.is(await error.getAttribute('data-code'), 'NOT_JSONL');

  await choose(writeFile('golden.jsonl', GOLDEN.join('\n') + '\n'));
  await waitForText($('[data-testid="eval-file-preview"]'), '3 questions, 1 line that will be scored as errors (line 3: not JSON)');
  assert.not.ok(await error.isExisting(), 'the error is gone once a good file is chosen');

  await choose(writeFile('notes.csv', 'question,answer\nHow many albums?,347\n'));
  await waitForText($('[data-testid="eval-file-error"]'), 'notes.csv is not a golden-question file');
  assert.is(await $('[data-testid="eval-file-name"]').getText(), 'golden.jsonl', 'the good file is still the one to run');
  assert.ok(await $('[data-testid="eval-run"]').isEnabled());
});

test('a run lists every question with its outcome; the summary counts are what the engine returns; the filter and the export show the same records', async () => {
  await $('[data-testid="eval-run"]').click();
  await waitForPhase('done');
  const summary = $('[data-testid="eval-summary"]');
  await summary.waitForDisplayed();
  assert.equal(await listed(), [[1, 'correct'], [2, 'wrong'], [3, 'error'], [4, 'correct']]);

  // The engine, asked the same file directly, scores it the same way (the offline planner is deterministic).
  const engine = await app.call('eval.run', { sourceId, lines: GOLDEN });
  const counts: Record<string, number> = {};
  for (const tile of await summary.$$('[data-testid="eval-count"]').getElements()) {
    counts[(await tile.getAttribute('data-outcome'))!] = Number(await tile.$('[data-testid="eval-count-value"]').getText());
  }
  assert.equal(counts, engine.summary.counts);
  assert.equal(engine.summary.counts, { correct: 2, wrong: 1, declined: 0, error: 1 });
  assert.is(await summary.$('[data-testid="eval-accuracy"]').getText(), `${(engine.summary.accuracy * 100).toFixed(1)}%`);
  await waitForText(summary.$('[data-testid="eval-run-line"]'), 'golden.jsonl on Chinook · 3 questions (1 bad line)');
  assert.is(await summary.$$('[data-testid="eval-calibration"] tbody tr').length, engine.summary.calibration.length);

  const bad = $('[data-testid="eval-record"][data-line="3"]');
  await waitForText(bad.$('[data-testid="eval-error"]'), 'VALIDATION Line 3 is not JSON');
  const right = $('[data-testid="eval-record"][data-line="1"]');
  await right.$('summary=Generated query').click();
  await waitForText(right.$('[data-testid="query-text"]'), /count/i);
  assert.match(await right.$('[data-testid="query-text"]').getText(), new RegExp(engine.records[0]!.query!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'), 'i'));
  await app.screenshot('71-eval-done');
  await colorScheme('dark');
  await app.screenshot('72-eval-done-dark');
  await bad.scrollIntoView({ block: 'end' });
  await app.screenshot('75-eval-records-dark');
  await colorScheme('light');
  await app.screenshot('74-eval-records');

  await $('[data-testid="eval-filter"][data-filter="wrong"]').click();
  await app.browser.waitUntil(async () => (await listed()).length === 1, { timeout: READY, timeoutMsg: 'the filter did not apply' });
  assert.equal(await listed(), [[2, 'wrong']]);
  await $('[data-testid="eval-filter"][data-filter="declined"]').click();
  await waitForText($('[data-testid="eval-no-records"]'), 'No question has this outcome');
  await $('[data-testid="eval-filter"][data-filter="all"]').click();
  await app.browser.waitUntil(async () => (await listed()).length === 4, { timeout: READY, timeoutMsg: 'All did not list every record' });

  if ((await app.call('app.info')).host === 'browser') {
    const downloads = new Downloads(app);
    await downloads.catch();
    await $('[data-testid="eval-export"]').click();
    await waitForText($('[data-testid="save-notice"]'), /^Downloaded golden-evaluation-\d{4}-\d{2}-\d{2}\.jsonl/);
    const text = (await downloads.nth(1)).toString('utf8');
    const exported = text.trimEnd().split('\n').map((l) => JSON.parse(l) as EvalRecord);
    const shape = (r: EvalRecord) => [r.line, r.id, r.outcome, r.query, r.confidence, r.error?.code ?? null];
    assert.equal(exported.map(shape), engine.records.map(shape));
  }
});

test('axe finds nothing serious on the Evaluate page with results, in the light and the dark theme', async () => {
  const found: string[] = [];
  for (const theme of ['light', 'dark'] as const) {
    await colorScheme(theme);
    found.push(...(await axeFindings(`${theme} · Evaluate`)));
  }
  await colorScheme('light');
  if (found.length) console.log(`axe, Evaluate:\n  ${found.join('\n  ')}`);
  assert.equal(found, []);
});

test('a long run shows its progress, goes on while another page is open, and Escape cancels it: the engine stops and the scored questions stay', async () => {
  const slow = (i: number) => JSON.stringify({ id: `slow-${i}`, question: 'How many artists are there?', gold_sql: SLOW_GOLD });
  await choose(writeFile('long.jsonl', [GOLDEN[0], ...Array.from({ length: 6 }, (_, i) => slow(i + 1))].join('\n')));
  await waitForText($('[data-testid="eval-file-preview"]'), 'long.jsonl: 7 questions');
  await $('[data-testid="eval-run"]').click();
  const progress = $('[data-testid="eval-progress"]');
  await app.browser.waitUntil(async () => (await progress.isExisting()) && (await progress.getAttribute('data-done')) === '1', { timeout: READY, timeoutMsg: 'the first question was not scored' });
  assert.is(await progress.getAttribute('data-total'), '7');
  await waitForText(progress, 'Scored 1 of 7');
  assert.equal(await listed(), [[1, 'correct']], 'the first record shows as soon as it is scored');
  await app.screenshot('73-eval-running');

  // The page stays usable: another page opens, and coming back shows the same run going on.
  await $('nav a[data-route="sources"]').click();
  await $('[data-testid="source-row"]').waitForDisplayed({ timeout: READY });
  await $('nav a[data-route="eval"]').click();
  // A new page's element: the one found before is gone with the page that held it.
  await $('[data-testid="eval-progress"]').waitForDisplayed({ timeout: READY });
  assert.is(await phase(), 'running');
  const evalId = (await $('[data-testid="eval-run-section"]').getAttribute('data-eval-id'))!;

  await app.browser.keys('Escape');
  await waitForPhase('cancelled');
  await waitForText($('[data-testid="eval-cancelled"]'), 'Cancelled after 1 of 7 lines of long.jsonl');
  assert.equal(await listed(), [[1, 'correct']]);
  assert.equal(await app.call('eval.cancel', { evalId }), { cancelled: false }, 'the engine no longer runs it');
  await app.browser.waitUntil(async () => db.sql(`SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%artist a, artist b%' AND pid <> pg_backend_pid()`).trim() === '0', {
    timeout: READY,
    timeoutMsg: 'the slow gold SQL still runs on the server',
  });
  assert.ok(await $('[data-testid="eval-run"]').isEnabled(), 'a new run can start');
});

test.run();
