import path from 'node:path';
import { FileLimitError } from '../../errors';
import { formatBytes } from '../shared/result';
import type { Bom } from './detect';
import type { FileFormat } from './provenance';

const MiB = 1024 * 1024;

/**
 * What an import refuses before DuckDB sees a file, in one table. DuckDB's
 * readers are not built for hostile input: its JSON reader recurses per level
 * of nesting and its cost grows much faster than the depth (measured here:
 * 256 levels +1.7 s, 1,000 levels +11 s and 230 MB, 2,000 levels over a
 * minute; the 10,000-level file crashed the process), and one long
 * value is slow to refuse (a 50 MB CSV field took 97 s to end in DuckDB's own
 * line-size error, a 10 MB JSON string 27 s to import).
 */
export interface ImportLimits {
  /**
   * Deepest nesting of JSON arrays and objects. Real data (API dumps, GeoJSON,
   * configuration) stays within a few dozen levels; 128 costs DuckDB nothing
   * measurable and leaves room.
   */
  maxJsonDepth: number;
  /**
   * Longest JSON string, or line of delimited text, in bytes. 2 MiB is
   * DuckDB's own default max_line_size for CSV, so no CSV it would have read
   * is refused; a JSON string that long is a document, not a value.
   */
  maxStringBytes: number;
  /**
   * Largest decompressed/compressed ratio of a gzip file. Text data
   * compresses 5-20x, sparse or repetitive data up to about 100x; gzip cannot
   * exceed about 1,030x (long runs of one byte), which is what a bomb uses.
   */
  maxGzipRatio: number;
  /** The ratio is judged only past this much output: a small file may compress as well as it likes. */
  gzipRatioFloorBytes: number;
  /**
   * The whole import (all files: reading, checking, DuckDB) must finish
   * within this. 20 minutes reads a file at the 5 GB size limit at about
   * 4 MB/s, a slow disk and a slow parser together; the pool's own deadline
   * for the job (an hour) stays the backstop for native work that ignores
   * the interrupt.
   */
  timeBudgetMs: number;
}

export const DEFAULT_IMPORT_LIMITS: ImportLimits = {
  maxJsonDepth: 128,
  maxStringBytes: 2 * MiB,
  maxGzipRatio: 200,
  gzipRatioFloorBytes: 64 * MiB,
  timeBudgetMs: 20 * 60_000,
};

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const LF = 0x0a;
const CR = 0x0d;

/**
 * A streaming look at a text file's structure, fed the decompressed content
 * chunk by chunk, that throws FileLimitError as soon as a limit is passed: for
 * JSON the nesting depth of [ and { outside strings and the length of each
 * string, for delimited text the length of each line. Nothing is parsed and
 * nothing but counters is kept, so a 1M-deep array costs one pass.
 */
export class StructureGuard {
  readonly #json: boolean;
  readonly #limits: ImportLimits;
  readonly #name: string;
  /** UTF-16 is read by code units: a byte of 0x5B inside a non-ASCII unit is not a bracket. */
  readonly #unit: 1 | 2;
  readonly #bigEndian: boolean;
  #pendingByte: number | null = null;
  #depth = 0;
  #inString = false;
  #escaped = false;
  #run = 0;

  constructor(filePath: string, format: FileFormat, bom: Bom, limits: ImportLimits) {
    this.#json = format === 'json' || format === 'ndjson';
    this.#limits = limits;
    this.#name = path.basename(filePath);
    this.#unit = bom === 'utf-16le' || bom === 'utf-16be' ? 2 : 1;
    this.#bigEndian = bom === 'utf-16be';
  }

  feed(chunk: Uint8Array): void {
    if (this.#unit === 1) {
      this.#scan(chunk);
      return;
    }
    let bytes = chunk;
    if (this.#pendingByte !== null) {
      bytes = new Uint8Array(chunk.length + 1);
      bytes[0] = this.#pendingByte;
      bytes.set(chunk, 1);
      this.#pendingByte = null;
    }
    const units = new Uint16Array(bytes.length >> 1);
    for (let i = 0, u = 0; u < units.length; i += 2, u++) units[u] = this.#bigEndian ? (bytes[i]! << 8) | bytes[i + 1]! : (bytes[i + 1]! << 8) | bytes[i]!;
    if (bytes.length & 1) this.#pendingByte = bytes[bytes.length - 1]!;
    this.#scan(units);
  }

