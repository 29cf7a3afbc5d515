import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ApiError, FileConnection } from '../../contract/index';
import { CancelledError, EngineError, FileLimitError, TimeoutError, ValidationError, toApiError } from '../../errors';
import type { ConnectionSpec } from '../types';
import { resultColumn } from './cells';
import { classify, gzipError, type Compression, type Detection } from './detect';
import { duckdbMessage, interruptible, openLockedDatabase, WORK_THREADS } from './duckdb';
import { decideEncoding, scanFile, sha256File, transcodeToUtf8 } from './encoding';
import { DEFAULT_IMPORT_LIMITS, GzipGuard, StructureGuard, type ImportLimits } from './limits';
import { assignTableNames, quoteIdent, quoteLiteral } from './names';
import type { CsvDialect, FileCheck, FileImportResult, FileProvenance, ImportReport, JsonDialect } from './provenance';
import { fileFingerprint, openRegularFile, readHeadFd, type OpenedFile } from './open-file';
import { newSnapshotName, readManifest, removeOldSnapshots, writeManifest, type Manifest } from './snapshot';

export const DEFAULT_FILE_SIZE_LIMIT_BYTES = 5 * 1024 ** 3;

export interface ImportOptions {
  /** Largest file accepted, checked with stat before anything is read. */
  sizeLimitBytes?: number;
  /** The guards' limits (limits.ts); the defaults unless a caller (a test) lowers them. */
  limits?: Partial<ImportLimits>;
  signal: AbortSignal;
}

/** A file that passed the checks that need no DuckDB: what it is, its hash, and what DuckDB should read. */
interface StagedFile {
  index: number;
  path: string;
  /** Held open until DuckDB has read the file, so the file checked is the file read (see sameFileAtPath). */
  opened: OpenedFile;
  stat: fs.Stats;
  detection: Detection;
  sha256: string;
  encoding: string | null;
  transcoded: boolean;
  /** What DuckDB reads: the file itself, a transcoded copy, or a link where the name would be taken for a glob. */
  readPath: string;
  compression: Compression;
  contentBytes: number;
  /** The first line of the content as text, for second-guessing a sniffer that found one wide column. */
  firstLine: string;
  notes: string[];
}

type Staged = { ok: true; file: StagedFile; fingerprint: string } | { ok: false; path: string; error: ApiError; fingerprint?: string };

