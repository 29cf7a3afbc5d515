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
  const rows = docs.map((doc) =>
    names.map((name, i) => {
      const value = doc[name];
      if (value === undefined) return null;
      seen[i]!.add(bsonTypeOf(value));
      return toCell(value);
    }),
  );
  const columns = names.map((name, i) => ({ name, ...columnType(seen[i]!) }));
  return { columns, rows };
}

/** One column of values (distinct), named after the field. */
export function valuesToTable(name: string, values: unknown[]): { columns: ResultColumn[]; rows: unknown[][] } {
  const seen = new Set<BsonTypeName>(values.map(bsonTypeOf));
  return { columns: [{ name, ...columnType(seen) }], rows: values.map((v) => [toCell(v)]) };
}
