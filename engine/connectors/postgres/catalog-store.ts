/**
 * The guardrail's catalog kept between processes, in the source's own folder
 * inside the profile. A CLI command is one short process: reading the catalog
 * again on every `polystore check` or `ask` cost about 150-300 ms of its wall
 * time (3,000+ functions, 700 KB of rows to decode), for a catalog that
 * rarely changes.
 *
 * A stored catalog is only ever used as the exact catalog the server has now:
 * before each use the server is asked for a fingerprint (version, database,
 * login, search_path, and a count and a hash of every row version of every
 * catalog table the snapshot is read from), and anything that differs (a new
 * server version, CREATE/ALTER/DROP of a function, type, cast, table, view or
 * extension, another database or login) means a full read, as without the
 * store. It is also never older than the in-process cache's TTL, it is keyed
 * by source and connection (a file copied to another source's folder is not
 * used), and a file that does not parse, field by field, is ignored. So the allow-list decides
 * exactly as it would on a fresh read: nothing is allowed because it was
 * cached.
 *
 * Why a file and not the profile's SQLite: the catalog is read and used in the
 * pool's worker, which has the source's folder but not the database handle.
 * The file holds names the metadata cache in SQLite holds too (no passwords,
 * no rows) and is written 0600 inside the profile's 0700 folder, where the
 * source settings that widen the allow-list (trusted function schemas) live
 * already: whoever can write it can already change those.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { PgCatalogSnapshot, PgFunction, PgOperator, PgRelation, PgType } from './catalog';

export const CATALOG_STORE_FILE = 'pg-catalog.json';
/** Bump when the snapshot's shape or the fingerprint query changes: older files are then ignored. */
const STORE_FORMAT = 1;

/**
 * Every catalog table the snapshot reads (catalog.ts) or filters by. A row version is identified by
 * (ctid, xmin): any INSERT, UPDATE or DELETE changes the set, and so its count or hash sum.
 */
const STAMPED_TABLES = [
  'pg_proc',
  'pg_operator',
  'pg_class',
  'pg_type',
  'pg_cast',
  'pg_depend',
  'pg_extension',
  'pg_namespace',
  'pg_rewrite',
  'pg_range',
  'pg_constraint',
] as const;

const stamp = (table: string) =>
  `(SELECT pg_catalog.count(*)::text || ':' || COALESCE(pg_catalog.sum(pg_catalog.hashtext(ctid::text || ' ' || xmin::text)), 0)::text FROM pg_catalog.${table})`;

/**
 * About 15 ms on the server for a database like Chinook (the full read takes 150 ms and more). Read it in
 * the same transaction as, and BEFORE, the catalog: a change landing between the two then makes the stored
 * fingerprint older than the stored catalog, which only causes a needless re-read next time, never a
 * stale catalog passed off as current.
 */
export const CATALOG_FINGERPRINT_SQL = `
SELECT pg_catalog.current_setting('server_version_num') AS version, pg_catalog.current_database() AS database,
       CURRENT_USER AS login, pg_catalog.current_schemas(false)::text[] AS path,
       ARRAY[${STAMPED_TABLES.map(stamp).join(',\n             ')}]::text[] AS stamps`;

export interface CatalogFingerprintRow {
  version: string;
  database: string;
  login: string;
  path: string[];
  stamps: string[];
}

export function catalogFingerprint(row: CatalogFingerprintRow): string {
  return JSON.stringify([row.version, row.database, row.login, row.path, row.stamps]);
}

/** Which source and connection a stored catalog was read through. */
export interface CatalogStoreKey {
  sourceId: string;
  host: string;
  port: number;
  database: string;
  user: string;
}

/**
 * A snapshot is stored one array per field (columns), and checked field by field on the way back:
 * as JSON it is a third of the row objects' size, and the check costs about a millisecond where a
 * zod schema over 4,000 row objects cost over 100 ms in a cold process (most of what the store saves).
 */
type Check<T> = (value: unknown) => value is T;
type ColumnChecks<T> = { [K in keyof T]-?: Check<Exclude<T[K], undefined>> };

