import type { ConnectorDescriptor } from '../types';
import { mongoChartHints } from './chart-hints';
import { parseMongoUrl } from './url';

export const mongodbDescriptor: ConnectorDescriptor = {
  type: 'mongodb',
  label: 'MongoDB',
  dialect: 'mongodb',
  defaultPort: 27017,
  blurb: 'find, aggregate, count and distinct only',
  urlExample: 'mongodb://user@host:27017/db',
  capabilities: { sql: false, aggregationPipeline: true, explain: true, cancel: true, schemaBrowse: true, filePreview: false, writeCheck: true, tls: true },
  hostHooks: null,
  parseUrl: parseMongoUrl,
  chartHints: mongoChartHints,
};
