import type { FieldPacket } from 'mysql2';
import type { NormalizedType } from '../../contract/index';
import { hexCell, localTimestampCell } from '../shared/cells';

/**
 * Result columns of MySQL and MariaDB. The pool decodes with dateStrings,
 * supportBigNumbers (BIGINT beyond 2^53 as text) and DECIMAL as text, so
 * most values are final; the rest are converted here.
 */
export type Convert = (value: unknown) => unknown;

export interface MysqlColumnInfo {
  type: NormalizedType;
  nativeType: string;
  convert: Convert | null;
}

// Protocol column types (include/mysql_com.h / mysql2's constants/types.js).
const T = {
  DECIMAL: 0, TINY: 1, SHORT: 2, LONG: 3, FLOAT: 4, DOUBLE: 5, NULL: 6, TIMESTAMP: 7, LONGLONG: 8, INT24: 9,
  DATE: 10, TIME: 11, DATETIME: 12, YEAR: 13, NEWDATE: 14, VARCHAR: 15, BIT: 16, JSON: 245, NEWDECIMAL: 246,
  ENUM: 247, SET: 248, TINY_BLOB: 249, MEDIUM_BLOB: 250, LONG_BLOB: 251, BLOB: 252, VAR_STRING: 253, STRING: 254, GEOMETRY: 255,
} as const;
const UNSIGNED_FLAG = 32;
const ENUM_FLAG = 256;
const SET_FLAG = 2048;
/** characterSet 63 marks binary strings (BLOB, VARBINARY, BINARY) as opposed to text. */
const BINARY_CHARSET = 63;

const timestamp: Convert = (v) => (typeof v === 'string' ? localTimestampCell(v) : v);
const binary: Convert = (v) => (v instanceof Uint8Array ? hexCell(v) : v);
const bits: Convert = (v) => {
  if (!(v instanceof Uint8Array)) return v;
  let n = 0n;
  for (const byte of v) n = (n << 8n) | BigInt(byte);
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
};
/** Anything unexpected still leaves as JSON-safe text. */
const fallback: Convert = (v) => (v instanceof Uint8Array ? hexCell(v) : typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.toISOString() : v);

const INTEGERS: Record<number, string> = { [T.TINY]: 'TINYINT', [T.SHORT]: 'SMALLINT', [T.INT24]: 'MEDIUMINT', [T.LONG]: 'INT', [T.LONGLONG]: 'BIGINT', [T.YEAR]: 'YEAR' };

export function columnInfo(field: FieldPacket): MysqlColumnInfo {
  const type = field.columnType ?? field.type ?? -1;
  const flags = typeof field.flags === 'number' ? field.flags : 0;
  const isBinary = field.characterSet === BINARY_CHARSET;
  if (field.extendedFormat === 'json') return { type: 'json', nativeType: 'JSON', convert: null };
  if (field.extendedTypeName === 'uuid') return { type: 'uuid', nativeType: 'UUID', convert: null };
  if (field.extendedTypeName === 'inet4' || field.extendedTypeName === 'inet6') {
    return { type: 'string', nativeType: field.extendedTypeName.toUpperCase(), convert: null };
  }
  const integer = INTEGERS[type];
  if (integer) return { type: 'integer', nativeType: flags & UNSIGNED_FLAG && type !== T.YEAR ? `${integer} UNSIGNED` : integer, convert: null };
  switch (type) {
    case T.DECIMAL:
    case T.NEWDECIMAL:
      return { type: 'decimal', nativeType: 'DECIMAL', convert: null };
    case T.FLOAT:
      return { type: 'float', nativeType: 'FLOAT', convert: null };
    case T.DOUBLE:
      return { type: 'float', nativeType: 'DOUBLE', convert: null };
    case T.NULL:
      return { type: 'null', nativeType: 'NULL', convert: null };
    case T.TIMESTAMP:
      return { type: 'timestamp', nativeType: 'TIMESTAMP', convert: timestamp };
    case T.DATETIME:
      return { type: 'timestamp', nativeType: 'DATETIME', convert: timestamp };
    case T.DATE:
    case T.NEWDATE:
      return { type: 'date', nativeType: 'DATE', convert: null };
    case T.TIME:
      return { type: 'time', nativeType: 'TIME', convert: null };
    case T.BIT:
      return { type: 'integer', nativeType: 'BIT', convert: bits };
    case T.JSON:
      return { type: 'json', nativeType: 'JSON', convert: null };
    case T.ENUM:
      return { type: 'string', nativeType: 'ENUM', convert: null };
    case T.SET:
      return { type: 'string', nativeType: 'SET', convert: null };
    case T.GEOMETRY:
      return { type: 'object', nativeType: 'GEOMETRY', convert: fallback };
    case T.TINY_BLOB:
    case T.MEDIUM_BLOB:
    case T.LONG_BLOB:
    case T.BLOB:
      return isBinary ? { type: 'binary', nativeType: 'BLOB', convert: binary } : { type: 'string', nativeType: 'TEXT', convert: null };
    case T.VARCHAR:
    case T.VAR_STRING:
    case T.STRING:
      if (flags & ENUM_FLAG) return { type: 'string', nativeType: 'ENUM', convert: null };
      if (flags & SET_FLAG) return { type: 'string', nativeType: 'SET', convert: null };
      if (isBinary) return { type: 'binary', nativeType: type === T.STRING ? 'BINARY' : 'VARBINARY', convert: binary };
      return { type: 'string', nativeType: type === T.STRING ? 'CHAR' : 'VARCHAR', convert: null };
  }
  return { type: 'unknown', nativeType: `type ${type}`, convert: fallback };
}

/** information_schema.columns DATA_TYPE to a normalized type (metadata). */
export function normalizeDataType(dataType: string): NormalizedType {
  switch (dataType.toLowerCase()) {
    case 'tinyint': case 'smallint': case 'mediumint': case 'int': case 'integer': case 'bigint': case 'year': case 'bit':
      return 'integer';
    case 'decimal': case 'numeric':
      return 'decimal';
    case 'float': case 'double': case 'real':
      return 'float';
    case 'bool': case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime': case 'timestamp':
      return 'timestamp';
    case 'time':
      return 'time';
    case 'json':
      return 'json';
    case 'uuid':
      return 'uuid';
    case 'binary': case 'varbinary': case 'tinyblob': case 'blob': case 'mediumblob': case 'longblob':
      return 'binary';
    case 'geometry': case 'point': case 'linestring': case 'polygon': case 'multipoint': case 'multilinestring': case 'multipolygon': case 'geometrycollection':
      return 'object';
    case 'char': case 'varchar': case 'tinytext': case 'text': case 'mediumtext': case 'longtext': case 'enum': case 'set': case 'inet4': case 'inet6':
      return 'string';
    default:
      return 'unknown';
  }
}