  /** One pass over bytes (or UTF-16 code units) with the state in locals: this runs over every byte of every text file. */
  #scan(units: Uint8Array | Uint16Array): void {
    const maxRun = this.#limits.maxStringBytes;
    let run = this.#run;
    if (!this.#json) {
      this.#run = units instanceof Uint8Array ? lineRunOfBytes(units, run, maxRun) : lineRun(units, 0, units.length, run, maxRun);
      if (this.#run < 0) this.#tooLong('line');
      return;
    }
    const maxDepth = this.#limits.maxJsonDepth;
    let depth = this.#depth;
    let inString = this.#inString;
    let escaped = this.#escaped;
    for (let i = 0; i < units.length; i++) {
      const c = units[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) {
          inString = false;
          continue;
        }
        if (++run > maxRun) this.#tooLong('string');
      } else if (c === QUOTE) {
        inString = true;
        run = 0;
      } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
        if (++depth > maxDepth) this.#tooDeep();
      } else if ((c === CLOSE_BRACKET || c === CLOSE_BRACE) && depth > 0) {
        depth--;
      }
    }
    this.#run = run;
    this.#depth = depth;
    this.#inString = inString;
    this.#escaped = escaped;
  }

  #tooDeep(): never {
    throw new FileLimitError(
      `${this.#name} nests arrays and objects more than ${this.#limits.maxJsonDepth} levels deep; it was not imported. Flatten the data, or export it with less nesting.`,
      { kind: 'JSON_TOO_DEEP', limit: 'maxJsonDepth', max: this.#limits.maxJsonDepth },
    );
  }

  #tooLong(what: 'string' | 'line'): never {
    const max = formatBytes(this.#limits.maxStringBytes);
    throw new FileLimitError(
      what === 'string'
        ? `${this.#name} has a JSON string longer than ${max}; it was not imported. Values that long are documents, not data to query.`
        : `${this.#name} has a line longer than ${max}; it was not imported. Check that it is delimited text with line breaks.`,
      { kind: 'STRING_TOO_LONG', limit: 'maxStringBytes', max: this.#limits.maxStringBytes },
    );
  }
}

/**
 * The length of the line still open after `units[from, to)`, given `run`
 * bytes of it before; -1 as soon as a line passes `max`. Byte by byte: for
 * UTF-16, and for the rare stretch that needs CR looked at too.
 */
function lineRun(units: Uint8Array | Uint16Array, from: number, to: number, run: number, max: number): number {
  for (let i = from; i < to; i++) {
    const c = units[i]!;
    if (c === LF || c === CR) run = 0;
    else if (++run > max) return -1;
  }
  return run;
}

/** lineRun for bytes, jumping from LF to LF with indexOf (memchr), so delimited text is checked at memory speed. */
function lineRunOfBytes(bytes: Uint8Array, run: number, max: number): number {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let start = 0; ; ) {
    const lf = buffer.indexOf(LF, start);
    const end = lf === -1 ? buffer.length : lf;
    // Only a stretch that looks too long is looked at for CR line endings (old Mac files have no LF at all).
    run = run + (end - start) > max ? lineRun(buffer, start, end, run, max) : run + (end - start);
    if (run < 0 || lf === -1) return run;
    run = 0;
    start = lf + 1;
  }
}

/**
 * Counts what a gzip stream inflates to and stops it when the output passes
 * the total allowed, or grows too fast for what was read (a gzip bomb), long
 * before it fills a disk or memory.
 */
export class GzipGuard {
  readonly #name: string;
  readonly #limits: ImportLimits;
  readonly #maxBytes: number;
  #output = 0;

  constructor(filePath: string, maxDecompressedBytes: number, limits: ImportLimits) {
    this.#name = path.basename(filePath);
    this.#limits = limits;
    this.#maxBytes = maxDecompressedBytes;
  }

  /** `inputBytes`: compressed bytes the decompressor has consumed so far. */
  add(outputBytes: number, inputBytes: number): void {
    this.#output += outputBytes;
    if (this.#output > this.#maxBytes) {
      throw new FileLimitError(
        `${this.#name} decompresses to more than ${formatBytes(this.#maxBytes)}, over the limit for one file; it was not imported. Split it into smaller files or raise the limit in Settings.`,
        { kind: 'GZIP_TOO_LARGE', limit: 'sizeLimitBytes', max: this.#maxBytes },
      );
    }
    if (this.#output > this.#limits.gzipRatioFloorBytes && this.#output > inputBytes * this.#limits.maxGzipRatio) {
      throw new FileLimitError(
        `${this.#name} decompresses more than ${this.#limits.maxGzipRatio} times its size (a gzip bomb, or data that is nearly all the same byte); it was not imported. Decompress it yourself if you trust it.`,
        { kind: 'GZIP_RATIO', limit: 'maxGzipRatio', max: this.#limits.maxGzipRatio },
      );
    }
  }
}
