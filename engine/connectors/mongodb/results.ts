import type { Document } from 'mongodb';
import type { ResultColumn } from '../../contract/index';
import { bsonTypeOf, columnType, toCell, type BsonTypeName } from './values';

/**
 * Documents as a table: the union of their top-level fields in first-seen
 * order (a document without a field has null there); nested documents and
 * arrays stay whole, as JSON cells of type object / array.
 */
export function documentsToTable(docs: Document[]): { columns: ResultColumn[]; rows: unknown[][] } {
  const index = new Map<string, number>();
  const seen: Array<Set<BsonTypeName>> = [];
  for (const doc of docs) {
    for (const key of Object.keys(doc)) {
      if (!index.has(key)) {
        index.set(key, index.size);
        seen.push(new Set());
      }
    }
  }
  const names = [...index.keys()];
  // Most columns hold one kind of value in every row: classify a value only when its
  // kind differs from the previous row's (a hot loop over every cell of a result).
  const lastKind: unknown[] = new Array(names.length).fill(NO_KIND);
  const rows: unknown[][] = new Array(docs.length);
  for (let r = 0; r < docs.length; r++) {
    const doc = docs[r]!;
    const row: unknown[] = new Array(names.length);
    for (let i = 0; i < names.length; i++) {
      const value = doc[names[i]!];
      if (value === undefined) {
        row[i] = null;
        continue;
      }
      const kind = stableKind(value);
      if (kind === NO_KIND || kind !== lastKind[i]) {
        seen[i]!.add(bsonTypeOf(value));
        lastKind[i] = kind;
      }
      row[i] = toCell(value);
    }
    rows[r] = row;
  }
  const columns = names.map((name, i) => ({ name, ...columnType(seen[i]!) }));
  return { columns, rows };
}

const NO_KIND = Symbol('no stable kind');
const STABLE_BSON = new Set(['ObjectId', 'Int32', 'Double', 'Long', 'Decimal128', 'Timestamp']);

/** A cheap key for values whose BSON type follows from it alone; NO_KIND when the value must be looked at. */
function stableKind(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return typeof value;
    case 'object': {
      if (value === null) return 'null';
      if (value instanceof Date) return 'date';
      const tag = (value as { _bsontype?: string })._bsontype;
      return tag !== undefined && STABLE_BSON.has(tag) ? tag : NO_KIND;
    }
    default:
      return NO_KIND;
  }
}

/** One column of values (distinct), named after the field. */
export function valuesToTable(name: string, values: unknown[]): { columns: ResultColumn[]; rows: unknown[][] } {
  const seen = new Set<BsonTypeName>(values.map(bsonTypeOf));
  return { columns: [{ name, ...columnType(seen) }], rows: values.map((v) => [toCell(v)]) };
}
