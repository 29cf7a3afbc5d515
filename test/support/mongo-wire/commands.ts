/**
 * Command handlers of the test server. Each takes the command document (as
 * decoded from the wire), the target database and the connection's session,
 * and returns the reply document or throws a CommandError.
 */
import { BSON, Long, type Binary } from 'bson';
import { update as applyUpdate } from 'mingo/updater';
import { Aggregator } from 'mingo/aggregator';
import { allows, authFailed, privilegesOf, reachableDatabases, ScramConversation, type Action, type Privilege, type Role, type Users } from './auth';
import { executionStats, findPlan, queryPlanner, splitPushdown } from './explain';
import { asCommandError, hasWriteStage, matcher, mingoOptions, runAggregate, runDistinct, runFind } from './query';
import { CommandError, normalizeDocument, type Doc, type Store } from './store';

export const SERVER_VERSION = '7.0.14';
export const MAX_WIRE_VERSION = 21;
const MAX_BSON_SIZE = 16 * 1024 * 1024;
const BATCH_BYTES = MAX_BSON_SIZE - 64 * 1024;
const DEFAULT_FIRST_BATCH = 101;

export interface AuthenticatedUser {
  user: string;
  db: string;
  roles: Role[];
  privileges: Privilege[];
}

export interface Session {
  connectionId: number;
  user: AuthenticatedUser | null;
  conversations: Map<number, ScramConversation>;
}

export interface ServerState {
  store: Store;
  users: Users;
  requireAuth: boolean;
  cursors: Cursors;
  port: number;
}

type Handler = (cmd: Doc, db: string, session: Session, state: ServerState) => Doc;

interface OpenCursor {
  ns: string;
  docs: Doc[];
  position: number;
}

/** Server-side cursors: results are computed eagerly and handed out in batches. */
export class Cursors {
  #next = 7_000_000_001;
  readonly #open = new Map<string, OpenCursor>();

  get openCount(): number {
    return this.#open.size;
  }

  /** The first batch; a cursor stays open only while documents remain. */
  first(ns: string, docs: Doc[], batchSize: number | undefined, singleBatch = false): Doc {
    const cursor: OpenCursor = { ns, docs, position: 0 };
    const firstBatch = takeBatch(cursor, batchSize ?? DEFAULT_FIRST_BATCH);
    let id = 0;
    if (!singleBatch && cursor.position < docs.length) {
      id = this.#next++;
      this.#open.set(String(id), cursor);
    }
    return { cursor: { firstBatch, id: Long.fromNumber(id), ns }, ok: 1 };
  }

  more(id: unknown, ns: string, batchSize: number | undefined): Doc {
    const key = String(id);
    const cursor = this.#open.get(key);
    if (!cursor) throw new CommandError(43, 'CursorNotFound', `cursor id ${key} not found`);
    if (cursor.ns !== ns) throw new CommandError(13, 'Unauthorized', `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${cursor.ns}`);
    const nextBatch = takeBatch(cursor, batchSize && batchSize > 0 ? batchSize : Number.POSITIVE_INFINITY);
    const done = cursor.position >= cursor.docs.length;
    if (done) this.#open.delete(key);
    return { cursor: { nextBatch, id: Long.fromNumber(done ? 0 : Number(key)), ns }, ok: 1 };
  }

  kill(ids: unknown[]): Doc {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const id of ids) {
      const key = String(id);
      (this.#open.delete(key) ? killed : notFound).push(Long.fromString(key));
    }
    return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
  }
}

function takeBatch(cursor: OpenCursor, batchSize: number): Doc[] {
  const batch: Doc[] = [];
  let bytes = 0;
  while (cursor.position < cursor.docs.length && batch.length < batchSize) {
    const doc = cursor.docs[cursor.position]!;
    bytes += BSON.calculateObjectSize(doc);
    if (batch.length > 0 && bytes > BATCH_BYTES) break;
    batch.push(doc);
    cursor.position += 1;
  }
  return batch;
}

// ---- helpers ----

