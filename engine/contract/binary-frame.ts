/**
 * A value holding typed arrays as one byte frame: a JSON envelope plus the
 * arrays' bytes as they are. JSON alone cannot carry a Float64Array (it
 * becomes an object of a million keys); the browser host's WebSocket sends
 * results this way, and the store keeps a result's columns this way.
 *
 * Layout (little-endian, as every platform the app runs on):
 *   0  4 bytes  magic "PSF1"
 *   4  uint32   byte length of the envelope
 *   8  envelope UTF-8 JSON: { value, segments: [{ path, type, length }] }, where
 *      `value` has null at each path a typed array was taken from; paths are
 *      explicit, so no key inside user data can be mistaken for a segment
 *   .. each segment's bytes in order, each starting at a multiple of 8
 * Long strings (a text column's joined values) cross as UTF-8 segments too:
 * JSON would escape them on the way out and unescape them on the way in,
 * about half of a 100,000-row result's framing time.
 * Decoding checks every length against the frame and answers a reason
 * instead of throwing: a damaged frame is an error value, never a crash.
 */

const MAGIC = 0x31465350; // "PSF1" read as a little-endian uint32
const HEADER = 8;
const ALIGN = 8;

const TYPES = {
  Float64Array: Float64Array,
  Uint32Array: Uint32Array,
  Uint8Array: Uint8Array,
} as const;
/** Strings this long (and well-formed: TextEncoder would replace a lone surrogate) cross as a UTF-8 segment. */
const LONG_STRING = 4096;
type TypeName = keyof typeof TYPES | 'utf8';
type Typed = Float64Array | Uint32Array | Uint8Array;
type Found = { path: Path; array: Typed; type: TypeName };

const isLongString = (value: unknown): value is string =>
  typeof value === 'string' && value.length >= LONG_STRING && (value as string & { isWellFormed(): boolean }).isWellFormed();
type Path = (string | number)[];

interface Segment {
  path: Path;
  type: TypeName;
  /** Elements, not bytes (bytes for utf8). */
  length: number;
}

function typeNameOf(value: ArrayBufferView): keyof typeof TYPES | null {
  if (value instanceof Float64Array) return 'Float64Array';
  if (value instanceof Uint32Array) return 'Uint32Array';
  if (value instanceof Uint8Array) return 'Uint8Array';
  return null;
}

/** Every typed array in `value` and where it is; throws on a typed array of a type the frame does not carry (a bug of ours, not data). */
function findTyped(value: unknown, path: Path, out: Found[]): void {
  if (isLongString(value)) {
    out.push({ path: [...path], array: new TextEncoder().encode(value), type: 'utf8' });
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (ArrayBuffer.isView(value)) {
    const type = typeNameOf(value);
    if (!type) throw new TypeError(`A ${value.constructor.name} cannot cross in a frame`);
    out.push({ path: [...path], array: value as Typed, type });
    return;
  }
  if (Array.isArray(value)) {
    // Arrays of plain cells are the common case: skip the scalars without a call.
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if ((typeof item === 'object' && item !== null) || isLongString(item)) {
        path.push(i);
        findTyped(item, path, out);
        path.pop();
      }
    }
    return;
  }
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if ((typeof item === 'object' && item !== null) || isLongString(item)) {
      path.push(key);
      findTyped(item, path, out);
      path.pop();
    }
  }
}

/** Whether `value` holds any typed array (a reply that needs a binary frame). */
export function holdsTypedArrays(value: unknown): boolean {
  const found: Found[] = [];
  findTyped(value, [], found);
  return found.some((f) => f.type !== 'utf8');
}

const padded = (n: number) => Math.ceil(n / ALIGN) * ALIGN;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `value` as one frame. */
export function encodeFrame(value: unknown): Uint8Array {
  const found: Found[] = [];
  findTyped(value, [], found);
  const segments: Segment[] = found.map((f) => ({ path: f.path, type: f.type, length: f.array.length }));
  const envelope = new TextEncoder().encode(JSON.stringify({ value, segments }, (_key, v: unknown) => (ArrayBuffer.isView(v) || isLongString(v) ? null : v)));
  let size = padded(HEADER + envelope.byteLength);
  for (const f of found) size += padded(f.array.byteLength);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, envelope.byteLength, true);
  bytes.set(envelope, HEADER);
  let at = padded(HEADER + envelope.byteLength);
  for (const f of found) {
    bytes.set(new Uint8Array(f.array.buffer, f.array.byteOffset, f.array.byteLength), at);
    at += padded(f.array.byteLength);
  }
  return bytes;
}

