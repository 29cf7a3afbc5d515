import { isAscii, isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { Bom, Compression } from './detect';
import type { GzipGuard } from './limits';

/** Enough of the content to tell one legacy encoding from another. */
const SAMPLE_BYTES = 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

export interface ScanResult {
  sha256: string;
  /** Bytes of content after decompression. */
  contentBytes: number;
  /** Byte offset (in the decompressed content) of the first byte that is not UTF-8; null when all of it is. */
  firstInvalidUtf8: number | null;
  /** Valid multi-byte UTF-8 came before the first invalid byte: a UTF-8 file with damage, not another encoding. */
  utf8BeforeInvalid: boolean;
  sample: Buffer;
}

/** Length of a UTF-8 sequence by its lead byte; 0 for a byte that cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Where the first invalid sequence starts (a complete buffer, starting on a boundary); -1 if none. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const n = sequenceLength(lead);
    if (n === 0 || i + n > bytes.length) return i;
    const second = bytes[i + 1]!;
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF.
    if ((lead === 0xe0 && second < 0xa0) || (lead === 0xed && second > 0x9f) || (lead === 0xf0 && second < 0x90) || (lead === 0xf4 && second > 0x8f)) {
      return i;
    }
    for (let k = 1; k < n; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += n;
  }
  return -1;
}

/** How many bytes at the end of a chunk start a sequence the next chunk completes. */
function incompleteTail(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back]!;
    if ((b & 0xc0) === 0x80) continue;
    const n = sequenceLength(b);
    return n > back ? back : 0;
  }
  return 0;
}

/**
 * One streamed pass over a file: the SHA-256 of its bytes as stored, and for
 * text, whether the (decompressed) content is valid UTF-8 and where it stops
 * being so. Nothing but a small sample is kept in memory.
 */
export interface ScanOptions {
  compression: Compression;
  checkUtf8: boolean;
  signal: AbortSignal;
  /** Read through this open descriptor (from position 0) rather than opening the path again. */
  fd?: number;
  /** Sees every chunk of (decompressed) content and throws to stop the scan (limits.ts: StructureGuard). */
  inspect?: (chunk: Buffer) => void;
  /** Stops a gzip stream that inflates too far or too fast (limits.ts: GzipGuard). */
  gzip?: GzipGuard;
}

const readAt = promisify(fs.read);