function collectionName(cmd: Doc, name: string): string {
  const coll = cmd[name];
  if (typeof coll !== 'string' || coll.length === 0) {
    throw new CommandError(73, 'InvalidNamespace', `collection name has invalid type ${typeof coll}`);
  }
  return coll;
}

function optionalDoc(cmd: Doc, field: string): Doc | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new CommandError(14, 'TypeMismatch', `BSON field '${field}' is the wrong type, expected an object`);
  return v as Doc;
}

function optionalCount(cmd: Doc, field: string): number | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : Long.isLong(v) ? v.toNumber() : NaN;
  if (!Number.isFinite(n)) throw new CommandError(14, 'TypeMismatch', `BSON field '${field}' is the wrong type, expected a number`);
  return n;
}

function requireAccess(state: ServerState, session: Session, db: string, actions: Action[], command: string): void {
  if (!state.requireAuth) return;
  if (!session.user) throw new CommandError(13, 'Unauthorized', `Command ${command} requires authentication`);
  if (!actions.some((a) => allows(session.user!.roles, a, db))) {
    throw new CommandError(13, 'Unauthorized', `not authorized on ${db} to execute command { ${command}: ... }`);
  }
}

// ---- handshake, auth, diagnostics ----

function hello(name: 'hello' | 'isMaster'): Handler {
  return (cmd, _db, session, state) => {
    const mechs = typeof cmd.saslSupportedMechs === 'string' ? state.users.mechanismsFor(cmd.saslSupportedMechs) : undefined;
    return {
      helloOk: true,
      ...(name === 'hello' ? { isWritablePrimary: true } : { ismaster: true }),
      maxBsonObjectSize: MAX_BSON_SIZE,
      maxMessageSizeBytes: 48_000_000,
      maxWriteBatchSize: 100_000,
      localTime: new Date(),
      logicalSessionTimeoutMinutes: 30,
      connectionId: session.connectionId,
      minWireVersion: 0,
      maxWireVersion: MAX_WIRE_VERSION,
      readOnly: false,
      ...(mechs ? { saslSupportedMechs: mechs } : {}),
      ok: 1,
    };
  };
}

const buildInfo: Handler = () => ({
  version: SERVER_VERSION,
  gitVersion: '0000000000000000000000000000000000000000',
  versionArray: SERVER_VERSION.split('.').map(Number).concat(0),
  bits: 64,
  debug: false,
  maxBsonObjectSize: MAX_BSON_SIZE,
  storageEngines: ['inMemory'],
  javascriptEngine: 'none',
  modules: [],
  ok: 1,
});

const saslStart: Handler = (cmd, db, session, state) => {
  const conversation = new ScramConversation(state.users, db);
  const payload = (cmd.payload as Binary | undefined)?.buffer;
  if (!payload) throw authFailed();
  const reply = conversation.start(cmd.mechanism, Buffer.from(payload));
  const id = session.conversations.size + 1;
  session.conversations.set(id, conversation);
  return { conversationId: id, done: false, payload: Buffer.from(reply), ok: 1 };
};

const saslContinue: Handler = (cmd, _db, session) => {
  const id = Number(cmd.conversationId);
  const conversation = session.conversations.get(id);
  const payload = (cmd.payload as Binary | undefined)?.buffer;
  if (!conversation || !payload) throw new CommandError(17, 'ProtocolError', 'No SASL session state found');
  session.conversations.delete(id);
  const { reply, user } = conversation.finish(Buffer.from(payload));
  session.user = { user: user.user, db: user.db, roles: user.roles, privileges: user.privileges };
  return { conversationId: id, done: true, payload: reply, ok: 1 };
};

const connectionStatus: Handler = (cmd, _db, session) => ({
  authInfo: {
    authenticatedUsers: session.user ? [{ user: session.user.user, db: session.user.db }] : [],
    authenticatedUserRoles: session.user ? session.user.roles.map((r) => ({ role: r.role, db: r.db })) : [],
    ...(cmd.showPrivileges === true ? { authenticatedUserPrivileges: session.user ? privilegesOf(session.user.roles, session.user.privileges) : [] } : {}),
  },
  ok: 1,
});

// ---- catalog ----

