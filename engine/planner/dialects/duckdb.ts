import { createSqlRenderer } from './sql-builder';
import type { SqlDialect } from './types';

export const duckdbDialect: SqlDialect = {
  dialect: 'duckdb',
  quote: (identifier) => `"${identifier.replace(/"/g, '""')}"`,
  table: (_database, schema, name) => (schema && schema !== 'main' ? `${duckdbDialect.quote(schema)}.${duckdbDialect.quote(name)}` : duckdbDialect.quote(name)),
  string: (value) => `'${value.replace(/'/g, "''")}'`,
  boolean: (value) => (value ? 'TRUE' : 'FALSE'),
  date: (isoDate) => `DATE '${isoDate}'`,
  bucket: (expr, bucket) => (bucket === 'year' ? `CAST(year(${expr}) AS INTEGER)` : `CAST(date_trunc('${bucket}', ${expr}) AS DATE)`),
  monthOf: (expr) => `month(${expr})`,
  likeInsensitive: (expr, pattern) => `${expr} ILIKE ${duckdbDialect.string(pattern)} ESCAPE '!'`,
  equalsInsensitive: (expr, value) => `lower(${expr}) = lower(${duckdbDialect.string(value)})`,
  // DuckDB's / is already floating-point division (// truncates).
  divide: (expr, by) => `${expr} / ${by}`,
};

export const duckdbRenderer = createSqlRenderer(duckdbDialect);