export type FrameProblem = 'NOT_A_FRAME' | 'BAD_ENVELOPE' | 'BAD_SEGMENT';
export type DecodedFrame = { ok: true; value: unknown } | { ok: false; reason: FrameProblem; message: string; envelope?: unknown };

const fail = (reason: FrameProblem, message: string, envelope?: unknown): DecodedFrame => ({ ok: false, reason, message, ...(envelope === undefined ? {} : { envelope }) });

function isSegment(value: unknown): value is Segment {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  return (
    Array.isArray(s.path) &&
    s.path.length > 0 &&
    s.path.every((p) => typeof p === 'string' || (typeof p === 'number' && Number.isInteger(p) && p >= 0)) &&
    typeof s.type === 'string' &&
    (Object.hasOwn(TYPES, s.type) || s.type === 'utf8') &&
    typeof s.length === 'number' &&
    Number.isInteger(s.length) &&
    s.length >= 0
  );
}

/** Puts `array` at `path` in `root`, where the encoder left a null; false when the path leads nowhere. */
function place(root: unknown, path: Path, array: Typed | string): boolean {
  let holder: unknown = root;
  for (let i = 0; i < path.length - 1; i++) {
    if (typeof holder !== 'object' || holder === null) return false;
    const key = path[i]!;
    if (!Object.hasOwn(holder, key)) return false;
    holder = (holder as Record<string | number, unknown>)[key];
  }
  const last = path[path.length - 1]!;
  if (typeof holder !== 'object' || holder === null || !Object.hasOwn(holder, last)) return false;
  if ((holder as Record<string | number, unknown>)[last] !== null) return false;
  (holder as Record<string | number, unknown>)[last] = array;
  return true;
}

/**
 * The value of a frame, or why it is not one. `envelope` is set when the
 * envelope was read but a segment was not, so a caller can still tell whose
 * reply was damaged. Each typed array is copied out of the frame (aligned,
 * and not holding the whole frame alive).
 */
export function decodeFrame(frame: Uint8Array): DecodedFrame {
  if (!(frame instanceof Uint8Array) || frame.byteLength < HEADER) return fail('NOT_A_FRAME', 'too short to be a frame');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getUint32(0, true) !== MAGIC) return fail('NOT_A_FRAME', 'no frame marker');
  const envelopeLength = view.getUint32(4, true);
  if (HEADER + envelopeLength > frame.byteLength) return fail('BAD_ENVELOPE', 'the envelope runs past the end of the frame');
  let envelope: unknown;
  try {
    envelope = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(frame.subarray(HEADER, HEADER + envelopeLength)));
  } catch {
    return fail('BAD_ENVELOPE', 'the envelope is not JSON');
  }
  if (typeof envelope !== 'object' || envelope === null || !('value' in envelope) || !('segments' in envelope) || !Array.isArray(envelope.segments)) {
    return fail('BAD_ENVELOPE', 'the envelope has no value and segments');
  }
  const value = envelope.value;
  let at = padded(HEADER + envelopeLength);
  for (const segment of envelope.segments as unknown[]) {
    if (!isSegment(segment)) return fail('BAD_SEGMENT', 'a segment is not described', value);
    const byteLength = segment.type === 'utf8' ? segment.length : segment.length * TYPES[segment.type].BYTES_PER_ELEMENT;
    if (at + byteLength > frame.byteLength) return fail('BAD_SEGMENT', 'a segment runs past the end of the frame', value);
    let item: Typed | string;
    if (segment.type === 'utf8') {
      try {
        item = utf8.decode(frame.subarray(at, at + byteLength));
      } catch {
        return fail('BAD_SEGMENT', 'a text segment is not UTF-8', value);
      }
    } else {
      item = new TYPES[segment.type](frame.buffer.slice(frame.byteOffset + at, frame.byteOffset + at + byteLength) as ArrayBuffer);
    }
    if (!place(value, segment.path, item)) return fail('BAD_SEGMENT', 'a segment has no place in the value', value);
    at += padded(byteLength);
  }
  if (at !== frame.byteLength) return fail('BAD_SEGMENT', 'the frame has bytes no segment accounts for', value);
  return { ok: true, value };
}
