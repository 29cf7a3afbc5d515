import type { TimeBucket } from '../types';
import { createSqlRenderer } from './sql-builder';
import type { SqlDialect } from './types';

const BUCKETS: Record<TimeBucket, (expr: string) => string> = {
  day: (e) => `DATE(${e})`,
  // Monday of the week, like date_trunc('week') elsewhere.
  week: (e) => `DATE_SUB(DATE(${e}), INTERVAL WEEKDAY(${e}) DAY)`,
  month: (e) => `CAST(DATE_FORMAT(${e}, '%Y-%m-01') AS DATE)`,
  quarter: (e) => `MAKEDATE(YEAR(${e}), 1) + INTERVAL (QUARTER(${e}) - 1) QUARTER`,
  year: (e) => `YEAR(${e})`,
};

/** MySQL and MariaDB (backslash is an escape character in their string literals by default). */
export const mysqlDialect: SqlDialect = {
  dialect: 'mysql',
  quote: (identifier) => `\`${identifier.replace(/`/g, '``')}\``,
  // Databases are MySQL's schemas: qualify with the database so the query runs whatever the session's default.
  table: (database, schema, name) => `${mysqlDialect.quote(schema ?? database)}.${mysqlDialect.quote(name)}`,
  string: (value) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`,
  boolean: (value) => (value ? 'TRUE' : 'FALSE'),
  date: (isoDate) => `DATE '${isoDate}'`,
  bucket: (expr, bucket) => BUCKETS[bucket](expr),
  monthOf: (expr) => `MONTH(${expr})`,
  // LOWER on both sides: a binary or case-sensitive collation would otherwise decide.
  likeInsensitive: (expr, pattern) => `LOWER(${expr}) LIKE LOWER(${mysqlDialect.string(pattern)}) ESCAPE '!'`,
  equalsInsensitive: (expr, value) => `LOWER(${expr}) = LOWER(${mysqlDialect.string(value)})`,
  divide: (expr, by) => `${expr} / ${by}`,
};

export const mysqlRenderer = createSqlRenderer(mysqlDialect);
