/**
 * BSON values as PolyStoreIQ shows them. Documents are read with
 * `promoteValues: false`, so numbers keep their BSON type (Int32, Double,
 * Long, Decimal128) and a column of doubles is a float column even when
 * every value happens to be whole.
 *
 * Cells (JSON-safe, see `Cell` in the query contract):
 * - ObjectId: its 24-hex string; Date: ISO-8601 UTC; Timestamp: ISO-8601 of its seconds.
 * - Int32, Double: numbers (NaN and infinities as text); Long: a number when
 *   exactly representable, else its decimal text; Decimal128: its text.
 * - Binary: `\x`-prefixed hex like every other store's bytes; UUIDs (subtype 4)
 *   as their canonical text.
 * - Regular expressions: `/pattern/flags`; Code: its source; MinKey/MaxKey: their names.
 * - Nested documents and arrays: JSON with the same conversions inside.
 */
import type { NormalizedType } from '../../contract/index';
import { hexCell, integerCell } from '../shared/cells';

type Bson = { _bsontype?: string } & Record<string, unknown>;

/** MongoDB's own type names (as `$type` spells them). */
export type BsonTypeName =
  | 'double'
  | 'string'
  | 'object'
  | 'array'
  | 'binData'
  | 'uuid'
  | 'undefined'
  | 'objectId'
  | 'bool'
  | 'date'
  | 'null'
  | 'regex'
  | 'javascript'
  | 'symbol'
  | 'int'
  | 'timestamp'
  | 'long'
  | 'decimal'
  | 'minKey'
  | 'maxKey'
  | 'dbPointer';

const NORMALIZED: Record<BsonTypeName, NormalizedType> = {
  double: 'float',
  string: 'string',
  object: 'object',
  array: 'array',
  binData: 'binary',
  uuid: 'uuid',
  undefined: 'null',
  objectId: 'objectId',
  bool: 'boolean',
  date: 'timestamptz',
  null: 'null',
  regex: 'string',
  javascript: 'string',
  symbol: 'string',
  int: 'integer',
  timestamp: 'timestamptz',
  long: 'integer',
  decimal: 'decimal',
  minKey: 'unknown',
  maxKey: 'unknown',
  dbPointer: 'object',
};

export function normalizedType(type: BsonTypeName): NormalizedType {
  return NORMALIZED[type];
}

const UUID_SUBTYPE = 4;

export function isPlainDocument(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function bsonTypeOf(value: unknown): BsonTypeName {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      // Only seen when a caller promoted values: whole numbers in int32 range are what the driver sends as int.
      return Number.isInteger(value) && Math.abs(value) <= 0x7fffffff ? 'int' : 'double';
    case 'bigint':
      return 'long';
    case 'undefined':
      return 'undefined';
  }
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  if (value instanceof RegExp) return 'regex';
  switch ((value as Bson)._bsontype) {
    case 'ObjectId':
      return 'objectId';
    case 'Int32':
      return 'int';
    case 'Double':
      return 'double';
    case 'Long':
      return 'long';
    case 'Decimal128':
      return 'decimal';
    case 'Timestamp':
      return 'timestamp';
    case 'Binary':
      return (value as unknown as { sub_type: number }).sub_type === UUID_SUBTYPE ? 'uuid' : 'binData';
    case 'BSONRegExp':
      return 'regex';
    case 'Code':
      return 'javascript';
    case 'BSONSymbol':
      return 'symbol';
    case 'MinKey':
      return 'minKey';
    case 'MaxKey':
      return 'maxKey';
    case 'DBRef':
      return 'dbPointer';
  }
  return 'object';
}

function uuidText(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Numbers as they are; NaN and infinities (not JSON) as their text. */
const finiteOrText = (n: number): number | string => (Number.isFinite(n) ? n : String(n));

/** A BSON value as a JSON-safe cell. */
export function toCell(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return finiteOrText(value);
    case 'bigint':
      return integerCell(value.toString());
  }
  if (Array.isArray(value)) return value.map(toCell);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof RegExp) return String(value);
  const v = value as Bson;
  switch (v._bsontype) {
    case 'ObjectId':
      return (value as { toHexString(): string }).toHexString();
    case 'Int32':
      return (value as { value: number }).value;
    case 'Double':
      return finiteOrText((value as { value: number }).value);
    case 'Long':
      return integerCell(value.toString());
    case 'Decimal128':
      return value.toString();
    case 'Timestamp':
      return new Date((value as unknown as { t: number }).t * 1000).toISOString();
    case 'Binary': {
      const binary = value as unknown as { sub_type: number; buffer: Uint8Array; toString(encoding: 'hex'): string };
      return binary.sub_type === UUID_SUBTYPE && binary.buffer.length === 16 ? uuidText(binary.toString('hex')) : hexCell(binary.buffer);
    }
    case 'BSONRegExp':
      return `/${String(v.pattern)}/${String(v.options)}`;
    case 'Code':
      return String(v.code);
    case 'BSONSymbol':
      return String((value as { value: unknown }).value);
    case 'MinKey':
    case 'MaxKey':
      return v._bsontype;
    case 'DBRef':
      return { $ref: v.collection, $id: toCell(v.oid), ...(v.db ? { $db: v.db } : {}) };
  }
  const out: Record<string, unknown> = {};
  for (const [k, child] of Object.entries(value)) out[k] = toCell(child);
  return out;
}

/**
 * The type of a column from the BSON types of its non-null values: one type
 * is that type; numbers widen (int+long: integer, with double: float, with
 * decimal: decimal); anything else mixed is `unknown`. The native type lists
 * what was seen, e.g. `int|string`.
 */
export function columnType(seen: Set<BsonTypeName>): { type: NormalizedType; nativeType: string } {
  const types = [...seen].filter((t) => t !== 'null' && t !== 'undefined');
  if (types.length === 0) return { type: 'null', nativeType: 'null' };
  const nativeType = types.join('|');
  if (types.length === 1) return { type: normalizedType(types[0]!), nativeType };
  const normalized = new Set(types.map(normalizedType));
  if ([...normalized].every((t) => t === 'integer' || t === 'float' || t === 'decimal')) {
    return { type: normalized.has('decimal') ? 'decimal' : normalized.has('float') ? 'float' : 'integer', nativeType };
  }
  if (normalized.size === 1) return { type: [...normalized][0]!, nativeType };
  return { type: 'unknown', nativeType };
}
