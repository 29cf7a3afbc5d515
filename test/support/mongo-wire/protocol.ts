/**
 * MongoDB wire-protocol framing: reads OP_MSG and legacy OP_QUERY requests,
 * writes OP_MSG and OP_REPLY responses. Only what the Node driver sends.
 */
import { deserialize, serialize, type Document } from 'bson';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

const HEADER_BYTES = 16;
export const MAX_MESSAGE_BYTES = 48_000_000;
const CHECKSUM_PRESENT = 1 << 0;
const MORE_TO_COME = 1 << 1;

export interface Request {
  requestId: number;
  opCode: number;
  /** The command document, with OP_MSG kind-1 sequences folded in as arrays. */
  command: Document;
  /** OP_QUERY: the database of `<db>.$cmd`; OP_MSG: `$db` of the command. */
  db: string;
  /** The client expects no reply (OP_MSG moreToCome, e.g. unacknowledged writes). */
  noReply: boolean;
  /** The command document's BSON bytes exactly as received (OP_MSG section 0, OP_QUERY query). */
  bson: Buffer;
}

export class ProtocolError extends Error {}

/** Splits complete messages off the front of a buffer; returns the messages and what is left. */
export function splitMessages(buffer: Buffer): { messages: Buffer[]; rest: Buffer } {
  const messages: Buffer[] = [];
  let offset = 0;
  while (buffer.length - offset >= 4) {
    const length = buffer.readInt32LE(offset);
    if (length < HEADER_BYTES || length > MAX_MESSAGE_BYTES) throw new ProtocolError(`bad message length ${length}`);
    if (buffer.length - offset < length) break;
    messages.push(buffer.subarray(offset, offset + length));
    offset += length;
  }
  return { messages, rest: buffer.subarray(offset) };
}

function readCString(buffer: Buffer, offset: number): { value: string; next: number } {
  const end = buffer.indexOf(0, offset);
  if (end < 0) throw new ProtocolError('unterminated cstring');
  return { value: buffer.toString('utf8', offset, end), next: end + 1 };
}

function readDocument(buffer: Buffer, offset: number): { doc: Document; next: number; bytes: Buffer } {
  const size = buffer.readInt32LE(offset);
  const bytes = buffer.subarray(offset, offset + size);
  return { doc: deserialize(bytes), next: offset + size, bytes };
}

export function parseRequest(message: Buffer): Request {
  const requestId = message.readInt32LE(4);
  const opCode = message.readInt32LE(12);
  if (opCode === OP_MSG) return parseOpMsg(message, requestId);
  if (opCode === OP_QUERY) return parseOpQuery(message, requestId);
  if (opCode === OP_COMPRESSED) throw new ProtocolError('compression was not negotiated');
  throw new ProtocolError(`unsupported opCode ${opCode}`);
}

function parseOpMsg(message: Buffer, requestId: number): Request {
  const flags = message.readUInt32LE(HEADER_BYTES);
  // The CRC-32C trailer is tolerated, not verified: loopback traffic does not corrupt.
  const end = flags & CHECKSUM_PRESENT ? message.length - 4 : message.length;
  let offset = HEADER_BYTES + 4;
  let body: Document | null = null;
  let bson: Buffer = Buffer.alloc(0);
  const sequences: Array<[string, Document[]]> = [];
  while (offset < end) {
    const kind = message.readUInt8(offset);
    offset += 1;
    if (kind === 0) {
      const { doc, next, bytes } = readDocument(message, offset);
      body = doc;
      bson = bytes;
      offset = next;
    } else if (kind === 1) {
      const size = message.readInt32LE(offset);
      const sectionEnd = offset + size;
      const id = readCString(message, offset + 4);
      const docs: Document[] = [];
      let at = id.next;
      while (at < sectionEnd) {
        const { doc, next } = readDocument(message, at);
        docs.push(doc);
        at = next;
      }
      sequences.push([id.value, docs]);
      offset = sectionEnd;
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw new ProtocolError('OP_MSG without a body section');
  for (const [name, docs] of sequences) body[name] = docs;
  const db = typeof body.$db === 'string' ? body.$db : 'admin';
  return { requestId, opCode: OP_MSG, command: body, db, noReply: (flags & MORE_TO_COME) !== 0, bson };
}

function parseOpQuery(message: Buffer, requestId: number): Request {
  let offset = HEADER_BYTES + 4; // flags
  const ns = readCString(message, offset);
  offset = ns.next + 8; // numberToSkip, numberToReturn
  const { doc: query, bytes: bson } = readDocument(message, offset);
  let doc = query;
  // Drivers wrap commands as { $query: cmd, $readPreference } for mongos.
  if (doc.$query && typeof doc.$query === 'object') doc = doc.$query as Document;
  const dot = ns.value.indexOf('.');
  const db = dot > 0 ? ns.value.slice(0, dot) : ns.value;
  if (ns.value.slice(dot + 1) !== '$cmd') throw new ProtocolError(`OP_QUERY on ${ns.value} is not supported`);
  return { requestId, opCode: OP_QUERY, command: doc, db, noReply: false, bson };
}

let nextResponseId = 1;

function header(length: number, responseTo: number, opCode: number): Buffer {
  const buf = Buffer.alloc(HEADER_BYTES);
  buf.writeInt32LE(length, 0);
  buf.writeInt32LE(nextResponseId++ & 0x7fffffff, 4);
  buf.writeInt32LE(responseTo, 8);
  buf.writeInt32LE(opCode, 12);
  return buf;
}

/** The reply in the same framing the request used. */
export function encodeReply(request: Request, reply: Document): Buffer {
  const body = serialize(reply);
  if (request.opCode === OP_QUERY) {
    const fields = Buffer.alloc(20);
    fields.writeInt32LE(0, 0); // responseFlags
    fields.writeBigInt64LE(0n, 4); // cursorID
    fields.writeInt32LE(0, 12); // startingFrom
    fields.writeInt32LE(1, 16); // numberReturned
    return Buffer.concat([header(HEADER_BYTES + 20 + body.length, request.requestId, OP_REPLY), fields, body]);
  }
  const flagsAndKind = Buffer.alloc(5); // flagBits 0, section kind 0
  return Buffer.concat([header(HEADER_BYTES + 5 + body.length, request.requestId, OP_MSG), flagsAndKind, body]);
}
