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
      for (let i = 0; i < chunk.length; i++) this.#step(chunk[i]!);
      return;
    }
    let i = 0;
    if (this.#pendingByte !== null && chunk.length > 0) {
      this.#step(this.#codeUnit(this.#pendingByte, chunk[0]!));
      this.#pendingByte = null;
      i = 1;
    }
    for (; i + 1 < chunk.length; i += 2) this.#step(this.#codeUnit(chunk[i]!, chunk[i + 1]!));
    if (i < chunk.length) this.#pendingByte = chunk[i]!;
  }

  #codeUnit(first: number, second: number): number {
    return this.#bigEndian ? (first << 8) | second : (second << 8) | first;
  }

  #step(c: number): void {
    if (!this.#json) {
      if (c === LF || c === CR) this.#run = 0;
      else if (++this.#run > this.#limits.maxStringBytes) this.#tooLong('line');
      return;
    }
    if (this.#inString) {
      if (this.#escaped) this.#escaped = false;
      else if (c === BACKSLASH) this.#escaped = true;
      else if (c === QUOTE) {
        this.#inString = false;
        return;
      }
      if (++this.#run > this.#limits.maxStringBytes) this.#tooLong('string');
      return;
    }
    if (c === QUOTE) {
      this.#inString = true;
      this.#run = 0;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++this.#depth > this.#limits.maxJsonDepth) {
        throw new FileLimitError(
          `${this.#name} nests arrays and objects more than ${this.#limits.maxJsonDepth} levels deep; it was not imported. Flatten the data, or export it with less nesting.`,
          { kind: 'JSON_TOO_DEEP', limit: 'maxJsonDepth', max: this.#limits.maxJsonDepth },
        );
      }
    } else if ((c === CLOSE_BRACKET || c === CLOSE_BRACE) && this.#depth > 0) {
      this.#depth--;
    }
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
