import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIpcHandler } from '../../../../main/electron/ipc';
import { isTrustedSenderUrl, mainWindowOptions } from '../../../../main/electron/window-options';
import { contentSecurityPolicy } from '../../../../main/shared/csp';
import type { Router } from '../../../../engine/router/router';

test('webPreferences are pinned: isolation, sandbox, no Node, web security, no webviews', () => {
  const prefs = mainWindowOptions({ preload: '/app/preload.cjs', production: true }).webPreferences;
  assert.equal(prefs, {
    preload: '/app/preload.cjs',
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    devTools: false,
    safeDialogs: true,
  });
});

test('devtools are available only outside production builds', () => {
  assert.is(mainWindowOptions({ preload: 'p', production: false }).webPreferences?.devTools, true);
  assert.is(mainWindowOptions({ preload: 'p', production: true }).webPreferences?.devTools, false);
});

test('the CSP is pinned: scripts only from the app, nothing framed, no plugins, no form posts', () => {
  assert.is(
    contentSecurityPolicy(),
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  );
  assert.not.match(contentSecurityPolicy({ connectSrc: ['ws://127.0.0.1:1'] }), /script-src[^;]*unsafe/);
});

test('only the app origin (and the dev server in development) is a trusted sender', () => {
  assert.ok(isTrustedSenderUrl('app://polystore/index.html'));
  assert.ok(isTrustedSenderUrl('app://polystore/#/chat'));
  for (const url of ['https://evil.example/', 'app://other/index.html', 'file:///etc/passwd', 'http://127.0.0.1:5173/', '', 'not a url', undefined]) {
    assert.not.ok(isTrustedSenderUrl(url), String(url));
  }
  assert.ok(isTrustedSenderUrl('http://127.0.0.1:5173/', 'http://127.0.0.1:5173'));
});

test('IPC from a wrong sender is refused before the router sees it', async () => {
  const seen: unknown[] = [];
  const router: Router = { dispatch: async (c) => (seen.push(c), { ok: true, value: 'fine' }) };
  const handle = createIpcHandler(router);
  const refused = await handle({ senderFrame: { url: 'https://evil.example/' } }, 'app.info', undefined);
  assert.is(refused.ok ? 'ok' : refused.error.code, 'FORBIDDEN');
  const noFrame = await handle({ senderFrame: null }, 'app.info', undefined);
  assert.is(noFrame.ok ? 'ok' : noFrame.error.code, 'FORBIDDEN');
  assert.equal(seen, []);
  const accepted = await handle({ senderFrame: { url: 'app://polystore/index.html' } }, 'app.info', undefined);
  assert.equal(accepted, { ok: true, value: 'fine' });
  assert.equal(seen, ['app.info']);
});

test.run();
