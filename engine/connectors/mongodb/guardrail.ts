/**
 * Layer 1 for MongoDB: a query is an Extended JSON document, read strictly
 * (extended-json.ts: what the server receives is exactly what the text says)
 * and checked against MongoQueryDocument and the allow-lists in operators.ts
 * before anything reaches the server.
 *
 * - The database is the source's: a query naming another database, and a
 *   $lookup, $graphLookup or $unionWith into one, is CROSS_DATABASE.
 * - Collections named system.* (users, profiles, stored JavaScript, view
 *   definitions) and MongoDB's internal databases are FORBIDDEN_RELATION.
 * - Stages come from an allow-list, sub-pipelines included ($facet, $lookup,
 *   $unionWith); every other $-key anywhere in the document must be a known
 *   read-only operator. JavaScript ($where, $function, $accumulator, code
 *   values) and writes ($out, $merge) are refused wherever they hide.
 */
import type { Verdict, VerdictReason, VerdictReasonCode } from '../../contract/query.contract';
import { dedupeReasons, reasonAt, refusal } from '../shared/verdict';
import { readExtendedJson } from './extended-json';
import {
  GRAPH_LOOKUP_OPTIONS,
  INTERNAL_DATABASES,
  JAVASCRIPT_OPERATORS,
  LOOKUP_OPTIONS,
  READ_OPERATORS,
  READ_SYSTEM_VARIABLES,
  READ_STAGES,
  REFUSED_STAGE_REASONS,
  UNION_WITH_OPTIONS,
  WRITE_STAGES,
} from './operators';
import { MongoQueryDocument } from './query-document';

/** The longest query text accepted, in characters (about 100 KB). */
export const MAX_MONGO_QUERY_LENGTH = 100_000;

const READ_OPERATIONS = new Set<string>(MongoQueryDocument.options.map((option) => option.shape.operation.value));

/** What a query may reach: the source's database. */
export interface MongoScope {
  database: string;
}

export interface MongoInspection {
  verdict: Verdict;
  /** The parsed document (Extended JSON values as BSON types) when the verdict allows it. */
  document: MongoQueryDocument | null;
}

/** Static check of a MongoDB query document against the source's scope; never touches the server. */
export function validateMongoQuery(text: string, scope: MongoScope): Verdict {
  return inspectMongoQuery(text, scope).verdict;
}

/** Like validateMongoQuery, and also hands back the parsed document so callers need not parse twice. */
export function inspectMongoQuery(text: string, scope: MongoScope): MongoInspection {
  if (text.trim() === '') return refused('EMPTY_QUERY', 'The query is empty.', null);
  if (text.length > MAX_MONGO_QUERY_LENGTH) {
    return refused('TOO_LONG', `The query is ${text.length.toLocaleString('en')} characters long; the limit is ${MAX_MONGO_QUERY_LENGTH.toLocaleString('en')}.`, null);
  }
  const read = readExtendedJson(text);
  if (!read.ok) return refused(read.error.code, read.error.message, null, read.error.position);

  const value = read.value;
  const statementKind = isPlainObject(value) && typeof value.operation === 'string' ? value.operation : null;
  if (statementKind !== null && !READ_OPERATIONS.has(statementKind)) {
    return refused('NOT_A_QUERY', `The operation "${statementKind}" is not allowed: only reads run here (find, aggregate, count and distinct).`, statementKind);
  }
  if (read.issues.length > 0) {
    const reasons = read.issues.map((issue) => reasonAt({ code: issue.code, message: issue.message }, issue.position));
    return { verdict: { allowed: false, reasons: dedupeReasons(reasons, { perPosition: true }), statementKind }, document: null };
  }
  const parsed = MongoQueryDocument.safeParse(value);
  if (!parsed.success) {
    const reasons = parsed.error.issues.map((issue): VerdictReason => ({
      code: 'INVALID_DOCUMENT',
      message: `The query document is not valid${issue.path.length > 0 ? ` at ${formatPath(issue.path)}` : ''}: ${issue.message}`,
    }));
    return { verdict: { allowed: false, reasons, statementKind }, document: null };
  }

  // The objects as read, not zod's copies: what is checked is what runs, and reasons can point into the text.
  const document = { ...(value as MongoQueryDocument) };
  if (document.operation !== 'aggregate') document.filter ??= {};
  const check = new ScopeCheck(scope.database, read.positionOf);
  check.query(document, value as object);
  const reasons = dedupeReasons(check.reasons);
  return {
    verdict: { allowed: reasons.length === 0, reasons, statementKind: document.operation },
    document: reasons.length === 0 ? document : null,
  };
}

