import type { NormalizedType } from '../../contract/index';
import { floatCell, integerCell, localTimestampCell, zonedTimestampCell } from '../shared/cells';

/**
 * PostgreSQL values arrive as text (every type parser is the identity, see
 * pools.ts) and are converted here, once, into JSON-safe cells. Every
 * transaction runs with DateStyle=ISO and bytea_output=hex (session.ts), so
 * dates are ISO already and bytea is `\x…` hex as it comes.
 */
export type Convert = (text: string) => unknown;

export interface PgTypeInfo {
  name: string;
  type: NormalizedType;
  /** null when the text is the cell. */
  convert: Convert | null;
}

const integer: Convert = (t) => Number(t);
const bool: Convert = (t) => t === 't';
const json: Convert = (t) => JSON.parse(t);

// oid, array oid, name, normalized type, converter
const BUILTINS: Array<[number, number, string, NormalizedType, Convert | null]> = [
  [16, 1000, 'boolean', 'boolean', bool],
  [17, 1001, 'bytea', 'binary', null],
  [18, 1002, '"char"', 'string', null],
  [19, 1003, 'name', 'string', null],
  [20, 1016, 'bigint', 'integer', integerCell],
  [21, 1005, 'smallint', 'integer', integer],
  [23, 1007, 'integer', 'integer', integer],
  [24, 1008, 'regproc', 'string', null],
  [25, 1009, 'text', 'string', null],
  [26, 1028, 'oid', 'integer', integer],
  [27, 1010, 'tid', 'string', null],
  [28, 1011, 'xid', 'string', null],
  [114, 199, 'json', 'json', json],
  [142, 143, 'xml', 'string', null],
  [600, 1017, 'point', 'string', null],
  [650, 651, 'cidr', 'string', null],
  [700, 1021, 'real', 'float', floatCell],
  [701, 1022, 'double precision', 'float', floatCell],
  [705, 0, 'unknown', 'string', null],
  [718, 719, 'circle', 'string', null],
  [774, 775, 'macaddr8', 'string', null],
  [790, 791, 'money', 'string', null],
  [829, 1040, 'macaddr', 'string', null],
  [869, 1041, 'inet', 'string', null],
  [1033, 1034, 'aclitem', 'string', null],
  [1042, 1014, 'character', 'string', null],
  [1043, 1015, 'character varying', 'string', null],
  [1082, 1182, 'date', 'date', null],
  [1083, 1183, 'time without time zone', 'time', null],
  [1114, 1115, 'timestamp without time zone', 'timestamp', localTimestampCell],
  [1184, 1185, 'timestamp with time zone', 'timestamptz', zonedTimestampCell],
  [1186, 1187, 'interval', 'interval', null],
  [1266, 1270, 'time with time zone', 'time', null],
  [1560, 1561, 'bit', 'string', null],
  [1562, 1563, 'bit varying', 'string', null],
  [1700, 1231, 'numeric', 'decimal', null],
  [2205, 2210, 'regclass', 'string', null],
  [2206, 2211, 'regtype', 'string', null],
  [2249, 2287, 'record', 'string', null],
  [2278, 0, 'void', 'null', () => null],
  [2950, 2951, 'uuid', 'uuid', null],
  [3614, 3643, 'tsvector', 'string', null],
  [3615, 3645, 'tsquery', 'string', null],
  [3802, 3807, 'jsonb', 'json', json],
  [3904, 3905, 'int4range', 'string', null],
  [3906, 3907, 'numrange', 'string', null],
  [3908, 3909, 'tsrange', 'string', null],
  [3910, 3911, 'tstzrange', 'string', null],
  [3912, 3913, 'daterange', 'string', null],
  [3926, 3927, 'int8range', 'string', null],
];

const KNOWN = new Map<number, PgTypeInfo>();
for (const [oid, arrayOid, name, type, convert] of BUILTINS) {
  KNOWN.set(oid, { name, type, convert });
  if (arrayOid) KNOWN.set(arrayOid, arrayType(`${name}[]`, convert));
}

export function arrayType(name: string, element: Convert | null): PgTypeInfo {
  return { name, type: 'array', convert: (text) => parseArray(text, element) };
}

/** Facts about a type not built in (enums, domains, extension types), from pg_type. */
export interface PgTypeRow {
  oid: number;
  name: string;
  /** pg_type.typcategory */
  category: string;
  /** For domains, the base type; for arrays, the element type (0 otherwise). */
  baseOid: number;
  elementOid: number;
}

export function builtinType(oid: number): PgTypeInfo | undefined {
  return KNOWN.get(oid);
}

/** Type info from the catalog: domains act as their base type, arrays convert each element. */
export function typeFromCatalog(row: PgTypeRow, lookup: (oid: number) => PgTypeInfo | undefined): PgTypeInfo {
  if (row.baseOid) {
    const base = lookup(row.baseOid);
    if (base) return { ...base, name: row.name };
  }
  if (row.category === 'A' && row.elementOid) {
    return arrayType(row.name, lookup(row.elementOid)?.convert ?? null);
  }
  return { name: row.name, type: CATEGORY_TYPES[row.category] ?? 'unknown', convert: row.category === 'B' ? bool : null };
}

const CATEGORY_TYPES: Record<string, NormalizedType> = {
  A: 'array',
  B: 'boolean',
  D: 'timestamp',
  E: 'string',
  G: 'string',
  I: 'string',
  N: 'decimal',
  R: 'string',
  S: 'string',
  T: 'interval',
  V: 'string',
  C: 'string',
};

/**
 * PostgreSQL's array text (`{1,2,NULL}`, `{{"a b","c\"d"}}`, `[0:1]={x,y}`)
 * as nested arrays, each element converted.
 */
export function parseArray(text: string, element: Convert | null): unknown[] {
  let i = 0;
  if (text[0] === '[') {
    const eq = text.indexOf('=');
    if (eq > 0) i = eq + 1;
  }
  const read = (): unknown[] => {
    const out: unknown[] = [];
    i++; // '{'
    if (text[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      const c = text[i];
      if (c === '{') out.push(read());
      else if (c === '"') {
        let value = '';
        i++;
        for (; i < text.length && text[i] !== '"'; i++) {
          if (text[i] === '\\') i++;
          value += text[i] ?? '';
        }
        i++;
        out.push(element ? element(value) : value);
      } else {
        const start = i;
        while (i < text.length && text[i] !== ',' && text[i] !== '}') i++;
        const raw = text.slice(start, i).trim();
        out.push(raw.toUpperCase() === 'NULL' ? null : element ? element(raw) : raw);
      }
      if (text[i] === ',') {
        i++;
        continue;
      }
      i++; // '}'
      return out;
    }
  };
  return text[i] === '{' ? read() : [text];
}

/** Rows of the connector's own catalog queries, decoded by their (built-in) column types. */
export function decodeRows<T>(result: { fields: Array<{ name: string; dataTypeID: number }>; rows: Array<Record<string, string | null>> }): T[] {
  const decoders = result.fields.map((f) => [f.name, builtinType(f.dataTypeID)?.convert ?? null] as const);
  return result.rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [name, convert] of decoders) {
      const value = row[name] ?? null;
      out[name] = value !== null && convert ? convert(value) : value;
    }
    return out as T;
  });
}
