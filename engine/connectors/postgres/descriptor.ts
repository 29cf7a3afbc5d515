import type { ConnectorDescriptor } from '../types';
import { parsePostgresUrl } from './url';

export const postgresDescriptor: ConnectorDescriptor = {
  type: 'postgres',
  label: 'PostgreSQL',
  dialect: 'postgres',
  defaultPort: 5432,
  blurb: 'Read-only transactions with a statement timeout',
  urlExample: 'postgres://user@host:5432/db?sslmode=require',
  capabilities: { sql: true, aggregationPipeline: false, explain: true, cancel: true, schemaBrowse: true, filePreview: false, writeCheck: true, tls: true },
  hostHooks: null,
  parseUrl: parsePostgresUrl,
};
