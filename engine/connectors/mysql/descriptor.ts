import type { ConnectorDescriptor } from '../types';
import { parseMysqlUrl } from './url';

export const mysqlDescriptor: ConnectorDescriptor = {
  type: 'mysql',
  label: 'MySQL / MariaDB',
  dialect: 'mysql',
  defaultPort: 3306,
  blurb: 'Read-only transactions with an execution limit',
  urlExample: 'mysql://user@host:3306/db',
  capabilities: { sql: true, aggregationPipeline: false, explain: true, cancel: true, schemaBrowse: true, filePreview: false, writeCheck: true, tls: true },
  hostHooks: null,
  parseUrl: parseMysqlUrl,
};
