import type { SafeObject } from '../safe-metadata';
import { composeSystem, sqlRules } from './rules';
import { COMMON_RESERVED, quoteIfNeeded, renderSqlObject, type SqlStyle } from './sql';
import type { PromptTemplate } from './types';

// DuckDB matches names case-insensitively, but file headers often hold spaces and punctuation.
const quote = (name: string) => quoteIfNeeded(name, /^[A-Za-z_][A-Za-z0-9_]*$/, COMMON_RESERVED, '"');

const style: SqlStyle = {
  quote,
  shortType: (type) => type,
  qualifiedName: (object: SafeObject) => (object.schema && object.schema !== 'main' ? `${quote(object.schema)}.${quote(object.name)}` : quote(object.name)),
};

/** Local files (CSV, JSON, Parquet) queried through DuckDB: each file is a table. */
export const duckdbTemplate: PromptTemplate = {
  dialect: 'duckdb',
  label: 'DuckDB',
  objectNoun: 'table',
  system: ({ rowLimit, today }) =>
    composeSystem({
      label: 'DuckDB',
      dialect: 'duckdb',
      what: 'SQL query',
      rules: [
        ...sqlRules(rowLimit),
        'Each table is a file the user added. Query only those tables by name: no read_csv(), read_parquet(), read_json(), glob(), ATTACH, INSTALL, LOAD, COPY or EXPORT, and no file paths or URLs.',
      ],
      dialectNotes: [
        'Identifiers: double quotes for names with spaces, punctuation or reserved words ("Order Date"); names match case-insensitively. Strings take single quotes.',
        'Dates: current_date, now(), date_trunc(\'month\', d), year(d), d >= current_date - INTERVAL 30 DAY, strftime(d, \'%Y-%m\'); try_cast(x AS DATE) for text that holds dates.',
        'Text: ILIKE for case-insensitive matching, || or concat() to join, string_agg(x, \', \').',
        'Grouping: GROUP BY ALL groups by every non-aggregated column; COUNT(*) FILTER (WHERE ...) counts conditionally.',
        'Rows: LIMIT n OFFSET m. Integer division with / gives a decimal; // truncates.',
      ],
      queryField: 'the SQL text only, without code fences or a trailing semicolon.',
      today,
    }),
  qualifiedName: style.qualifiedName,
  renderObject: (object, options) => renderSqlObject(object, options, style),
};