const listDatabases: Handler = (cmd, _db, session, state) => {
  // Like authorizedDatabases: any logged-in user may ask, and sees only the databases its roles reach.
  const reachable = state.requireAuth && session.user ? reachableDatabases(session.user.roles) : null;
  const test = matcher(state.store, 'admin', optionalDoc(cmd, 'filter'));
  const databases = state.store
    .databases()
    .filter((name) => reachable === null || reachable.has(name))
    .map((name) => {
      const sizeOnDisk = state.store.collectionNames(name).reduce((sum, c) => sum + state.store.documents(name, c).length * 512, 0);
      return { name, sizeOnDisk, empty: sizeOnDisk === 0 };
    })
    .filter((d) => test(d));
  if (cmd.nameOnly) return { databases: databases.map((d) => ({ name: d.name })), ok: 1 };
  const totalSize = databases.reduce((sum, d) => sum + d.sizeOnDisk, 0);
  return { databases, totalSize, totalSizeMb: Math.round(totalSize / 1048576), ok: 1 };
};

const listCollections: Handler = (cmd, db, session, state) => {
  requireAccess(state, session, db, ['read', 'admin'], 'listCollections');
  const test = matcher(state.store, db, optionalDoc(cmd, 'filter'));
  const infos = state.store.collectionNames(db).map((name) => ({
    name,
    type: 'collection',
    options: {},
    info: { readOnly: false, uuid: state.store.collection(db, name)!.uuid },
    idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
  }));
  const matching = infos.filter((c) => test(c)).map((c) => (cmd.nameOnly ? { name: c.name, type: c.type } : c));
  const batchSize = optionalCount(optionalDoc(cmd, 'cursor') ?? {}, 'batchSize');
  return state.cursors.first(`${db}.$cmd.listCollections`, matching, batchSize ?? Number.POSITIVE_INFINITY);
};

const listIndexes: Handler = (cmd, db, session, state) => {
  const coll = collectionName(cmd, 'listIndexes');
  requireAccess(state, session, db, ['read', 'admin'], 'listIndexes');
  if (!state.store.collection(db, coll)) throw new CommandError(26, 'NamespaceNotFound', `ns does not exist: ${db}.${coll}`);
  return state.cursors.first(`${db}.${coll}`, [{ v: 2, key: { _id: 1 }, name: '_id_' }], undefined);
};

const create: Handler = (cmd, db, session, state) => {
  const coll = collectionName(cmd, 'create');
  requireAccess(state, session, db, ['write', 'admin'], 'create');
  if (state.store.collection(db, coll)) throw new CommandError(48, 'NamespaceExists', `Collection ${db}.${coll} already exists.`);
  state.store.ensureCollection(db, coll);
  return { ok: 1 };
};

const drop: Handler = (cmd, db, session, state) => {
  const coll = collectionName(cmd, 'drop');
  requireAccess(state, session, db, ['write', 'admin'], 'drop');
  state.store.drop(db, coll);
  return { ns: `${db}.${coll}`, nIndexesWas: 1, ok: 1 };
};

const dropDatabase: Handler = (_cmd, db, session, state) => {
  requireAccess(state, session, db, ['admin'], 'dropDatabase');
  state.store.dropDatabase(db);
  return { dropped: db, ok: 1 };
};

// ---- reads ----

function findSpec(cmd: Doc) {
  const rawLimit = optionalCount(cmd, 'limit') ?? 0;
  return {
    filter: optionalDoc(cmd, 'filter') ?? {},
    projection: optionalDoc(cmd, 'projection'),
    sort: optionalDoc(cmd, 'sort'),
    skip: optionalCount(cmd, 'skip') ?? 0,
    limit: Math.abs(rawLimit),
    singleBatch: rawLimit < 0 || cmd.singleBatch === true,
    batchSize: optionalCount(cmd, 'batchSize'),
  };
}

const find: Handler = (cmd, db, session, state) => {
  const coll = collectionName(cmd, 'find');
  requireAccess(state, session, db, ['read'], 'find');
  const spec = findSpec(cmd);
  const docs = runFind(state.store, db, coll, spec);
  const batchSize = spec.batchSize ?? (spec.limit ? Math.min(spec.limit, DEFAULT_FIRST_BATCH) : undefined);
  return state.cursors.first(`${db}.${coll}`, docs, batchSize, spec.singleBatch);
};

