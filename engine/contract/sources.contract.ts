import { z } from 'zod';
import { channel, Id, NoInput } from './channel';
import { event } from './event';

export const SourceType = z.enum(['postgres', 'mysql', 'mongodb', 'file']);
export type SourceType = z.infer<typeof SourceType>;

/** BROKEN: the source's saved record is damaged (lastError says how); it is shown, and refused, until edited or removed. */
export const SourceStatus = z.enum(['UNTESTED', 'CONNECTED', 'FAILED', 'DISABLED', 'BROKEN']);
export type SourceStatus = z.infer<typeof SourceStatus>;

export const TlsMode = z.enum(['off', 'prefer', 'require', 'verify']);
export type TlsMode = z.infer<typeof TlsMode>;

const Hostname = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(253)
  .regex(/^[A-Za-z0-9._:%[\]-]+$/, 'must be a host name or IP address');
const Port = z.number().int('must be a whole number').min(1, 'must be between 1 and 65535').max(65535, 'must be between 1 and 65535');
const DatabaseName = z.string().trim().min(1, 'is required').max(128).regex(/^[^\0/\\]+$/, 'must not contain slashes or NUL');
const User = z.string().trim().min(1, 'is required').max(128);

export const TlsSettings = z
  .strictObject({
    mode: TlsMode.default('prefer'),
    /** PEM file with the CA that signed the server certificate (mode `verify`). */
    caFile: z.string().min(1).max(4096).optional(),
  })
  .refine((t) => t.mode !== 'verify' || Boolean(t.caFile), { message: 'verify mode needs a CA file', path: ['caFile'] });
export type TlsSettings = z.infer<typeof TlsSettings>;

const ConnectTimeout = z.number().int().min(500).max(120_000).default(10_000);

export const SqlConnection = z.strictObject({
  host: Hostname,
  port: Port,
  database: DatabaseName,
  user: User,
  tls: TlsSettings.default({ mode: 'prefer' }),
  connectTimeoutMs: ConnectTimeout,
});
export type SqlConnection = z.infer<typeof SqlConnection>;

export const MongoConnection = z.strictObject({
  hosts: z.array(z.strictObject({ host: Hostname, port: Port.default(27017) })).min(1, 'needs at least one host').max(16),
  /** mongodb+srv:// (DNS seed list); then exactly one host and no port. */
  srv: z.boolean().default(false),
  database: DatabaseName,
  user: User.optional(),
  authSource: z.string().trim().min(1).max(128).optional(),
  replicaSet: z.string().trim().min(1).max(128).optional(),
  tls: TlsSettings.default({ mode: 'off' }),
  connectTimeoutMs: ConnectTimeout,
});
export type MongoConnection = z.infer<typeof MongoConnection>;

export const FileConnection = z.strictObject({
  paths: z.array(z.string().min(1).max(4096)).min(1, 'needs at least one file').max(500),
});
export type FileConnection = z.infer<typeof FileConnection>;

export const SourceSettings = z.strictObject({
  statementTimeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
  rowLimit: z.number().int().min(1).max(1_000_000).default(10_000),
  /** May sampled column values go to a hosted model? Off by default; local models always may. */
  allowSampleValues: z.boolean().default(false),
  /** MongoDB: documents sampled per collection to infer fields. */
  sampleSize: z.number().int().min(10).max(100_000).default(1_000),
  /** A result stops here (with a truncation notice) whatever the row limit: about the bytes of its cells. */
  maxResultBytes: z.number().int().min(1024 * 1024).max(1024 * 1024 * 1024).default(64 * 1024 * 1024),
  /**
   * User-defined functions may be called only from these schemas (PostgreSQL) or databases (MySQL);
   * built-in functions are checked against the store's own allow-list. Empty by default: shown as a risk.
   */
  trustedFunctionSchemas: z.array(z.string().trim().min(1).max(128)).max(64).default([]),
  /** MySQL / MariaDB: other databases on the same server that queries may read, besides the connection's. */
  readableDatabases: z.array(z.string().trim().min(1).max(128)).max(64).default([]),
  /** Files: memory one DuckDB query may use, in MB; a query that needs more fails with a typed error. */
  memoryLimitMb: z.number().int().min(64).max(65_536).default(2_048),
});
export type SourceSettings = z.infer<typeof SourceSettings>;

/**
 * What a login can do beyond reading the source, found by the connection test (layer 3). Any of these
 * means a mistake in layers 1 and 2 could do harm, so the source carries a red warning until the owner
 * confirms it (audited).
 */
