/**
 * The browser host listens while its engine is still opening (npm start prints the address
 * and the page loads meanwhile): requests the page sends before the engine is open are
 * answered once it is, in the order they came; if it never opens they are refused with
 * UNAVAILABLE instead of hanging. The token and Origin checks do not wait for the engine.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { hostView, type HostEngine } from '../../../../engine/engine';
import { startBrowserHost, type BrowserHost } from '../../../../main/browser-host/server';
import { openTestEngine } from '../../../support/engine';
import { tempDir } from '../../../support/tmp';

const DEADLINE_MS = 20_000;
const site = tempDir();
fs.writeFileSync(path.join(site.path, 'index.html'), '<!doctype html><html><head><title>t</title></head><body></body></html>');
fs.writeFileSync(path.join(site.path, 'bridge.js'), 'window.bridgeLoaded = true;');

function opening(): { promise: Promise<HostEngine>; open(engine: HostEngine): void; fail(error: Error): void } {
  let open: (engine: HostEngine) => void = () => {};
  let fail: (error: Error) => void = () => {};
  const promise = new Promise<HostEngine>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

function connect(host: BrowserHost, token = host.token): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/__polystore/bridge?token=${encodeURIComponent(token)}`, { headers: { Origin: host.origin } });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Collects the replies of a socket; resolves once `count` have come, or rejects at the deadline. */
function replies(ws: WebSocket, count: number): Promise<Array<{ id: number; result: { ok: boolean; value?: unknown; error?: { code: string } } }>> {
  const got: Array<{ id: number; result: { ok: boolean; error?: { code: string } } }> = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${got.length} of ${count} replies came`)), DEADLINE_MS);
    ws.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as { id?: number; result?: { ok: boolean } };
      if (frame.id === undefined) return; // an event
      got.push(frame as (typeof got)[number]);
      if (got.length === count) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

test.after(() => site.remove());

test('the page loads and its requests are answered in order once the engine has opened', async () => {
  const te = await openTestEngine({ unlocked: true });
  const engine = opening();
  let firstAnswers = 0;
  const host = await startBrowserHost({
    engine: engine.promise,
    rendererDir: site.path,
    bridgeScript: path.join(site.path, 'bridge.js'),
    onFirstAnswer: () => firstAnswers++,
  });
  try {
    const page = await fetch(`${host.origin}/`);
    assert.is(page.status, 200);
    assert.match(await page.text(), /__polystore/);
    const ws = await connect(host);
    const answered = replies(ws, 3);
    ws.send(JSON.stringify({ id: 1, channel: 'app.info', payload: {} }));
    ws.send(JSON.stringify({ id: 2, channel: 'auth.status', payload: {} }));
    ws.send(JSON.stringify({ id: 3, channel: 'app.health', payload: {} }));
    assert.is(firstAnswers, 0);
    engine.open(hostView(te.engine));
    const got = await answered;
    assert.equal(
      got.map((r) => [r.id, r.result.ok]),
      [
        [1, true],
        [2, true],
        [3, true],
      ],
    );
    assert.is(firstAnswers, 1);
    ws.close();
  } finally {
    await host.close();
    await te.close();
  }
});

test('a token from another launch is refused while the engine is still opening', async () => {
  const engine = opening();
  const host = await startBrowserHost({ engine: engine.promise, rendererDir: site.path, bridgeScript: path.join(site.path, 'bridge.js') });
  try {
    const ws = await connect(host, 'not-this-launch');
    const code = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the socket was not closed')), DEADLINE_MS);
      ws.once('close', (closeCode) => {
        clearTimeout(timer);
        resolve(closeCode);
      });
    });
    assert.is(code, 4401);
  } finally {
    engine.fail(new Error('not needed'));
    await host.close();
  }
});

test('if the engine cannot open, the page is told UNAVAILABLE instead of waiting forever', async () => {
  const engine = opening();
  const host = await startBrowserHost({ engine: engine.promise, rendererDir: site.path, bridgeScript: path.join(site.path, 'bridge.js') });
  try {
    const ws = await connect(host);
    const answered = replies(ws, 1);
    ws.send(JSON.stringify({ id: 7, channel: 'auth.status', payload: {} }));
    engine.fail(new Error('database is locked'));
    const [reply] = await answered;
    assert.is(reply!.id, 7);
    assert.is(reply!.result.ok, false);
    assert.is(reply!.result.error?.code, 'UNAVAILABLE');
    ws.close();
  } finally {
    await host.close();
  }
});

test.run();
