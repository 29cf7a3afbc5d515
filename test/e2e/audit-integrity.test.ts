import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startApp, waitForText, type E2EApp } from '../support/e2e';

let app: E2EApp;
test.before(async () => {
  app = await startApp({ unlocked: true });
});
test.after(() => app?.close());

const $ = (selector: string) => app.browser.$(selector);

test('an intact audit log shows no banner; after an event is edited in the file, every page says "Audit log altered at event N"', async () => {
  await app.open('#/sources');
  await $('[data-route="sources"]').waitForDisplayed();
  assert.is(await $('[data-testid="audit-integrity-banner"]').isExisting(), false);

  // What someone with the database file could do: drop the guard and rewrite history.
  app.launched.engine.db.exec(`DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor = 'someone else' WHERE seq = 1;`);
  await app.open('#/sources');
  const banner = $('[data-testid="audit-integrity-banner"]');
  await banner.waitForDisplayed();
  assert.is(await banner.getAttribute('data-status'), 'altered');
  await waitForText(banner, 'Audit log altered at event 1');
  await app.screenshot('40-audit-altered-banner');
  await banner.$('button').click();
  await $('[data-route="audit"]').waitForDisplayed();
  await waitForText($('[data-testid="audit-integrity-banner"]'), 'Audit log altered at event 1');
});

test.run();
