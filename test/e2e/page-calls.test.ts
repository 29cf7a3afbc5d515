import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { callThroughPage, startApp, waitForText, type E2EApp } from '../support/e2e';

// In the packaged app, app.call goes through the page's window.polystore (the preload API the app
// itself uses), not the engine in the test process. Checked here in whichever host runs, against
// the answers app.call gets.
let app: E2EApp;
test.before(async () => {
  app = await startApp({ unlocked: true });
  await app.open('#/sources');
  await waitForText(app.browser.$('[data-testid="engine-health"]'), 'Engine healthy');
});
test.after(async () => {
  await app?.close();
});

const failure = (call: Promise<unknown>) =>
  call.then(
    () => 'no error',
    (error: unknown) => String(error),
  );

test('a call through the page answers as the engine does, with and without input', async () => {
  assert.equal(await callThroughPage(app.browser, 'sources.list'), await app.call('sources.list'));
  assert.is((await callThroughPage(app.browser, 'app.info')).host, app.host);
  await callThroughPage(app.browser, 'settings.update', { approvalTtlSeconds: 90 });
  assert.is((await app.call('settings.get')).approvalTtlSeconds, 90);
});

test('an error crosses with its code, as app.call reports it; a channel the page does not have is refused', async () => {
  const viaPage = await failure(callThroughPage(app.browser, 'sources.test', { id: 'src_missing' }));
  assert.match(viaPage, /^Error: sources\.test: [A-Z_]+ /);
  assert.is(viaPage, await failure(app.call('sources.test', { id: 'src_missing' })));
  assert.is(await failure(callThroughPage(app.browser, 'query.run', {} as never)), 'Error: query.run: NOT_ON_PAGE window.polystore has no query.run');
});

test.run();
