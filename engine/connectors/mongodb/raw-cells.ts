/**
 * Raw BSON straight to cells, for query results: the driver hands over each
 * document's bytes (`raw: true`) and this reads the common types (double,
 * string, document, array, ObjectId, boolean, date, null, int, long) into the
 * same JSON-safe cells `toCell` gives, without first building the BSON
 * objects (ObjectId, Date, Int32, Double…) that `toCell` would then throw away.
 *
 * Anything else (binary, decimal, timestamp, regex, code, symbol, min/max key,
 * a key starting with `$` that may make a DBRef, a `__proto__` key, bytes that
 * do not add up) is not decoded here: the caller deserializes that document
 * with the bson library and converts it the usual way, so rare types and
 * malformed input behave exactly as before. The unit tests hold both paths to
 * the same output.
 */
import { BSON } from 'mongodb';
import type { BsonTypeName } from './values';

const { ByteUtils } = BSON.onDemand;

/** Thrown inside the decoder when a document must go through the bson library instead. */
export const NOT_DECODED: unique symbol = Symbol('not decoded here');

const DOUBLE = 0x01;
const STRING = 0x02;
const DOCUMENT = 0x03;
const ARRAY = 0x04;
const UNDEFINED = 0x06;
const OBJECT_ID = 0x07;
const BOOLEAN = 0x08;
const DATE = 0x09;
const NULL = 0x0a;
const INT32 = 0x10;
const INT64 = 0x12;

/** MongoDB's type name for each type byte decoded here. */
export const RAW_TYPE_NAMES: Readonly<Record<number, BsonTypeName>> = {
  [DOUBLE]: 'double',
  [STRING]: 'string',
  [DOCUMENT]: 'object',
  [ARRAY]: 'array',
  [UNDEFINED]: 'undefined',
  [OBJECT_ID]: 'objectId',
  [BOOLEAN]: 'bool',
  [DATE]: 'date',
  [NULL]: 'null',
  [INT32]: 'int',
  [INT64]: 'long',
};

const TWO_32 = 4_294_967_296;

/** A document's bytes as a Buffer (the driver's are; anything else is wrapped, not copied). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Checks a document's frame and returns the offset of its closing NUL. */
function documentEnd(buf: Buffer, start: number): number {
  if (start + 5 > buf.length) throw NOT_DECODED;
  const size = buf.readInt32LE(start);
  const last = start + size - 1;
  if (size < 5 || last >= buf.length || buf[last] !== 0) throw NOT_DECODED;
  return last;
}

/** The offset of the NUL ending the element name that starts at `at`. */
function nameEnd(buf: Buffer, at: number, limit: number): number {
  let i = at;
  while (i < limit && buf[i] !== 0) i++;
  if (i >= limit) throw NOT_DECODED;
  return i;
}

/**
 * Keys the bson library treats specially: `$`-keys may make a document a
 * DBRef ({$ref, $id, $db}), and `__proto__` is defined, not assigned.
 */
export function needsLibrary(name: string): boolean {
  return name.charCodeAt(0) === 0x24 || name === '__proto__';
}

export function readName(buf: Buffer, start: number, end: number): string {
  return ByteUtils.toUTF8(buf, start, end, true);
}

/** How many bytes the value of a decodable type takes. */
function valueLength(buf: Buffer, type: number, at: number): number {
  switch (type) {
    case DOUBLE:
    case DATE:
    case INT64:
      return 8;
    case INT32:
      return 4;
    case OBJECT_ID:
      return 12;
    case BOOLEAN:
      return 1;
    case NULL:
    case UNDEFINED:
      return 0;
    case STRING:
      return 4 + buf.readInt32LE(at);
    case DOCUMENT:
    case ARRAY:
      return buf.readInt32LE(at);
    default:
      throw NOT_DECODED;
  }
}

/** An int64 as a number when exactly representable, else its decimal text (as `integerCell`). */
function int64Cell(buf: Buffer, at: number): number | string {
  const n = buf.readInt32LE(at + 4) * TWO_32 + buf.readUInt32LE(at);
  return Number.isSafeInteger(n) ? n : buf.readBigInt64LE(at).toString();
}

/** The cell for one value of a decodable type at `at` (its length already checked). */
export function readCell(buf: Buffer, type: number, at: number, length: number): unknown {
  switch (type) {
    case DOUBLE: {
      const n = buf.readDoubleLE(at);
      return Number.isFinite(n) ? n : String(n);
    }
    case STRING: {
      const end = at + length - 1;
      if (length < 5 || buf[end] !== 0) throw NOT_DECODED;
      return ByteUtils.toUTF8(buf, at + 4, end, true);
    }
    case DOCUMENT:
      return readDocument(buf, at);
    case ARRAY:
      return readArray(buf, at);
    case OBJECT_ID:
      return buf.toString('hex', at, at + 12);
    case BOOLEAN: {
      const b = buf[at];
      if (b !== 0 && b !== 1) throw NOT_DECODED;
      return b === 1;
    }
    case DATE: {
      const date = new Date(buf.readInt32LE(at + 4) * TWO_32 + buf.readUInt32LE(at));
      return Number.isNaN(date.getTime()) ? null : date.toISOString();
    }
    case NULL:
    case UNDEFINED:
      return null;
    case INT32:
      return buf.readInt32LE(at);
    case INT64:
      return int64Cell(buf, at);
    default:
      throw NOT_DECODED;
  }
}

/**
 * Walks the elements of the document at `start`, calling `visit` with each
 * one's type, name span and value span.
 */
export function forEachElement(buf: Buffer, start: number, visit: (type: number, nameStart: number, nameStop: number, at: number, length: number) => void): void {
  const last = documentEnd(buf, start);
  let at = start + 4;
  while (at < last) {
    const type = buf[at]!;
    const nameStart = at + 1;
    const nameStop = nameEnd(buf, nameStart, last);
    const valueAt = nameStop + 1;
    const length = valueLength(buf, type, valueAt);
    if (length < 0 || valueAt + length > last) throw NOT_DECODED;
    visit(type, nameStart, nameStop, valueAt, length);
    at = valueAt + length;
  }
  if (at !== last) throw NOT_DECODED;
}

function readDocument(buf: Buffer, start: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  forEachElement(buf, start, (type, nameStart, nameStop, at, length) => {
    const name = readName(buf, nameStart, nameStop);
    if (needsLibrary(name)) throw NOT_DECODED;
    out[name] = readCell(buf, type, at, length);
  });
  return out;
}

function readArray(buf: Buffer, start: number): unknown[] {
  const out: unknown[] = [];
  forEachElement(buf, start, (type, _nameStart, _nameStop, at, length) => {
    out.push(readCell(buf, type, at, length));
  });
  return out;
}
