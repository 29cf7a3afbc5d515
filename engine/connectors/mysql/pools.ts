import net from 'node:net';
import tls from 'node:tls';
import mysql from 'mysql2/promise';
import { redactor } from '../../log/redact';
import { raceAbort, raceDeadline, throwIfAborted } from '../shared/abort';
import { ConnectorNet } from '../shared/budgets';
import { connectionError, type ConnectionTarget } from '../shared/connection-errors';
import { TlsNegotiation } from '../shared/tls';
import type { ConnectionSpec } from '../types';
import { mysqlConnectError } from './errors';

const POOL_SIZE = 4;
const VERIFIED = new WeakSet<object>();
const IDLE_MS = 30_000;

/**
 * What differs between the two servers for this connector (see README.md):
 * the statement time limit (MariaDB: max_statement_time in seconds, MySQL
 * 5.7.8+: max_execution_time in milliseconds, SELECT only), which built-in
 * functions exist, and the server's default SQL mode (session.ts keeps only
 * the parts that do not change how query text is read).
 */
export interface MysqlFlavour {
  mariadb: boolean;
  version: string;
  timeLimit: 'max_statement_time' | 'max_execution_time' | null;
  /** @@GLOBAL.sql_mode, what a connection starts with. */
  sqlMode: string;
}

export function flavourOf(version: string, sqlMode = ''): MysqlFlavour {
  if (/mariadb/i.test(version)) return { mariadb: true, version, timeLimit: 'max_statement_time', sqlMode };
  const [major = 0, minor = 0, patch = 0] = version.split(/[.-]/).map(Number);
  const hasLimit = major > 5 || (major === 5 && (minor > 7 || (minor === 7 && patch >= 8)));
  return { mariadb: false, version, timeLimit: hasLimit ? 'max_execution_time' : null, sqlMode };
}

/** One source's pool, plus what the connector learns: the flavour, and whether `prefer` got TLS. */
export class MysqlSource {
  readonly target: ConnectionTarget;
  readonly net: ConnectorNet;
  readonly #spec: ConnectionSpec<'mysql'>;
  readonly #tls: TlsNegotiation;
  #pool: mysql.Pool | null = null;
  #flavour: Promise<MysqlFlavour> | null = null;
  #hostVerified = false;

  constructor(spec: ConnectionSpec<'mysql'>, connectorNet: ConnectorNet = new ConnectorNet()) {
    this.#spec = spec;
    this.net = connectorNet;
    const c = spec.connection;
    this.target = { host: c.host, port: c.port, database: c.database, user: c.user, connectTimeoutMs: c.connectTimeoutMs };
    redactor.register(spec.password);
    this.#tls = new TlsNegotiation(c.tls);
  }

  connectionOptions(): mysql.ConnectionOptions {
    const c = this.#spec.connection;
    const tls = this.#tls.options;
    return {
      host: c.host,
      port: c.port,
      database: c.database,
      user: c.user,
      password: this.#spec.password ?? undefined,
      connectTimeout: c.connectTimeoutMs,
      // mysql2 checks the host name only when asked (verifyIdentity).
      ssl: tls ? { ...(tls as object), verifyIdentity: tls.rejectUnauthorized === true } : undefined,
      multipleStatements: false,
      // LOAD DATA LOCAL would let the server ask for client files.
      flags: ['-LOCAL_FILES'],
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: false,
      decimalNumbers: false,
      jsonStrings: false,
      charset: 'utf8mb4',
      enableKeepAlive: true,
      // Names resolve within the DNS budget (a silent DNS server is reported as such). mysql2 sets
      // no-delay and keep-alive only on sockets it makes itself.
      stream: () => {
        const socket = net.connect({ host: c.host, port: c.port, lookup: this.net.lookupFor(c.connectTimeoutMs) });
        socket.setNoDelay(true);
        socket.once('connect', () => socket.setKeepAlive(true));
        return socket;
      },
    };
  }