const getMore: Handler = (cmd, db, session, state) => {
  const coll = collectionName(cmd, 'collection');
  requireAccess(state, session, db, ['read'], 'getMore');
  return state.cursors.more(cmd.getMore, `${db}.${coll}`, optionalCount(cmd, 'batchSize'));
};

const killCursors: Handler = (cmd, db, session, state) => {
  collectionName(cmd, 'killCursors');
  requireAccess(state, session, db, ['read'], 'killCursors');
  const ids = Array.isArray(cmd.cursors) ? cmd.cursors : [];
  return state.cursors.kill(ids);
};

function pipelineOf(cmd: Doc): Doc[] {
  if (!Array.isArray(cmd.pipeline)) throw new CommandError(14, 'TypeMismatch', "'pipeline' option must be specified as an array");
  return cmd.pipeline as Doc[];
}

const aggregate: Handler = (cmd, db, session, state) => {
  const pipeline = pipelineOf(cmd);
  const onDatabase = cmd.aggregate === 1;
  const coll = onDatabase ? '$cmd.aggregate' : collectionName(cmd, 'aggregate');
  const writes = hasWriteStage(pipeline);
  requireAccess(state, session, db, writes ? ['write'] : ['read'], 'aggregate');
  if (cmd.explain === true) return explainAggregate(state, db, coll, pipeline, 'queryPlanner', cmd);
  const cursorSpec = optionalDoc(cmd, 'cursor');
  if (!cursorSpec) throw new CommandError(9, 'FailedToParse', "The 'cursor' option is required, except for aggregate with the explain argument");
  const source = onDatabase ? [] : state.store.documents(db, coll);
  const docs = runAggregate(state.store, db, source, pipeline);
  return state.cursors.first(`${db}.${coll}`, docs, optionalCount(cursorSpec, 'batchSize'));
};

const count: Handler = (cmd, db, session, state) => {
  const coll = collectionName(cmd, 'count');
  requireAccess(state, session, db, ['read'], 'count');
  const test = matcher(state.store, db, optionalDoc(cmd, 'query'));
  let n = state.store.documents(db, coll).filter((d) => test(d)).length;
  const skip = optionalCount(cmd, 'skip') ?? 0;
  const limit = Math.abs(optionalCount(cmd, 'limit') ?? 0);
  n = Math.max(0, n - skip);
  if (limit) n = Math.min(n, limit);
  return { n, ok: 1 };
};

const distinct: Handler = (cmd, db, session, state) => {
  const coll = collectionName(cmd, 'distinct');
  requireAccess(state, session, db, ['read'], 'distinct');
  if (typeof cmd.key !== 'string' || !cmd.key) throw new CommandError(14, 'TypeMismatch', "BSON field 'distinct.key' is missing but a required field");
  return { values: runDistinct(state.store, db, coll, cmd.key, optionalDoc(cmd, 'query')), ok: 1 };
};

// ---- explain ----

function explainEnvelope(state: ServerState, planner: Doc, command: Doc, extra: Doc = {}): Doc {
  return {
    explainVersion: '1',
    queryPlanner: planner,
    ...extra,
    command,
    serverInfo: { host: '127.0.0.1', port: state.port, version: SERVER_VERSION, gitVersion: '0000000000000000000000000000000000000000' },
    serverParameters: { internalQueryFacetBufferSizeBytes: 104857600, internalDocumentSourceGroupMaxMemoryBytes: 104857600 },
    ok: 1,
  };
}

