import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPgDatabase, type TestDatabase } from '../support/databases';
import { addConfirmedPgSource, lastOf, latestQueryCard, startApp, waitForText, type E2EApp } from '../support/e2e';
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-llm/index';
import { closedPort } from '../support/net';

const API_KEY = 'sk-e2e-Secret-key-0123456789';
const MODEL = 'qwen2.5-coder:7b';

let app: E2EApp;
let db: TestDatabase;
let llm: FakeOpenAi;
let sourceId: string;

const $ = (selector: string) => app.browser.$(selector);

test.before(async () => {
  db = createPgDatabase('chinook');
  llm = await startFakeOpenAi({ flavor: 'ollama', apiKey: API_KEY, models: [MODEL] });
  app = await startApp({ unlocked: true });
  sourceId = await addConfirmedPgSource(app, db);
});
test.after(async () => {
  await app?.close();
  await llm?.close();
  db?.drop();
});

async function pageHtml(): Promise<string> {
  return app.browser.execute(() => document.documentElement.outerHTML);
}

test('configure a local model: saved with its key in the keychain, which is never shown again', async () => {
  await app.open('#/settings');
  await waitForText($('[data-testid="model-mode"]'), 'Offline planner');
  assert.is(await $('[data-testid="provider-preset"]').getValue(), 'ollama');
  const baseUrl = $('[data-testid="provider-base-url"]');
  assert.is(await baseUrl.getValue(), 'http://127.0.0.1:11434/v1', 'prefilled from the preset');
  await baseUrl.setValue(llm.baseUrl);
  await $('[data-testid="provider-model"]').setValue(MODEL);
  await $('[data-testid="provider-api-key"]').setValue(API_KEY);
  await waitForText($('[data-testid="model-privacy"]'), 'stay here');
  await $('[data-testid="save-provider"]').click();

  await waitForText($('[data-testid="model-mode"]'), `Model: ${MODEL}`);
  await waitForText($('[data-testid="model-current"]'), 'Runs on this machine');
  await $('[data-testid="provider-key-stored"]').waitForDisplayed();
  assert.is(await $('[data-testid="provider-api-key"]').getValue(), '', 'the key field is write-only');
  assert.not.match(await pageHtml(), new RegExp(API_KEY));
  const info = await app.call('providers.get');
  assert.is(info.primary?.hasApiKey, true);
  assert.is(info.primary?.model, MODEL);
});

test('Test: the latency when the model answers, the error in plain words when it does not', async () => {
  llm.replyJson({ ok: true });
  await $('[data-testid="test-provider"]').click();
  await waitForText($('[data-testid="model-message"]'), /answered in \d+ ms/);
  const auth = llm.requests.at(-1)?.headers.authorization;
  assert.is(auth, `Bearer ${API_KEY}`, 'the stored key went to the model server');

  llm.replyError(500, 'the GPU caught fire');
  await $('[data-testid="test-provider"]').click();
  await waitForText($('[data-testid="model-message"]'), 'server error');
  await $('[data-testid="model-card"]').scrollIntoView();
  await app.screenshot('40-settings-model-configured');
});

test('the model writes the query; a refused attempt is corrected, and the ledger shows exactly what was sent', async () => {
  await app.open(`#/chat/${sourceId}`);
  await waitForText($('[data-testid="generator"]'), MODEL);
  llm.replyJson({ query: 'DELETE FROM customer', dialect: 'postgres', explanation: 'Removes customers.', confidence: 0.4 });
  llm.replyJson({
    query: `SELECT first_name, last_name FROM customer WHERE country = 'Brazil' ORDER BY last_name`,
    dialect: 'postgres',
    explanation: 'Customers from Brazil, by last name.',
    confidence: 0.9,
  });
  await $('[data-testid="composer"]').setValue('which customers are from Brazil');
  await app.browser.keys('Enter');

  const card = $('[data-testid="query-card"]');
  await card.waitForDisplayed({ timeout: 20_000 });
  await waitForText(card.$('[data-testid="query-author"]'), `${MODEL} (Ollama)`);
  await waitForText(card, 'Self-corrected once before it was shown (2 attempts)');
  await card.$('summary*=Self-corrected once').click();
  await waitForText(card, 'refused by the safety check');
  await waitForText(card, 'DELETE FROM customer');

  await card.$('[data-testid="view-ledger"]').click();
  const ledger = $('[data-testid="ledger"]');
  await waitForText(ledger, 'Request 2 of 2');
  await waitForText(ledger, 'stayed on this machine');
  const requests = await app.browser.$$('[data-testid="ledger-request"]').map((el) => el.getText());
  assert.is(requests.length, 2);
  assert.match(requests[0]!, /which customers are from Brazil/);
  assert.match(requests[1]!, /refused that query/);
  assert.not.match(await pageHtml(), new RegExp(API_KEY), 'the key is never in the ledger');
  await app.screenshot('41-chat-ledger');
  await app.browser.keys('Escape');

  await card.$('[data-testid="approve"]').click();
  const table = $('[data-testid="result-table"]');
  await table.waitForDisplayed({ timeout: 20_000 });
  const expected = db.sql(`SELECT count(*) FROM customer WHERE country = 'Brazil'`).trim();
  await waitForText($('[data-testid="result-meta"]'), `${expected} rows`);
  await app.screenshot('42-chat-model-result');
});

