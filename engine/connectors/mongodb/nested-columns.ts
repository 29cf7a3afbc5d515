/**
 * Nested documents as dotted columns: `{size: {h: 14, w: 21}}` becomes the
 * columns `size.h` and `size.w`, typed from the BSON types their values had,
 * so a chart (and a sort, a CSV) sees numbers, not a JSON cell.
 *
 * While the rows are read, each field holding documents records the fields
 * those documents had (and their types, read from the BSON bytes: a JSON cell
 * no longer tells an int from a double). Once every row is in, the layout is
 * decided with all of it known, within FLATTEN's bounds; a field that does
 * not fit stays one JSON cell, as it was before. Arrays always stay one cell.
 */
import { forEachElement, needsLibrary, NOT_DECODED, RAW_TYPE_NAMES, readCell, readName } from './raw-cells';
import { bsonTypeOf, columnType, isPlainDocument, type BsonTypeName } from './values';
import type { ResultColumn } from '../../contract/index';

/** How far nested documents are flattened. */
export const FLATTEN = {
  /** Levels of nesting a column name may have: `a.b.c.d` at most; a document deeper down stays one cell. */
  maxDepth: 3,
  /** Columns of the whole result: a field whose documents would take it past this stays one cell. */
  maxColumns: 100,
  /** Fields of one level of a document: a wider level is more likely a map keyed by data than a record. */
  maxFields: 30,
  /**
   * The share of a level's fields each of its documents has, on average: a
   * record's fields recur (size.h, size.w), a map keyed by ids has a few new
   * keys per document (sample_analytics' tier_and_details) and stays a cell.
   */
  minFill: 0.5,
} as const;

/** One field of a level: the BSON types its values had, how many documents had it, and its own nested fields. */
class NestedField {
  readonly seen = new Set<BsonTypeName>();
  present = 0;
  nested: NestedFields | null = null;
}

/** The fields the documents at one place in the result had (a top-level column, or a field inside it). */
export class NestedFields {
  /** How many documents were recorded here. */
  documents = 0;
  readonly fields = new Map<string, NestedField>();

  #field(name: string): NestedField {
    let field = this.fields.get(name);
    if (!field) this.fields.set(name, (field = new NestedField()));
    field.present++;
    return field;
  }

  /** A deserialized document's fields (the bson library's path). */
  recordDocument(doc: Record<string, unknown>, depth: number): void {
    this.documents++;
    for (const [name, value] of Object.entries(doc)) {
      if (value === undefined) continue;
      const field = this.#field(name);
      field.seen.add(bsonTypeOf(value));
      if (depth < FLATTEN.maxDepth && isPlainDocument(value)) (field.nested ??= new NestedFields()).recordDocument(value, depth + 1);
    }
  }

  /**
   * The cell of the raw document at `start` (what readCell gives), recording
   * its fields on the way. A document the fast path cannot decode throws
   * NOT_DECODED part-way; its row is then recorded again by recordDocument,
   * which counts it twice here: the fill estimate moves a little, no type is
   * recorded that the row does not have.
   */
  readRaw(buf: Buffer, start: number, depth: number): Record<string, unknown> {
    this.documents++;
    const out: Record<string, unknown> = {};
    forEachElement(buf, start, (type, nameStart, nameStop, at, length) => {
      const name = readName(buf, nameStart, nameStop);
      if (needsLibrary(name)) throw NOT_DECODED;
      const field = this.#field(name);
      const bsonType = RAW_TYPE_NAMES[type]!;
      field.seen.add(bsonType);
      out[name] = bsonType === 'object' && depth < FLATTEN.maxDepth ? (field.nested ??= new NestedFields()).readRaw(buf, at, depth + 1) : readCell(buf, type, at, length);
    });
    return out;
  }
}

/** A column of the flattened table: the path inside its source column (empty: the whole cell). */
interface Leaf {
  path: string[];
  seen: Set<BsonTypeName>;
}

/** Only documents were seen (nulls aside): a field holding anything else as well keeps its cell. */
function onlyDocuments(seen: ReadonlySet<BsonTypeName>): boolean {
  let documents = false;
  for (const type of seen) {
    if (type === 'object') documents = true;
    else if (type !== 'null' && type !== 'undefined') return false;
  }
  return documents;
}

/** A level whose names would make a clear dotted column: a record, not a map keyed by data, and no name that is itself dotted or empty. */
function isRecord(level: NestedFields): boolean {
  if (level.fields.size === 0 || level.fields.size > FLATTEN.maxFields) return false;
  let present = 0;
  for (const [name, field] of level.fields) {
    if (name === '' || name.includes('.') || name === '__proto__') return false;
    present += field.present;
  }
  return present / (level.documents * level.fields.size) >= FLATTEN.minFill;
}

/** The leaf columns of a level (documents below it expanded in turn), or null when the level stays one cell. */
function leavesOf(level: NestedFields, prefix: string[]): Leaf[] | null {
  if (!isRecord(level)) return null;
  const leaves: Leaf[] = [];
  for (const [name, field] of level.fields) {
    const path = [...prefix, name];
    const below = field.nested && onlyDocuments(field.seen) ? leavesOf(field.nested, path) : null;
    if (below) leaves.push(...below);
    else leaves.push({ path, seen: field.seen });
  }
  return leaves;
}

/** The value at `path` inside a cell, or null when a level on the way is missing or not a document. */
function dig(cell: unknown, path: readonly string[]): unknown {
  let value = cell;
  for (const name of path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, name)) return null;
    value = (value as Record<string, unknown>)[name];
  }
  return value ?? null;
}

/**
 * The table with each top-level field that holds documents flattened into
 * dotted columns where FLATTEN allows. A dotted name never collides: a field
 * whose flattened names would repeat a real field's name (a top-level
 * `size.h` next to `size: {h}`) or another flattened name stays one cell.
 */
export function flattenColumns(
  columns: ResultColumn[],
  rows: unknown[][],
  nested: ReadonlyArray<NestedFields | undefined>,
  seen: ReadonlyArray<ReadonlySet<BsonTypeName>>,
): { columns: ResultColumn[]; rows: unknown[][] } {
  const taken = new Set(columns.map((c) => c.name));
  let width = columns.length;
  const flattened = new Map<number, Leaf[]>();
  columns.forEach((column, c) => {
    const level = nested[c];
    if (!level || !onlyDocuments(seen[c]!)) return;
    const leaves = leavesOf(level, []);
    if (!leaves || width - 1 + leaves.length > FLATTEN.maxColumns) return;
    const names = leaves.map((leaf) => [column.name, ...leaf.path].join('.'));
    if (names.some((name) => taken.has(name))) return;
    for (const name of names) taken.add(name);
    width += leaves.length - 1;
    flattened.set(c, leaves);
  });
  if (flattened.size === 0) return { columns, rows };

  type Placed = { source: number; path: string[] | null; column: ResultColumn };
  const layout = columns.flatMap((column, c): Placed[] => {
    const leaves = flattened.get(c);
    if (!leaves) return [{ source: c, path: null, column }];
    return leaves.map((leaf) => ({ source: c, path: leaf.path, column: { name: [column.name, ...leaf.path].join('.'), ...columnType(leaf.seen) } }));
  });
  const out = rows.map((row) => layout.map(({ source, path }) => (path ? dig(row[source], path) : row[source])));
  return { columns: layout.map((l) => l.column), rows: out };
}
