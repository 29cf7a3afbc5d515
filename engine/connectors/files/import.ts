import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ApiError, FileConnection } from '../../contract/index';
import { CancelledError, EngineError, ValidationError, toApiError } from '../../errors';
import type { ConnectionSpec } from '../types';
import { resultColumn } from './cells';
import { classify, gzipError, readHead, type Compression, type Detection } from './detect';
import { duckdbMessage, interruptible, openLockedDatabase, WORK_THREADS } from './duckdb';
import { decideEncoding, scanFile, sha256File, transcodeToUtf8 } from './encoding';
import { assignTableNames, quoteIdent, quoteLiteral } from './names';
import type { CsvDialect, FileCheck, FileImportResult, FileProvenance, ImportReport, JsonDialect } from './provenance';
import { newSnapshotName, removeOldSnapshots, writeManifest, type Manifest } from './snapshot';

export const DEFAULT_FILE_SIZE_LIMIT_BYTES = 5 * 1024 ** 3;

export interface ImportOptions {
  /** Largest file accepted, checked with stat before anything is read. */
  sizeLimitBytes?: number;
  signal: AbortSignal;
}

/** A file that passed the checks that need no DuckDB: what it is, its hash, and what DuckDB should read. */
interface StagedFile {
  index: number;
  path: string;
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

type Staged = { ok: true; file: StagedFile } | { ok: false; path: string; error: ApiError };

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

function statFile(filePath: string, sizeLimitBytes: number): fs.Stats {
  const name = fileName(filePath);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(filePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ValidationError(`${name} was not found at ${filePath}; it may have been moved or deleted.`, { field: 'paths', kind: 'NOT_FOUND' });
    if (code === 'EACCES' || code === 'EPERM') throw new ValidationError(`${name} cannot be read: permission denied.`, { field: 'paths', kind: 'UNREADABLE' });
    throw new ValidationError(`${name} cannot be read (${code ?? 'unknown error'}).`, { field: 'paths', kind: 'UNREADABLE' });
  }
  if (stat.isDirectory()) throw new ValidationError(`${filePath} is a folder; choose the files inside it.`, { field: 'paths', kind: 'NOT_A_FILE' });
  if (!stat.isFile()) throw new ValidationError(`${name} is not a regular file.`, { field: 'paths', kind: 'NOT_A_FILE' });
  if (stat.size > sizeLimitBytes) {
    throw new ValidationError(
      `${name} is ${formatBytes(stat.size)}, over the ${formatBytes(sizeLimitBytes)} limit for one file. Split it into smaller files or raise the limit in Settings.`,
      { field: 'paths', kind: 'TOO_LARGE', sizeBytes: stat.size, limitBytes: sizeLimitBytes },
    );
  }
  try {
    fs.accessSync(filePath, fs.constants.R_OK);
  } catch {
    throw new ValidationError(`${name} cannot be read: permission denied.`, { field: 'paths', kind: 'UNREADABLE' });
  }
  return stat;
}

async function stage(filePath: string, index: number, sizeLimitBytes: number, stagingDir: string, linkBase: string, signal: AbortSignal): Promise<StagedFile> {
  const stat = statFile(filePath, sizeLimitBytes);
  const detection = classify(await readHead(filePath), filePath);
  const textual = detection.format !== 'parquet';
  const scan = await scanFile(filePath, { compression: detection.compression, checkUtf8: textual && !detection.bom?.startsWith('utf-16'), signal }).catch(
    (error: unknown) => {
      throw gzipError(error, filePath) ?? error;
    },
  );
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
      const replaced = await transcodeToUtf8(filePath, readPath, { from: decision.transcodeFrom, compression, signal });
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

/**
 * Imports the source's files into a new snapshot database in its workDir and
 * makes it the one queries read. Each file becomes a table named after it
 * (CSV and JSON are copied in; Parquet is a view over the file where it lies,
 * so gigabytes are not duplicated and DuckDB keeps its column pruning). A file
 * that cannot be imported is reported with an actionable message and does not
 * stop the others. Cancelling leaves the previous snapshot in place.
 */
export async function importFiles(spec: ConnectionSpec, options: ImportOptions): Promise<ImportReport> {
  const { signal } = options;
  const sizeLimitBytes = options.sizeLimitBytes ?? DEFAULT_FILE_SIZE_LIMIT_BYTES;
  const paths = (spec.connection as FileConnection).paths.map((p) => path.resolve(p));
  throwIfAborted(signal);
  fs.mkdirSync(spec.workDir, { recursive: true });
  const database = newSnapshotName();
  const databasePath = path.join(spec.workDir, database);
  const stagingDir = fs.mkdtempSync(path.join(spec.workDir, '.import-'));
  const linkBase = databasePath.replace(/\.duckdb$/, '');
  const importedAt = new Date().toISOString();
  let committed = false;
  try {
    const staged: Staged[] = [];
    const seen = new Set<string>();
    for (const [index, filePath] of paths.entries()) {
      throwIfAborted(signal);
      if (seen.has(filePath)) {
        staged.push({ ok: false, path: filePath, error: { code: 'VALIDATION', message: `${fileName(filePath)} is listed twice; it is imported once.` } });
        continue;
      }
      seen.add(filePath);
      try {
        staged.push({ ok: true, file: await stage(filePath, index, sizeLimitBytes, stagingDir, linkBase, signal) });
      } catch (error) {
        const engineError = asEngineError(error, signal);
        if (engineError instanceof CancelledError) throw engineError;
        staged.push({ ok: false, path: filePath, error: errorOf(filePath, engineError) });
      }
    }
    throwIfAborted(signal);
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
      { signal, timeoutMs: null, what: 'The import' },
      async (stopped) => {
        const keywords = await connection.runAndReadAll(`SELECT keyword_name FROM duckdb_keywords() WHERE keyword_category = 'reserved'`);
        const reserved = new Set((keywords.getColumnsJS()[0] ?? []).map(String));
        const tables = assignTableNames(readable.map((f) => f.path), reserved);
        const tableOf = new Map(readable.map((f, i) => [f.index, tables[i]!]));
        for (const entry of staged) {
          if (stopped()) return;
          if (!entry.ok) {
            results.push({ ok: false, path: entry.path, error: entry.error });
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
            results.push({ ok: false, path: entry.file.path, error: errorOf(entry.file.path, error) });
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
    writeManifest(spec.workDir, { version: 1, database, createdAt: importedAt, objects });
    committed = true;
    removeOldSnapshots(spec.workDir, database);
    return { sourceId: spec.sourceId, database, importedAt, files: results };
  } catch (error) {
    throw asEngineError(error, signal);
  } finally {
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
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p.path);
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      checks.push({
        path: p.path,
        table: p.table,
        status: missing ? 'missing' : 'unreadable',
        needsReimport: true,
        sizeBytes: null,
        mtimeMs: null,
        sha256: null,
        message: missing ? `${name} is no longer at ${p.path}; ${p.table} shows the data as it was imported.` : `${name} cannot be read any more.`,
      });
      continue;
    }
    const sameStat = stat.size === p.sizeBytes && stat.mtimeMs === p.mtimeMs;
    if (sameStat && !options.verifyHash) {
      checks.push({ path: p.path, table: p.table, status: 'unchanged', needsReimport: false, sizeBytes: stat.size, mtimeMs: stat.mtimeMs, sha256: p.sha256, message: `${name} is unchanged.` });
      continue;
    }
    let sha256: string;
    try {
      sha256 = await sha256File(p.path, options.signal);
    } catch (error) {
      const engineError = asEngineError(error, options.signal);
      if (engineError instanceof CancelledError) throw engineError;
      checks.push({ path: p.path, table: p.table, status: 'unreadable', needsReimport: true, sizeBytes: stat.size, mtimeMs: stat.mtimeMs, sha256: null, message: `${name} cannot be read any more.` });
      continue;
    }
    const changed = sha256 !== p.sha256;
    checks.push({
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
    });
  }
  return checks;
}
