import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { MAX_BRIDGE_MESSAGE_BYTES, startBrowserHost, type BrowserHost } from '../../../../main/browser-host/server';
import { hostView } from '../../../../engine/engine';
import { openTestEngine, type TestEngine } from '../../../support/engine';
import { tempDir } from '../../../support/tmp';

let te: TestEngine;
let host: BrowserHost;
const site = tempDir();

test.before(async () => {
  fs.writeFileSync(path.join(site.path, 'index.html'), '<!doctype html><html><head><title>t</title></head><body></body></html>');
  fs.writeFileSync(path.join(site.path, 'bridge.js'), 'window.bridgeLoaded = true;');
  te = await openTestEngine({ unlocked: true });
  host = await startBrowserHost({ engine: hostView(te.engine), rendererDir: site.path, bridgeScript: path.join(site.path, 'bridge.js') });
});

test.after(async () => {
  await host.close();
  await te.close();
  site.remove();
});

/** Opens a bridge socket; resolves with the socket or the HTTP status it was refused with. */
function connect(options: { token?: string | null; origin?: string; hostHeader?: string }): Promise<WebSocket | number> {
  const query = options.token === null ? '' : `?token=${encodeURIComponent(options.token ?? host.token)}`;
  const headers: Record<string, string> = { Origin: options.origin ?? host.origin };
  if (options.hostHeader) headers.Host = options.hostHeader;
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/__polystore/bridge${query}`, { headers });
  return new Promise((resolve) => {
    ws.on('open', () => resolve(ws));
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

function call(ws: WebSocket, id: number, channel: string, payload?: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    const onMessage = (raw: WebSocket.RawData) => {
      const msg = JSON.parse(String(raw));
      if (msg.id === id) {
        ws.off('message', onMessage);
        resolve(msg.result);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, channel, payload }));
  });
}

test('it listens on 127.0.0.1 only', async () => {
  assert.match(host.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
  const external = Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal);
  if (external) {
    const reached = await new Promise<boolean>((resolve) => {
      const socket = net.connect(host.port, external.address);
      socket.on('connect', () => (socket.destroy(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    assert.is(reached, false, `reachable on ${external.address}`);
  }
});

/** The close code the host ends a socket with, after trying a call on it (which must go unanswered). */
async function closeCodeOf(options: { token?: string | null }): Promise<number> {
  const ws = await connect(options);
  if (typeof ws === 'number') return -ws;
  return new Promise((resolve) => {
    ws.on('message', () => resolve(-2));
    ws.on('close', (code) => resolve(code));
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: 1, channel: 'app.info' }));
  });
}

test('a missing or wrong token is refused with 4401, which tells our page not to retry, and no call is answered', async () => {
  assert.is(await closeCodeOf({ token: null }), 4401);
  assert.is(await closeCodeOf({ token: 'wrong' }), 4401);
  assert.is(await closeCodeOf({ token: host.token.slice(0, -1) + (host.token.endsWith('A') ? 'B' : 'A') }), 4401);
});

test('a foreign Origin is refused even with the right token', async () => {
  assert.is(await connect({ origin: 'https://evil.example' }), 403);
  assert.is(await connect({ origin: 'http://127.0.0.1:1' }), 403);
});

test('a foreign Host header (DNS rebinding) is refused for pages and the socket', async () => {
  assert.is(await connect({ hostHeader: `evil.example:${host.port}` }), 421);
  // fetch() always sends the real Host, so speak HTTP by hand.
  assert.is(await rawStatus(`GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n`), 421);
  assert.is(await rawStatus(`GET / HTTP/1.1\r\nHost: evil.example:${host.port}\r\nConnection: close\r\n\r\n`), 421);
});

async function rawStatus(request: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(host.port, '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.on('data', (d) => (data += d));
    socket.on('end', () => resolve(Number(data.split(' ')[1])));
  });
}

test('the page is served with the bridge script and a strict CSP; traversal is refused', async () => {
  const res = await fetch(`${host.origin}/`);
  const html = await res.text();
  assert.match(html, /<script src="\/__polystore\/bridge\.js"><\/script>/);
  assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self';/);
  assert.match(res.headers.get('content-security-policy') ?? '', new RegExp(`connect-src 'self' ws://127.0.0.1:${host.port}`));
  assert.is((await fetch(`${host.origin}/__polystore/bridge.js`)).status, 200);
  assert.is(await rawStatus(`GET /../../../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nConnection: close\r\n\r\n`), 404);
  assert.is(await rawStatus(`GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nConnection: close\r\n\r\n`), 404);
  assert.is((await fetch(`${host.origin}/`, { method: 'POST' })).status, 405);
});

