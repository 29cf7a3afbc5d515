import { MongoConnection, SourceSettings, SqlConnection, type Capabilities, type CapabilityNote, type Dialect, type SourceType, type SourceTypeInfo, type TlsMode } from '../contract/index';
import type { ChartHints } from '../charts/profile';
import { UnsupportedError } from '../errors';
import { filesDescriptor } from './files/descriptor';
import { mongodbDescriptor } from './mongodb/descriptor';
import { mysqlDescriptor } from './mysql/descriptor';
import { postgresDescriptor } from './postgres/descriptor';
import type { ConnectorDescriptor } from './types';

/** Host-side facts per store (no drivers loaded). */
export const descriptors: Record<SourceType, ConnectorDescriptor> = {
  postgres: postgresDescriptor,
  mysql: mysqlDescriptor,
  mongodb: mongodbDescriptor,
  file: filesDescriptor,
};

/** What a query in `dialect` says about its output columns for the chart; nothing for stores whose columns say it all. */
export function queryChartHints(dialect: Dialect, query: string): ChartHints {
  return Object.values(descriptors).find((d) => d.dialect === dialect)?.chartHints?.(query) ?? {};
}

/** How each query language is named on a query card. */
const DIALECT_LABELS: Record<Dialect, string> = { postgres: 'PostgreSQL', mysql: 'MySQL', duckdb: 'DuckDB', mongodb: 'MongoDB' };

/** What each capability lets a user do, and how its absence is explained (in the app and in the UNSUPPORTED error). */
const CAPABILITY_WORDS: Record<keyof Capabilities, { label: string; missing: (store: string) => string }> = {
  sql: { label: 'Questions answered in SQL', missing: (s) => `${s} is not queried with SQL.` },
  aggregationPipeline: { label: 'Questions answered with find and aggregate', missing: (s) => `${s} has no aggregation pipeline.` },
  explain: { label: 'Cost estimate before you approve (EXPLAIN)', missing: (s) => `${s} cannot estimate a query before it runs: you approve without an estimate.` },
  cancel: { label: 'Stop a running query', missing: (s) => `${s} cannot stop a query once it runs: it ends at the source's timeout.` },
  schemaBrowse: { label: 'Browse the schema', missing: (s) => `${s} does not list its schema.` },
  filePreview: { label: 'List the imported files', missing: (s) => `${s} has no files to list.` },
  writeCheck: { label: 'Check whether the login can write', missing: (s) => `${s} has no login to check.` },
  tls: { label: 'Encrypted connection (TLS)', missing: (s) => `${s} is read from this computer: there is no connection to encrypt.` },
};

const CONNECTION_SCHEMAS: Partial<Record<SourceType, typeof SqlConnection | typeof MongoConnection>> = { postgres: SqlConnection, mysql: SqlConnection, mongodb: MongoConnection };

function defaultTls(type: SourceType): TlsMode | null {
  if (!descriptors[type].capabilities.tls) return null;
  return CONNECTION_SCHEMAS[type]?.shape.tls.parse(undefined).mode ?? null;
}

export function capabilityNotes(type: SourceType): CapabilityNote[] {
  const d = descriptors[type];
  return (Object.keys(CAPABILITY_WORDS) as Array<keyof Capabilities>).map((capability) => ({
    capability,
    label: CAPABILITY_WORDS[capability].label,
    supported: d.capabilities[capability],
    hint: d.capabilities[capability] ? null : CAPABILITY_WORDS[capability].missing(d.label),
  }));
}

/** Every fact the app shows about a kind of source, from here and the contract's defaults: `sources.types`. */
export function sourceTypes(): SourceTypeInfo[] {
  const settings = SourceSettings.parse({});
  return Object.values(descriptors).map((d) => ({
    type: d.type,
    label: d.label,
    defaultPort: d.defaultPort,
    capabilities: d.capabilities,
    blurb: d.blurb,
    urlExample: d.urlExample,
    dialect: d.dialect,
    dialectLabel: DIALECT_LABELS[d.dialect],
    defaultTls: defaultTls(d.type),
    defaults: { rowLimit: settings.rowLimit, statementTimeoutMs: settings.statementTimeoutMs, maxResultBytes: settings.maxResultBytes },
    notes: capabilityNotes(d.type),
  }));
}

/** The engine's refusal of an action the store cannot do: UNSUPPORTED, naming the capability, in the words the app shows next to the disabled control. */
export function assertCapability(type: SourceType, capability: keyof Capabilities): void {
  const d = descriptors[type];
  if (!d.capabilities[capability]) throw new UnsupportedError(CAPABILITY_WORDS[capability].missing(d.label), { capability, sourceType: type });
}
