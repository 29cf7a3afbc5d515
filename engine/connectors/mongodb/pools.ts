import { MongoClient, type MongoClientOptions, type ServerHeartbeatFailedEvent } from 'mongodb';
import { redactor } from '../../log/redact';
import { raceAbort, throwIfAborted } from '../shared/abort';
import { ConnectorNet } from '../shared/budgets';
import type { ConnectionTarget } from '../shared/connection-errors';
import { tlsPlan, type TlsPlan } from '../shared/tls';
import type { ConnectionSpec } from '../types';
import { isNoTlsOnServer, mongoConnectError } from './errors';

/** Small on purpose: the app runs one query at a time per source, plus metadata. */
const POOL_SIZE = 4;
const IDLE_MS = 30_000;

/** `host:port` as a connection string wants it (IPv6 literals in brackets). */
function hostPart(host: string, port: number | null): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return port === null ? h : `${h}:${port}`;
}

/**
 * One source's MongoClient. The password goes in `auth`, never into the
 * connection string, so no driver message can echo it.
 *
 * TLS modes: `off` plain; `require` TLS without certificate checks; `verify`
 * TLS against the CA file (read here, handed to the driver as `ca`);
 * `prefer` tries TLS without checks first and falls back to plain only when
 * the server does not speak TLS at all (the driver has no opportunistic TLS
 * of its own, so the connector does what libpq's sslmode=prefer does).
 * For `mongodb+srv` the driver turns TLS on by default; `off` turns it off.
 */
export class MongoSource {
  readonly target: ConnectionTarget;
  readonly #net: ConnectorNet;
  readonly #spec: ConnectionSpec<'mongodb'>;
  readonly #tls: TlsPlan;
  #useTls: boolean;
  #tlsSettled: boolean;
  #client: MongoClient | null = null;
  #ready: Promise<MongoClient> | null = null;
  #closed = false;

  constructor(spec: ConnectionSpec<'mongodb'>, net: ConnectorNet = new ConnectorNet()) {
    this.#spec = spec;
    this.#net = net;
    const c = spec.connection;
    const first = c.hosts[0]!;
    this.target = {
      host: c.hosts.length === 1 ? first.host : c.hosts.map((h) => hostPart(h.host, c.srv ? null : h.port)).join(','),
      port: first.port,
      database: c.database,
      user: c.user ?? '',
      connectTimeoutMs: c.connectTimeoutMs,
    };
    redactor.register(spec.password);
    this.#tls = tlsPlan(c.tls);
    this.#useTls = this.#tls.options !== null;
    this.#tlsSettled = !this.#tls.fallbackToPlain;
  }

  get database(): string {
    return this.#spec.connection.database;
  }

  /** Whether connections are encrypted (known once connected). */
  get encrypted(): boolean {
    return this.#useTls;
  }

  /** The connected, logged-in client; the first call connects. */
  client(signal: AbortSignal): Promise<MongoClient> {
    throwIfAborted(signal);
    this.#ready ??= this.#connect();
    return raceAbort(this.#ready, signal);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    this.#client = null;
    this.#ready = null;
    await client?.close();
  }

  async #connect(): Promise<MongoClient> {
    for (;;) {
      const client = new MongoClient(this.#url(), this.#options());
      this.#client = client;
      try {
        await connectFailingFast(client, this.#spec.connection.srv ? null : this.#spec.connection.hosts.length);
        if (this.#closed) throw new Error('closed while connecting');
        this.#tlsSettled = true;
        return client;
      } catch (error) {
        void client.close().catch(() => {});
        if (this.#client === client) this.#client = null;
        if (!this.#tlsSettled && this.#useTls && isNoTlsOnServer(error)) {
          this.#useTls = false;
          this.#tlsSettled = true;
          continue;
        }
        this.#ready = null; // the next call tries again
        throw mongoConnectError(error, this.target, this.#useTls);
      }
    }
  }

  #url(): string {
    const c = this.#spec.connection;
    const hosts = c.hosts.map((h) => hostPart(h.host, c.srv ? null : h.port)).join(',');
    return `${c.srv ? 'mongodb+srv' : 'mongodb'}://${hosts}/`;
  }

  #options(): MongoClientOptions {
    const c = this.#spec.connection;
    const tls = this.#tls.options;
    const options: MongoClientOptions = {
      appName: 'PolyStoreIQ',
      connectTimeoutMS: c.connectTimeoutMs,
      // Without this an unreachable server is reported only after the driver's default 30 s.
      serverSelectionTimeoutMS: c.connectTimeoutMs,
      maxPoolSize: POOL_SIZE,
      maxIdleTimeMS: IDLE_MS,
      retryWrites: false,
      tls: this.#useTls,
      // Names resolve within the DNS budget (a silent DNS server is reported as such).
      lookup: this.#net.lookupFor(c.connectTimeoutMs),
    };
    if (this.#useTls && tls) {
      if (tls.ca) options.ca = tls.ca as string;
      options.tlsAllowInvalidCertificates = tls.rejectUnauthorized === false;
      options.tlsAllowInvalidHostnames = tls.rejectUnauthorized === false;
    }
    if (c.replicaSet) options.replicaSet = c.replicaSet;
    if (c.user) {
      options.auth = { username: c.user, password: this.#spec.password ?? '' };
      // As in a connection string: the database named in it, unless authSource says otherwise.
      options.authSource = c.authSource ?? c.database;
    }
    return options;
  }
}

/**
 * `connect()`, but failing as soon as every seed host's first heartbeat has
 * failed, with that host's own error (connection refused, unknown host, TLS…)
 * instead of a generic server-selection timeout much later.
 */
async function connectFailingFast(client: MongoClient, seedCount: number | null): Promise<void> {
  const failures = new Set<string>();
  let onFailed: (event: ServerHeartbeatFailedEvent) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    onFailed = (event) => {
      failures.add(event.connectionId);
      if (seedCount !== null && failures.size >= seedCount) reject(event.failure);
    };
  });
  failed.catch(() => {});
  client.on('serverHeartbeatFailed', onFailed);
  const connecting = client.connect();
  connecting.catch(() => {}); // when `failed` wins, connect() rejects later, once the client is closed
  try {
    await Promise.race([connecting, failed]);
  } finally {
    client.off('serverHeartbeatFailed', onFailed);
  }
}
