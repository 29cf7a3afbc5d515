/**
 * A MongoDB wire-protocol server for tests, so the real `mongodb` driver can
 * be exercised over TCP where no MongoDB can be installed. It answers as a
 * standalone MongoDB 7.0 (maxWireVersion 21): OP_MSG, plus the legacy OP_QUERY
 * handshake answered with OP_REPLY; query and aggregation semantics come from
 * mingo; SCRAM-SHA-256 authentication with built-in roles.
 *
 * What it does NOT emulate:
 * - maxTimeMS on real work: commands run synchronously and to completion. Only
 *   the artificial latency of `setLatency()` honours maxTimeMS, answering
 *   MaxTimeMSExpired (50) as a server would.
 * - killOp / currentOp (CommandNotFound): a cancelled client just drops its
 *   connection, and the pending reply is discarded.
 * - Indexes other than `_id`, collations, geo operators, text search,
 *   transactions, change streams, replica sets, compression, exhaust
 *   cursors, SCRAM-SHA-1 and every other authentication mechanism.
 * - BSON type fidelity of stored numbers: documents are held as the `bson`
 *   package deserializes them, so a whole-number double comes back as an int32
 *   and int64 values within 2^53 come back as int32/double.
 * - Server-side JavaScript ($where, $function, $accumulator): disabled.
 * - Size accounting: listDatabases' sizes are rough (512 bytes per document).
 * - $lookup / $graphLookup / $unionWith read collections of the command's own
 *   database only; a {db, coll} reference finds nothing.
 *
 * For tests that judge what a client did (security corpora, wire fidelity):
 * - Capture: every command received is in `commandLog`, decoded and as the
 *   exact BSON bytes that arrived (`bson`); `mark()` and `commandsSince()`
 *   select what one step sent. `decode()` re-reads a logged command without
 *   promoting values, so Int32, Long and Double stay distinguishable.
 * - Fingerprint: `fingerprint()` hashes every database and collection (and
 *   counts documents, open cursors, connections, users); equal fingerprints
 *   before and after mean nothing changed. `databaseNames()`,
 *   `collectionNames()` and `documents()` list the data itself.
 * - A command whose client disconnected while it waited (see `setLatency`)
 *   is not run, as mongod kills the operations of a closed connection.
 */
import net from 'node:net';
import tls from 'node:tls';
import { createHash } from 'node:crypto';
import { deserialize, serialize, type Document } from 'bson';
import { Users, type UserSpec } from './auth';
import { Cursors, DATA_COMMANDS, HANDLERS, OPEN_COMMANDS, type ServerState, type Session } from './commands';
import { encodeReply, parseRequest, ProtocolError, splitMessages, type Request } from './protocol';
import { CommandError, Store } from './store';

