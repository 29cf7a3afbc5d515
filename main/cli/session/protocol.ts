// What a CLI client and its unlock session say to each other over the Unix
// socket: one line each way. A request is a JSON object; a response is the
// router's value in V8's structured serialization, base64 on one line, since
// outputs hold what JSON cannot carry (a result's typed-array columns,
// bigints); the client reads responses only from the session its 0600 record
// names. A request carries the session
// token; a call names a router channel and its input, and its answer is the
// router's own `{ ok, value } | { ok: false, error }`. Type-only imports from
// the engine: a client loads none of it.
import v8 from 'node:v8';
import type { ApiError, Result } from '../../../engine/contract/errors';

export type SessionRequest = { id: number; token: string } & (
  | { op: 'hello' }
  | { op: 'call'; channel: string; input?: unknown }
  | { op: 'end' }
);

export interface SessionResponse {
  id: number;
  result: Result<unknown>;
}

/** What `hello` answers, and what `polystore unlock` prints. */
export interface SessionInfo {
  pid: number;
  profileName: string;
  role: string;
  idleTimeoutMs: number;
}

/** A request line larger than this is refused (a query result only travels the other way). */
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

export const failure = (code: ApiError['code'], message: string): Result<never> => ({ ok: false, error: { code, message } });

/**
 * Splits a byte stream into lines and hands each to `onLine`; a line over
 * `maxBytes` calls `onOverflow` instead and stops reading.
 */
export function lineSplitter(onLine: (line: string) => void, onOverflow: () => void, maxBytes = Number.POSITIVE_INFINITY): (chunk: Buffer) => void {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let overflowed = false;
  return (chunk) => {
    if (overflowed) return;
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      const line = Buffer.concat([...pending, chunk.subarray(start, newline)]).toString('utf8');
      pending = [];
      pendingBytes = 0;
      start = newline + 1;
      onLine(line);
    }
    const rest = chunk.subarray(start);
    pendingBytes += rest.length;
    if (pendingBytes > maxBytes) {
      overflowed = true;
      pending = [];
      onOverflow();
    } else if (rest.length > 0) pending.push(rest);
  };
}

/** A parsed request line, or null when it is not one (the session then answers VALIDATION and closes the connection). */
export function parseRequest(line: string): SessionRequest | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  const r = value as Partial<Record<string, unknown>> | null;
  if (typeof r !== 'object' || r === null || !Number.isSafeInteger(r.id) || typeof r.token !== 'string') return null;
  if (r.op === 'hello' || r.op === 'end') return { id: r.id as number, token: r.token, op: r.op };
  if (r.op === 'call' && typeof r.channel === 'string') return { id: r.id as number, token: r.token, op: 'call', channel: r.channel, input: r.input };
  return null;
}

/** One response line. */
export function encodeResponse(response: SessionResponse): string {
  return v8.serialize(response).toString('base64') + '\n';
}

/** A parsed response line, or null when it is not one. */
export function parseResponse(line: string): SessionResponse | null {
  let value: unknown;
  try {
    value = v8.deserialize(Buffer.from(line, 'base64'));
  } catch {
    return null;
  }
  const r = value as { id?: unknown; result?: { ok?: unknown; error?: { code?: unknown; message?: unknown } } } | null;
  if (typeof r !== 'object' || r === null || !Number.isSafeInteger(r.id) || typeof r.result !== 'object' || r.result === null) return null;
  if (r.result.ok === true) return r as SessionResponse;
  if (r.result.ok === false && typeof r.result.error?.code === 'string' && typeof r.result.error.message === 'string') return r as SessionResponse;
  return null;
}