function explainAggregate(state: ServerState, db: string, coll: string, pipeline: Doc[], verbosity: string, command: Doc): Doc {
  if (hasWriteStage(pipeline)) {
    // Explaining $out/$merge never writes: the plan is built without running the pipeline.
    verbosity = 'queryPlanner';
  }
  const ns = `${db}.${coll}`;
  const { filter, rest } = splitPushdown(pipeline);
  const plan = findPlan({ ns, filter });
  const planner = queryPlanner(ns, filter, plan);
  const started = performance.now();
  const stats =
    verbosity === 'queryPlanner'
      ? null
      : (() => {
          const matched = runAggregate(state.store, db, state.store.documents(db, coll), filter && Object.keys(filter).length ? [{ $match: filter }] : []);
          return executionStats(plan, matched.length, state.store.documents(db, coll).length, Math.round(performance.now() - started));
        })();
  if (rest.length === 0) return explainEnvelope(state, planner, command, stats ? { executionStats: stats } : {});
  return {
    explainVersion: '1',
    stages: [{ $cursor: { queryPlanner: planner, ...(stats ? { executionStats: stats } : {}) } }, ...rest],
    command,
    serverInfo: { host: '127.0.0.1', port: state.port, version: SERVER_VERSION },
    ok: 1,
  };
}

const explain: Handler = (cmd, db, session, state) => {
  const inner = optionalDoc(cmd, 'explain');
  if (!inner) throw new CommandError(9, 'FailedToParse', 'explain command requires a nested object');
  const verbosity = typeof cmd.verbosity === 'string' ? cmd.verbosity : 'allPlansExecution';
  const kind = Object.keys(inner)[0];
  requireAccess(state, session, db, ['read'], 'explain');
  if (kind === 'find') {
    const coll = collectionName(inner, 'find');
    const spec = findSpec(inner);
    const ns = `${db}.${coll}`;
    const plan = findPlan({ ns, ...spec });
    const started = performance.now();
    const stats =
      verbosity === 'queryPlanner'
        ? {}
        : { executionStats: executionStats(plan, runFind(state.store, db, coll, spec).length, state.store.documents(db, coll).length, Math.round(performance.now() - started)) };
    return explainEnvelope(state, queryPlanner(ns, spec.filter, plan), inner, stats);
  }
  if (kind === 'aggregate') {
    const coll = inner.aggregate === 1 ? '$cmd.aggregate' : collectionName(inner, 'aggregate');
    return explainAggregate(state, db, coll, pipelineOf(inner), verbosity, inner);
  }
  if (kind === 'count' || kind === 'distinct') {
    const coll = collectionName(inner, kind);
    const filter = optionalDoc(inner, 'query') ?? {};
    const ns = `${db}.${coll}`;
    const scan = findPlan({ ns, filter });
    const plan =
      kind === 'count'
        ? Object.keys(filter).length === 0
          ? { stage: 'RECORD_STORE_FAST_COUNT' }
          : { stage: 'COUNT', inputStage: scan }
        : { stage: 'PROJECTION_SIMPLE', transformBy: { [String(inner.key)]: 1, _id: 0 }, inputStage: scan };
    return explainEnvelope(state, queryPlanner(ns, filter, plan), inner);
  }
  throw new CommandError(59, 'CommandNotFound', `Explain failed due to unknown command: ${kind}`);
};

// ---- writes ----

const insert: Handler = (cmd, db, session, state) => {
  const coll = collectionName(cmd, 'insert');
  requireAccess(state, session, db, ['write'], 'insert');
  const docs = Array.isArray(cmd.documents) ? (cmd.documents as Doc[]) : [];
  const ordered = cmd.ordered !== false;
  const target = state.store.ensureCollection(db, coll);
  const writeErrors: Doc[] = [];
  let n = 0;
  for (const [index, doc] of docs.entries()) {
    try {
      target.insert(doc, `${db}.${coll}`);
      n += 1;
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      writeErrors.push({ index, code: error.code, errmsg: error.message });
      if (ordered) break;
    }
  }
  return writeErrors.length ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
};

function isOperatorUpdate(u: unknown): u is Doc {
  return !!u && typeof u === 'object' && !Array.isArray(u) && Object.keys(u).some((k) => k.startsWith('$'));
}

/** The equality part of a filter, which an upsert copies into the new document. */
function equalityFields(q: Doc): Doc {
  const out: Doc = {};
  for (const [k, v] of Object.entries(q)) {
    if (k.startsWith('$') || k.includes('.')) continue;
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).some((x) => x.startsWith('$'))) continue;
    out[k] = v;
  }
  return out;
}

