import type { MetadataDocument, MetadataField, MetadataObject } from '../contract/metadata.contract';
import type { NormalizedType } from '../contract/query.contract';
import { conceptsOf } from './lexicon';
import { normalise, splitName, stem } from './text';
import type { Scalar } from './types';

export interface IndexedTable {
  /** Unique inside the document: database, schema and name. */
  id: string;
  database: string;
  schema: string | null;
  name: string;
  kind: MetadataObject['kind'];
  words: string[];
  stems: string[];
  fields: IndexedField[];
  byName: Map<string, IndexedField>;
  primaryKey: IndexedField[];
  /** Columns that name a row for people: name, title, first + last name. */
  display: IndexedField[];
  rowEstimate: number | null;
}

export interface IndexedField {
  table: IndexedTable;
  name: string;
  type: NormalizedType;
  words: string[];
  stems: string[];
  /** The stems without the table's own name in front (invoice.invoice_date → date). */
  core: string[];
  primaryKey: boolean;
  /** A key column: primary, foreign, or named like one (…_id). Not a thing people ask about by name. */
  key: boolean;
  samples: Scalar[];
  numeric: boolean;
  temporal: boolean;
  text: boolean;
  boolean: boolean;
  array: boolean;
}

/** A many-to-one link: each `child` row points at one `parent` row. */
export interface JoinEdge {
  child: IndexedTable;
  parent: IndexedTable;
  pairs: Array<[IndexedField, IndexedField]>;
  /** Found by naming convention (…_id), not declared. */
  inferred: boolean;
}

export interface ValueEntry {
  field: IndexedField;
  value: string;
}

export interface SchemaIndex {
  sourceType: MetadataDocument['sourceType'];
  tables: IndexedTable[];
  edges: JoinEdge[];
  /** Adjacency for join paths, in a stable order. */
  neighbours: Map<IndexedTable, Array<{ edge: JoinEdge; other: IndexedTable; up: boolean }>>;
  /** Normalised sample value → the fields it was seen in. */
  values: Map<string, ValueEntry[]>;
  /** Stemmed sample value ("sale support agent") → the fields it was seen in. */
  stemmedValues: Map<string, ValueEntry[]>;
  /** Longest sample value, in words (bounds the value n-grams tried). */
  maxValueWords: number;
  /** Synonym concept of a name word → tables and fields with that word, so linking looks only at likely names. */
  byConcept: Map<string, { tables: Set<IndexedTable>; fields: Set<IndexedField> }>;
}

const NUMERIC: ReadonlySet<NormalizedType> = new Set(['integer', 'decimal', 'float']);
const TEMPORAL: ReadonlySet<NormalizedType> = new Set(['date', 'timestamp', 'timestamptz']);
const GENERIC_STEMS = new Set(['id', 'type', 'data', 'info', 'inform', 'detail', 'tabl', 'tbl', 'list', 'entri', 'map', 'link', 'code', 'no', 'num', 'valu']);

export function isGeneric(stemmed: string): boolean {
  return GENERIC_STEMS.has(stemmed);
}

/**
 * Two keys from one table to the same parent (friend.student_id and
 * friend.friend_id): the one named after the table itself names the other
 * party ("the friend"), so the row's own party joins first.
 */
function otherRole(edge: JoinEdge): number {
  return edge.pairs.some(([child]) => child.stems.some((s) => edge.child.stems.includes(s))) ? 1 : 0;
}

const cache = new WeakMap<MetadataDocument, SchemaIndex>();

/** Builds (once per metadata document) what linking and join planning look things up in. */
export function indexSchema(metadata: MetadataDocument): SchemaIndex {
  const hit = cache.get(metadata);
  if (hit) return hit;
  const index = build(metadata);
  cache.set(metadata, index);
  return index;
}

