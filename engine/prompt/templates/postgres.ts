import type { SafeObject } from '../safe-metadata';
import { composeSystem, sqlRules } from './rules';
import { COMMON_RESERVED, quoteIfNeeded, renderSqlObject, type SqlStyle } from './sql';
import type { PromptTemplate } from './types';

const quote = (name: string) => quoteIfNeeded(name, /^[a-z_][a-z0-9_$]*$/, COMMON_RESERVED, '"');

const SHORT_TYPES: Array<[RegExp, string]> = [
  [/^character varying/, 'varchar'],
  [/^character\b/, 'char'],
  [/^timestamp(\(\d\))? without time zone$/, 'timestamp$1'],
  [/^timestamp(\(\d\))? with time zone$/, 'timestamptz$1'],
  [/^time(\(\d\))? without time zone$/, 'time$1'],
  [/^time(\(\d\))? with time zone$/, 'timetz$1'],
];

const style: SqlStyle = {
  quote,
  shortType: (type) => SHORT_TYPES.reduce((t, [pattern, short]) => t.replace(pattern, short), type),
  // One database per connection; the public schema is on the search path.
  qualifiedName: (object: SafeObject) => (object.schema && object.schema !== 'public' ? `${quote(object.schema)}.${quote(object.name)}` : quote(object.name)),
};

export const postgresTemplate: PromptTemplate = {
  dialect: 'postgres',
  label: 'PostgreSQL',
  objectNoun: 'table',
  system: ({ rowLimit, today }) =>
    composeSystem({
      label: 'PostgreSQL',
      dialect: 'postgres',
      what: 'SQL query',
      rules: sqlRules(rowLimit),
      dialectNotes: [
        'Identifiers: lower-case names need no quotes; mixed-case or unusual names need double quotes exactly as shown ("InvoiceDate"). Strings take single quotes.',
        'Dates: current_date, now(), date_trunc(\'month\', ts), extract(year FROM ts), ts >= current_date - interval \'30 days\', to_char(ts, \'YYYY-MM\').',
        'Text: ILIKE for case-insensitive matching, || to concatenate, string_agg(x, \', \') to combine.',
        'Numbers: integer division truncates, so cast (x::numeric / y) for ratios; round(x::numeric, 2).',
        'Rows: LIMIT n OFFSET m; NULLS LAST when sorting by a nullable column in descending order.',
      ],
      queryField: 'the SQL text only, without code fences or a trailing semicolon.',
      today,
    }),
  qualifiedName: style.qualifiedName,
  renderObject: (object, options) => renderSqlObject(object, options, style),
};