const fileName = (p: string) => path.basename(p);

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${Number(value.toFixed(1))} ${units[unit]}`;
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledError('The import was cancelled.');
}

/** Node streams end an aborted pipeline with AbortError; the engine speaks CancelledError. */
function asEngineError(error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted || (error instanceof Error && error.name === 'AbortError')) return new CancelledError('The import was cancelled.');
  return error;
}

/** DuckDB treats these characters in a path as a glob pattern. */
const GLOB_CHARACTERS = /[*?[\]{}]/;

/** The size limit, judged on the open file. */
function checkSize(filePath: string, stat: fs.Stats, sizeLimitBytes: number): void {
  if (stat.size > sizeLimitBytes) {
    throw new FileLimitError(
      `${fileName(filePath)} is ${formatBytes(stat.size)}, over the ${formatBytes(sizeLimitBytes)} limit for one file. Split it into smaller files or raise the limit in Settings.`,
      { kind: 'TOO_LARGE', limit: 'sizeLimitBytes', max: sizeLimitBytes, sizeBytes: stat.size, limitBytes: sizeLimitBytes },
    );
  }
}

/**
 * DuckDB opens files by path. Just before it does, the path must still name
 * the file that was checked through the open descriptor: not a FIFO or
 * another file swapped in since.
 */
function sameFileAtPath(file: StagedFile): boolean {
  try {
    const now = fs.statSync(file.path);
    return now.isFile() && now.ino === file.stat.ino && now.dev === file.stat.dev && now.size === file.stat.size && now.mtimeMs === file.stat.mtimeMs;
  } catch {
    return false;
  }
}

interface StageContext {
  sizeLimitBytes: number;
  limits: ImportLimits;
  stagingDir: string;
  linkBase: string;
  signal: AbortSignal;
}

async function stage(filePath: string, index: number, context: StageContext): Promise<StagedFile> {
  const opened = openRegularFile(filePath);
  try {
    return await stageOpened(filePath, index, opened, context);
  } catch (error) {
    opened.close();
    throw error;
  }
}

/** The checks that need no DuckDB, all reading through the one open descriptor, the guards among them. */
async function stageOpened(filePath: string, index: number, opened: OpenedFile, context: StageContext): Promise<StagedFile> {
  const { sizeLimitBytes, limits, stagingDir, linkBase, signal } = context;
  const { fd, stat } = opened;
  checkSize(filePath, stat, sizeLimitBytes);
  const detection = classify(readHeadFd(fd), filePath);
  const textual = detection.format !== 'parquet';
  const structure = textual ? new StructureGuard(filePath, detection.format, detection.bom, limits) : null;
  const scan = await scanFile(filePath, {
    compression: detection.compression,
    checkUtf8: textual && !detection.bom?.startsWith('utf-16'),
    signal,
    fd,
    ...(structure ? { inspect: (chunk: Buffer) => structure.feed(chunk) } : {}),
    // What DuckDB reads once decompressed is held to the same size limit as a plain file.
    gzip: new GzipGuard(filePath, sizeLimitBytes, limits),
  }).catch((error: unknown) => {
    throw gzipError(error, filePath) ?? error;
  });
  const notes: string[] = [];
  let readPath = filePath;
  let compression = detection.compression;
  let encoding: string | null = null;
  let transcoded = false;
  if (textual) {
    const decision = decideEncoding(detection.bom, scan);
    encoding = decision.encoding;
    if (decision.transcodeFrom) {
      readPath = path.join(stagingDir, `${index}.${detection.format === 'json' || detection.format === 'ndjson' ? 'json' : 'csv'}`);
      const replaced = await transcodeToUtf8(filePath, readPath, { from: decision.transcodeFrom, compression, signal, fd });
      compression = 'none';
      transcoded = true;
      if (decision.note) notes.push(decision.note);
      else notes.push(`The file is ${decision.encoding.toUpperCase()}; it was re-encoded as UTF-8 for reading.`);
      if (replaced > 0 && decision.transcodeFrom === 'utf-8') notes.push(`${replaced} character(s) could not be decoded and read as U+FFFD.`);
    }
  }
  if (!transcoded && GLOB_CHARACTERS.test(readPath)) {
    // A view keeps reading through the link, so it lives beside the snapshot rather than in the staging folder.
    const link = textual ? path.join(stagingDir, `${index}${path.extname(filePath)}`) : `${linkBase}.${index}.parquet`;
    fs.symlinkSync(filePath, link);
    readPath = link;
  }
  const sampleText = new TextDecoder(detection.bom?.startsWith('utf-16') ? detection.bom : encoding === 'shift_jis' || encoding === 'windows-1252' ? encoding : 'utf-8').decode(
    scan.sample.subarray(0, 64 * 1024),
  );
  return {
    index,
    path: filePath,
    opened,
    stat,
    detection,
    sha256: scan.sha256,
    encoding,
    transcoded,
    readPath,
    compression,
    contentBytes: scan.contentBytes,
    firstLine: sampleText.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/, 1)[0] ?? '',
    notes,
  };
}

/** Read options for read_csv / read_json, as SQL. */
function sqlOptions(options: Record<string, string | number | boolean>): string {
  return Object.entries(options)
    .map(([key, value]) => `, ${key} = ${typeof value === 'string' ? quoteLiteral(value) : String(value)}`)
    .join('');
}

const isConversionError = (m: string) => /Could not convert|Conversion Error|Error when converting|could not be cast/i.test(m);
const isDialectError = (m: string) =>
  /Error when sniffing|Expected Number of Columns|unterminated quote|Value with unterminated|not possible to automatically detect|too many columns/i.test(m);

interface Created {
  kind: 'table' | 'view';
  dialect: CsvDialect | JsonDialect | null;
  format: FileProvenance['format'];
  notes: string[];
}

async function createCsvTable(connection: DuckDBConnection, file: StagedFile, table: string): Promise<Created> {
  let options: Record<string, string | number | boolean> = { compression: file.compression === 'gzip' ? 'gzip' : 'none' };
  // The name says tab-separated: do not let the sniffer settle for one wide column when rows are ragged.
  if (file.detection.format === 'tsv') options.delim = '\t';
  const notes: string[] = [];
  for (let attempt = 0; ; attempt++) {
    try {
      await connection.run(`CREATE TABLE ${quoteIdent(table)} AS SELECT * FROM read_csv(${quoteLiteral(file.readPath)}${sqlOptions(options)})`);
      break;
    } catch (error) {
      const message = duckdbMessage(error);
      if (attempt < 3 && isConversionError(message) && options.sample_size === undefined) {
        options = { ...options, sample_size: -1 };
        notes.push('Column types were inferred from every row because a value deep in the file did not fit the type the first rows suggested.');
        continue;
      }
      if (attempt < 3 && isDialectError(message) && options.strict_mode === undefined) {
        options = { ...options, strict_mode: false, null_padding: true };
        notes.push('The file does not follow the CSV rules strictly (ragged rows, stray quotes or mixed line endings); it was read leniently, padding short rows with NULL.');
        continue;
      }
      throw csvError(file, message);
    }
  }
  const widened = await splitSingleColumn(connection, file, table, options);
  if (widened) {
    options = widened;
    notes.push('Rows have different numbers of fields; the file was read leniently, padding short rows with NULL.');
  }
  let dialect: CsvDialect;
  try {
    const reader = await connection.runAndReadAll(`SELECT * FROM sniff_csv(${quoteLiteral(file.readPath)}${sqlOptions(options)})`);
    const row = reader.getRowObjectsJS()[0] ?? {};
    const text = (v: unknown) => (v === null || v === undefined || v === '(empty)' ? '' : String(v));
    dialect = {
      kind: 'csv',
      delimiter: text(row.Delimiter),
      quote: text(row.Quote),
      escape: text(row.Escape),
      newline: text(row.NewLineDelimiter),
      header: row.HasHeader === true,
      comment: text(row.Comment),
      skipRows: Number(row.SkipRows ?? 0),
      dateFormat: row.DateFormat ? String(row.DateFormat) : null,
      timestampFormat: row.TimestampFormat ? String(row.TimestampFormat) : null,
      strict: options.strict_mode !== false,
    };
  } catch {
    // The table exists; the sniffer's report is a nicety.
    dialect = { kind: 'csv', delimiter: ',', quote: '"', escape: '"', newline: '', header: true, comment: '', skipRows: 0, dateFormat: null, timestampFormat: null, strict: options.strict_mode !== false };
  }
  return { kind: 'table', dialect, format: dialect.delimiter === '\t' ? 'tsv' : 'csv', notes };
}

/** Candidate delimiters in the order DuckDB's sniffer tries them. */
const DELIMITERS = [',', '|', ';', '\t'];

/** The delimiter that occurs outside quotes in a line, if any. */
export function unquotedDelimiter(line: string): string | null {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && DELIMITERS.includes(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best: string | null = null;
  for (const d of DELIMITERS) if ((counts.get(d) ?? 0) > (best ? counts.get(best)! : 0)) best = d;
  return best;
}

/**
 * DuckDB's sniffer prefers a delimiter that gives every row the same number of
 * fields, so a file whose rows are ragged comes back as one wide column named
 * after the whole header line. When the header has a delimiter outside quotes,
 * read it again with that delimiter, padding short rows; keep whichever gives
 * more columns.
 */
async function splitSingleColumn(
  connection: DuckDBConnection,
  file: StagedFile,
  table: string,
  options: Record<string, string | number | boolean>,
): Promise<Record<string, string | number | boolean> | null> {
  if (options.delim !== undefined) return null;
  const described = await connection.runAndReadAll(`SELECT count(*) FROM (DESCRIBE ${quoteIdent(table)})`);
  if (Number(described.getColumnsJS()[0]?.[0]) !== 1) return null;
  const delimiter = unquotedDelimiter(file.firstLine);
  if (!delimiter) return null;
  const retry = { ...options, delim: delimiter, strict_mode: false, null_padding: true };
  const candidate = `${table}__split`;
  try {
    await connection.run(`CREATE TABLE ${quoteIdent(candidate)} AS SELECT * FROM read_csv(${quoteLiteral(file.readPath)}${sqlOptions(retry)})`);
  } catch {
    return null;
  }
  const columns = await connection.runAndReadAll(`SELECT count(*) FROM (DESCRIBE ${quoteIdent(candidate)})`);
  if (Number(columns.getColumnsJS()[0]?.[0]) <= 1) {
    await connection.run(`DROP TABLE ${quoteIdent(candidate)}`);
    return null;
  }
  await connection.run(`DROP TABLE ${quoteIdent(table)}`);
  await connection.run(`ALTER TABLE ${quoteIdent(candidate)} RENAME TO ${quoteIdent(table)}`);
  return retry;
}

async function createJsonTable(connection: DuckDBConnection, file: StagedFile, table: string): Promise<Created> {
  let options: Record<string, string | number | boolean> = { format: 'auto', compression: file.compression === 'gzip' ? 'gzip' : 'uncompressed' };
  const notes: string[] = [];
  for (let attempt = 0; ; attempt++) {
    try {
      await connection.run(`CREATE TABLE ${quoteIdent(table)} AS SELECT * FROM read_json(${quoteLiteral(file.readPath)}${sqlOptions(options)})`);
      break;
    } catch (error) {
      const message = duckdbMessage(error);
      if (attempt < 3 && isConversionError(message) && options.sample_size === undefined) {
        options = { ...options, sample_size: -1 };
        notes.push('Column types were inferred from every record because a value deep in the file did not fit the type the first records suggested.');
        continue;
      }
      if (attempt < 3 && /has duplicate key/i.test(message) && options.ignore_errors === undefined) {
        // DuckDB keeps the first value of a repeated key when told to go on.
        options = { ...options, ignore_errors: true };
        const where = /in line (\d+)[^"]*has duplicate key "([^"]*)"/.exec(message);
        notes.push(
          where
            ? `Line ${where[1]} has the key "${where[2]}" more than once; the first value was kept.`
            : 'A record has a key more than once; the first value was kept.',
        );
        continue;
      }
      if (attempt < 3 && /maximum_object_size/i.test(message) && options.maximum_object_size === undefined) {
        options = { ...options, maximum_object_size: Math.min(Math.max(file.contentBytes + 1, 32 * 1024 * 1024), 2 ** 31 - 1) };
        continue;
      }
      throw jsonError(file, message);
    }
  }
  if (options.ignore_errors) {
    // ignore_errors also skips records that cannot be read at all: say how many.
    const expected = await connection.runAndReadAll(`SELECT count(*) FROM read_json(${quoteLiteral(file.readPath)}${sqlOptions({ ...options, ignore_errors: false })})`).catch(() => null);
    const actual = await connection.runAndReadAll(`SELECT count(*) FROM ${quoteIdent(table)}`);
    const lost = Number(expected?.getColumnsJS()[0]?.[0] ?? 0) - Number(actual.getColumnsJS()[0]?.[0] ?? 0);
    if (lost > 0) notes.push(`${lost} record(s) could not be read and were skipped.`);
  }
  const layout = file.detection.jsonLayout ?? 'unstructured';
  return { kind: 'table', dialect: { kind: 'json', layout }, format: file.detection.format, notes };
}

/** Parquet whose pages inflate beyond this is not test-read at import. */
const MAX_VALIDATION_BYTES = 256 * 1024 * 1024;

async function createParquetView(connection: DuckDBConnection, file: StagedFile, table: string): Promise<Created> {
  const notes: string[] = [];
  try {
    await connection.run(`CREATE VIEW ${quoteIdent(table)} AS SELECT * FROM read_parquet(${quoteLiteral(file.readPath)})`);
    // Binding reads only the footer; reading a few rows finds broken pages and codecs too, unless the
    // pages inflate to more than can be read in passing (a 4 KB file may hold gigabytes of text).
    const sizes = await connection.runAndReadAll(
      `SELECT coalesce(sum(total_uncompressed_size), 0)::DOUBLE FROM parquet_metadata(${quoteLiteral(file.readPath)})`,
    );
    const inflated = Number(sizes.getColumnsJS()[0]?.[0] ?? 0);
    if (inflated > MAX_VALIDATION_BYTES) {
      notes.push(`The data is ${formatBytes(inflated)} once decompressed; queries that read whole columns of it may be slow.`);
    } else {
      await connection.runAndReadAll(`SELECT * FROM ${quoteIdent(table)} LIMIT 100`);
    }
  } catch (error) {
    await connection.run(`DROP VIEW IF EXISTS ${quoteIdent(table)}`).catch(() => {});
    throw parquetError(file, duckdbMessage(error));
  }
  return { kind: 'view', dialect: null, format: 'parquet', notes };
}

function withoutPaths(message: string, file: StagedFile): string {
  return message.split(file.readPath).join(fileName(file.path)).split(file.path).join(fileName(file.path));
}

const CSV_NOISE = /^(Original Line|Possible Solution|Possible fixes|\*|file =|delimiter =|quote =|escape =|new_line =|header =|skip_rows =|comment =|strict_mode =|date_format =|timestamp_format =|null_padding =|sample_size =|ignore_errors =|all_varchar =|The search space|Delimiter Candidates|Quote\/Escape|Comment Candidates|Encoding:|Column .* is being converted)/;

function csvError(file: StagedFile, raw: string): ValidationError {
  const name = fileName(file.path);
  const message = withoutPaths(raw, file);
  if (/Error when sniffing|not possible to automatically detect/i.test(message)) {
    return new ValidationError(
      `${name}: could not work out how this CSV file is laid out (delimiter, quotes, header), even reading it leniently. Check that it is delimited text.`,
      { field: 'paths', kind: 'MALFORMED_CSV' },
    );
  }
  const line = /CSV Error on Line: (\d+)/.exec(message)?.[1];
  const lines = message.split('\n').map((l) => l.trim()).filter(Boolean);
  const detail = lines.slice(1).find((l) => !CSV_NOISE.test(l)) ?? lines[0]?.replace(/^[A-Za-z ]+ Error: /, '') ?? 'unreadable';
  return new ValidationError(`${name}: could not be read as CSV${line ? ` at line ${line}` : ''}: ${detail}`, {
    field: 'paths',
    kind: 'MALFORMED_CSV',
    ...(line ? { line: Number(line) } : {}),
  });
}

function jsonError(file: StagedFile, raw: string): ValidationError {
  const name = fileName(file.path);
  const message = withoutPaths(raw, file);
  const malformed = /Malformed JSON in file "[^"]*", at byte (\d+) in (line|record\/value) (\d+): ([^\n]*)/.exec(message);
  if (malformed) {
    const [, byte, unit, n, reason] = malformed;
    const where = unit === 'line' ? `line ${n} (byte ${byte} of that line)` : `value ${n} (byte ${byte} of it)`;
    const why = reason!.replace(/\s*Try auto-detecting the JSON format\.?/i, '').replace(/\.\s*$/, '').trim();
    return new ValidationError(`${name}: malformed JSON at ${where}: ${why}.`, {
      field: 'paths',
      kind: 'MALFORMED_JSON',
      ...(unit === 'line' ? { line: Number(n) } : { value: Number(n) }),
      byteInRecord: Number(byte),
    });
  }
  return new ValidationError(`${name}: could not be read as JSON: ${message.split('\n')[0]!.replace(/^[A-Za-z ]+ Error: /, '')}`, {
    field: 'paths',
    kind: 'MALFORMED_JSON',
  });
}

function parquetError(file: StagedFile, raw: string): EngineError {
  const name = fileName(file.path);
  const message = withoutPaths(raw, file).split('\n')[0]!;
  if (/is encrypted/i.test(message)) {
    return new ValidationError(`${name}: Parquet file is encrypted; PolyStoreIQ cannot read encrypted Parquet. Export an unencrypted copy.`, {
      field: 'paths',
      kind: 'ENCRYPTED_PARQUET',
    });
  }
  const codec = /Unsupported compression codec "([^"]+)"/.exec(message)?.[1];
  if (codec) {
    return new ValidationError(
      `${name}: the Parquet file is compressed with ${codec}, which DuckDB cannot read. Rewrite it with snappy, zstd, gzip or lz4_raw compression.`,
      { field: 'paths', kind: 'UNSUPPORTED_PARQUET', codec },
    );
  }
  const detail = message.replace(/^[A-Za-z ]+ Error: /, '');
  return new ValidationError(`${name}: the Parquet file is damaged or uses a layout DuckDB cannot read (${detail}).`, {
    field: 'paths',
    kind: 'CORRUPT_PARQUET',
  });
}

async function describe(connection: DuckDBConnection, table: string): Promise<{ rowCount: number; columns: FileProvenance['columns'] }> {
  const result = await connection.run(`SELECT * FROM ${quoteIdent(table)} LIMIT 0`);
  const columns = result.columnNames().map((name, i) => resultColumn(name, result.columnType(i)));
  const count = await connection.runAndReadAll(`SELECT count(*) FROM ${quoteIdent(table)}`);
  return { rowCount: Number(count.getColumnsJS()[0]?.[0] ?? 0), columns };
}

async function importOne(connection: DuckDBConnection, file: StagedFile, table: string, importedAt: string): Promise<FileProvenance> {
  const created =
    file.detection.format === 'parquet'
      ? await createParquetView(connection, file, table)
      : file.detection.format === 'json' || file.detection.format === 'ndjson'
        ? await createJsonTable(connection, file, table)
        : await createCsvTable(connection, file, table);
  const notes = [...file.notes, ...created.notes];
  const { rowCount, columns } = await describe(connection, table);
  return {
    path: file.path,
    table,
    kind: created.kind,
    sizeBytes: file.stat.size,
    mtimeMs: file.stat.mtimeMs,
    modifiedAt: file.stat.mtime.toISOString(),
    sha256: file.sha256,
    importedAt,
    format: created.format,
    compression: file.detection.compression,
    encoding: file.encoding,
    transcoded: file.transcoded,
    dialect: created.dialect,
    rowCount,
    columns,
    notes,
  };
}

/** A file's failure as a value (it crosses the worker boundary with the report). */
function errorOf(filePath: string, error: unknown): ApiError {
  if (error instanceof EngineError) return toApiError(error);
  return { code: 'CONNECTOR', message: `${fileName(filePath)}: ${duckdbMessage(error).split('\n')[0]}` };
}

/** The import's time budget over the caller's signal: one signal for the work, and the right error when it stops. */
class ImportBudget {
  readonly #expired = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #deadline: number;
  readonly #timeBudgetMs: number;
  readonly caller: AbortSignal;
  /** Aborts when the caller cancels or the budget runs out. */
  readonly signal: AbortSignal;

  constructor(timeBudgetMs: number, caller: AbortSignal) {
    this.#timeBudgetMs = timeBudgetMs;
    this.#deadline = performance.now() + timeBudgetMs;
    this.#timer = setTimeout(() => this.#expired.abort(), timeBudgetMs);
    this.caller = caller;
    this.signal = AbortSignal.any([caller, this.#expired.signal]);
  }

  remainingMs(): number {
    return Math.max(1, Math.ceil(this.#deadline - performance.now()));
  }

  overrun(): TimeoutError {
    const ms = this.#timeBudgetMs;
    const budget = ms >= 60_000 ? `${Number((ms / 60_000).toFixed(1))} min` : ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${ms} ms`;
    return new TimeoutError(`Importing the files took longer than ${budget} and was stopped; nothing was changed.`, {
      kind: 'IMPORT_TIME_BUDGET',
      limit: 'timeBudgetMs',
      max: this.#timeBudgetMs,
    });
  }

  /** What an error that stopped the import means: over budget, cancelled, or itself. */
  translate(error: unknown): unknown {
    if (this.#expired.signal.aborted) return this.overrun();
    return asEngineError(error, this.caller);
  }

  throwIfStopped(): void {
    if (this.#expired.signal.aborted) throw this.overrun();
    throwIfAborted(this.caller);
  }

  dispose(): void {
    clearTimeout(this.#timer);
  }
}

/**
 * Imports the source's files into a new snapshot database in its workDir and
 * makes it the one queries read. Each file becomes a table named after it
 * (CSV and JSON are copied in; Parquet is a view over the file where it lies,
 * so gigabytes are not duplicated and DuckDB keeps its column pruning). A file
 * that cannot be imported is reported with an actionable message and does not
 * stop the others. Every file passes the guards (limits.ts) before DuckDB
 * opens it, and the whole import has a time budget. Cancelling, running out
 * of time, or importing none of the files leaves the previous snapshot in place.
 */
export async function importFiles(spec: ConnectionSpec, options: ImportOptions): Promise<ImportReport> {
  const limits: ImportLimits = { ...DEFAULT_IMPORT_LIMITS, ...options.limits };
  const budget = new ImportBudget(limits.timeBudgetMs, options.signal);
  try {
    return await importWithin(spec, options.sizeLimitBytes ?? DEFAULT_FILE_SIZE_LIMIT_BYTES, limits, budget);
  } catch (error) {
    throw budget.translate(error);
  } finally {
    budget.dispose();
  }
}

/**
 * Each file through the checks that need no DuckDB, into `staged` (its owner
 * closes what is open there, whatever happens); a failure is kept with the file's fingerprint.
 */
async function stageAll(paths: readonly string[], context: StageContext, budget: ImportBudget, staged: Staged[]): Promise<void> {
  const seen = new Set<string>();
  for (const [index, filePath] of paths.entries()) {
    budget.throwIfStopped();
    if (seen.has(filePath)) {
      staged.push({ ok: false, path: filePath, error: { code: 'VALIDATION', message: `${fileName(filePath)} is listed twice; it is imported once.` } });
      continue;
    }
    seen.add(filePath);
    // Taken before reading: a file that changes while it is read is tried again next time.
    const fingerprint = fileFingerprint(filePath);
    try {
      staged.push({ ok: true, file: await stage(filePath, index, context), fingerprint });
    } catch (error) {
      if (budget.signal.aborted) throw budget.translate(error);
      staged.push({ ok: false, path: filePath, error: errorOf(filePath, asEngineError(error, budget.caller)), fingerprint });
    }
  }
  // DuckDB opens by path: one swapped since it was checked (a FIFO, say) is not handed to it.
  for (const [i, entry] of staged.entries()) {
    if (!entry.ok || sameFileAtPath(entry.file)) continue;
    entry.file.opened.close();
    staged[i] = {
      ok: false,
      path: entry.file.path,
      error: { code: 'VALIDATION', message: `${fileName(entry.file.path)} was replaced or changed while it was being imported; import it again.`, details: { kind: 'CHANGED_DURING_IMPORT' } },
      fingerprint: entry.fingerprint,
    };
  }
}

async function importWithin(spec: ConnectionSpec, sizeLimitBytes: number, limits: ImportLimits, budget: ImportBudget): Promise<ImportReport> {
  const paths = (spec.connection as FileConnection).paths.map((p) => path.resolve(p));
  budget.throwIfStopped();
  fs.mkdirSync(spec.workDir, { recursive: true });
  const previous = readManifest(spec.workDir);
  const database = newSnapshotName();
  const databasePath = path.join(spec.workDir, database);
  const stagingDir = fs.mkdtempSync(path.join(spec.workDir, '.import-'));
  const linkBase = databasePath.replace(/\.duckdb$/, '');
  const importedAt = new Date().toISOString();
  let committed = false;
  const staged: Staged[] = [];
  try {
    await stageAll(paths, { sizeLimitBytes, limits, stagingDir, linkBase, signal: budget.signal }, budget, staged);
    budget.throwIfStopped();
    const readable = staged.flatMap((s) => (s.ok ? [s.file] : []));
    const instance = await openLockedDatabase(databasePath, {
      readOnly: false,
      memoryLimitMb: spec.settings.memoryLimitMb,
      threads: WORK_THREADS,
      allowedPaths: readable.map((f) => f.readPath),
      allowedDirectories: [stagingDir],
    });
    const results: FileImportResult[] = [];
    const objects: Manifest['objects'] = [];
    const connection = await instance.connect().catch((error: unknown) => {
      instance.closeSync();
      throw error;
    });
    await interruptible(
      connection,
      // The caller's cancel and the rest of the budget; DuckDB is interrupted at either.
      { signal: budget.caller, timeoutMs: budget.remainingMs(), what: 'The import', timeoutError: () => budget.overrun() },
      async (stopped) => {
        const keywords = await connection.runAndReadAll(`SELECT keyword_name FROM duckdb_keywords() WHERE keyword_category = 'reserved'`);
        const reserved = new Set((keywords.getColumnsJS()[0] ?? []).map(String));
        const tables = assignTableNames(readable.map((f) => f.path), reserved);
        const tableOf = new Map(readable.map((f, i) => [f.index, tables[i]!]));
        for (const entry of staged) {
          if (stopped()) return;
          if (!entry.ok) {
            results.push({ ok: false, path: entry.path, error: entry.error, ...(entry.fingerprint ? { fingerprint: entry.fingerprint } : {}) });
            continue;
          }
          const table = tableOf.get(entry.file.index)!;
          try {
            const provenance = await importOne(connection, entry.file, table, importedAt);
            results.push({ ok: true, path: entry.file.path, provenance });
            objects.push({
              table,
              kind: provenance.kind,
              path: entry.file.path,
              readPath: provenance.kind === 'view' ? entry.file.readPath : null,
              format: provenance.format,
            });
          } catch (error) {
            if (stopped()) return;
            results.push({ ok: false, path: entry.file.path, error: errorOf(entry.file.path, error), fingerprint: entry.fingerprint });
          }
        }
        await connection.run('CHECKPOINT');
      },
      // Closed only once DuckDB has returned, even if the caller was answered earlier.
      () => {
        connection.closeSync();
        instance.closeSync();
      },
    );
    // Nothing imported: an empty snapshot must not replace one that has data (a moved file, say).
    if (previous && objects.length === 0) return { sourceId: spec.sourceId, database: previous.database, importedAt, files: results, keptPrevious: true };
    writeManifest(spec.workDir, { version: 1, database, createdAt: importedAt, objects });
    committed = true;
    removeOldSnapshots(spec.workDir, database);
    return { sourceId: spec.sourceId, database, importedAt, files: results };
  } finally {
    for (const entry of staged) if (entry.ok) entry.file.opened.close();
    fs.rmSync(stagingDir, { recursive: true, force: true });
    if (!committed) {
      for (const name of fs.readdirSync(spec.workDir)) {
        if (name.startsWith(path.basename(linkBase))) fs.rmSync(path.join(spec.workDir, name), { force: true });
      }
    }
  }
}

export interface CheckOptions {
  signal: AbortSignal;
  /** Hash every file even when size and modification time are unchanged. */
  verifyHash?: boolean;
}

/**
 * Whether each imported file still matches its table: size and modification
 * time first (cheap), then the content hash when they moved, so a file that was
 * only touched is told apart from one whose data changed.
 */
export async function checkFiles(provenance: readonly FileProvenance[], options: CheckOptions): Promise<FileCheck[]> {
  const checks: FileCheck[] = [];
  for (const p of provenance) {
    throwIfAborted(options.signal);
    const name = fileName(p.path);
    let opened: OpenedFile;
    try {
      // Opened without blocking and judged by fstat: a FIFO swapped in for the file is reported, not read.
      opened = openRegularFile(p.path);
    } catch (error) {
      const missing = error instanceof ValidationError && error.details?.kind === 'NOT_FOUND';
      const why = error instanceof ValidationError && error.details?.kind === 'NOT_A_FILE' ? error.message : `${name} cannot be read any more.`;
      checks.push({
        path: p.path,
        table: p.table,
        status: missing ? 'missing' : 'unreadable',
        needsReimport: true,
        sizeBytes: null,
        mtimeMs: null,
        sha256: null,
        message: missing ? `${name} is no longer at ${p.path}; ${p.table} shows the data as it was imported.` : why,
      });
      continue;
    }
    try {
      checks.push(await checkOpened(p, opened, options));
    } finally {
      opened.close();
    }
  }
  return checks;
}

async function checkOpened(p: FileProvenance, opened: OpenedFile, options: CheckOptions): Promise<FileCheck> {
  const name = fileName(p.path);
  const { stat } = opened;
  const sameStat = stat.size === p.sizeBytes && stat.mtimeMs === p.mtimeMs;
  if (sameStat && !options.verifyHash) {
    return { path: p.path, table: p.table, status: 'unchanged', needsReimport: false, sizeBytes: stat.size, mtimeMs: stat.mtimeMs, sha256: p.sha256, message: `${name} is unchanged.` };
  }
  let sha256: string;
  try {
    sha256 = await sha256File(p.path, options.signal, opened.fd);
  } catch (error) {
    const engineError = asEngineError(error, options.signal);
    if (engineError instanceof CancelledError) throw engineError;
    return { path: p.path, table: p.table, status: 'unreadable', needsReimport: true, sizeBytes: stat.size, mtimeMs: stat.mtimeMs, sha256: null, message: `${name} cannot be read any more.` };
  }
  const changed = sha256 !== p.sha256;
  return {
    path: p.path,
    table: p.table,
    status: changed ? 'changed' : sameStat ? 'unchanged' : 'touched',
    needsReimport: changed,
    sizeBytes: stat.size,
    mtimeMs: stat.mtimeMs,
    sha256,
    message: changed
      ? `${name} changed on disk since it was imported (${formatBytes(p.sizeBytes)} then, ${formatBytes(stat.size)} now); import it again to see the new data${p.kind === 'view' ? ' (queries already read the new file and may fail if its columns changed)' : ''}.`
      : sameStat
        ? `${name} is unchanged.`
        : `${name} was touched (its modification time changed) but its content is the same.`,
  };
}