function build(metadata: MetadataDocument): SchemaIndex {
  const tables: IndexedTable[] = [];
  for (const database of metadata.databases) {
    for (const schema of database.schemas) {
      for (const object of schema.objects) tables.push(indexTable(database.name, schema.name, object));
    }
  }
  const edges = findEdges(metadata, tables);
  const neighbours = new Map<IndexedTable, Array<{ edge: JoinEdge; other: IndexedTable; up: boolean }>>();
  for (const table of tables) neighbours.set(table, []);
  for (const edge of edges) {
    if (edge.child === edge.parent) continue;
    neighbours.get(edge.child)!.push({ edge, other: edge.parent, up: true });
    neighbours.get(edge.parent)!.push({ edge, other: edge.child, up: false });
  }
  // Many-to-one steps first, declared before inferred, then by name: the same question always gets the same path.
  for (const list of neighbours.values()) {
    list.sort((a, b) => Number(b.up) - Number(a.up) || Number(a.edge.inferred) - Number(b.edge.inferred) || a.other.id.localeCompare(b.other.id) || otherRole(a.edge) - otherRole(b.edge));
  }

  const values = new Map<string, ValueEntry[]>();
  const stemmedValues = new Map<string, ValueEntry[]>();
  let maxValueWords = 1;
  for (const table of tables) {
    for (const field of table.fields) {
      if (!field.text && !field.array) continue;
      for (const sample of field.samples) {
        if (typeof sample !== 'string' || sample.length > 60) continue;
        const key = normalise(sample);
        if (key === '' || /^[0-9 ]+$/.test(key)) continue;
        const words = key.split(' ').length;
        if (words > 6) continue;
        maxValueWords = Math.max(maxValueWords, words);
        const list = values.get(key) ?? [];
        if (!list.some((e) => e.field === field)) list.push({ field, value: sample });
        values.set(key, list);
        const stemmedKey = key.split(' ').map(stem).join(' ');
        const stemmed = stemmedValues.get(stemmedKey) ?? [];
        if (!stemmed.some((e) => e.field === field)) stemmed.push({ field, value: sample });
        stemmedValues.set(stemmedKey, stemmed);
      }
    }
  }
  const byConcept = new Map<string, { tables: Set<IndexedTable>; fields: Set<IndexedField> }>();
  const entry = (key: string) => {
    let e = byConcept.get(key);
    if (!e) byConcept.set(key, (e = { tables: new Set(), fields: new Set() }));
    return e;
  };
  for (const table of tables) {
    for (const s of [...table.stems, table.stems.join('')]) for (const c of conceptsOf(s)) entry(c).tables.add(table);
    for (const field of table.fields) for (const s of [...field.stems, field.stems.join('')]) for (const c of conceptsOf(s)) entry(c).fields.add(field);
  }
  return { sourceType: metadata.sourceType, tables, edges, neighbours, values, stemmedValues, maxValueWords, byConcept };
}

function indexTable(database: string, schema: string | null, object: MetadataObject): IndexedTable {
  const words = splitName(object.name);
  const table: IndexedTable = {
    id: `${database}\u0000${schema ?? ''}\u0000${object.name}`,
    database,
    schema,
    name: object.name,
    kind: object.kind,
    words,
    stems: words.map(stem),
    fields: [],
    byName: new Map(),
    primaryKey: [],
    display: [],
    rowEstimate: object.rowEstimate,
  };
  for (const f of object.fields) {
    // "tier_and_details.*.tier": a map with generated keys; no query can name it.
    if (f.name.includes('*')) continue;
    const field = indexField(table, f);
    table.fields.push(field);
    table.byName.set(f.name, field);
  }
  table.primaryKey = table.fields.filter((f) => f.primaryKey);
  if (table.primaryKey.length === 0) {
    const id = table.fields.find((f) => f.name === '_id' || f.name.toLowerCase() === 'id');
    if (id) table.primaryKey = [id];
  }
  table.display = displayFields(table);
  return table;
}

function indexField(table: IndexedTable, f: MetadataField): IndexedField {
  const words = splitName(f.name);
  const stems = words.map(stem);
  let core = stems;
  // invoice.invoice_date → date, track.track_name → name (but keep a lone table word: genre.genre stays).
  for (let n = Math.min(table.stems.length, stems.length - 1); n > 0; n--) {
    if (table.stems.slice(-n).every((s, i) => s === stems[i]) || table.stems.slice(0, n).every((s, i) => s === stems[i])) {
      core = stems.slice(n);
      break;
    }
  }
  const observedArray = f.observedTypes.some((t) => t.type === 'array');
  const last = stems[stems.length - 1] ?? '';
  return {
    table,
    name: f.name,
    type: f.type,
    words,
    stems,
    core,
    primaryKey: f.primaryKey,
    key: f.primaryKey || f.foreignKey !== null || last === 'id' || f.name === '_id' || f.type === 'objectId' || f.type === 'uuid',
    samples: f.sampleValues,
    numeric: NUMERIC.has(f.type),
    temporal: TEMPORAL.has(f.type),
    text: f.type === 'string',
    boolean: f.type === 'boolean',
    array: f.type === 'array' || observedArray,
  };
}

