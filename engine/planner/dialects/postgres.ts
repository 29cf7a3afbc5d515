import type { TimeBucket } from '../types';
import { createSqlRenderer } from './sql-builder';
import type { SqlDialect } from './types';

export const postgresDialect: SqlDialect = {
  dialect: 'postgres',
  quote: (identifier) => `"${identifier.replace(/"/g, '""')}"`,
  // A PostgreSQL connection is to one database: schema-qualify only.
  table: (_database, schema, name) => (schema ? `${postgresDialect.quote(schema)}.${postgresDialect.quote(name)}` : postgresDialect.quote(name)),
  string: (value) => `'${value.replace(/'/g, "''")}'`,
  boolean: (value) => (value ? 'TRUE' : 'FALSE'),
  date: (isoDate) => `DATE '${isoDate}'`,
  bucket: (expr, bucket: TimeBucket) => (bucket === 'year' ? `CAST(EXTRACT(YEAR FROM ${expr}) AS integer)` : `CAST(date_trunc('${bucket}', ${expr}) AS date)`),
  monthOf: (expr) => `CAST(EXTRACT(MONTH FROM ${expr}) AS integer)`,
  likeInsensitive: (expr, pattern) => `${expr} ILIKE ${postgresDialect.string(pattern)} ESCAPE '!'`,
  equalsInsensitive: (expr, value) => `lower(${expr}) = lower(${postgresDialect.string(value)})`,
  // numeric / numeric: an integer column divided by an integer would truncate.
  divide: (expr, by) => `CAST(${expr} AS numeric) / ${by}`,
};

export const postgresRenderer = createSqlRenderer(postgresDialect);