/** Walks a parsed query with the allow-lists, collecting reasons to refuse it. */
class ScopeCheck {
  readonly reasons: VerdictReason[] = [];
  readonly #database: string;
  readonly #positionOf: (object: object, key: string) => number | undefined;

  constructor(database: string, positionOf: (object: object, key: string) => number | undefined) {
    this.#database = database;
    this.#positionOf = positionOf;
  }

  /** `text` is the top-level object as read, for positions. */
  query(doc: MongoQueryDocument, text: object): void {
    if (INTERNAL_DATABASES.has(this.#database)) {
      this.#refuse('FORBIDDEN_RELATION', `This source reads MongoDB\u2019s internal database "${this.#database}", which holds server state rather than data: queries are refused there.`);
    }
    if (doc.database !== undefined && doc.database !== this.#database) {
      this.#refuse('CROSS_DATABASE', `The query names database "${doc.database}", but this source reads only "${this.#database}".`, text, 'database');
    }
    this.#collectionName(doc.collection, 'collection', text, 'collection');
    switch (doc.operation) {
      case 'find':
        this.#values(doc.filter, 'filter');
        if (doc.projection) this.#values(doc.projection, 'projection');
        if (doc.sort) this.#values(doc.sort, 'sort');
        return;
      case 'count':
      case 'distinct':
        this.#values(doc.filter, 'filter');
        return;
      case 'aggregate':
        this.#pipeline(doc.pipeline, 'pipeline');
        return;
    }
  }

  #pipeline(stages: unknown, path: string): void {
    if (!Array.isArray(stages)) {
      this.#refuse('INVALID_DOCUMENT', `The value at ${path} must be an array of pipeline stages.`);
      return;
    }
    stages.forEach((stage, index) => this.#stage(stage, `${path}[${index}]`));
  }

  #stage(stage: unknown, path: string): void {
    const keys = isPlainObject(stage) ? Object.keys(stage) : [];
    const name = keys[0];
    if (!isPlainObject(stage) || keys.length !== 1 || name === undefined || !name.startsWith('$')) {
      this.#refuse('INVALID_DOCUMENT', `The value at ${path} is not a pipeline stage: a stage is an object with exactly one $-prefixed name, such as {"$match": {...}}.`);
      // Still say what else it holds: a write stage smuggled in as a second key is a refusal of its own.
      for (const key of keys) {
        const write = WRITE_STAGES[key];
        if (write !== undefined) this.#refuse('FORBIDDEN_STAGE', `${write} (${path}.${key}).`, stage as object, key);
        this.#values((stage as Record<string, unknown>)[key], `${path}.${key}`);
      }
      return;
    }
    const at = `${path}.${name}`;
    const write = WRITE_STAGES[name];
    if (write !== undefined) {
      this.#refuse('FORBIDDEN_STAGE', `${write} (${at}).`, stage, name);
      this.#values(stage[name], at);
      return;
    }
    if (!READ_STAGES.has(name)) {
      const why = Object.hasOwn(REFUSED_STAGE_REASONS, name) ? REFUSED_STAGE_REASONS[name] : 'only stages that read and reshape documents are allowed';
      this.#refuse('FORBIDDEN_STAGE', `${name} (${path}) is not allowed: ${why}.`, stage, name);
      return;
    }
    const body = stage[name];
    switch (name) {
      case '$facet':
        if (!isPlainObject(body)) return this.#refuse('INVALID_DOCUMENT', `The value at ${at} must be an object of named sub-pipelines.`);
        for (const [facet, pipeline] of Object.entries(body)) this.#pipeline(pipeline, `${at}.${facet}`);
        return;
      case '$lookup':
        return this.#otherCollection(body, at, LOOKUP_OPTIONS, 'from');
      case '$graphLookup':
        return this.#otherCollection(body, at, GRAPH_LOOKUP_OPTIONS, 'from');
      case '$unionWith':
        if (typeof body === 'string') return this.#collectionName(body, at, stage, name);
        return this.#otherCollection(body, at, UNION_WITH_OPTIONS, 'coll');
      default:
        this.#values(body, at);
    }
  }

