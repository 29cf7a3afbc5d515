/**
 * Field inference from sampled documents, for collections that have no schema.
 *
 * - Paths are dotted: `address.city` for nested documents, and the array's own
 *   path for documents inside arrays (`items.price`), as MongoDB queries them.
 * - Keys below the top level that look generated (hex ids of 16+ digits, UUIDs,
 *   plain numbers) become `*`, so a map such as `tier_and_details.<id>.tier`
 *   is one field `tier_and_details.*.tier` rather than one per document.
 * - presence: the share of sampled documents that have the path (counted once
 *   per document, however many array elements hold it); nullable when a null
 *   was seen or a document lacked it.
 * - observedTypes: BSON type names with the number of documents showing each.
 * - type: one BSON type gives its normalized type; numbers only widen
 *   (int+double is float, anything with decimal is decimal); otherwise the
 *   dominant type when it covers at least 80% of the non-null observations,
 *   else `unknown`.
 * - sampleValues: for string paths with at most 20 distinct values of at most
 *   64 characters, each seen on average twice or more (categories such as a
 *   `status`, not names or ids), most frequent first.
 * - At most 500 paths per collection (the most present), 10 levels deep.
 */
import type { Document } from 'mongodb';
import type { MetadataField, NormalizedType } from '../../contract/index';
import { bsonTypeOf, columnType, normalizedType, type BsonTypeName } from './values';

const DYNAMIC_KEY = /^(?:[0-9a-f]{16,}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+)$/i;
const MAX_DEPTH = 10;
const MAX_FIELDS = 500;
const MAX_SAMPLE_VALUES = 20;
const MAX_SAMPLE_LENGTH = 64;
const DOMINANT_SHARE = 0.8;

interface PathStats {
  docs: number;
  types: Map<BsonTypeName, number>;
  elementTypes: Set<BsonTypeName>;
  /** Distinct short strings and their counts; null once there are too many or a long one. */
  values: Map<string, number> | null;
  strings: number;
}

/** What one document shows for each path (types and strings), merged into the totals once. */
class DocumentSeen {
  readonly types = new Map<string, Set<BsonTypeName>>();
  readonly elements = new Map<string, Set<BsonTypeName>>();
  readonly strings = new Map<string, string[]>();

  add(path: string, type: BsonTypeName): void {
    let set = this.types.get(path);
    if (!set) this.types.set(path, (set = new Set()));
    set.add(type);
  }

  element(path: string, type: BsonTypeName): void {
    let set = this.elements.get(path);
    if (!set) this.elements.set(path, (set = new Set()));
    set.add(type);
  }

  string(path: string, value: string): void {
    let list = this.strings.get(path);
    if (!list) this.strings.set(path, (list = []));
    list.push(value);
  }
}

function walkDocument(doc: Record<string, unknown>, prefix: string, depth: number, seen: DocumentSeen): void {
  for (const [key, value] of Object.entries(doc)) {
    const name = prefix && DYNAMIC_KEY.test(key) ? '*' : key;
    walkValue(value, prefix ? `${prefix}.${name}` : name, depth, seen);
  }
}

function walkValue(value: unknown, path: string, depth: number, seen: DocumentSeen): void {
  const type = bsonTypeOf(value);
  seen.add(path, type);
  if (type === 'string') seen.string(path, value as string);
  if (depth >= MAX_DEPTH) return;
  if (type === 'object') walkDocument(value as Record<string, unknown>, path, depth + 1, seen);
  if (type !== 'array') return;
  for (const element of value as unknown[]) {
    const elementType = bsonTypeOf(element);
    seen.element(path, elementType);
    if (elementType === 'object') walkDocument(element as Record<string, unknown>, path, depth + 1, seen);
    if (elementType === 'string') seen.string(path, element as string);
  }
}

function dominantType(types: Map<BsonTypeName, number>): NormalizedType {
  const nonNull = [...types].filter(([t]) => t !== 'null' && t !== 'undefined');
  if (nonNull.length === 0) return 'null';
  const widened = columnType(new Set(nonNull.map(([t]) => t)));
  if (widened.type !== 'unknown') return widened.type;
  const total = nonNull.reduce((sum, [, n]) => sum + n, 0);
  const [top, count] = nonNull.sort((a, b) => b[1] - a[1])[0]!;
  return count / total >= DOMINANT_SHARE ? normalizedType(top) : 'unknown';
}

function sampleValuesOf(stats: PathStats): string[] {
  if (!stats.values || stats.values.size === 0 || stats.values.size * 2 > stats.strings) return [];
  return [...stats.values].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([v]) => v);
}

/** Fields of a collection inferred from a sample of its documents. */
export function inferFields(docs: Document[]): MetadataField[] {
  const stats = new Map<string, PathStats>();
  for (const doc of docs) {
    const seen = new DocumentSeen();
    walkDocument(doc, '', 0, seen);
    for (const [path, types] of seen.types) {
      let s = stats.get(path);
      if (!s) stats.set(path, (s = { docs: 0, types: new Map(), elementTypes: new Set(), values: new Map(), strings: 0 }));
      s.docs += 1;
      for (const t of types) s.types.set(t, (s.types.get(t) ?? 0) + 1);
      for (const t of seen.elements.get(path) ?? []) s.elementTypes.add(t);
      for (const value of seen.strings.get(path) ?? []) {
        s.strings += 1;
        if (!s.values) continue;
        if (value.length > MAX_SAMPLE_LENGTH) s.values = null;
        else s.values.set(value, (s.values.get(value) ?? 0) + 1);
        if (s.values && s.values.size > MAX_SAMPLE_VALUES) s.values = null;
      }
    }
  }
  const total = docs.length;
  let paths = [...stats.keys()];
  if (paths.length > MAX_FIELDS) {
    const kept = new Set([...paths].sort((a, b) => stats.get(b)!.docs - stats.get(a)!.docs).slice(0, MAX_FIELDS));
    paths = paths.filter((p) => kept.has(p));
  }
  return paths.map((name) => {
    const s = stats.get(name)!;
    const type = dominantType(s.types);
    const observed = [...s.types].sort((a, b) => b[1] - a[1]).map(([t, count]) => ({ type: t, count }));
    const nonNull = observed.filter((o) => o.type !== 'null' && o.type !== 'undefined').map((o) => o.type);
    const elements = [...s.elementTypes];
    const nativeType = nonNull.length === 0 ? 'null' : nonNull.map((t) => (t === 'array' && elements.length ? `array<${elements.join('|')}>` : t)).join('|');
    const presence = total === 0 ? 0 : s.docs / total;
    const stringish = type === 'string' || (type === 'array' && elements.length === 1 && elements[0] === 'string');
    return {
      name,
      type,
      nativeType,
      nullable: presence < 1 || s.types.has('null') || s.types.has('undefined'),
      primaryKey: name === '_id',
      foreignKey: null,
      comment: null,
      presence,
      observedTypes: observed,
      sampleValues: stringish ? sampleValuesOf(s) : [],
    };
  });
}