export const LoginRiskCode = z.enum([
  'SUPERUSER',
  'CAN_WRITE',
  'READ_SERVER_FILES',
  'WRITE_SERVER_FILES',
  'EXECUTE_SERVER_PROGRAM',
  'SIGNAL_SESSIONS',
  'REPLICATION',
  'SEE_ALL_SESSIONS',
  'SERVER_ADMIN',
  'REMOTE_ACCESS_EXTENSION',
  'UNTRUSTED_FUNCTIONS',
  /** The login can read databases other than the source's (a query that escaped layers 1 and 2 could read them). */
  'READ_OTHER_DATABASES',
]);
export type LoginRiskCode = z.infer<typeof LoginRiskCode>;

export const LoginRisk = z.object({ code: LoginRiskCode, message: z.string() });
export type LoginRisk = z.infer<typeof LoginRisk>;

export const Capabilities = z.object({
  sql: z.boolean(),
  aggregationPipeline: z.boolean(),
  explain: z.boolean(),
  cancel: z.boolean(),
  schemaBrowse: z.boolean(),
  filePreview: z.boolean(),
  writeCheck: z.boolean(),
  tls: z.boolean(),
});
export type Capabilities = z.infer<typeof Capabilities>;

const SourceName = z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters');
const Secret = z.string().min(1).max(4096);

/** Connection details by type. Passwords are never part of them: they go to the keychain. */
export const SourceConnection = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('postgres'), connection: SqlConnection }),
  z.strictObject({ type: z.literal('mysql'), connection: SqlConnection }),
  z.strictObject({ type: z.literal('mongodb'), connection: MongoConnection }),
  z.strictObject({ type: z.literal('file'), connection: FileConnection }),
]);
export type SourceConnection = z.infer<typeof SourceConnection>;

/**
 * The source's circuit breaker in this engine (issue 12, S6-004): `open` after repeated failures to
 * reach it, when calls fail fast until `retryAt`; `half-open` when the next call is let through as a
 * probe. `message` says why it is open, in the words a refused call gets.
 */
export const SourceCircuit = z.object({
  state: z.enum(['closed', 'open', 'half-open']),
  consecutiveFailures: z.number().int().nonnegative(),
  retryAt: z.string().nullable(),
  message: z.string().nullable(),
});
export type SourceCircuit = z.infer<typeof SourceCircuit>;

export const CLOSED_CIRCUIT: SourceCircuit = { state: 'closed', consecutiveFailures: 0, retryAt: null, message: null };

export const Source = z.object({
  id: z.string(),
  name: z.string(),
  type: SourceType,
  /** Null only for a BROKEN source whose saved connection could not be read. */
  connection: z.union([SqlConnection, MongoConnection, FileConnection]).nullable(),
  settings: SourceSettings,
  capabilities: Capabilities,
  status: SourceStatus,
  /** A password or key is stored in the OS keychain for this source. */
  hasSecret: z.boolean(),
  lastCheckedAt: z.string().nullable(),
  lastError: z.string().nullable(),
  /** From the last connection test: the login can write, so a read-only login is recommended. */
  canWrite: z.boolean().nullable(),
  /** From the last connection test: what the login can do beyond reading the source (layer 3). */
  risks: z.array(LoginRisk),
  /**
   * The owner confirmed exactly these risks (audited). Until then, approved queries do not run on this
   * source; a login that gains a new risk needs a new confirmation.
   */
  risksConfirmed: z.boolean(),
  risksConfirmedAt: z.string().nullable(),
  serverVersion: z.string().nullable(),
  circuit: SourceCircuit.default(CLOSED_CIRCUIT),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Source = z.infer<typeof Source>;

const CONNECTION_BY_TYPE: Record<SourceType, z.ZodType> = {
  postgres: SqlConnection,
  mysql: SqlConnection,
  mongodb: MongoConnection,
  file: FileConnection,
};

/** Adds the type's own connection-schema issues under `connection.…`, so errors name the field. */
function checkConnection(type: SourceType, connection: unknown, ctx: z.RefinementCtx): void {
  const parsed = CONNECTION_BY_TYPE[type].safeParse(connection);
  if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: ['connection', ...issue.path], message: issue.message });
}

/**
 * Create from fields (`connection`, checked against the type's schema) or from
 * a URL (`postgres://user:pass@host/db?sslmode=require`); a password in the URL
 * goes to the keychain. Files take `connection: { paths }`.
 */