  async connect(signal: AbortSignal): Promise<mysql.PoolConnection> {
    throwIfAborted(signal);
    await this.#tls.settle(signal, () => this.#probeTls());
    const pool = (this.#pool ??= this.#createPool());
    let conn: mysql.PoolConnection;
    try {
      // A pool whose connections are all stuck would queue this without end: the connect timeout bounds the wait.
      const waited = this.#checkOut(pool);
      conn = await raceAbort(waited, signal, (late) => late.release());
    } catch (error) {
      throw mysqlConnectError(error, this.target);
    }
    if (this.#tls.options?.rejectUnauthorized) this.#verifyHost(conn);
    return conn;
  }

  /**
   * mysql2 leaves the host name check to Node, which for an IP address
   * checks the certificate against "localhost" instead; so `verify` checks
   * it here, once per connection. A connection that resumed a TLS session
   * shows no certificate: it is accepted only once a full handshake of this
   * pool passed the check (the session came from the same server).
   */
  #verifyHost(conn: mysql.PoolConnection): void {
    const core = conn.connection as unknown as { stream?: Partial<tls.TLSSocket> };
    if (VERIFIED.has(core)) return;
    const cert = core.stream?.getPeerCertificate?.();
    const shown = cert !== undefined && Object.keys(cert).length > 0;
    if (!shown && this.#hostVerified && core.stream?.isSessionReused?.() === true) {
      VERIFIED.add(core);
      return;
    }
    const error = shown ? tls.checkServerIdentity(this.target.host, cert) : new Error('the server sent no certificate');
    if (error) {
      conn.destroy();
      throw connectionError('TLS_INVALID', this.target, redactor.redact(error.message));
    }
    this.#hostVerified = true;
    VERIFIED.add(core);
  }

  /** One connection over TLS: a server that offers none makes the pool plain. */
  async #probeTls(): Promise<'ok' | 'no-tls'> {
    const pool = (this.#pool ??= this.#createPool());
    try {
      (await this.#checkOut(pool)).release();
      return 'ok';
    } catch (error) {
      if ((error as { code?: string }).code !== 'HANDSHAKE_NO_SSL_SUPPORT') throw mysqlConnectError(error, this.target);
      this.#pool = null;
      void pool.end().catch(() => {});
      return 'no-tls';
    }
  }

  /** Server flavour, asked once per pool. */
  flavour(conn: mysql.PoolConnection): Promise<MysqlFlavour> {
    this.#flavour ??= conn
      .query<mysql.RowDataPacket[]>({ sql: 'SELECT VERSION(), @@GLOBAL.sql_mode', rowsAsArray: true })
      .then(([rows]) => flavourOf(String(rows[0]?.[0] ?? ''), String(rows[0]?.[1] ?? '')));
    this.#flavour.catch(() => (this.#flavour = null));
    return this.#flavour;
  }

  /** KILL QUERY from a second connection, within the cancel budget: stops the statement, keeps the connection. */
  async killQuery(threadId: number): Promise<void> {
    const cancelMs = this.net.budgets.cancelMs;
    const conn = await mysql.createConnection({ ...this.connectionOptions(), connectTimeout: Math.min(this.target.connectTimeoutMs, cancelMs) });
    conn.on('error', () => {});
    try {
      await conn.query({ sql: `KILL QUERY ${Math.trunc(threadId)}`, timeout: cancelMs });
    } finally {
      await conn.end().catch(() => conn.destroy());
    }
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = null;
    await pool?.end();
  }

  /**
   * A connection from the pool within the connect timeout. A timeout while this call waited in the
   * pool's queue (every connection busy with other queries) says the source is loaded, not
   * unreachable: it is marked `poolWait`, so it does not count towards opening the source's circuit.
   * mysql2 queues a request synchronously inside getConnection() and tells so with 'enqueue'.
   */
  #checkOut(pool: mysql.Pool): Promise<mysql.PoolConnection> {
    let queued = false;
    const onEnqueue = () => (queued = true);
    pool.once('enqueue', onEnqueue);
    const pending = pool.getConnection();
    pool.off('enqueue', onEnqueue);
    return raceDeadline(pending, this.target.connectTimeoutMs, () => connectionError('TIMEOUT', this.target, '', queued ? { poolWait: true } : {}), (late) => late.release());
  }

  #createPool(): mysql.Pool {
    const pool = mysql.createPool({
      ...this.connectionOptions(),
      connectionLimit: POOL_SIZE,
      maxIdle: POOL_SIZE,
      idleTimeout: IDLE_MS,
      waitForConnections: true,
      queueLimit: 0,
    });
    // A pooled connection whose server went away must not take the worker down.
    pool.on('connection', (conn) => conn.on('error', () => {}));
    return pool;
  }
}
