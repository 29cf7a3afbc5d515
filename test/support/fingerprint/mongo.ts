/**
 * A MongoDB canary on the wire-protocol test server: a source database, an
 * admin database and another application database holding secrets; a
 * fingerprint of all data plus a reading of every command the server received
 * since the last snapshot (writes, other databases, server-side JavaScript,
 * server-state stages, and keys the approved text had but the wire did not),
 * because the test server cannot itself run some of what a real server would.
 */
import { EJSON, ObjectId, type Document } from 'bson';
import { MongoClient } from 'mongodb';
import { startMongoWireServer, decode, type LoggedCommand, type MongoWireServer } from '../mongo-wire/server';
import { diffSnapshots, secretWord, type Snapshot } from './common';

const SOURCE_DB = 'canary';
const DATA_COMMANDS = new Set(['find', 'aggregate', 'count', 'distinct', 'explain', 'getMore', 'listCollections', 'listIndexes', 'mapReduce']);
const WRITE_COMMANDS = new Set(['insert', 'update', 'delete', 'findAndModify', 'create', 'drop', 'dropDatabase', 'createIndexes', 'dropIndexes', 'renameCollection', 'mapReduce', 'collMod']);
const SERVER_STATE_STAGES = new Set(['$currentOp', '$listSessions', '$listLocalSessions', '$collStats', '$indexStats', '$planCacheStats', '$changeStream', '$listSampledQueries', '$shardedDataDistribution']);
const JAVASCRIPT_KEYS = new Set(['$where', '$function', '$accumulator']);
/** Extended JSON type wrappers: keys of the text that become BSON types, not keys, on the wire. */
const EJSON_KEYS = new Set(['$oid', '$date', '$numberInt', '$numberLong', '$numberDouble', '$numberDecimal', '$binary', '$base64', '$subType', '$code', '$scope', '$regularExpression', '$pattern', '$options', '$timestamp', '$t', '$i', '$minKey', '$maxKey', '$undefined', '$symbol', '$dbPointer', '$uuid']);

export interface MongoSecrets {
  admin: string;
  payroll: string;
}

function sourceData(): Record<string, Document[]> {
  const names = ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra', 'Barbara Liskov'];
  const countries = ['DE', 'FR', 'US', 'BR', 'JP'];
  const statuses = ['paid', 'open', 'refunded'];
  const customers = Array.from({ length: 40 }, (_, i) => {
    const g = i + 1;
    return {
      _id: g,
      name: `${names[g % 5]} ${g}`,
      email: `user${g}@example.${g % 2 === 0 ? 'com' : 'org'}`,
      country: countries[g % 5],
      signup: new Date(Date.parse('2020-01-01T00:00:00Z') + g * 17 * 86_400_000),
      tier: g % 3 === 0 ? 'gold' : 'silver',
      prefs: { newsletter: g % 2 === 0, language: 'en' },
    };
  });
  const orders = Array.from({ length: 200 }, (_, i) => {
    const g = i + 1;
    return {
      _id: g,
      customer_id: 1 + (g % 40),
      total: Math.round(((g * 7.31) % 250) * 100) / 100,
      placed_at: new Date(Date.parse('2024-01-01T00:00:00Z') + g * 37 * 3_600_000),
      status: statuses[g % 3],
      tags: [`t${g % 4}`, 'x'],
    };
  });
  const categories = [
    { _id: 1, parent_id: null, name: 'All' },
    { _id: 2, parent_id: 1, name: 'Books' },
    { _id: 3, parent_id: 1, name: 'Music' },
    { _id: 4, parent_id: 2, name: 'Fiction' },
    { _id: 5, parent_id: 2, name: 'Science' },
    { _id: 6, parent_id: 3, name: 'Jazz' },
    { _id: 7, parent_id: 5, name: 'Physics' },
  ];
  const events = Array.from({ length: 100 }, (_, i) => ({
    _id: new ObjectId(),
    at: new Date(Date.parse('2024-01-01T00:00:00Z') + i * 60_000),
    kind: `k${i % 7}`,
    payload: { source: i % 2 ? 'web' : 'app', score: i % 10 },
  }));
  return { customers, orders, categories, events };
}

