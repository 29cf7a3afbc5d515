import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { isChannelName } from '../../engine/contract/index';
import { isRendererChannel } from '../../engine/contract/renderer-channels';
import type { HostEngine } from '../../engine/engine';
import { contentSecurityPolicy } from '../shared/csp';
import { toSocketFrame } from './bridge-frames';
import { BRIDGE_PATH, BRIDGE_SCRIPT_PATH, BridgeRequest, TOKEN_PARAM, TOKEN_REFUSED_CLOSE } from './bridge-protocol';

export interface BrowserHostOptions {
  /**
   * The engine, or the promise of one still opening: the server listens (and the page loads) while it
   * opens, and the page's requests are answered once it is open, in the order they came.
   */
  engine: HostEngine | Promise<HostEngine>;
  /** The built renderer (index.html and assets). */
  rendererDir: string;
  /** The built bridge script that defines window.polystore in the page. */
  bridgeScript: string;
  port?: number;
  /** Fixed token (tests); by default a random one per launch. */
  token?: string;
  /** Serve the renderer through Vite's dev middleware instead of rendererDir. */
  vite?: { middlewares: http.RequestListener; transformIndexHtml(url: string, html: string): Promise<string> };
  /** Called once, after the first answer to the page has been sent (the browser host then warms the engine's pool). */
  onFirstAnswer?: () => void;
}

export interface BrowserHost {
  readonly url: string;
  readonly origin: string;
  readonly token: string;
  readonly port: number;
  close(): Promise<void>;
}

const BIND_ADDRESS = '127.0.0.1';
/**
 * The largest bridge message accepted. The biggest legitimate payloads are a
 * 100 KB query or a list of file paths; anything larger is refused by the
 * WebSocket layer (close code 1009) before it is buffered or parsed.
 */
export const MAX_BRIDGE_MESSAGE_BYTES = 4 * 1024 * 1024;
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Serves the renderer on 127.0.0.1 and carries the contract over a WebSocket.
 * Three guards: the bind address (loopback only), the Host header (against DNS
 * rebinding), and for the socket the Origin header plus the per-launch token.
 */
