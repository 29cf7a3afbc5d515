import type { ConnectorDescriptor } from '../types';
import { parsePostgresUrl } from './url';

export const postgresDescriptor: ConnectorDescriptor = {
  type: 'postgres',
  label: 'PostgreSQL',
  dialect: 'postgres',
  defaultPort: 5432,
  capabilities: { sql: true, aggregationPipeline: false, explain: true, cancel: true, schemaBrowse: true, filePreview: false, writeCheck: true, tls: true },
  hostHooks: null,
  parseUrl: parsePostgresUrl,
};