export interface MongoWireServerOptions {
  /** 0 or omitted: a free port on 127.0.0.1. */
  port?: number;
  users?: UserSpec[];
  /** Refuse everything but the handshake and authentication until a user has logged in. */
  requireAuth?: boolean;
  /** Serve TLS only (like `net.tls.mode: requireTLS`) with this PEM key and certificate. */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export interface MongoWireServer {
  readonly port: number;
  /** A connection string for the driver; user and password are URL-encoded, authSource defaults to the user's database. */
  uri(options?: { db?: string; user?: string; password?: string; authSource?: string }): string;
  /** Inserts documents (Extended JSON already parsed) into db.collection, creating it. */
  load(db: string, collection: string, docs: object[]): void;
  /** A fingerprint of all data: equal fingerprints mean nothing changed. */
  snapshot(): string;
  /** Data per database and collection, plus server state: equal fingerprints (compare with assert.equal) mean nothing changed. */
  fingerprint(): ServerFingerprint;
  /** Databases that hold at least one collection, sorted. */
  databaseNames(): string[];
  /** Collections of a database, sorted. */
  collectionNames(db: string): string[];
  /** Deep copies of a collection's documents, in storage order. */
  documents(db: string, collection: string): Document[];
  /**
   * Delays data commands' replies by `ms` (0 turns it off), to make queries slow enough to cancel;
   * a shorter maxTimeMS ends the wait with MaxTimeMSExpired unless `ignoreMaxTimeMS`. `commands`
   * narrows the delay to those command names (say, only `getMore`).
   */
  setLatency(ms: number, options?: { ignoreMaxTimeMS?: boolean; commands?: string[] }): void;
  /** The next command named `name` fails with this server error (a failure mid-result, say), once. */
  failNext(name: string, error?: { code: number; codeName: string; message: string }): void;
  /** Commands received so far, in arrival order (for asserting what a client sent). */
  readonly commandLog: ReadonlyArray<LoggedCommand>;
  /** The current end of commandLog, to pass to commandsSince later. */
  mark(): number;
  /** Commands logged since `mark`, only those named when names are given. */
  commandsSince(mark: number, ...names: string[]): LoggedCommand[];
  /** Open server-side cursors. */
  readonly openCursors: number;
  /** Client connections currently open. */
  readonly openConnections: number;
  close(): Promise<void>;
}

export interface LoggedCommand {
  name: string;
  db: string;
  /** 2013 for OP_MSG, 2004 for the legacy OP_QUERY handshake. */
  opCode: number;
  /** The command as decoded by default (numbers promoted to JavaScript numbers). */
  command: Document;
  /** The command document's BSON exactly as it arrived (OP_MSG section 0; document sequences are not included). */
  bson: Buffer;
  /** The client connection that sent it. */
  connectionId: number;
}

export interface ServerFingerprint {
  /** The hash of all data (as `snapshot()`). */
  data: string;
  /** Per database, per collection: document count and a hash of the documents in order. */
  databases: Record<string, Record<string, { count: number; hash: string }>>;
  users: number;
  openCursors: number;
  openConnections: number;
}

/** A logged command re-read from its bytes without promoting values: Int32, Long and Double stay as BSON types. */
export function decode(command: LoggedCommand): Document {
  return deserialize(command.bson, { promoteValues: false });
}

const COMMAND_ALIASES: Record<string, string> = { buildinfo: 'buildInfo', ismaster: 'isMaster' };

export async function startMongoWireServer(options: MongoWireServerOptions = {}): Promise<MongoWireServer> {
  const users = new Users(options.users ?? []);
  const store = new Store();
  const cursors = new Cursors();
  const state: ServerState = { store, users, requireAuth: options.requireAuth ?? false, cursors, port: 0 };
  const sockets = new Set<net.Socket>();
  const commandLog: LoggedCommand[] = [];
  let latencyMs = 0;
  let honourMaxTime = true;
  let delayed: ReadonlySet<string> | null = null;
  const failures = new Map<string, CommandError>();
  let nextConnectionId = 1;

  const delay = (ms: number, socket: net.Socket) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      socket.once('close', () => (clearTimeout(timer), resolve()));
    });

  async function answer(request: Request, session: Session, socket: net.Socket): Promise<Document> {
    const name = Object.keys(request.command)[0] ?? '';
    commandLog.push({ name: COMMAND_ALIASES[name] ?? name, db: request.db, opCode: request.opCode, command: request.command, bson: request.bson, connectionId: session.connectionId });
    const failure = failures.get(name);
    if (failure) {
      failures.delete(name);
      throw failure;
    }
    const handler = Object.hasOwn(HANDLERS, name) ? HANDLERS[name] : undefined;
    if (!handler) throw new CommandError(59, 'CommandNotFound', `no such command: '${name}'`);
    if (state.requireAuth && !session.user && !OPEN_COMMANDS.has(name)) {
      throw new CommandError(13, 'Unauthorized', `Command ${name} requires authentication`);
    }
    if (latencyMs > 0 && DATA_COMMANDS.has(name) && (delayed === null || delayed.has(name))) {
      const maxTimeMS = Number(request.command.maxTimeMS ?? 0);
      if (honourMaxTime && maxTimeMS > 0 && maxTimeMS < latencyMs) {
        await delay(maxTimeMS, socket);
        throw new CommandError(50, 'MaxTimeMSExpired', 'operation exceeded time limit');
      }
      await delay(latencyMs, socket);
      // mongod kills the operations of a connection that closed; nothing of this command happens.
      if (socket.destroyed) throw new CommandError(11601, 'Interrupted', 'operation was interrupted');
    }
    return handler(request.command, request.db, session, state);
  }

  async function handle(message: Buffer, session: Session, socket: net.Socket): Promise<void> {
    let request: Request;
    try {
      request = parseRequest(message);
    } catch {
      socket.destroy();
      return;
    }
    let reply: Document;
    try {
      reply = await answer(request, session, socket);
    } catch (error) {
      reply =
        error instanceof CommandError
          ? { ok: 0, errmsg: error.message, code: error.code, codeName: error.codeName }
          : { ok: 0, errmsg: error instanceof Error ? error.message : String(error), code: 1, codeName: 'InternalError' };
    }
    if (request.noReply || socket.destroyed) return;
    socket.write(encodeReply(request, reply));
  }

  const onConnection = (socket: net.Socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const session: Session = { connectionId: nextConnectionId++, user: null, conversations: new Map() };
    let pending: Buffer = Buffer.alloc(0);
    // Requests on one connection are answered in order, as the driver expects.
    let queue = Promise.resolve();
    let first = true;
    socket.on('data', (chunk) => {
      // Like mongod without TLS: a TLS ClientHello (record type 22, version 3.x) ends the connection.
      if (first && !options.tls && chunk[0] === 0x16 && chunk[1] === 0x03) {
        socket.destroy();
        return;
      }
      first = false;
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let messages: Buffer[];
      try {
        ({ messages, rest: pending } = splitMessages(pending));
      } catch (error) {
        if (error instanceof ProtocolError) socket.destroy();
        return;
      }
      for (const message of messages) queue = queue.then(() => handle(message, session, socket));
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  };
  const server = options.tls
    ? tls.createServer({ key: options.tls.key, cert: options.tls.cert }, onConnection).on('tlsClientError', () => {})
    : net.createServer(onConnection);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  state.port = port;

  return {
    port,
    uri({ db, user, password, authSource } = {}) {
      const auth = user ? `${encodeURIComponent(user)}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@` : '';
      const source = authSource ?? options.users?.find((u) => u.user === user)?.db ?? 'admin';
      const query = user ? `?authSource=${encodeURIComponent(source)}` : '';
      return `mongodb://${auth}127.0.0.1:${port}/${db ?? ''}${query}`;
    },
    load(db, collection, docs) {
      const coll = store.ensureCollection(db, collection);
      for (const doc of docs) coll.insert(doc as Document, `${db}.${collection}`);
    },
    snapshot: () => store.snapshot(),
    fingerprint() {
      const databases: ServerFingerprint['databases'] = {};
      for (const db of store.databases()) {
        databases[db] = {};
        for (const name of store.collectionNames(db)) {
          const hash = createHash('sha256');
          const docs = store.documents(db, name);
          for (const doc of docs) hash.update(serialize(doc));
          databases[db][name] = { count: docs.length, hash: hash.digest('hex') };
        }
      }
      return { data: store.snapshot(), databases, users: users.size, openCursors: cursors.openCount, openConnections: sockets.size };
    },
    databaseNames: () => store.databases(),
    collectionNames: (db) => store.collectionNames(db),
    documents: (db, collection) => store.documents(db, collection).map((doc) => deserialize(serialize(doc))),
    setLatency(ms, { ignoreMaxTimeMS = false, commands } = {}) {
      latencyMs = ms;
      honourMaxTime = !ignoreMaxTimeMS;
      delayed = commands ? new Set(commands) : null;
    },
    failNext(name, error = { code: 1, codeName: 'InternalError', message: 'injected failure' }) {
      failures.set(name, new CommandError(error.code, error.codeName, error.message));
    },
    commandLog,
    mark: () => commandLog.length,
    commandsSince: (mark, ...names) => commandLog.slice(mark).filter((c) => names.length === 0 || names.includes(c.name)),
    get openCursors() {
      return cursors.openCount;
    },
    get openConnections() {
      return sockets.size;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