const isInt = (v: unknown): v is number => Number.isInteger(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const nullable =
  <T>(check: Check<T>): Check<T | null> =>
  (v): v is T | null =>
    v === null || check(v);
const listOf =
  <T>(check: Check<T>): Check<T[]> =>
  (v): v is T[] =>
    Array.isArray(v) && v.every(check);
const oneOf =
  <T extends string>(...allowed: T[]): Check<T> =>
  (v): v is T =>
    allowed.includes(v as T);
const oids = listOf(isInt);

const FUNCTION_COLUMNS: ColumnChecks<PgFunction> = {
  oid: isInt,
  schema: isString,
  name: isString,
  nargs: isInt,
  ndefaults: isInt,
  variadic: isBool,
  volatility: oneOf('i', 's', 'v'),
  kind: oneOf('f', 'p', 'a', 'w'),
  retset: isBool,
  extension: nullable(isString),
  rowArg: isBool,
  argTypes: oids,
};
const OPERATOR_COLUMNS: ColumnChecks<PgOperator> = { schema: isString, name: isString, prefix: isBool, fn: isInt };
/** `functions` is optional on a relation: stored as null when absent. */
const RELATION_COLUMNS: ColumnChecks<PgRelation> = { schema: isString, name: isString, kind: isString, extension: nullable(isString), functions: oids };
const TYPE_COLUMNS: ColumnChecks<PgType> = { oid: isInt, schema: isString, name: isString, kind: isString, inner: oids, functions: oids };

function toColumns<T extends object>(rows: readonly T[], checks: ColumnChecks<T>): Record<string, unknown[]> {
  return Object.fromEntries(Object.keys(checks).map((key) => [key, rows.map((row) => row[key as keyof T] ?? null)]));
}

/** The rows back, or null when any column is missing, of another length, or holds a value of the wrong type. */
function fromColumns<T extends object>(stored: unknown, checks: ColumnChecks<T>, optional: ReadonlyArray<keyof T> = []): T[] | null {
  if (typeof stored !== 'object' || stored === null) return null;
  const columns = stored as Record<string, unknown>;
  const keys = Object.keys(checks) as Array<keyof T & string>;
  const length = Array.isArray(columns[keys[0]!]) ? (columns[keys[0]!] as unknown[]).length : -1;
  for (const key of keys) {
    const column = columns[key];
    const check = checks[key] as Check<unknown>;
    const isOptional = optional.includes(key);
    if (!Array.isArray(column) || column.length !== length || !column.every((v) => (isOptional && v === null) || check(v))) return null;
  }
  const rows: T[] = [];
  for (let i = 0; i < length; i++) {
    const row: Record<string, unknown> = {};
    for (const key of keys) {
      const value = (columns[key] as unknown[])[i];
      if (!(value === null && optional.includes(key))) row[key] = value;
    }
    rows.push(row as T);
  }
  return rows;
}

function encodeSnapshot(snapshot: PgCatalogSnapshot) {
  return {
    database: snapshot.database,
    searchPath: snapshot.searchPath,
    functions: toColumns(snapshot.functions, FUNCTION_COLUMNS),
    operators: toColumns(snapshot.operators, OPERATOR_COLUMNS),
    relations: toColumns(snapshot.relations, RELATION_COLUMNS),
    types: toColumns(snapshot.types, TYPE_COLUMNS),
  };
}

function decodeSnapshot(stored: Record<string, unknown>): PgCatalogSnapshot | null {
  const { database, searchPath } = stored;
  if (!isString(database) || !listOf(isString)(searchPath)) return null;
  const functions = fromColumns(stored.functions, FUNCTION_COLUMNS);
  const operators = fromColumns(stored.operators, OPERATOR_COLUMNS);
  const relations = fromColumns(stored.relations, RELATION_COLUMNS, ['functions']);
  const types = fromColumns(stored.types, TYPE_COLUMNS);
  if (!functions || !operators || !relations || !types) return null;
  return { database, searchPath, functions, operators, relations, types };
}

/** The file's envelope: which format, source and connection, fingerprint and time; the snapshot is checked by decodeSnapshot. */
const StoredCatalog = z.object({
  format: z.literal(STORE_FORMAT),
  key: z.object({ sourceId: z.string(), host: z.string(), port: z.number(), database: z.string(), user: z.string() }),
  fingerprint: z.string(),
  /** Date.now() when it was read from the server. */
  readAt: z.number(),
  snapshot: z.record(z.string(), z.unknown()),
});

export interface CatalogStoreOptions {
  /** A stored catalog older than this is read again even if the fingerprint matches (the in-process TTL). */
  maxAgeMs: number;
  now?: () => number;
}

/** One source's stored catalog: `load` answers only for the same source, connection and fingerprint. */
export class CatalogStore {
  readonly #file: string;
  readonly #key: CatalogStoreKey;
  readonly #options: CatalogStoreOptions;

  constructor(dir: string, key: CatalogStoreKey, options: CatalogStoreOptions) {
    this.#file = path.join(dir, CATALOG_STORE_FILE);
    this.#key = key;
    this.#options = options;
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  /** The stored snapshot if it was read through this source and connection, with this fingerprint, recently enough; else null. */
  load(fingerprint: string): PgCatalogSnapshot | null {
    let text: string;
    try {
      text = fs.readFileSync(this.#file, 'utf8');
    } catch {
      return null;
    }
    let parsed;
    try {
      parsed = StoredCatalog.safeParse(JSON.parse(text));
    } catch {
      return null;
    }
    if (!parsed.success) return null;
    const stored = parsed.data;
    const age = this.#now() - stored.readAt;
    // A clock set back makes the age negative: that proves nothing about how old the catalog is.
    if (age < 0 || age >= this.#options.maxAgeMs) return null;
    if (stored.fingerprint !== fingerprint || !sameKey(stored.key, this.#key)) return null;
    return decodeSnapshot(stored.snapshot);
  }

  /** Keeps a snapshot just read from the server. Best effort: a folder that cannot be written only costs the next process a read. */
  save(fingerprint: string, snapshot: PgCatalogSnapshot): void {
    const text = JSON.stringify({ format: STORE_FORMAT, key: this.#key, fingerprint, readAt: this.#now(), snapshot: encodeSnapshot(snapshot) });
    // Written aside and renamed over, so a reader (another CLI process) never sees half a file.
    const temp = `${this.#file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      fs.writeFileSync(temp, text, { mode: 0o600 });
      fs.renameSync(temp, this.#file);
    } catch {
      fs.rmSync(temp, { force: true });
    }
  }
}

function sameKey(a: CatalogStoreKey, b: CatalogStoreKey): boolean {
  return a.sourceId === b.sourceId && a.host === b.host && a.port === b.port && a.database === b.database && a.user === b.user;
}
