import { z } from 'zod';
import { ApiError } from '../../contract/errors';
import { ResultColumn } from '../../contract/index';

/**
 * What an import tells the host about each file. The host stores provenance in
 * SQLite and hands it back to `checkFiles`; the schemas let it validate what it
 * reads back instead of trusting a stored blob.
 */

export const FileFormat = z.enum(['csv', 'tsv', 'json', 'ndjson', 'parquet']);
export type FileFormat = z.infer<typeof FileFormat>;

export const CsvDialect = z.object({
  kind: z.literal('csv'),
  delimiter: z.string(),
  quote: z.string(),
  escape: z.string(),
  newline: z.string(),
  header: z.boolean(),
  comment: z.string(),
  skipRows: z.number().int().nonnegative(),
  dateFormat: z.string().nullable(),
  timestampFormat: z.string().nullable(),
  /** False when the file only read with DuckDB's lenient parser (strict_mode=false). */
  strict: z.boolean(),
});
export type CsvDialect = z.infer<typeof CsvDialect>;

export const JsonDialect = z.object({
  kind: z.literal('json'),
  /** How the values are laid out: one array, one value per line, or values one after another. */
  layout: z.enum(['array', 'newline_delimited', 'unstructured']),
});
export type JsonDialect = z.infer<typeof JsonDialect>;

export const FileProvenance = z.object({
  path: z.string(),
  table: z.string(),
  /** Parquet stays where it is and is read through a view; CSV and JSON are copied into a table. */
  kind: z.enum(['table', 'view']),
  sizeBytes: z.number().int().nonnegative(),
  mtimeMs: z.number(),
  modifiedAt: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  importedAt: z.string(),
  format: FileFormat,
  compression: z.enum(['none', 'gzip']),
  /** The text encoding as found (utf-8, utf-8-bom, utf-16le, windows-1252, shift_jis, …); null for Parquet. */
  encoding: z.string().nullable(),
  /** The file was re-encoded to UTF-8 before DuckDB read it. */
  transcoded: z.boolean(),
  dialect: z.union([CsvDialect, JsonDialect]).nullable(),
  rowCount: z.number().int().nonnegative(),
  columns: z.array(ResultColumn),
  /** Things the user may want to know (invalid bytes replaced, lenient parsing, renamed columns). */
  notes: z.array(z.string()),
});
export type FileProvenance = z.infer<typeof FileProvenance>;

export const FileImportResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), path: z.string(), provenance: FileProvenance }),
  z.object({
    ok: z.literal(false),
    path: z.string(),
    error: ApiError,
    /** The file as it was when it failed (open-file.ts: fileFingerprint): it is not tried again until this changes. */
    fingerprint: z.string().optional(),
  }),
]);
export type FileImportResult = z.infer<typeof FileImportResult>;

export const ImportReport = z.object({
  sourceId: z.string(),
  /** The snapshot database inside the source's workDir that queries now read. */
  database: z.string(),
  importedAt: z.string(),
  files: z.array(FileImportResult),
  /** No file could be imported, so the previous snapshot (`database`) was kept rather than replaced by an empty one. */
  keptPrevious: z.boolean().optional(),
});
export type ImportReport = z.infer<typeof ImportReport>;

export const FileCheckStatus = z.enum(['unchanged', 'touched', 'changed', 'missing', 'unreadable']);
export type FileCheckStatus = z.infer<typeof FileCheckStatus>;

export const FileCheck = z.object({
  path: z.string(),
  table: z.string(),
  /** `touched`: the modification time moved but the content hash did not. */
  status: FileCheckStatus,
  /** True when the table no longer matches the file and the source should be imported again. */
  needsReimport: z.boolean(),
  sizeBytes: z.number().int().nonnegative().nullable(),
  mtimeMs: z.number().nullable(),
  sha256: z.string().nullable(),
  message: z.string(),
});
export type FileCheck = z.infer<typeof FileCheck>;
