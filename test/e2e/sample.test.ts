import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SAMPLE_QUESTIONS } from '../../engine/sources/sample-data';
import { TEST_PIN } from '../support/engine';
import { startApp, waitForText, type E2EApp } from '../support/e2e';
import { repoRoot } from '../support/tmp';

// The newcomer's first minute: a fresh profile, "Try it with sample data", an example question, approve, the answer.
let app: E2EApp;
test.before(async () => {
  app = await startApp();
});
test.after(async () => {
  await app?.close();
});

const $ = (selector: string) => app.browser.$(selector);
const $$ = (selector: string) => app.browser.$$(selector);
const QUESTION = 'Top 5 artists by number of tracks';

/** The answer DuckDB gives on the shipped files directly, to compare with what the app shows. */
async function goldTopArtist(): Promise<{ name: string; tracks: string }> {
  const file = (table: string) => `read_parquet('${path.join(repoRoot, 'build-resources', 'sample', 'chinook', `${table}.parquet`)}')`;
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    const reader = await connection.runAndReadAll(
      `SELECT ar.name, count(*)::VARCHAR FROM ${file('track')} t JOIN ${file('album')} al USING (album_id) JOIN ${file('artist')} ar USING (artist_id)
       GROUP BY ar.artist_id, ar.name ORDER BY count(*) DESC, ar.name LIMIT 1`,
    );
    const [name, tracks] = reader.getRowsJson()[0] as [string, string];
    return { name, tracks };
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

let startedAt = 0;
test('fresh profile: the empty Sources page offers the sample', async () => {
  await app.open('#/sources');
  await $('[data-testid="setup-screen"]').waitForDisplayed();
  await $('input[name="profileName"]').setValue('Sam');
  await $('input[name="secret"]').setValue(TEST_PIN);
  await $('input[name="confirm"]').setValue(TEST_PIN);
  await $('button[type="submit"]').click();
  await waitForText($('main'), 'No sources yet');
  await $('[data-testid="try-sample"]').waitForEnabled();
  await app.screenshot('60-sample-empty-state');
});

test('"Try it with sample data" adds the sample and opens Ask on it, with the tested example questions', async () => {
  startedAt = Date.now();
  await $('[data-testid="try-sample"]').click();
  await $('[data-testid="chat-welcome"]').waitForDisplayed({ timeout: 60_000 });
  await waitForText($('[data-testid="chat-welcome"]'), 'Chinook music store (sample)');
  await app.browser.waitUntil(async () => (await $$('[data-testid="example-question"]').length) === SAMPLE_QUESTIONS.length, {
    timeout: 20_000,
    timeoutMsg: 'the sample\'s example questions did not appear',
  });
  const shown: string[] = [];
  for (const el of await $$('[data-testid="example-question"]')) shown.push(await el.getText());
  assert.equal(shown, [...SAMPLE_QUESTIONS]);
  const sources = await app.launched.engine.sources.list();
  assert.equal(sources.map((s) => [s.name, s.type, s.status]), [['Chinook music store (sample)', 'file', 'CONNECTED']]);
  await app.screenshot('61-sample-ask-welcome');
});

test('an example question, approved, shows the answer DuckDB gives on the files', async () => {
  const gold = await goldTopArtist();
  await $(`//button[@data-testid="example-question" and normalize-space()="${QUESTION}"]`).click();
  const card = $('[data-testid="query-card"]');
  await card.waitForDisplayed({ timeout: 30_000 });
  await waitForText(card.$('[data-testid="verdict"]'), 'passed the safety check', 30_000);
  // A file has no login: nothing to confirm before the run.
  assert.not.ok(await $('[data-testid="login-risks-banner"]').isExisting());
  await app.screenshot('62-sample-query');
  await card.$('[data-testid="approve"]').click();
  const table = $('[data-testid="result-card"] [data-testid="result-table"]');
  await table.waitForDisplayed({ timeout: 30_000 });
  const firstRow = table.$('tbody tr');
  await waitForText(firstRow, gold.name);
  await waitForText(firstRow, gold.tracks);
  assert.equal([gold.name, gold.tracks], ['Iron Maiden', '213']);
  const seconds = (Date.now() - startedAt) / 1000;
  console.log(`sample: from the click to the answer in ${seconds.toFixed(1)} s (includes the test's own waits and typing)`);
  await app.screenshot('63-sample-result');
});

test('Settings credits the sample data', async () => {
  await app.open('#/settings');
  await waitForText($('[data-testid="sample-credit"]'), 'Chinook');
  await waitForText($('[data-testid="sample-credit"]'), 'MIT');
  await $('[data-testid="sample-credit"]').scrollIntoView();
  await app.screenshot('64-sample-credit');
});

test.run();