/** Every key of a JSON text with its depth, duplicates included (JSON.parse keeps only the last of each). */
export function jsonKeys(text: string): { key: string; depth: number }[] {
  const keys: { key: string; depth: number }[] = [];
  const stack: ('{' | '[')[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') stack.push(c);
    else if (c === '}' || c === ']') stack.pop();
    else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const literal = text.slice(i, j + 1);
      let k = j + 1;
      while (k < text.length && /\s/.test(text[k]!)) k++;
      if (text[k] === ':' && stack[stack.length - 1] === '{') {
        try {
          keys.push({ key: JSON.parse(literal) as string, depth: stack.length - 1 });
        } catch {
          // Not a valid JSON string: the checker will say so.
        }
      }
      i = j;
    }
  }
  return keys;
}

function countBytes(haystack: Buffer, needle: Buffer): number {
  let n = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) n++;
  return n;
}

/** Walks a decoded command: every key, every value, whatever the nesting. */
function walk(value: unknown, visit: (key: string | null, value: unknown) => void, key: string | null = null): void {
  visit(key, value);
  const type = (value as { _bsontype?: string } | null)?._bsontype;
  if (Array.isArray(value)) for (const v of value) walk(v, visit);
  // A DBRef is a BSON type of its own, but its $id can hold anything (Code included).
  else if (type === 'DBRef') walk((value as { oid: unknown }).oid, visit, '$id');
  else if (value && typeof value === 'object' && !type) {
    for (const [k, v] of Object.entries(value as Document)) walk(v, visit, k);
  }
}

export class MongoCanary {
  readonly server: MongoWireServer;
  readonly otherDb = `pst_other_${process.pid}`;
  readonly secrets: MongoSecrets = { admin: secretWord('admin'), payroll: secretWord('payroll') };
  #mark = 0;
  #expected: string | null = null;
  #raw: MongoClient | null = null;

  private constructor(server: MongoWireServer) {
    this.server = server;
  }

  static async create(): Promise<MongoCanary> {
    const canary = new MongoCanary(await startMongoWireServer());
    canary.#load();
    return canary;
  }

  get db(): string {
    return SOURCE_DB;
  }

