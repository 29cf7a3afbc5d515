import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPgDatabase, type TestDatabase } from '../support/databases';
import { TEST_PIN } from '../support/engine';
import { addConfirmedPgSource, askInChat, lastOf, latestQueryCard, startApp, waitForText, type E2EApp } from '../support/e2e';

const VIEWER_PIN = '730194';
let app: E2EApp;
let db: TestDatabase;
let sharedId: string;
let otherId: string;
let viewerId: string;

const $ = (selector: string) => app.browser.$(selector);
const $$ = (selector: string) => app.browser.$$(selector);

test.before(async () => {
  db = createPgDatabase('chinook');
  app = await startApp({ unlocked: true });
  sharedId = await addConfirmedPgSource(app, db, 'Chinook');
  otherId = (await app.call('sources.create', { name: 'Payroll', type: 'postgres', url: 'postgres://reader@127.0.0.1:1/payroll' })).id;
});
test.after(async () => {
  await app?.close();
  db?.drop();
});

async function unlockAs(name: string, pin: string) {
  await $('[data-testid="lock-screen"]').waitForDisplayed();
  const choice = $(`//*[@data-testid="profile-choice"][starts-with(normalize-space(.), "${name}")]`);
  await choice.click();
  await waitForText($('[data-testid="lock-screen"]'), `unlock ${name}'s profile`);
  await $('input[name="secret"]').setValue(pin);
  await $('button[type="submit"]').click();
  await $('nav').waitForDisplayed();
}

test('the owner adds a viewer with its own PIN in Settings -> Profiles and shares one source with it', async () => {
  await app.open('#/settings');
  const card = $('[data-testid="profiles-card"]');
  await card.waitForDisplayed();
  await $('[data-testid="viewer-name"]').setValue('Ana');
  await $('[data-testid="viewer-secret"]').setValue(VIEWER_PIN);
  await $('[data-testid="viewer-secret-confirm"]').setValue(VIEWER_PIN);
  await $('[data-testid="add-viewer"]').click();
  const row = $('//li[@data-testid="profile-row"][@data-role="viewer"]');
  await row.waitForDisplayed();
  viewerId = (await row.getAttribute('data-profile-id'))!;
  await row.$(`[data-testid="share-source"][data-source-id="${sharedId}"]`).click();
  await waitForText($('[data-testid="profiles-message"]'), 'Shared with Ana');
  const viewer = (await app.call('auth.listProfiles')).find((p) => p.id === viewerId);
  assert.equal(viewer?.sharedSourceIds, [sharedId]);
  await app.screenshot('60-profiles-card');
});

test('the viewer picks its profile on the lock screen and sees only the shared source, without the owner controls', async () => {
  await $('[data-testid="status-lock"]').click();
  await $('[data-testid="profile-picker"]').waitForDisplayed();
  await app.screenshot('61-lock-screen-picker');
  await unlockAs('Ana', VIEWER_PIN);
  await app.open('#/sources');
  await app.browser.waitUntil(async () => (await $$('[data-testid="source-row"]').length) === 1, { timeoutMsg: 'the viewer should see exactly one source' });
  await waitForText($('[data-testid="source-row"]'), 'Chinook');
  assert.is(await $('[data-testid="add-source"]').isExisting(), false, 'no Add source');
  assert.is(await $('[data-testid="remove-source"]').isExisting(), false, 'no Remove');
  assert.is(await $('nav a[data-route="audit"]').isExisting(), false, 'no Audit log in the navigation');
  await app.screenshot('62-viewer-sources');

  await app.open('#/audit');
  await $('[data-testid="owner-only-page"]').waitForDisplayed();
  await app.open('#/settings');
  await waitForText($('main h1'), 'Settings');
  await $('[data-testid="lock-now"]').waitForDisplayed();
  for (const id of ['profiles-card', 'auto-lock', 'update-channel']) assert.is(await $(`[data-testid="${id}"]`).isExisting(), false, `${id} is the owner's`);
  await app.screenshot('63-viewer-settings');

  // Hidden is not the only guard: the page's own bridge gets FORBIDDEN for the owner's channels and the unshared source.
  const fromPage = (await app.browser.executeAsync((other: string, done: (v: unknown) => void) => {
    const api = (window as unknown as { polystore: Record<string, Record<string, (input?: unknown) => Promise<{ ok: boolean; error?: { code: string } }>>> }).polystore;
    void Promise.all([api.audit!.list!(), api.sources!.remove!({ id: other }), api.metadata!.get!({ sourceId: other })]).then((r) => done(r.map((x) => (x.ok ? 'ok' : x.error!.code))));
  }, otherId)) as string[];
  assert.equal(fromPage, ['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
});

test('the viewer asks on the shared source, approves, and gets the rows; the audit log names the viewer', async () => {
  await app.open(`#/chat/${sharedId}`);
  await askInChat(app, 'how many customers are there');
  const card = await latestQueryCard(app, 'pending');
  await card.$('[data-testid="approve"]').click();
  await latestQueryCard(app, 'done');
  const result = lastOf(app, 'result-card');
  await result.waitForDisplayed({ timeout: 20_000 });
  await waitForText(result.$('[data-testid="single-value"]'), db.sql('SELECT count(*) FROM customer').trim(), 20_000);
  await app.screenshot('64-viewer-result');

  await $('[data-testid="status-lock"]').click();
  await unlockAs('Owner', TEST_PIN);
  const { events } = await app.call('audit.list', { sourceId: sharedId, action: 'query.executed' });
  assert.equal(events.map((e) => [e.actor, e.actorProfileId]), [['Ana', viewerId]]);
  // The owner still sees both sources.
  assert.equal((await app.call('sources.list')).map((s) => s.name).sort(), ['Chinook', 'Payroll']);
});

test.run();