/** Columns that identify a row to a person, in the order they read best. */
function displayFields(table: IndexedTable): IndexedField[] {
  const candidates = table.fields.filter((f) => !f.key && (f.text || f.type === 'unknown'));
  const exact = (word: string) => candidates.filter((f) => f.core.length === 1 && f.core[0] === word);
  const name = exact('name');
  if (name.length > 0) return name.slice(0, 1);
  const first = candidates.find((f) => f.stems.join(' ') === 'first name' || f.stems.join(' ') === 'firstnam');
  const last = candidates.find((f) => f.stems.join(' ') === 'last name' || f.stems.join(' ') === 'lastnam');
  if (first && last) return [first, last];
  const title = exact('titl');
  if (title.length > 0) return title.slice(0, 1);
  const named = candidates.filter((f) => f.stems[f.stems.length - 1] === 'name' && !['user', 'file'].includes(f.stems[0] ?? ''));
  if (named.length > 0) return named.slice(0, 1);
  for (const word of ['titl', 'item', 'usernam', 'label', 'descript', 'email']) {
    const hit = candidates.find((f) => f.stems.includes(word));
    if (hit) return [hit];
  }
  const user = candidates.find((f) => f.stems.includes('user') && f.stems.includes('name'));
  return user ? [user] : [];
}

function findEdges(metadata: MetadataDocument, tables: IndexedTable[]): JoinEdge[] {
  const byName = new Map<string, IndexedTable[]>();
  for (const t of tables) byName.set(t.name.toLowerCase(), [...(byName.get(t.name.toLowerCase()) ?? []), t]);
  const resolve = (from: IndexedTable, schema: string | null, name: string): IndexedTable | undefined => {
    const list = (byName.get(name.toLowerCase()) ?? []).filter((t) => t.database === from.database);
    return list.find((t) => t.name === name && t.schema === schema) ?? list.find((t) => t.name === name && t.schema === from.schema) ?? list.find((t) => t.name === name) ?? list[0];
  };
  const edges: JoinEdge[] = [];
  const seen = new Set<string>();
  const add = (child: IndexedTable, parent: IndexedTable, pairs: Array<[IndexedField, IndexedField]>, inferred: boolean) => {
    const key = `${child.id}\u0001${parent.id}\u0001${pairs.map(([c, p]) => `${c.name}=${p.name}`).join(',')}`;
    if (seen.has(key)) return;
    seen.add(key);
    edges.push({ child, parent, pairs, inferred });
  };
  const objects = new Map<IndexedTable, MetadataObject>();
  let i = 0;
  for (const database of metadata.databases) for (const schema of database.schemas) for (const object of schema.objects) objects.set(tables[i++]!, object);

  for (const child of tables) {
    const object = objects.get(child)!;
    for (const fk of object.foreignKeys) {
      const parent = resolve(child, fk.refSchema, fk.refTable);
      if (!parent) continue;
      const pairs = fk.columns.map((c, k) => [child.byName.get(c), parent.byName.get(fk.refColumns[k] ?? '')] as const);
      if (pairs.every(([c, p]) => c && p)) add(child, parent, pairs as Array<[IndexedField, IndexedField]>, false);
    }
    for (const f of object.fields) {
      if (!f.foreignKey) continue;
      const parent = resolve(child, f.foreignKey.schema, f.foreignKey.table);
      const from = child.byName.get(f.name);
      const to = parent?.byName.get(f.foreignKey.column);
      if (parent && from && to) add(child, parent, [[from, to]], false);
    }
  }
  // Sources without declared keys (files, MyISAM): artist_id / ArtistId pointing at a table artist with that key.
  if (edges.length === 0) {
    for (const child of tables) {
      for (const field of child.fields) {
        if (field.stems.length < 2 || field.stems[field.stems.length - 1] !== 'id' || field.primaryKey) continue;
        const target = field.stems.slice(0, -1);
        const parent = tables.find((t) => t !== child && t.database === child.database && sameStems(t.stems, target));
        if (!parent) continue;
        const key = parent.primaryKey.length === 1 ? parent.primaryKey[0] : parent.fields.find((p) => sameStems(p.stems, field.stems) || p.name.toLowerCase() === 'id');
        if (key) add(child, parent, [[field, key]], true);
      }
    }
  }
  return edges;
}

function sameStems(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}
