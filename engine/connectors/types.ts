import type { ChartHints } from '../charts/profile';
import type { SourceHostHooks } from './host-context';
import type {
  Capabilities,
  Dialect,
  ExplainEstimate,
  FileConnection,
  LoginRisk,
  MetadataDocument,
  MongoConnection,
  QueryResult,
  SourceSettings,
  SourceType,
  SqlConnection,
  Verdict,
} from '../contract/index';

export type ConnectionOf<T extends SourceType> = T extends 'postgres' | 'mysql'
  ? SqlConnection
  : T extends 'mongodb'
    ? MongoConnection
    : FileConnection;

/**
 * Everything a worker needs to reach a store. The host builds it from the
 * source record plus the keychain and hands it to a job in memory only: it is
 * never logged, stored or put inside an error.
 */
export interface ConnectionSpec<T extends SourceType = SourceType> {
  sourceId: string;
  type: T;
  connection: ConnectionOf<T>;
  /** From the OS keychain; null when the source has none. */
  password: string | null;
  settings: SourceSettings;
  /** A folder owned by this source inside the profile (files: the DuckDB database lives here). */
  workDir: string;
}

export interface ExecuteOptions {
  /** Statement timeout enforced by the store itself. */
  timeoutMs: number;
  /** Rows to return; the result is `truncated` when the store had more. */
  maxRows: number;
  /**
   * About how many bytes of cells to return (ByteBudget in shared/byte-budget.ts): the result stops,
   * `truncatedBy: 'bytes'`, once they are exceeded, and the store stops sending as soon as it can.
   * Defaults to the source settings' default (DEFAULT_MAX_RESULT_BYTES).
   */
  maxBytes?: number;
  /** Aborting cancels the statement on the server (within about a second). */
  signal: AbortSignal;
}

/** Actionable classes of connection failure; messages never echo a password. */
export type ConnectionErrorKind =
  | 'HOST_UNREACHABLE'
  | 'PORT_CLOSED'
  | 'AUTH_FAILED'
  | 'DATABASE_NOT_FOUND'
  | 'TLS_REQUIRED'
  | 'TLS_INVALID'
  | 'TIMEOUT'
  | 'FILE_UNREADABLE'
  | 'UNKNOWN';

export interface ConnectionTestResult {
  ok: boolean;
  latencyMs: number;
  serverVersion: string | null;
  /** Whether this login could write (null when it could not be determined). */
  canWrite: boolean | null;
  /** Why we think it can write, e.g. "superuser", "INSERT on public.album". */
  writeDetails: string[];
  /** Privileges beyond reading the source (superuser, server files, other sessions …), for layer 3. */
  risks: LoginRisk[];
  error?: { kind: ConnectionErrorKind; message: string };
}

/**
 * One store behind one interface. Instances live in worker threads and own
 * their connection pools. Cancellation is expressed by the AbortSignal every
 * call takes: aborting it cancels the work on the server.
 */
export interface Connector {
  readonly type: SourceType;
  testConnection(spec: ConnectionSpec, signal: AbortSignal): Promise<ConnectionTestResult>;
  fetchMetadata(spec: ConnectionSpec, signal: AbortSignal): Promise<MetadataDocument>;
  /**
   * Layer 1: validation with the store's own parser against allow-lists. May read the store's catalog
   * (functions, relations; cached per source) but never runs the query or anything it contains.
   */
  validate(query: string, spec: ConnectionSpec, signal: AbortSignal): Promise<Verdict>;
  /** Layer 2: runs a query inside the store's read-only mode. Callers validate first. */
  execute(spec: ConnectionSpec, query: string, options: ExecuteOptions): Promise<QueryResult>;
  /** Estimated rows/cost without running the query; UnsupportedError where the store has none. */
  explain(spec: ConnectionSpec, query: string, signal: AbortSignal): Promise<ExplainEstimate>;
  /** Closes every pool this connector holds. */
  close(): Promise<void>;
}

/** What the host knows about a store without loading its driver. */
export interface ConnectorDescriptor {
  type: SourceType;
  label: string;
  dialect: Dialect;
  defaultPort: number | null;
  /** What the app enforces on this store, in one line for the add dialog. */
  blurb: string;
  /** A connection URL to show as the example (never a real password), or null when the store takes none. */
  urlExample: string | null;
  capabilities: Capabilities;
  /** Turns a connection URL into connection details plus the password it held (to go to the keychain). */
  parseUrl: ((url: string) => { connection: unknown; password: string | null }) | null;
  /** Host-side steps the store needs (files: import), or null. */
  hostHooks: SourceHostHooks | null;
  /**
   * 'process': the store's jobs run in a child process instead of a worker thread, because its driver is
   * native code whose abort (or an allocation no limit catches) must end only that process, never the app.
   */
  isolation?: 'process';
  /** What a query's text says about its output columns for the chart (a MongoDB `$group`'s `_id` is its key), when the store's queries say more than their columns. */
  chartHints?: (query: string) => ChartHints;
}
