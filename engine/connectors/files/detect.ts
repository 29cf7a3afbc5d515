import path from 'node:path';
import zlib from 'node:zlib';
import { UnsupportedError, ValidationError } from '../../errors';
import type { FileFormat } from './provenance';

/** How much of a file is read to tell what it is. */
export const HEAD_BYTES = 64 * 1024;

export type Compression = 'none' | 'gzip';
export type Bom = 'utf-8' | 'utf-16le' | 'utf-16be' | null;

export interface Detection {
  format: FileFormat;
  compression: Compression;
  bom: Bom;
  /** For JSON: how values are laid out, as far as the head shows. */
  jsonLayout: 'array' | 'newline_delimited' | 'unstructured' | null;
}

const SIGNATURES: Array<{ magic: Buffer; offset?: number; what: string }> = [
  { magic: Buffer.from('PK\x03\x04', 'latin1'), what: 'a ZIP archive (an Excel .xlsx workbook is one); unzip it or export the sheet as CSV' },
  { magic: Buffer.from('SQLite format 3\0', 'latin1'), what: 'an SQLite database' },
  { magic: Buffer.from('DUCK', 'latin1'), offset: 8, what: 'a DuckDB database' },
  { magic: Buffer.from('%PDF', 'latin1'), what: 'a PDF document' },
  { magic: Buffer.from('\x89PNG', 'latin1'), what: 'a PNG image' },
  { magic: Buffer.from('ORC', 'latin1'), what: 'an ORC file' },
  { magic: Buffer.from('ARROW1', 'latin1'), what: 'an Arrow IPC file' },
  { magic: Buffer.from('Obj\x01', 'latin1'), what: 'an Avro file' },
  { magic: Buffer.from('\xd0\xcf\x11\xe0', 'latin1'), what: 'a legacy Office document (.xls); export the sheet as CSV' },
  { magic: Buffer.from('BZh', 'latin1'), what: 'a bzip2 archive; decompress it first' },
  { magic: Buffer.from('\x28\xb5\x2f\xfd', 'latin1'), what: 'a zstd archive; decompress it first' },
  { magic: Buffer.from('\xfd7zXZ', 'latin1'), what: 'an xz archive; decompress it first' },
];

const startsWith = (bytes: Buffer, magic: Buffer, offset = 0) =>
  bytes.length >= offset + magic.length && bytes.subarray(offset, offset + magic.length).equals(magic);

/** The start of a gzip stream, tolerating that the head cuts it off mid-stream. */
function gunzipHead(head: Buffer, fileName: string): Buffer {
  try {
    // A head shorter than HEAD_BYTES is the whole file, so it must be a complete stream.
    const partial = head.length >= HEAD_BYTES;
    try {
      return zlib.gunzipSync(head, { maxOutputLength: HEAD_BYTES * 16, ...(partial ? { finishFlush: zlib.constants.Z_SYNC_FLUSH } : {}) }).subarray(0, HEAD_BYTES);
    } catch (error) {
      // A head that inflates that far (a gzip bomb inflates 64 KB to 64 MB): its first 512 bytes say enough.
      if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw error;
      return zlib.gunzipSync(head.subarray(0, 512), { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: HEAD_BYTES * 16 }).subarray(0, HEAD_BYTES);
    }
  } catch (error) {
    throw new ValidationError(`${fileName} looks gzip-compressed but cannot be decompressed: ${(error as Error).message}.`, {
      field: 'paths',
      kind: 'CORRUPT_GZIP',
    });
  }
}

export function detectBom(bytes: Buffer): Bom {
  if (startsWith(bytes, Buffer.from([0xef, 0xbb, 0xbf]))) return 'utf-8';
  if (startsWith(bytes, Buffer.from([0xff, 0xfe]))) return 'utf-16le';
  if (startsWith(bytes, Buffer.from([0xfe, 0xff]))) return 'utf-16be';
  return null;
}

/** UTF-16 without a byte-order mark shows itself by NUL bytes at every other position. */
function bomlessUtf16(bytes: Buffer): 'utf-16le' | 'utf-16be' | null {
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 8) return null;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZero++;
    if (bytes[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero > pairs * 0.4 && evenZero < pairs * 0.05) return 'utf-16le';
  if (evenZero > pairs * 0.4 && oddZero < pairs * 0.05) return 'utf-16be';
  return null;
}

