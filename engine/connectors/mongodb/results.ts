import { BSON, type Document } from 'mongodb';
import type { ResultColumn } from '../../contract/index';
import { flattenColumns, NestedFields } from './nested-columns';
import { asBuffer, forEachElement, needsLibrary, NOT_DECODED, RAW_TYPE_NAMES, readCell, readName } from './raw-cells';
import { bsonTypeOf, columnType, isPlainDocument, toCell, type BsonTypeName } from './values';

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

/**
 * Documents as a table, one document at a time (as a cursor yields them): the union of their top-level
 * fields in first-seen order (a document without a field has null there).
 * Nested documents are flattened to dotted columns (`size.h`, `size.w`)
 * within the bounds in nested-columns.ts; arrays, and documents beyond those
 * bounds, stay whole as JSON cells of type array / object. Column types come
 * from the BSON types seen in every row, nested fields' included.
 */
export class TableBuilder {
  readonly #columns = new Map<string, number>();
  readonly #seen: Array<Set<BsonTypeName>> = [];
  /** Per column, the fields its nested documents had and their BSON types (undefined until it holds a document). */
  readonly #nested: Array<NestedFields | undefined> = [];
  /** Per column, the kind of the previous row's value: a value is classified only when its kind changes. */
  readonly #lastKind: unknown[] = [];
  readonly #rows: unknown[][] = [];
  /** Per field position, the name bytes and column of the previous raw document's field there. */
  readonly #positions: Array<{ name: Buffer; column: number }> = [];

  #column(name: string): number {
    let column = this.#columns.get(name);
    if (column === undefined) {
      column = this.#columns.size;
      this.#columns.set(name, column);
      this.#seen.push(new Set());
      this.#lastKind.push(NO_KIND);
    }
    return column;
  }

  /** A document the driver deserialized. */
  addDocument(doc: Document): void {
    const row: unknown[] = [];
    for (const key of Object.keys(doc)) {
      const column = this.#column(key);
      const value = doc[key];
      if (value === undefined) continue;
      const kind = stableKind(value);
      if (kind === NO_KIND || kind !== this.#lastKind[column]) {
        this.#seen[column]!.add(bsonTypeOf(value));
        this.#lastKind[column] = kind;
      }
      if (isPlainDocument(value)) (this.#nested[column] ??= new NestedFields()).recordDocument(value, 1);
      row[column] = toCell(value);
    }
    this.#rows.push(row);
  }

  /** A document's raw BSON (`raw: true`): decoded straight to cells, or through the bson library when it must be. */
  addRaw(bytes: Uint8Array): void {
    const buf = asBuffer(bytes);
    let row: unknown[];
    try {
      row = this.#rawRow(buf);
    } catch (error) {
      if (error !== NOT_DECODED && !(error instanceof BSON.BSONError) && !(error instanceof RangeError)) throw error;
      // The library decodes what the fast path leaves, and reports malformed bytes in its own words.
      this.addDocument(BSON.deserialize(buf, { promoteValues: false }));
      return;
    }
    this.#rows.push(row);
  }

  #rawRow(buf: Buffer): unknown[] {
    const row: unknown[] = [];
    let position = 0;
    // A document that falls back part-way has recorded only types the library path records too.
    forEachElement(buf, 0, (type, nameStart, nameStop, at, length) => {
      const column = this.#rawColumn(buf, nameStart, nameStop, position++);
      row[column] = RAW_TYPE_NAMES[type] === 'object' ? (this.#nested[column] ??= new NestedFields()).readRaw(buf, at, 1) : readCell(buf, type, at, length);
      if (type !== this.#lastKind[column]) {
        this.#seen[column]!.add(RAW_TYPE_NAMES[type]!);
        this.#lastKind[column] = type;
      }
    });
    return row;
  }

  /** The column of the field named by buf[start, stop), reusing the previous document's name at this position when the bytes match. */
  #rawColumn(buf: Buffer, start: number, stop: number, position: number): number {
    const cached = this.#positions[position];
    if (cached && cached.name.length === stop - start) {
      let same = true;
      for (let i = 0; i < cached.name.length; i++) {
        if (cached.name[i] !== buf[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return cached.column;
    }
    const name = readName(buf, start, stop);
    if (needsLibrary(name)) throw NOT_DECODED;
    const column = this.#column(name);
    this.#positions[position] = { name: Buffer.from(buf.subarray(start, stop)), column };
    return column;
  }

  finish(): { columns: ResultColumn[]; rows: unknown[][] } {
    const width = this.#columns.size;
    for (const row of this.#rows) {
      for (let c = 0; c < width; c++) if (row[c] === undefined) row[c] = null;
    }
    const columns = [...this.#columns.keys()].map((name, i) => ({ name, ...columnType(this.#seen[i]!) }));
    return flattenColumns(columns, this.#rows, this.#nested, this.#seen);
  }
}

/** Deserialized documents as a table (see TableBuilder). */
export function documentsToTable(docs: Document[]): { columns: ResultColumn[]; rows: unknown[][] } {
  const table = new TableBuilder();
  for (const doc of docs) table.addDocument(doc);
  return table.finish();
}

/** Raw BSON documents (`raw: true`) as a table (see TableBuilder). */
export function rawDocumentsToTable(docs: Uint8Array[]): { columns: ResultColumn[]; rows: unknown[][] } {
  const table = new TableBuilder();
  for (const doc of docs) table.addRaw(doc);
  return table.finish();
}

/** One column of values (distinct), named after the field. */
export function valuesToTable(name: string, values: unknown[]): { columns: ResultColumn[]; rows: unknown[][] } {
  const seen = new Set<BsonTypeName>(values.map(bsonTypeOf));
  return { columns: [{ name, ...columnType(seen) }], rows: values.map((v) => [toCell(v)]) };
}