function updated(store: Store, db: string, doc: Doc, u: unknown, arrayFilters: Doc[] | undefined): { doc: Doc; changed: boolean } {
  try {
    if (Array.isArray(u)) {
      const [next] = new Aggregator(u as Doc[], mingoOptions(store, db)).run([doc]) as Doc[];
      return { doc: { ...next, _id: doc._id }, changed: true };
    }
    if (isOperatorUpdate(u)) {
      const paths = applyUpdate(doc, u, arrayFilters, undefined, { cloneMode: 'deep', queryOptions: mingoOptions(store, db) });
      return { doc, changed: paths.length > 0 };
    }
    return { doc: { _id: doc._id, ...(u as Doc) }, changed: true };
  } catch (error) {
    asCommandError(error);
  }
}

const updateCommand: Handler = (cmd, db, session, state) => {
  const coll = collectionName(cmd, 'update');
  requireAccess(state, session, db, ['write'], 'update');
  const ns = `${db}.${coll}`;
  const target = state.store.ensureCollection(db, coll);
  const statements = Array.isArray(cmd.updates) ? (cmd.updates as Doc[]) : [];
  let n = 0;
  let nModified = 0;
  const upserted: Doc[] = [];
  for (const [index, statement] of statements.entries()) {
    const q = (statement.q as Doc | undefined) ?? {};
    const test = matcher(state.store, db, q);
    const arrayFilters = statement.arrayFilters as Doc[] | undefined;
    let matched = 0;
    for (let i = 0; i < target.docs.length; i++) {
      if (!test(target.docs[i]!)) continue;
      matched += 1;
      const result = updated(state.store, db, target.docs[i]!, statement.u, arrayFilters);
      target.docs[i] = normalizeDocument(result.doc);
      if (result.changed) nModified += 1;
      if (!statement.multi) break;
    }
    n += matched;
    if (matched === 0 && statement.upsert) {
      const base = normalizeDocument(equalityFields(q));
      const doc = updated(state.store, db, base, statement.u, arrayFilters).doc;
      const inserted = target.insert(doc, ns);
      upserted.push({ index, _id: inserted._id });
      n += 1;
    }
  }
  target.reindex(ns);
  return upserted.length ? { n, nModified, upserted, ok: 1 } : { n, nModified, ok: 1 };
};

const deleteCommand: Handler = (cmd, db, session, state) => {
  const coll = collectionName(cmd, 'delete');
  requireAccess(state, session, db, ['write'], 'delete');
  const target = state.store.collection(db, coll);
  let n = 0;
  for (const statement of Array.isArray(cmd.deletes) ? (cmd.deletes as Doc[]) : []) {
    if (!target) break;
    const test = matcher(state.store, db, (statement.q as Doc | undefined) ?? {});
    n += target.removeWhere(test, Number(statement.limit ?? 0) === 1 ? 1 : 0);
  }
  return { n, ok: 1 };
};

const ok: Handler = () => ({ ok: 1 });

export const HANDLERS: Record<string, Handler> = {
  hello: hello('hello'),
  isMaster: hello('isMaster'),
  ismaster: hello('isMaster'),
  ping: ok,
  buildInfo,
  buildinfo: buildInfo,
  saslStart,
  saslContinue,
  logout: (_cmd, _db, session) => ((session.user = null), { ok: 1 }),
  connectionStatus,
  endSessions: ok,
  listDatabases,
  listCollections,
  listIndexes,
  create,
  drop,
  dropDatabase,
  find,
  getMore,
  killCursors,
  aggregate,
  count,
  distinct,
  explain,
  insert,
  update: updateCommand,
  delete: deleteCommand,
};

/** Commands that a connection may run before it authenticates. */
export const OPEN_COMMANDS = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'buildInfo', 'buildinfo', 'saslStart', 'saslContinue', 'logout', 'connectionStatus', 'endSessions']);

/** Commands that read or write data; the artificial latency applies to these. */
export const DATA_COMMANDS = new Set(['find', 'getMore', 'aggregate', 'count', 'distinct', 'explain', 'insert', 'update', 'delete']);