function decodeForSniffing(bytes: Buffer, bom: Bom): string {
  const label = bom === 'utf-16le' || bom === 'utf-16be' ? bom : 'utf-8';
  // Lenient on purpose: only the structure (brackets, delimiters) matters here.
  return new TextDecoder(label).decode(bytes);
}

function looksBinary(text: string): boolean {
  const sample = text.slice(0, 8192);
  if (!sample) return false;
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) control++;
  }
  return control / sample.length > 0.1;
}

function firstLine(text: string): string {
  const end = text.search(/\r\n|\r|\n/);
  return (end === -1 ? text : text.slice(0, end)).trim();
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The extension as a hint, ignoring compression suffixes. */
export function extensionHint(filePath: string): string {
  const name = path.basename(filePath).toLowerCase().replace(/\.(gz|gzip)$/, '');
  return path.extname(name).slice(1);
}

/**
 * What a file holds, judged by its content with the extension as a tie-breaker:
 * Parquet by its magic, gzip by its magic (then the inside is judged), JSON by
 * its first character, everything else textual as delimited text. Throws an
 * actionable error for files that are none of these.
 */
export function classify(head: Buffer, filePath: string): Detection {
  const fileName = path.basename(filePath);
  if (head.length === 0) {
    throw new ValidationError(`${fileName} is empty (0 bytes); there is nothing to import.`, { field: 'paths', kind: 'EMPTY_FILE' });
  }
  if (startsWith(head, Buffer.from('PAR1', 'latin1'))) return { format: 'parquet', compression: 'none', bom: null, jsonLayout: null };
  if (startsWith(head, Buffer.from('PARE', 'latin1'))) {
    throw new UnsupportedError(`${fileName}: Parquet file is encrypted; PolyStoreIQ cannot read encrypted Parquet. Export an unencrypted copy.`, {
      kind: 'ENCRYPTED_PARQUET',
    });
  }
  let compression: Compression = 'none';
  let content = head;
  if (startsWith(head, Buffer.from([0x1f, 0x8b]))) {
    compression = 'gzip';
    content = gunzipHead(head, fileName);
    if (startsWith(content, Buffer.from('PAR1', 'latin1'))) {
      throw new UnsupportedError(`${fileName} is a gzip-compressed Parquet file; decompress it first (Parquet compresses its own pages).`, {
        kind: 'UNSUPPORTED_FORMAT',
      });
    }
  }
  for (const { magic, offset, what } of SIGNATURES) {
    if (startsWith(content, magic, offset)) {
      throw new UnsupportedError(`${fileName} is ${what}, not a CSV, JSON or Parquet file.`, { kind: 'UNSUPPORTED_FORMAT' });
    }
  }
  const bom = detectBom(content) ?? bomlessUtf16(content);
  const text = decodeForSniffing(content, bom);
  if (looksBinary(text)) {
    throw new UnsupportedError(`${fileName} does not look like a CSV, JSON or Parquet file (it holds binary data).`, {
      kind: 'UNSUPPORTED_FORMAT',
    });
  }
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (!trimmed) {
    throw new ValidationError(`${fileName} holds only whitespace; there is nothing to import.`, { field: 'paths', kind: 'EMPTY_FILE' });
  }
  const hint = extensionHint(filePath);
  const delimitedHint = ['csv', 'tsv', 'tab', 'txt'].includes(hint);
  const first = trimmed[0];
  if (first === '[' || first === '{') {
    const line = firstLine(trimmed);
    // A delimited file may start with a bracket; trust the extension only when the first line is not JSON.
    const lineIsJson = parses(line);
    if (!(delimitedHint && !lineIsJson && line.length < trimmed.length)) {
      if (first === '[') return { format: 'json', compression, bom, jsonLayout: 'array' };
      const ndjsonHint = ['ndjson', 'jsonl'].includes(hint);
      if (lineIsJson || ndjsonHint) return { format: 'ndjson', compression, bom, jsonLayout: lineIsJson ? 'newline_delimited' : 'unstructured' };
      return { format: 'json', compression, bom, jsonLayout: 'unstructured' };
    }
  }
  return { format: hint === 'tsv' || hint === 'tab' ? 'tsv' : 'csv', compression, bom, jsonLayout: null };
}

/** zlib's errors (truncated or corrupt gzip found while streaming) as the actionable error. */
export function gzipError(error: unknown, filePath: string): ValidationError | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('Z_')) return null;
  return new ValidationError(`${path.basename(filePath)} looks gzip-compressed but cannot be decompressed: ${(error as Error).message}.`, {
    field: 'paths',
    kind: 'CORRUPT_GZIP',
  });
}
