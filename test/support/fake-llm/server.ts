/**
 * A scriptable HTTP server on 127.0.0.1 (random port) for the fake LLM
 * providers: tests queue responses, the server records every request.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  /** Lower-cased header names, as Node reports them. */
  headers: http.IncomingHttpHeaders;
  /** The body exactly as received. */
  bodyText: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  body: unknown;
}

/** What the server sends back for one request. */
export type Reply =
  | { status: number; headers?: Record<string, string>; body: unknown; delayMs?: number }
  /** Sends this text verbatim (not JSON-encoded). */
  | { status: number; headers?: Record<string, string>; rawBody: string; delayMs?: number }
  /** Closes the socket without answering. */
  | { hangUp: true; delayMs?: number };

export type Responder = (request: RecordedRequest) => Reply;

export interface ScriptedServer {
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Queues replies, served first in first out; each is built from the request it answers. */
  enqueue(...replies: Array<Reply | Responder>): void;
  /** Replies still queued. */
  readonly pending: number;
  close(): Promise<void>;
}

export interface ScriptedServerOptions {
  /** Answers before the queue is consulted (auth or model checks); return null to go on. */
  precheck?: (request: RecordedRequest) => Reply | null;
  /** Used when the queue is empty. */
  whenEmpty: Responder;
}

export async function startScriptedServer(options: ScriptedServerOptions): Promise<ScriptedServer> {
  const requests: RecordedRequest[] = [];
  const queue: Array<Reply | Responder> = [];
  const timers = new Set<NodeJS.Timeout>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const bodyText = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(bodyText);
      } catch {
        body = undefined;
      }
      const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, bodyText, body };
      requests.push(recorded);
      const next = options.precheck?.(recorded) ?? queue.shift() ?? options.whenEmpty;
      const reply = typeof next === 'function' ? next(recorded) : next;
      const send = () => {
        if (res.destroyed) return;
        if ('hangUp' in reply) {
          req.socket.destroy();
          return;
        }
        const text = 'rawBody' in reply ? reply.rawBody : JSON.stringify(reply.body);
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(text);
      };
      if (reply.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          send();
        }, reply.delayMs);
        timers.add(timer);
      } else send();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    enqueue: (...replies) => void queue.push(...replies),
    get pending() {
      return queue.length;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export { closedPort } from '../net';

let counter = 0;
/** Ids shaped like the providers' (chatcmpl-…, msg_…), unique within a run. */
export function fakeId(prefix: string): string {
  counter++;
  return `${prefix}${Date.now().toString(36)}${counter.toString(36).padStart(6, '0')}`;
}

/** About four characters a token, as the providers' own rough guides say. */
export function roughTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