test('with the token, calls go through the router and engine events arrive', async () => {
  const ws = await connect({});
  assert.ok(ws instanceof WebSocket);
  const socket = ws as WebSocket;
  const info = (await call(socket, 1, 'app.info')) as { ok: boolean; value: { host: string } };
  assert.is(info.ok, true);
  assert.is(info.value.host, 'test');
  const invalid = (await call(socket, 2, 'app.selfTest', { cpuProbeMs: -1 })) as { ok: boolean; error: { code: string } };
  assert.is(invalid.error.code, 'VALIDATION');
  const unknown = (await call(socket, 3, 'shell.exec', { cmd: 'rm -rf /' })) as { ok: boolean; error: { code: string } };
  assert.is(unknown.error.code, 'UNKNOWN_CHANNEL');
  const eventSeen = new Promise((resolve) =>
    socket.on('message', (raw) => {
      const msg = JSON.parse(String(raw));
      if (msg.event === 'app.health') resolve(msg.payload);
    }),
  );
  te.engine.events.emit('app.health', {
    status: 'ok', locked: false, uptimeMs: 1, pool: { threads: 1, queued: 0, running: 0, completed: 0 }, checks: [], checkedAt: new Date().toISOString(),
  });
  assert.is(((await eventSeen) as { status: string }).status, 'ok');
  socket.close();
});

test('the socket applies the page\'s allow-list: query.run and query.prepare are refused before the router, an allowed channel answers', async () => {
  const ws = await connect({});
  assert.ok(ws instanceof WebSocket);
  const runs = () => (te.engine.db.prepare('SELECT count(*) AS n FROM approval_uses').get() as { n: number }).n;
  const before = runs();
  for (const channel of ['query.run', 'query.prepare']) {
    const result = (await call(ws, 40, channel, { token: 'v2.x.y' })) as { ok: boolean; error?: { code: string; details?: { reason?: string } } };
    assert.equal([result.ok, result.error?.code, result.error?.details?.reason], [false, 'FORBIDDEN', 'CHANNEL_NOT_EXPOSED'], channel);
  }
  assert.is(runs(), before);
  const info = (await call(ws, 41, 'app.info')) as { ok: boolean };
  assert.is(info.ok, true);
  ws.close();
});

test('a malformed frame gets an answer under its id instead of hanging the caller', async () => {
  const socket = (await connect({})) as WebSocket;
  const reply = await new Promise<{ id: number; result: { error: { code: string } } }>((resolve) => {
    socket.once('message', (raw) => resolve(JSON.parse(String(raw))));
    socket.send(JSON.stringify({ id: 7, channel: 12 }));
  });
  assert.is(reply.id, 7);
  assert.is(reply.result.error.code, 'VALIDATION');
  socket.close();
});

/** Resolves with the close code once the server ends the connection. */
const closed = (socket: WebSocket) => new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));

test('an oversized message closes only that connection (1009); the host keeps answering', async () => {
  const socket = (await connect({})) as WebSocket;
  socket.on('error', () => {});
  const code = closed(socket);
  socket.send(JSON.stringify({ id: 1, channel: 'app.info', payload: 'x'.repeat(MAX_BRIDGE_MESSAGE_BYTES + 1024) }));
  assert.is(await code, 1009);
  const next = (await connect({})) as WebSocket;
  assert.is(((await call(next, 2, 'app.info')) as { ok: boolean }).ok, true);
  next.close();
});

test('an unmasked client frame (a protocol violation) closes only that connection; the host keeps answering', async () => {
  // Speak the WebSocket handshake by hand, then send a text frame without the mask a client must set.
  const raw = net.connect(host.port, '127.0.0.1');
  const upgraded = new Promise<string>((resolve) => {
    let head = '';
    raw.on('data', (d) => {
      head += d.toString('latin1');
      if (head.includes('\r\n\r\n')) resolve(head.split(' ')[1] ?? '');
    });
  });
  raw.write(
    `GET /__polystore/bridge?token=${encodeURIComponent(host.token)} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nOrigin: ${host.origin}\r\n` +
      `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${Buffer.from('0123456789abcdef').toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  assert.is(await upgraded, '101');
  const ended = new Promise<void>((resolve) => raw.on('close', () => resolve()));
  raw.on('error', () => {});
  const body = Buffer.from(JSON.stringify({ id: 1, channel: 'app.info' }));
  raw.write(Buffer.concat([Buffer.from([0x81, body.length]), body]));
  await ended;
  const next = (await connect({})) as WebSocket;
  assert.is(((await call(next, 3, 'app.info')) as { ok: boolean }).ok, true);
  next.close();
});

test('a malformed HTTP request gets 400 and the host keeps serving', async () => {
  assert.is(await rawStatus('NOT-HTTP\r\n\r\n'), 400);
  assert.is((await fetch(`${host.origin}/`)).status, 200);
});

test.run();