  /** A stage that reads another collection: known options only, that collection in this database, sub-pipelines checked. */
  #otherCollection(body: unknown, at: string, options: ReadonlySet<string>, fromKey: string): void {
    if (!isPlainObject(body)) {
      this.#refuse('INVALID_DOCUMENT', `The value at ${at} must be an object.`);
      return;
    }
    for (const [key, value] of Object.entries(body)) {
      const path = `${at}.${key}`;
      if (!options.has(key)) this.#refuse('INVALID_DOCUMENT', `${path} is not an option this stage accepts here (allowed: ${[...options].join(', ')}).`, body, key);
      else if (key === fromKey) this.#collectionReference(value, path, body, key);
      else if (key === 'pipeline') this.#pipeline(value, path);
      else this.#values(value, path);
    }
  }

  /** `from` / `coll`: a collection name, or {db, coll} naming this database. */
  #collectionReference(value: unknown, path: string, holder: object, key: string): void {
    if (typeof value === 'string') return this.#collectionName(value, path, holder, key);
    if (!isPlainObject(value) || Object.keys(value).some((k) => k !== 'db' && k !== 'coll') || typeof value.coll !== 'string' || typeof value.db !== 'string') {
      this.#refuse('INVALID_DOCUMENT', `The value at ${path} must be a collection name.`, holder, key);
      return;
    }
    if (value.db !== this.#database) {
      this.#refuse('CROSS_DATABASE', `${path} reads database "${value.db}", but this source reads only "${this.#database}".`, holder, key);
    }
    this.#collectionName(value.coll, `${path}.coll`, holder, key);
  }

  #collectionName(name: string, path: string, holder: object, key: string): void {
    if (name.startsWith('system.')) {
      this.#refuse('FORBIDDEN_RELATION', `The collection "${name}" (${path}) is a system collection (users, profiling, stored code or view definitions), not data.`, holder, key);
    } else if (name === '' || name.includes('$') || name.includes('\0')) {
      this.#refuse('INVALID_DOCUMENT', `"${name}" (${path}) is not a collection name: names are non-empty and contain no "$" or NUL.`, holder, key);
    }
  }

  /** Any value outside stage positions: every $-key must be a read-only operator. */
  #values(value: unknown, path: string): void {
    if (Array.isArray(value)) {
      value.forEach((item, index) => this.#values(item, `${path}[${index}]`));
      return;
    }
    if ((value as { _bsontype?: unknown } | null)?._bsontype === 'Code') {
      this.#refuse('FORBIDDEN_OPERATOR', `JavaScript code values are not allowed (${path}): queries may not carry code for the server to run.`);
      return;
    }
    if (typeof value === 'string') {
      this.#systemVariable(value, path);
      return;
    }
    if (!isPlainObject(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const at = `${path}.${key}`;
      if (key.startsWith('$')) this.#operator(key, at, value);
      this.#values(child, at);
    }
  }

  /**
   * `$$NAME` names a variable. The server's own (upper case) are an allow-list: `$$USER_ROLES` and the like
   * reveal who is logged in, which is not data of the source. User variables (from $let, $map, $filter …) start
   * in lower case and are the query's own.
   */
  #systemVariable(text: string, path: string): void {
    const name = /^\$\$([^.]*)/.exec(text)?.[1];
    if (name === undefined || !/^[A-Z_]/.test(name) || READ_SYSTEM_VARIABLES.has(name)) return;
    this.#refuse('FORBIDDEN_OPERATOR', `$$${name} (${path}) is not allowed: of the server's variables, only ${[...READ_SYSTEM_VARIABLES].map((v) => `$$${v}`).join(', ')} may be read.`);
  }

  #operator(key: string, at: string, holder: object): void {
    if (READ_OPERATORS.has(key)) return;
    const write = WRITE_STAGES[key];
    const script = JAVASCRIPT_OPERATORS[key];
    if (write !== undefined) this.#refuse('FORBIDDEN_STAGE', `${write} (${at}).`, holder, key);
    else if (script !== undefined) this.#refuse('FORBIDDEN_OPERATOR', `${script} (${at}).`, holder, key);
    else this.#refuse('FORBIDDEN_OPERATOR', `${key} (${at}) is not allowed: it is not one of the query and expression operators known to only read.`, holder, key);
  }

  #refuse(code: VerdictReasonCode, message: string, holder?: object, key?: string): void {
    const position = holder && key !== undefined ? this.#positionOf(holder, key) : undefined;
    this.reasons.push(reasonAt({ code, message }, position));
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}

function refused(code: VerdictReasonCode, message: string, statementKind: string | null, position?: number): MongoInspection {
  return { verdict: refusal(code, message, statementKind, position), document: null };
}
