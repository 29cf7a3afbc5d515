import type { SafeObject } from '../safe-metadata';
import { composeSystem, sqlRules } from './rules';
import { COMMON_RESERVED, quoteIfNeeded, renderSqlObject, type SqlStyle } from './sql';
import type { PromptTemplate } from './types';

const RESERVED = new Set([...COMMON_RESERVED, 'key', 'keys', 'index', 'rank', 'range', 'interval', 'condition', 'div', 'mod', 'match', 'usage', 'read', 'write']);

// MySQL folds nothing on Linux (table names are case-sensitive there), so any name outside [A-Za-z0-9_$] is quoted.
const quote = (name: string) => quoteIfNeeded(name, /^[A-Za-z_][A-Za-z0-9_$]*$/, RESERVED, '`');

const style: SqlStyle = {
  quote,
  shortType: (type) => type.replace(/ unsigned zerofill$/, ' unsigned'),
  // A MySQL connection can read other databases on the server by their qualified name.
  qualifiedName: (object: SafeObject, multiDatabase) => (multiDatabase ? `${quote(object.database)}.${quote(object.name)}` : quote(object.name)),
};

export const mysqlTemplate: PromptTemplate = {
  dialect: 'mysql',
  label: 'MySQL/MariaDB',
  objectNoun: 'table',
  system: ({ rowLimit, today }) =>
    composeSystem({
      label: 'MySQL/MariaDB',
      dialect: 'mysql',
      what: 'SQL query',
      rules: [
        ...sqlRules(rowLimit),
        'No INTO OUTFILE/DUMPFILE, LOAD_FILE(), user variables (@x := ...), SLEEP() or BENCHMARK().',
      ],
      dialectNotes: [
        'Identifiers: quote with backticks (`order`) when a name is reserved or unusual; table names are case-sensitive on most servers, so copy them exactly. Strings take single quotes.',
        'Dates: CURDATE(), NOW(), DATE_SUB(CURDATE(), INTERVAL 30 DAY), YEAR(d), MONTH(d), DATE_FORMAT(d, \'%Y-%m\'), DATEDIFF(a, b).',
        'Text: LIKE is case-insensitive with the usual collations; CONCAT(a, b) joins strings (|| does not); GROUP_CONCAT(x SEPARATOR \', \').',
        'Grouping: every selected column that is not aggregated must be in GROUP BY (ONLY_FULL_GROUP_BY).',
        'Rows: LIMIT n OFFSET m. There is no FULL OUTER JOIN; use a UNION of LEFT and RIGHT joins.',
      ],
      queryField: 'the SQL text only, without code fences or a trailing semicolon.',
      today,
    }),
  qualifiedName: style.qualifiedName,
  renderObject: (object, options) => renderSqlObject(object, options, style),
};