/** The bytes of an open file from its start, leaving the descriptor open (a ReadStream closes it when destroyed, whatever autoClose says). */
async function* chunksOf(fd: number): AsyncGenerator<Buffer> {
  for (let position = 0; ; ) {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    const { bytesRead } = await readAt(fd, buffer, 0, CHUNK_BYTES, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

/** A stream of the file's bytes as stored, through `fd` when given (left open for its owner). */
function readStream(filePath: string, fd: number | undefined): Readable {
  return fd === undefined ? fs.createReadStream(filePath, { highWaterMark: CHUNK_BYTES }) : Readable.from(chunksOf(fd), { objectMode: false });
}

export async function scanFile(filePath: string, options: ScanOptions): Promise<ScanResult> {
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  let contentBytes = 0;
  let firstInvalid: number | null = null;
  let utf8BeforeInvalid = false;
  let carry = Buffer.alloc(0);
  const samples: Buffer[] = [];
  let sampled = 0;
  const gunzip = options.compression === 'gzip' ? zlib.createGunzip() : null;
  // A guard's error thrown in the last stage reaches the pipeline's caller as a bare AbortError; keep the real one.
  let refused: unknown = null;
  const guard = (chunk: Buffer) => {
    try {
      if (gunzip && options.gzip) options.gzip.add(chunk.length, gunzip.bytesWritten);
      options.inspect?.(chunk);
    } catch (error) {
      refused = error;
      throw error;
    }
  };
  const consume = async (stream: AsyncIterable<Buffer>) => {
    for await (const chunk of stream) {
      guard(chunk);
      if (sampled < SAMPLE_BYTES) {
        const part = chunk.subarray(0, SAMPLE_BYTES - sampled);
        samples.push(Buffer.from(part));
        sampled += part.length;
      }
      if (options.checkUtf8 && firstInvalid === null) {
        const data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
        const start = contentBytes - carry.length;
        const tail = incompleteTail(data);
        const body = data.subarray(0, data.length - tail);
        if (!isUtf8(body)) {
          const at = firstInvalidUtf8(body);
          firstInvalid = start + Math.max(0, at);
          if (!utf8BeforeInvalid && at > 0 && !isAscii(body.subarray(0, at))) utf8BeforeInvalid = true;
        } else if (!utf8BeforeInvalid && !isAscii(body)) {
          utf8BeforeInvalid = true;
        }
        carry = Buffer.from(data.subarray(data.length - tail));
      }
      contentBytes += chunk.length;
    }
    // A sequence cut off by the end of the file is invalid too.
    if (options.checkUtf8 && firstInvalid === null && carry.length) firstInvalid = contentBytes - carry.length;
  };
  const source = readStream(filePath, options.fd);
  try {
    if (gunzip) await pipeline(source, tap, gunzip, consume, { signal: options.signal });
    else await pipeline(source, tap, consume, { signal: options.signal });
  } catch (error) {
    throw refused ?? error;
  }
  return { sha256: hash.digest('hex'), contentBytes, firstInvalidUtf8: firstInvalid, utf8BeforeInvalid, sample: Buffer.concat(samples) };
}

/** The SHA-256 of a file, streamed (through `fd` when given). */
export async function sha256File(filePath: string, signal: AbortSignal, fd?: number): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(
    readStream(filePath, fd),
    async (stream: AsyncIterable<Buffer>) => {
      for await (const chunk of stream) hash.update(chunk);
    },
    { signal },
  );
  return hash.digest('hex');
}

/**
 * Tells Shift-JIS from Latin-1 (as windows-1252, its superset) by what each
 * makes of the bytes: Japanese text decodes to kana and kanji without error,
 * while Latin-1 bytes are rarely valid Shift-JIS and never mostly kana.
 */
export function guessLegacyEncoding(sample: Buffer): 'shift_jis' | 'windows-1252' {
  try {
    const text = new TextDecoder('shift_jis', { fatal: true }).decode(sample, { stream: true });
    let nonAscii = 0;
    let japanese = 0;
    for (const ch of text) {
      const c = ch.codePointAt(0)!;
      if (c < 0x80) continue;
      nonAscii++;
      if ((c >= 0x3040 && c <= 0x30ff) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xff01 && c <= 0xff5e) || (c >= 0x3000 && c <= 0x303f)) japanese++;
    }
    if (nonAscii > 0 && japanese / nonAscii >= 0.8) return 'shift_jis';
  } catch {
    // Not Shift-JIS.
  }
  return 'windows-1252';
}

export interface EncodingDecision {
  /** What the file is in, as reported to the user. */
  encoding: string;
  /** The TextDecoder label to transcode with; null when DuckDB reads the file as it is. */
  transcodeFrom: string | null;
  note: string | null;
}

/** DuckDB reads UTF-8 (with or without BOM) only; everything else is transcoded first. */
export function decideEncoding(bom: Bom, scan: ScanResult): EncodingDecision {
  if (bom === 'utf-16le' || bom === 'utf-16be') return { encoding: bom, transcodeFrom: bom, note: null };
  const utf8Name = bom === 'utf-8' ? 'utf-8-bom' : 'utf-8';
  if (scan.firstInvalidUtf8 === null) return { encoding: utf8Name, transcodeFrom: null, note: null };
  if (scan.utf8BeforeInvalid) {
    return {
      encoding: utf8Name,
      transcodeFrom: 'utf-8',
      note: `The file is UTF-8 with invalid bytes (the first at byte ${scan.firstInvalidUtf8}); they were replaced with U+FFFD (�).`,
    };
  }
  const legacy = guessLegacyEncoding(scan.sample);
  return {
    encoding: legacy,
    transcodeFrom: legacy,
    note: `The file is not UTF-8 (the first non-UTF-8 byte is at byte ${scan.firstInvalidUtf8}); it was read as ${legacy === 'shift_jis' ? 'Shift-JIS' : 'Latin-1 (windows-1252)'}.`,
  };
}

/** Writes the (decompressed) content of a file re-encoded as UTF-8 without BOM; returns how many characters could not be decoded. */
export async function transcodeToUtf8(
  filePath: string,
  target: string,
  options: { from: string; compression: Compression; signal: AbortSignal; fd?: number },
): Promise<number> {
  const decoder = new TextDecoder(options.from);
  let replaced = 0;
  const count = (text: string) => {
    for (let i = text.indexOf('\uFFFD'); i !== -1; i = text.indexOf('\uFFFD', i + 1)) replaced++;
    return text;
  };
  const reencode = async function* (stream: AsyncIterable<Buffer>) {
    for await (const chunk of stream) yield Buffer.from(count(decoder.decode(chunk, { stream: true })), 'utf8');
    yield Buffer.from(count(decoder.decode()), 'utf8');
  };
  const source = readStream(filePath, options.fd);
  const sink = fs.createWriteStream(target);
  if (options.compression === 'gzip') {
    await pipeline(source, zlib.createGunzip(), reencode, sink, { signal: options.signal });
  } else {
    await pipeline(source, reencode, sink, { signal: options.signal });
  }
  return replaced;
}