export const CreateSourceInput = z
  .strictObject({
    name: SourceName,
    type: SourceType,
    connection: z.unknown().optional(),
    url: z.string().min(1).max(4096).optional(),
    password: Secret.optional(),
    settings: SourceSettings.partial().optional(),
  })
  .superRefine((input, ctx) => {
    if (input.type === 'file') {
      if (input.url !== undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: 'file sources take paths, not a URL' });
      if (input.password !== undefined) ctx.addIssue({ code: 'custom', path: ['password'], message: 'file sources have no password' });
    }
    if ((input.connection === undefined) === (input.url === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['connection'], message: 'give either connection details or a URL' });
      return;
    }
    if (input.connection !== undefined) checkConnection(input.type, input.connection, ctx);
  });
export type CreateSourceInput = z.infer<typeof CreateSourceInput>;

export const UpdateSourceInput = z.strictObject({
  id: Id,
  name: SourceName.optional(),
  /** Replaces the connection details (same type; checked against that type's schema by the engine). */
  connection: z.unknown().optional(),
  url: z.string().min(1).max(4096).optional(),
  /** A new password; `null` removes the stored one. */
  password: Secret.nullable().optional(),
  settings: SourceSettings.partial().optional(),
});
export type UpdateSourceInput = z.infer<typeof UpdateSourceInput>;

const ById = z.strictObject({ id: Id });

/** One thing a store can or cannot do, worded by the engine: the detail page lists them and disables what is not supported. */
export const CapabilityNote = z.object({
  capability: Capabilities.keyof(),
  label: z.string(),
  supported: z.boolean(),
  /** Why it is unavailable (the same words the engine's UNSUPPORTED error uses), or null when supported. */
  hint: z.string().nullable(),
});
export type CapabilityNote = z.infer<typeof CapabilityNote>;

export const SourceTypeInfo = z.object({
  type: SourceType,
  label: z.string(),
  defaultPort: z.number().nullable(),
  capabilities: Capabilities,
  /** What the app enforces on this store, in one line. */
  blurb: z.string(),
  /** An example connection URL, or null when the store takes none (files). */
  urlExample: z.string().nullable(),
  /** The query language its queries are written in, and its name as shown on a query. */
  dialect: z.enum(['postgres', 'mysql', 'duckdb', 'mongodb']),
  dialectLabel: z.string(),
  /** TLS mode a new source of this type starts with. */
  defaultTls: TlsMode.nullable(),
  /** The limits a new source starts with (each source may change them). */
  defaults: z.object({ rowLimit: z.number().int(), statementTimeoutMs: z.number().int(), maxResultBytes: z.number().int() }),
  notes: z.array(CapabilityNote),
});
export type SourceTypeInfo = z.infer<typeof SourceTypeInfo>;

export const sourcesChannels = {
  'sources.list': channel({ summary: 'All sources with status and capabilities (never secrets).', input: NoInput, output: z.array(Source) }),
  'sources.get': channel({ summary: 'One source by id.', input: ById, output: Source }),
  'sources.types': channel({
    summary: 'The kinds of source that can be added: labels, default ports, URL examples, default limits and what each can and cannot do (one place for these facts).',
    input: NoInput,
    output: z.array(SourceTypeInfo),
  }),
  'sources.create': channel({ summary: 'Adds a source; a password goes to the OS keychain.', input: CreateSourceInput, output: Source }),
  'sources.update': channel({ summary: 'Changes name, connection details, password or settings.', input: UpdateSourceInput, output: Source }),
  'sources.disable': channel({ summary: 'Disables a source: nothing runs against it until enabled.', input: ById, output: Source }),
  'sources.enable': channel({ summary: 'Enables a disabled source.', input: ById, output: Source }),
  'sources.confirmRisks': channel({
    summary: 'The owner confirms the login risks the last connection test found, so approved queries may run (audited).',
    input: ById,
    output: Source,
  }),
  'sources.addSample': channel({
    summary: 'Adds the built-in sample (Chinook music store, Parquet files shipped with the app) as a ready, read-only file source; returns the existing one if it is already there.',
    input: NoInput,
    output: Source,
  }),
  'sources.examples': channel({
    summary: 'Example questions known to be answered correctly offline on this source (the sample\'s tested ones); empty for other sources.',
    input: ById,
    output: z.array(z.string()),
  }),
  'sources.remove': channel({
    summary: 'Removes a source and its keychain entry.',
    input: ById,
    output: z.object({ id: z.string(), removed: z.literal(true) }),
  }),
};

/** Credit for the sample data, shown in the About box. */
export const SAMPLE_DATA_CREDIT = 'Sample data: the Chinook Database, © 2008-2024 Luis Rocha, MIT licence (github.com/lerocha/chinook-database).';

export const sourcesEvents = {
  'sources.changed': event(z.object({ sourceId: z.string(), change: z.enum(['created', 'updated', 'removed', 'status']) })),
};