test('an offline question shows that nothing left the machine', async () => {
  await app.open('#/settings');
  await $('[data-testid="use-offline"]').click();
  await waitForText($('[data-testid="model-mode"]'), 'Offline planner');
  assert.is((await app.call('providers.get')).mode, 'offline');

  await app.open(`#/chat/${sourceId}`);
  await waitForText($('[data-testid="generator"]'), 'Offline planner');
  await $('[data-testid="composer"]').setValue('how many artists are there');
  await app.browser.keys('Enter');
  const card = $('[data-testid="query-card"]');
  await card.waitForDisplayed({ timeout: 20_000 });
  await card.$('[data-testid="view-ledger"]').click();
  await waitForText($('[data-testid="ledger-empty"]'), 'Nothing left this machine');
});

test('a provider that is not running: Test never makes it active, Save asks first, and a failed question offers the offline planner in one click', async () => {
  const port = await closedPort();
  await app.open('#/settings');
  await waitForText($('[data-testid="model-mode"]'), 'Offline planner');
  await $('[data-testid="provider-base-url"]').setValue(`http://127.0.0.1:${port}/v1`);
  await $('[data-testid="provider-model"]').setValue('down-model');
  await $('[data-testid="test-provider"]').click();
  await waitForText($('[data-testid="model-message"]'), 'Nothing changed', 20_000);
  assert.is((await app.call('providers.get')).mode, 'offline', 'testing did not change the active provider');
  await waitForText($('[data-testid="model-mode"]'), 'Offline planner');

  // Save: the engine asks first, because the last test of exactly this configuration failed.
  await $('[data-testid="save-provider"]').click();
  const confirm = $('[data-testid="confirm-failed-provider"]');
  await waitForText(confirm, 'The last test of down-model failed');
  assert.is((await app.call('providers.get')).mode, 'offline', 'not active before the user confirms');
  await app.screenshot('43-settings-model-failed-test-confirm');
  await $('[data-testid="cancel-failed-provider"]').click();
  await confirm.waitForExist({ reverse: true });
  assert.is((await app.call('providers.get')).mode, 'offline');
  await $('[data-testid="save-provider"]').click();
  await $('[data-testid="use-failed-provider"]').click();
  await waitForText($('[data-testid="model-mode"]'), 'Model: down-model');

  // Every question now fails at the model; the error offers the offline planner for this one question.
  await app.open(`#/chat/${sourceId}`);
  await waitForText($('[data-testid="generator"]'), 'down-model');
  await $('[data-testid="composer"]').setValue('how many albums are there');
  await app.browser.keys('Enter');
  const error = lastOf(app, 'error-card');
  await error.waitForDisplayed({ timeout: 30_000 });
  await waitForText(error, 'Could not write a query');
  await app.screenshot('44-chat-model-down-offer-offline');
  await error.$('[data-testid="ask-offline"]').click();
  const card = await latestQueryCard(app, 'pending');
  await waitForText(card.$('[data-testid="query-author"]'), 'Offline planner');
  await waitForText(card, 'album');
  const info = await app.call('providers.get');
  assert.is(info.mode, 'model', 'only this question went to the offline planner');
  assert.is(info.primary?.model, 'down-model');
  await app.call('providers.clear');

  // The audit log says what was asked and links back to the conversation.
  await app.open('#/audit');
  const generated = $('//tr[@data-testid="audit-row"][@data-action="query.generated"]');
  await waitForText(generated.$('[data-testid="audit-question"]'), 'how many albums are there');
  await waitForText(generated, 'Wrote a query');
  await app.screenshot('45-audit-humanized');
  await generated.$('[data-testid="audit-conversation"]').click();
  await waitForText(lastOf(app, 'query-card'), 'album');
  assert.match(await app.browser.getUrl(), /#\/chat\/[^/]+\/[^/]+$/);
});

test.run();
