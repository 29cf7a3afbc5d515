/**
 * Runs in the page served by the browser host and gives it the same
 * `window.polystore` the Electron preload gives: generated from the contract for the page's channels,
 * carried over a WebSocket that needs this launch's token.
 */
import { buildApi, ListenerRegistry, type Transport } from '../../engine/contract/api';
import type { Result } from '../../engine/contract/errors';
import { isEventName, type ChannelName } from '../../engine/contract/index';
import { rendererChannels } from '../../engine/contract/renderer-channels';
import { damagedReply, fromSocketFrame } from './bridge-frames';
import { BRIDGE_PATH, TOKEN_PARAM, TOKEN_REFUSED_CLOSE } from './bridge-protocol';

const STORAGE_KEY = 'polystore.bridgeToken';

function takeToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get(TOKEN_PARAM);
  if (fromUrl) {
    sessionStorage.setItem(STORAGE_KEY, fromUrl);
    // Keep the token out of the address bar, screenshots and bookmarks.
    url.searchParams.delete(TOKEN_PARAM);
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(STORAGE_KEY);
}

const unavailable = (message: string, reason?: string): Result<never> => ({
  ok: false,
  error: reason ? { code: 'UNAVAILABLE', message, details: { reason } } : { code: 'UNAVAILABLE', message },
});

/** Without its launch token (or with another launch's) this page can never reach the engine: say which address to open. */
const NO_TOKEN = 'This page was opened without its launch token. Open the address PolyStoreIQ printed in the terminal where it started (the line "Open: http://127.0.0.1:…/?token=…").';
const TOKEN_REFUSED = 'This page has the launch token of an earlier start. Open the address PolyStoreIQ printed in the terminal this time (the line "Open: http://127.0.0.1:…/?token=…").';

function createSocketTransport(token: string | null): Transport {
  const registry = new ListenerRegistry();
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const queue: string[] = [];
  let nextId = 1;
  let socket: WebSocket | null = null;
  let retryMs = 250;
  let refused = false;

  const connect = () => {
    if (!token) return;
    const url = new URL(BRIDGE_PATH, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set(TOKEN_PARAM, token);
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      retryMs = 250;
      for (const frame of queue.splice(0)) ws.send(frame);
    };
    // Replies holding a result's columns arrive as binary frames (bridge-frames.ts).
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (message) => {
      const read = fromSocketFrame(message.data);
      if (!read.ok) {
        if (read.id !== null) {
          pending.get(read.id)?.(damagedReply(read.reason));
          pending.delete(read.id);
        }
        return;
      }
      const data = read.message;
      if ('id' in data) {
        pending.get(data.id)?.(data.result as Result<unknown>);
        pending.delete(data.id);
      } else if (isEventName(data.event)) {
        registry.emit(data.event, data.payload);
      }
    };
    ws.onclose = (event) => {
      socket = null;
      // The host refused the token; retrying cannot help.
      refused = event.code === TOKEN_REFUSED_CLOSE;
      const reply = refused ? unavailable(TOKEN_REFUSED, 'TOKEN_REFUSED') : unavailable('The connection to the engine was lost. Retrying…');
      for (const resolve of pending.values()) resolve(reply);
      pending.clear();
      queue.length = 0;
      if (refused) return;
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5_000);
    };
  };
  connect();

  return {
    invoke(channel: ChannelName, payload: unknown) {
      if (!token) return Promise.resolve(unavailable(NO_TOKEN, 'NO_TOKEN'));
      if (refused) return Promise.resolve(unavailable(TOKEN_REFUSED, 'TOKEN_REFUSED'));
      const id = nextId++;
      const frame = JSON.stringify({ id, channel, payload });
      return new Promise<Result<unknown>>((resolve) => {
        pending.set(id, resolve);
        if (socket?.readyState === WebSocket.OPEN) socket.send(frame);
        else queue.push(frame);
      });
    },
    subscribe: (event, deliver) => registry.add(event, deliver),
  };
}

Object.defineProperty(window, 'polystore', {
  value: buildApi(createSocketTransport(takeToken()), rendererChannels),
  writable: false,
  configurable: false,
});
