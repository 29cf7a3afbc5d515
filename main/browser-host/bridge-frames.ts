/**
 * How replies and events cross the browser host's WebSocket: JSON text, as
 * before, unless the message holds typed arrays (a result's columns,
 * engine/contract/result-columns.ts), which JSON cannot carry: those go as
 * one binary frame (engine/contract/binary-frame.ts). Used by the server and
 * by the page's bridge client, so both read the same framing.
 */
import { decodeFrame, encodeFrame, holdsTypedArrays } from '../../engine/contract/binary-frame';
import type { Result } from '../../engine/contract/errors';
import type { BridgeMessage } from './bridge-protocol';

/** A message as the server sends it: a reply under its request's id, or an event. */
export function toSocketFrame(message: { id: number; result: unknown } | { event: string; payload: unknown }): string | Uint8Array {
  return holdsTypedArrays(message) ? encodeFrame(message) : JSON.stringify(message);
}

export type ReadFrame =
  | { ok: true; message: BridgeMessage }
  /** `id` is set when the envelope named the request whose reply was damaged, so its caller can be answered. */
  | { ok: false; id: number | null; reason: string };

/** A message as the page receives it (text, or an ArrayBuffer with the socket's binaryType 'arraybuffer'). */
export function fromSocketFrame(data: unknown): ReadFrame {
  if (typeof data === 'string') {
    try {
      return { ok: true, message: JSON.parse(data) as BridgeMessage };
    } catch {
      return { ok: false, id: null, reason: 'NOT_JSON' };
    }
  }
  if (!(data instanceof ArrayBuffer)) return { ok: false, id: null, reason: 'NOT_A_FRAME' };
  const frame = decodeFrame(new Uint8Array(data));
  if (frame.ok) return { ok: true, message: frame.value as BridgeMessage };
  const envelope = frame.envelope as { id?: unknown } | undefined;
  return { ok: false, id: typeof envelope?.id === 'number' ? envelope.id : null, reason: frame.reason };
}

/** What the caller of a request whose reply arrived damaged receives. */
export function damagedReply(reason: string): Result<never> {
  return { ok: false, error: { code: 'INTERNAL', message: 'A reply from the engine arrived damaged; try again.', details: { reason: 'DAMAGED_FRAME', frame: reason } } };
}
