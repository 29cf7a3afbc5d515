import type { ConnectorDescriptor } from '../types';
import { filesHostHooks } from './host';

export const filesDescriptor: ConnectorDescriptor = {
  type: 'file',
  label: 'Files (CSV, JSON, Parquet)',
  dialect: 'duckdb',
  defaultPort: null,
  blurb: 'CSV, TSV, JSON, NDJSON and Parquet through DuckDB',
  urlExample: null,
  capabilities: { sql: true, aggregationPipeline: false, explain: true, cancel: true, schemaBrowse: true, filePreview: true, writeCheck: false, tls: false },
  parseUrl: null,
  hostHooks: filesHostHooks,
  // DuckDB is native code: a query it cannot interrupt, or an allocation its memory limit does not cover, ends its process, not the app.
  isolation: 'process',
};
