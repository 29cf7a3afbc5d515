/**
 * A burst through the browser host (issue 12, S6-003): 500 requests against one real PostgreSQL source
 * sent at once over the page's WebSocket bridge. The source's rate limit refuses the excess with
 * RATE_LIMITED and retryAfterMs, nothing crashes, another source and a cheap control call still answer
 * during the burst, and once the policy window has passed (on the engine's clock) the source takes work again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import type { ApiError, Result } from '../../../../engine/contract/errors';
import { hostView } from '../../../../engine/engine';
import { RATE_WINDOW_MS } from '../../../../engine/pool/admission';
import { startBrowserHost, type BrowserHost } from '../../../../main/browser-host/server';
import { createPgDatabase, type TestDatabase } from '../../../support/databases';
import { openTestEngine, type TestEngine } from '../../../support/engine';
import { tempDir } from '../../../support/tmp';

const BURST = 500;
const PER_MINUTE = 100;
/** A deadline for the harness, so a lost answer fails the test instead of stalling it; not a timing claim. */
const ANSWER_DEADLINE_MS = 120_000;

let clock = Date.now();
let te: TestEngine;
let host: BrowserHost;
let db: TestDatabase;
let ws: WebSocket;
const site = tempDir();
const sources: Record<'busy' | 'other', string> = { busy: '', other: '' };
let nextId = 1;
const waiting = new Map<number, (result: Result<unknown>) => void>();

test.before(async () => {
  fs.writeFileSync(path.join(site.path, 'index.html'), '<!doctype html><html><head><title>t</title></head><body></body></html>');
  fs.writeFileSync(path.join(site.path, 'bridge.js'), 'window.bridgeLoaded = true;');
  db = createPgDatabase('empty');
  te = await openTestEngine({ unlocked: true, now: () => clock });
  for (const name of ['busy', 'other'] as const) {
    sources[name] = (await te.ok('sources.create', { name, type: 'postgres', url: `${db.url}?sslmode=disable` })).id;
  }
  host = await startBrowserHost({ engine: hostView(te.engine), rendererDir: site.path, bridgeScript: path.join(site.path, 'bridge.js') });
  ws = new WebSocket(`ws://127.0.0.1:${host.port}/__polystore/bridge?token=${encodeURIComponent(host.token)}`, { headers: { Origin: host.origin } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.on('message', (raw) => {
    const message = JSON.parse(String(raw)) as { id?: number; result?: Result<unknown> };
    if (message.id === undefined || !message.result) return;
    waiting.get(message.id)?.(message.result);
    waiting.delete(message.id);
  });
});

test.after(async () => {
  ws?.close();
  await host?.close();
  await te?.close();
  db?.drop();
  site.remove();
});

/** Sends one bridge call; its answer, or a failure at the deadline. */
function call(channel: string, payload?: unknown): Promise<Result<unknown>> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${channel}: no answer within ${ANSWER_DEADLINE_MS} ms`)), ANSWER_DEADLINE_MS);
    waiting.set(id, (result) => {
      clearTimeout(timer);
      resolve(result);
    });
    ws.send(JSON.stringify({ id, channel, payload }));
  });
}

const errorOf = (result: Result<unknown>): ApiError | null => (result.ok ? null : result.error);

test('a burst of 500 is refused past the limit with retry guidance; other work answers; the source takes work again after the window', async () => {
  assert.ok((await call('settings.update', { sourceQueriesPerMinute: PER_MINUTE })).ok);

  const burst = Array.from({ length: BURST }, () => call('sources.test', { id: sources.busy }));
  // Sent behind the whole burst on the same socket: they are answered while the busy source's work is queued.
  const during = [call('app.health'), call('sources.test', { id: sources.other }), call('app.info')];

  const [health, other, info] = (await Promise.all(during)) as [Result<unknown>, Result<unknown>, Result<unknown>];
  assert.ok(health.ok, JSON.stringify(errorOf(health)));
  assert.ok(other.ok && (other.value as { ok: boolean }).ok, `the other source: ${JSON.stringify(other)}`);
  assert.ok(info.ok);

  const answers = await Promise.all(burst);
  const tested = answers.filter((a) => a.ok);
  const refused = answers.map(errorOf).filter((e): e is ApiError => e !== null);
  assert.is(tested.length + refused.length, BURST);
  assert.is(tested.length, PER_MINUTE, 'as many as the limit allows in the window');
  for (const error of refused) {
    assert.is(error.code, 'RATE_LIMITED', error.message);
    assert.ok(Number(error.details?.retryAfterMs) > 0, JSON.stringify(error.details));
  }
  // The clock has not moved: the oldest start leaves the window a whole window from now.
  assert.is(refused[0]!.details?.retryAfterMs, RATE_WINDOW_MS);
  assert.match(refused[0]!.message, /Try again in 60 s\./);
  assert.ok(tested.every((a) => a.ok && (a.value as { ok: boolean }).ok), 'every admitted test reached the real server');

  // Nothing crashed: the socket is open and the engine answers; the source is still refused inside the window.
  assert.is(ws.readyState, WebSocket.OPEN);
  assert.is(errorOf(await call('sources.test', { id: sources.busy }))?.code, 'RATE_LIMITED');
  const listed = await call('sources.list');
  assert.ok(listed.ok);
  assert.ok((listed.value as Array<{ id: string; status: string }>).every((s) => s.status === 'CONNECTED'), 'a refusal does not mark a source failed');

  clock += RATE_WINDOW_MS;
  const again = await call('sources.test', { id: sources.busy });
  assert.ok(again.ok && (again.value as { ok: boolean }).ok, `after the window: ${JSON.stringify(again)}`);
});

test.run();
