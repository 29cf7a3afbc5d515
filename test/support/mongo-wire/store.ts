/**
 * The in-memory data behind the test server: databases of collections of
 * documents, held in the form the `bson` package deserializes to (so values
 * behave exactly as they would after a round trip over the wire).
 */
import { createHash } from 'node:crypto';
import { deserialize, EJSON, ObjectId, serialize, UUID, type Document } from 'bson';

export type Doc = Document;

export class CommandError extends Error {
  readonly code: number;
  readonly codeName: string;
  constructor(code: number, codeName: string, message: string) {
    super(message);
    this.code = code;
    this.codeName = codeName;
  }
}

export const DUPLICATE_KEY = 11000;

/** A stable key for an `_id` value, so uniqueness can be checked without scanning. */
export function idKey(id: unknown): string {
  return EJSON.stringify({ v: id }, { relaxed: false });
}

/** A deep copy in wire form, with `_id` first (added when missing, as the server does). */
export function normalizeDocument(doc: Doc): Doc {
  const copy = deserialize(serialize(doc));
  if (!('_id' in copy)) return { _id: new ObjectId(), ...copy };
  if (Object.keys(copy)[0] === '_id') return copy;
  const { _id, ...rest } = copy;
  return { _id, ...rest };
}

export class Collection {
  docs: Doc[] = [];
  readonly uuid = new UUID();
  #ids = new Set<string>();

  /** Inserts one document; throws a duplicate-key CommandError when its `_id` exists. */
  insert(doc: Doc, ns: string): Doc {
    const normalized = normalizeDocument(doc);
    const key = idKey(normalized._id);
    if (this.#ids.has(key)) {
      throw new CommandError(DUPLICATE_KEY, 'DuplicateKey', `E11000 duplicate key error collection: ${ns} index: _id_ dup key: { _id: ${key} }`);
    }
    this.#ids.add(key);
    this.docs.push(normalized);
    return normalized;
  }

  /** Replaces every document (for $out and bulk loads); rebuilds the `_id` index. */
  replaceAll(docs: Doc[], ns: string): void {
    this.docs = [];
    this.#ids.clear();
    for (const doc of docs) this.insert(doc, ns);
  }

  hasId(id: unknown): boolean {
    return this.#ids.has(idKey(id));
  }

  removeWhere(predicate: (doc: Doc) => boolean, limit: number): number {
    let removed = 0;
    const kept: Doc[] = [];
    for (const doc of this.docs) {
      if ((limit === 0 || removed < limit) && predicate(doc)) {
        removed += 1;
        this.#ids.delete(idKey(doc._id));
      } else {
        kept.push(doc);
      }
    }
    this.docs = kept;
    return removed;
  }

  /** Re-derives the `_id` index after documents were changed in place. */
  reindex(ns: string): void {
    const seen = new Set<string>();
    for (const doc of this.docs) {
      const key = idKey(doc._id);
      if (seen.has(key)) throw new CommandError(DUPLICATE_KEY, 'DuplicateKey', `E11000 duplicate key error collection: ${ns} index: _id_`);
      seen.add(key);
    }
    this.#ids = seen;
  }
}

export class Store {
  readonly #dbs = new Map<string, Map<string, Collection>>();

  databases(): string[] {
    return [...this.#dbs.keys()].filter((db) => (this.#dbs.get(db)?.size ?? 0) > 0).sort();
  }

  collectionNames(db: string): string[] {
    return [...(this.#dbs.get(db)?.keys() ?? [])].sort();
  }

  collection(db: string, name: string): Collection | undefined {
    return this.#dbs.get(db)?.get(name);
  }

  /** Documents of a collection, or none for a collection that does not exist (as MongoDB reads it). */
  documents(db: string, name: string): Doc[] {
    return this.collection(db, name)?.docs ?? [];
  }

  ensureCollection(db: string, name: string): Collection {
    validateNamespace(db, name);
    let colls = this.#dbs.get(db);
    if (!colls) this.#dbs.set(db, (colls = new Map()));
    let coll = colls.get(name);
    if (!coll) colls.set(name, (coll = new Collection()));
    return coll;
  }

  drop(db: string, name: string): boolean {
    return this.#dbs.get(db)?.delete(name) ?? false;
  }

  dropDatabase(db: string): void {
    this.#dbs.delete(db);
  }

  /** A fingerprint of every database, collection and document (order included). */
  snapshot(): string {
    const hash = createHash('sha256');
    for (const db of [...this.#dbs.keys()].sort()) {
      for (const name of this.collectionNames(db)) {
        hash.update(`\0${db}.${name}\0`);
        for (const doc of this.#dbs.get(db)!.get(name)!.docs) hash.update(serialize(doc));
      }
    }
    return hash.digest('hex');
  }
}

function validateNamespace(db: string, name: string): void {
  if (!db || /[/\\. "$\0]/.test(db)) throw new CommandError(73, 'InvalidNamespace', `Invalid database name: '${db}'`);
  if (!name || name.includes('\0') || name.startsWith('$') || name.startsWith('system.')) {
    throw new CommandError(73, 'InvalidNamespace', `Invalid collection name: '${name}'`);
  }
}