export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const engineReady = Promise.resolve(options.engine);
  // Until the engine is open its logger is not there; what happens meanwhile is logged once it is.
  const log = (level: 'warn' | 'error', message: string, data: Record<string, unknown>) =>
    void engineReady.then((engine) => engine.logger[level](message, data), () => {});
  let port = 0;
  const allowedHosts = () => new Set([`${BIND_ADDRESS}:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://${BIND_ADDRESS}:${port}`, `http://localhost:${port}`]);

  const securityHeaders = (res: http.ServerResponse) => {
    // In development Vite's hot-reload socket listens on its own port (24678 by default).
    const devSockets = options.vite ? ['ws://127.0.0.1:24678', 'ws://localhost:24678'] : [];
    res.setHeader('Content-Security-Policy', contentSecurityPolicy({ connectSrc: [`ws://${BIND_ADDRESS}:${port}`, `ws://localhost:${port}`, ...devSockets], dev: Boolean(options.vite) }));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cache-Control', 'no-store');
  };

  const injectBridge = (html: string) =>
    html.replace(/<\/head>/i, `  <script src="${BRIDGE_SCRIPT_PATH}"></script>\n  </head>`);

  const serveIndex = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    let html = fs.readFileSync(path.join(options.rendererDir, 'index.html'), 'utf8');
    if (options.vite) html = await options.vite.transformIndexHtml(req.url ?? '/', html);
    res.writeHead(200, { 'Content-Type': MIME['.html'] });
    res.end(injectBridge(html));
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      if (!allowedHosts().has(req.headers.host ?? '')) {
        res.writeHead(421, { 'Content-Type': 'text/plain' }).end('Misdirected request');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      securityHeaders(res);
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      if (url.pathname === BRIDGE_SCRIPT_PATH) {
        res.writeHead(200, { 'Content-Type': MIME['.js'] });
        res.end(fs.readFileSync(options.bridgeScript));
        return;
      }
      if (url.pathname === '/' || url.pathname === '/index.html') {
        await serveIndex(req, res);
        return;
      }
      if (options.vite) {
        options.vite.middlewares(req, res);
        return;
      }
      const root = path.resolve(options.rendererDir);
      const file = path.resolve(root, '.' + decodeURIComponent(url.pathname));
      if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
        return;
      }
      // A file can vanish between the check and the read (a rebuild of the renderer); a stream error
      // without a listener would end the whole host, so it ends this response instead.
      const stream = fs.createReadStream(file);
      stream.once('error', (error) => {
        log('warn', 'browser host could not read a renderer file', { error });
        if (!res.headersSent) res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
        else res.destroy();
      });
      stream.once('open', () => {
        res.writeHead(200, { 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream' });
        stream.pipe(res);
      });
    })().catch((error: unknown) => {
      log('error', 'browser host request failed', { error });
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BRIDGE_MESSAGE_BYTES });
  // A peer that breaks the protocol (an oversized message, an unmasked frame, a bad opcode) makes
  // `ws` emit 'error' on that socket and close it. Without a listener the error would be thrown
  // and end the whole host process, so every socket (and the server) gets one.
  wss.on('error', (error) => log('warn', 'browser host bridge server error', { error: error.message }));
  server.on('clientError', (error, socket) => {
    log('warn', 'browser host refused a malformed HTTP request', { error: error.message });
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  const sockets = new Set<WebSocket>();

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', (error) => log('warn', 'browser host bridge socket error before upgrade', { error: error.message }));
    const refuse = (status: number, reason: string) => {
      log('warn', 'browser host refused a bridge connection', { reason });
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\n\r\n`);
    };
    const url = new URL(req.url ?? '/', `http://${BIND_ADDRESS}`);
    if (url.pathname !== BRIDGE_PATH) return refuse(404, 'Not Found');
    if (!allowedHosts().has(req.headers.host ?? '')) return refuse(421, 'Misdirected Request');
    if (!allowedOrigins().has(req.headers.origin ?? '')) return refuse(403, 'Forbidden');
    if (!sameSecret(url.searchParams.get(TOKEN_PARAM) ?? '', token)) {
      // Our own page with a wrong token (an address from an earlier launch): a browser cannot read an HTTP
      // refusal, so the socket opens and closes at once with 4401, which the page shows instead of retrying.
      // Nothing is read from it. Host and Origin were checked above, so no other site gets this far.
      log('warn', 'browser host refused a bridge connection', { reason: 'token' });
      wss.handleUpgrade(req, socket, head, (ws) => ws.close(TOKEN_REFUSED_CLOSE, 'Token refused'));
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws));
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', (error) => {
      log('warn', 'browser host closed a bridge connection that broke the protocol', { error: error.message });
      ws.terminate();
    });
    ws.on('message', (raw) => {
      let data: unknown;
      try {
        data = JSON.parse(String(raw));
      } catch {
        data = undefined;
      }
      const parsed = BridgeRequest.safeParse(data);
      if (!parsed.success) {
        // Answer under the caller's id when there is one, so its promise settles.
        const id = typeof (data as { id?: unknown } | undefined)?.id === 'number' ? (data as { id: number }).id : -1;
        ws.send(JSON.stringify({ id, result: { ok: false, error: { code: 'VALIDATION', message: 'Malformed bridge message.' } } }));
        return;
      }
      const request: BridgeRequest = parsed.data;
      // The page gets the channels the app uses and no other, as in Electron (engine/contract/renderer-channels.ts); an unknown name is the router's UNKNOWN_CHANNEL.
      if (isChannelName(request.channel) && !isRendererChannel(request.channel)) {
        ws.send(JSON.stringify({ id: request.id, result: { ok: false, error: { code: 'FORBIDDEN', message: 'The app page may not call this channel.', details: { reason: 'CHANNEL_NOT_EXPOSED' } } } }));
        return;
      }
      void engineReady
        .then(
          (engine) => engine.router.dispatch(request.channel, request.payload, { host: 'browser' }),
          () => ({ ok: false, error: { code: 'UNAVAILABLE', message: 'The engine could not start: see the terminal that runs the browser host.' } }),
        )
        .then((result) => {
          if (ws.readyState === ws.OPEN) ws.send(toSocketFrame({ id: request.id, result }));
          answered();
        });
    });
  });

  let answered = () => {
    answered = () => {};
    options.onFirstAnswer?.();
  };

  // Subscribed before any request is dispatched (both wait for the engine, this first), so no event a request causes is missed.
  let closing = false;
  let unsubscribe = () => {};
  void engineReady.then(
    (engine) => {
      if (closing) return;
      unsubscribe = engine.events.subscribe((event, payload) => {
        const frame = toSocketFrame({ event, payload });
        for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(frame);
      });
    },
    () => {},
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, BIND_ADDRESS, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://${BIND_ADDRESS}:${port}`;

  return {
    url: `${origin}/?${TOKEN_PARAM}=${encodeURIComponent(token)}`,
    origin,
    token,
    port,
    async close() {
      closing = true;
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