  #original(): Record<string, Record<string, Document[]>> {
    return {
      [SOURCE_DB]: sourceData(),
      admin: { credentials: [{ _id: 1, user: 'root', password: this.secrets.admin }] },
      [this.otherDb]: { payroll: [{ _id: 1, name: 'Ada', secret: this.secrets.payroll }, { _id: 2, name: 'Bob', secret: this.secrets.payroll }] },
    };
  }

  #load(): void {
    for (const [db, collections] of Object.entries(this.#original())) {
      for (const [name, docs] of Object.entries(collections)) this.server.load(db, name, docs);
    }
    this.#mark = this.server.mark();
  }

  get placeholders(): Record<string, string> {
    return { db: SOURCE_DB, otherDb: this.otherDb };
  }

  /** The text about to be sent through the connector: the wire reading compares what arrives with it. */
  expect(queryText: string | null): void {
    this.#expected = queryText;
  }

  async snapshot(): Promise<Snapshot> {
    const fp = this.server.fingerprint();
    const data = Object.entries(fp.databases)
      .flatMap(([db, colls]) => Object.entries(colls).map(([c, v]) => `${db}.${c} ${v.count} ${v.hash.slice(0, 16)}`))
      .sort()
      .join('\n');
    const wire = this.#readWire(this.server.commandsSince(this.#mark));
    this.#mark = this.server.mark();
    this.#expected = null;
    return { data, wire: wire.join('\n'), cursors: `${fp.openCursors} open cursors`, users: `${fp.users} users` };
  }

  /** What the commands since the last snapshot did that a read of the source never does. */
  #readWire(commands: LoggedCommand[]): string[] {
    const problems = new Set<string>();
    const sent: LoggedCommand[] = [];
    for (const command of commands) {
      if (WRITE_COMMANDS.has(command.name)) problems.add(`sent ${command.name} to ${command.db}`);
      if (!DATA_COMMANDS.has(command.name)) continue;
      sent.push(command);
      if (command.db !== SOURCE_DB) problems.add(`sent ${command.name} to database ${command.db}`);
      walk(decode(command), (key, value) => {
        if (key && JAVASCRIPT_KEYS.has(key)) problems.add(`sent server-side JavaScript (${key})`);
        if (key && SERVER_STATE_STAGES.has(key)) problems.add(`sent ${key}`);
        if (key === '$out' || key === '$merge') problems.add(`sent a write stage (${key})`);
        if ((value as { _bsontype?: string } | null)?._bsontype === 'Code') problems.add('sent a BSON Code value');
        if (key && ['from', 'coll', 'into'].includes(key) && value && typeof value === 'object' && typeof (value as Document).db === 'string' && (value as Document).db !== SOURCE_DB) {
          problems.add(`sent a reference to database ${(value as Document).db}`);
        }
        if (key === 'db' && typeof value === 'string' && value !== SOURCE_DB) problems.add(`sent a reference to database ${value}`);
      });
    }
    if (this.#expected !== null && sent.length > 0) {
      const wire = Buffer.concat(sent.map((c) => c.bson));
      const counts = new Map<string, number>();
      for (const { key, depth } of jsonKeys(this.#expected)) {
        if (depth === 0 || EJSON_KEYS.has(key)) continue;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      for (const [key, approved] of counts) {
        const onWire = countBytes(wire, Buffer.from(`${key}\0`, 'utf8'));
        if (onWire < approved) problems.add(`approved key ${JSON.stringify(key)} ${approved}x, sent ${onWire}x`);
      }
    }
    return [...problems].sort();
  }

  async repair(before: Snapshot, after: Snapshot): Promise<void> {
    const changed = new Set(diffSnapshots(before, after).map((d) => d.slice(0, d.indexOf(':'))));
    if (changed.has('data')) {
      const client = new MongoClient(this.server.uri(), { serverSelectionTimeoutMS: 5_000 });
      try {
        for (const db of this.server.databaseNames()) await client.db(db).dropDatabase();
      } finally {
        await client.close();
      }
      this.#load();
    }
    if (changed.has('cursors') || changed.has('unguarded_session')) {
      await this.#raw?.close().catch(() => {});
      this.#raw = null;
    }
    this.#mark = this.server.mark();
  }

  /**
   * Runs a query document with the plain driver, no check: the database and collection it names, its find, aggregate,
   * count or distinct, or the write it asks for. What an attack does when nothing stops it.
   */
  async unguarded(queryText: string, timeoutMs: number): Promise<string> {
    this.expect(queryText);
    this.#raw ??= new MongoClient(this.server.uri(), { serverSelectionTimeoutMS: 5_000 });
    const q = EJSON.parse(queryText, { relaxed: false }) as Document;
    const db = this.#raw.db(typeof q.database === 'string' ? q.database : SOURCE_DB);
    const coll = db.collection(String(q.collection ?? 'customers'));
    const options = { maxTimeMS: timeoutMs };
    let result: unknown;
    switch (q.operation) {
      case 'find':
        result = await coll.find(q.filter ?? {}, { projection: q.projection, sort: q.sort, skip: q.skip, limit: q.limit, ...options }).toArray();
        break;
      case 'aggregate':
        result = await coll.aggregate(q.pipeline ?? [], options).toArray();
        break;
      case 'count':
        result = await coll.countDocuments(q.filter ?? {}, options);
        break;
      case 'distinct':
        result = await coll.distinct(String(q.field), q.filter ?? {}, options);
        break;
      case 'insert':
        result = await coll.insertMany(q.documents ?? []);
        break;
      case 'update':
        result = await coll.updateMany(q.filter ?? {}, q.update ?? {});
        break;
      case 'delete':
        result = await coll.deleteMany(q.filter ?? {});
        break;
      case 'findAndModify':
        result = await coll.findOneAndUpdate(q.filter ?? {}, q.update ?? {});
        break;
      case 'listDatabases':
        result = await this.#raw.db('admin').admin().listDatabases();
        break;
      case 'runCommand':
      case 'command':
        result = await db.command(q.command ?? {});
        break;
      default:
        throw new Error(`no unguarded mapping for operation ${String(q.operation)}`);
    }
    return EJSON.stringify(result, { relaxed: true });
  }

  async unguardedSession(): Promise<string> {
    return `${this.server.openCursors} open cursors`;
  }

  async close(): Promise<void> {
    await this.#raw?.close().catch(() => {});
    await this.server.close();
  }
}
