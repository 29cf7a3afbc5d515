/**
 * The MongoDB connector: the official driver, one client per source (and
 * connection details and password), reads only.
 *
 * Queries are MongoQueryDocuments in Extended JSON. Before anything is sent,
 * layer 2 (read-only.ts) refuses write stages and server-side JavaScript on
 * its own, whatever the guardrail said; then only find, aggregate,
 * countDocuments and distinct are ever called, each with maxTimeMS set to the
 * statement timeout and maxRows + 1 documents fetched to know `truncated`.
 *
 * Cancellation: aborting the signal aborts the driver operation (the driver
 * closes the socket it was reading from and the cursor) and the call rejects
 * with CancelledError at once. MongoDB ends a find or aggregate whose client
 * disconnected; no killOp is sent (the connector would need that privilege,
 * and the test server does not emulate it). A client-side timer one second
 * past maxTimeMS does the same when a server ignores maxTimeMS.
 */
import type { Document, MongoClient } from 'mongodb';
import { unifiedResult } from '../shared/result';
import type { MetadataDocument, MetadataObject, QueryResult } from '../../contract/index';
import { CancelledError, EngineError } from '../../errors';
import { raceAbort, throwIfAborted } from '../shared/abort';
import { connectionErrorKind, connectionError } from '../shared/connection-errors';
import { StatementInterrupter } from '../shared/interrupter';
import { PoolCache, type PoolKeyInput } from '../shared/pool-cache';
import type { ConnectionSpec, ConnectionTestResult, Connector, ExecuteOptions } from '../types';
import { isUnauthorized, mongoConnectError, mongoQueryError, notAuthorized, statementTimeout } from './errors';
import { validateMongoQuery } from './guardrail';
import { estimateFromExplain } from './plan';
import { MongoSource } from './pools';
import type { MongoQueryDocument } from './query-document';
import { parseQueryText } from './query-text';
import { assertReadOnly } from './read-only';
import { rawDocumentsToTable, valuesToTable } from './results';
import { inferFields } from './schema';
import { writeAccess } from './write-access';

/** Collections sampled at once while reading metadata. */
const METADATA_CONCURRENCY = 3;

type MongoSpec = ConnectionSpec<'mongodb'>;

function keyOf(spec: MongoSpec): PoolKeyInput {
  return { sourceId: spec.sourceId, connection: spec.connection, password: spec.password };
}

/** Parses and checks a query (layer 2) before any connection is made. */
function readOnlyDocument(query: string): MongoQueryDocument {
  const document = parseQueryText(query);
  assertReadOnly(document);
  return document;
}

interface Table {
  columns: QueryResult['columns'];
  rows: unknown[][];
  truncated: boolean;
}

async function runRead(client: MongoClient, database: string, doc: MongoQueryDocument, options: ExecuteOptions, signal: AbortSignal): Promise<Table> {
  const collection = client.db(doc.database ?? database).collection(doc.collection);
  const fetch = options.maxRows + 1;
  // Documents arrive as raw BSON and become cells in one pass (raw-cells.ts).
  const common = { maxTimeMS: options.timeoutMs, signal, raw: true } as const;
  const table = (docs: Document[]): Table => ({
    ...rawDocumentsToTable((docs as unknown as Uint8Array[]).slice(0, options.maxRows)),
    truncated: docs.length > options.maxRows,
  });
  switch (doc.operation) {
    case 'find': {
      const limit = doc.limit ? Math.min(doc.limit, fetch) : fetch;
      return table(
        await collection
          .find(doc.filter, { ...common, limit, ...(doc.projection ? { projection: doc.projection } : {}), ...(doc.sort ? { sort: doc.sort } : {}), ...(doc.skip ? { skip: doc.skip } : {}) })
          .toArray(),
      );
    }
    case 'aggregate':
      return table(await collection.aggregate([...doc.pipeline, { $limit: fetch }], common).toArray());
    case 'count': {
      const n = await collection.countDocuments(doc.filter, { maxTimeMS: options.timeoutMs, signal });
      return { columns: [{ name: 'count', type: 'integer', nativeType: 'int' }], rows: [[n]], truncated: false };
    }
    case 'distinct': {
      const values = await raceAbort(collection.distinct(doc.field, doc.filter, { maxTimeMS: options.timeoutMs, promoteValues: false }), signal);
      return { ...valuesToTable(doc.field, values.slice(0, options.maxRows)), truncated: values.length > options.maxRows };
    }
  }
}

async function explainPlan(client: MongoClient, database: string, doc: MongoQueryDocument, signal: AbortSignal): Promise<Document> {
  const db = client.db(doc.database ?? database);
  const collection = db.collection(doc.collection);
  switch (doc.operation) {
    case 'find':
      return collection
        .find(doc.filter, { signal, ...(doc.projection ? { projection: doc.projection } : {}), ...(doc.sort ? { sort: doc.sort } : {}), ...(doc.skip ? { skip: doc.skip } : {}), ...(doc.limit ? { limit: doc.limit } : {}) })
        .explain('queryPlanner');
    case 'aggregate':
      return collection.aggregate(doc.pipeline, { signal }).explain('queryPlanner');
    case 'count':
      // The pipeline countDocuments runs.
      return collection.aggregate([{ $match: doc.filter }, { $group: { _id: 1, n: { $sum: 1 } } }], { signal }).explain('queryPlanner');
    case 'distinct':
      return db.command({ explain: { distinct: doc.collection, key: doc.field, query: doc.filter }, verbosity: 'queryPlanner' }, { signal });
  }
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export function createMongoConnector(): Connector {
  const pools = new PoolCache<MongoSource>();

  /** Runs `fn` with the source's connected client; a refused login drops the cached client. */
  function withClient<T>(spec: MongoSpec, signal: AbortSignal, fn: (client: MongoClient, source: MongoSource) => Promise<T>): Promise<T> {
    throwIfAborted(signal);
    return pools.use(keyOf(spec), () => new MongoSource(spec), async (source) => {
      let client: MongoClient;
      try {
        client = await source.client(signal);
      } catch (error) {
        if (connectionErrorKind(error) === 'AUTH_FAILED') pools.discard(keyOf(spec));
        throw error;
      }
      return fn(client, source);
    });
  }

  async function sampleCollection(client: MongoClient, source: MongoSource, spec: MongoSpec, info: Document, signal: AbortSignal): Promise<MetadataObject> {
    const collection = client.db(spec.connection.database).collection(String(info.name));
    const isView = info.type === 'view';
    const maxTimeMS = spec.settings.statementTimeoutMs;
    let comment: string | null = null;
    let rowEstimate: number | null = null;
    let fields: MetadataObject['fields'] = [];
    try {
      if (!isView) rowEstimate = await raceAbort(collection.estimatedDocumentCount({ maxTimeMS }), signal);
      const sample = await collection.aggregate([{ $sample: { size: spec.settings.sampleSize } }], { maxTimeMS, signal, promoteValues: false }).toArray();
      fields = inferFields(sample);
    } catch (error) {
      if (signal.aborted) throw new CancelledError();
      const reason = mongoQueryError(error, { timeoutMs: maxTimeMS, target: source.target, usedTls: source.encrypted }).message;
      comment = `Fields unknown: the sample could not be read (${reason})`;
    }
    return { name: String(info.name), kind: isView ? 'view' : 'collection', rowEstimate, comment, fields, foreignKeys: [], origin: null };
  }

  return {
    type: 'mongodb',

    async testConnection(anySpec, signal) {
      const spec = anySpec as MongoSpec;
      const started = performance.now();
      let source: MongoSource | null = null;
      try {
        source = new MongoSource(spec);
        const client = await source.client(signal);
        const db = client.db(spec.connection.database);
        const pingStarted = performance.now();
        await raceAbort(db.command({ ping: 1 }, { signal }), signal);
        const latencyMs = Math.round(performance.now() - pingStarted);
        const info = await raceAbort(db.admin().command({ buildInfo: 1 }, { signal }), signal);
        const status = await raceAbort(db.command({ connectionStatus: 1, showPrivileges: true }, { signal }), signal);
        let collections: Document[];
        try {
          collections = await db.listCollections({}, { nameOnly: true, authorizedCollections: true, signal }).toArray();
        } catch (error) {
          if (isUnauthorized(error)) throw notAuthorized(source.target);
          throw error;
        }
        // A MongoDB database exists only while it holds a collection: none means a misspelt name, most likely.
        if (collections.length === 0) throw connectionError('DATABASE_NOT_FOUND', source.target);
        const write = writeAccess(status);
        return { ok: true, latencyMs, serverVersion: typeof info.version === 'string' ? info.version : null, canWrite: write.canWrite, writeDetails: write.details, risks: [] };
      } catch (error) {
        if (error instanceof CancelledError || signal.aborted) throw new CancelledError();
        const failure = error instanceof EngineError || !source ? error : mongoConnectError(error, source.target, source.encrypted);
        const engineError = failure instanceof EngineError ? failure : null;
        const result: ConnectionTestResult = {
          ok: false,
          latencyMs: Math.round(performance.now() - started),
          serverVersion: null,
          canWrite: null,
          writeDetails: [],
          risks: [],
          error: { kind: connectionErrorKind(failure) ?? 'UNKNOWN', message: engineError?.message ?? 'The connection could not be tested.' },
        };
        return result;
      } finally {
        await source?.close().catch(() => {});
      }
    },

    async fetchMetadata(anySpec, signal) {
      const spec = anySpec as MongoSpec;
      return withClient(spec, signal, async (client, source): Promise<MetadataDocument> => {
        const db = client.db(spec.connection.database);
        let infos: Document[];
        let version: string | null;
        try {
          const info = await raceAbort(db.admin().command({ buildInfo: 1 }, { signal }), signal);
          version = typeof info.version === 'string' ? info.version : null;
          infos = await db.listCollections({}, { authorizedCollections: true, signal }).toArray();
        } catch (error) {
          if (signal.aborted) throw new CancelledError();
          if (isUnauthorized(error)) throw notAuthorized(source.target);
          throw mongoQueryError(error, { timeoutMs: spec.settings.statementTimeoutMs, target: source.target, usedTls: source.encrypted });
        }
        const collections = infos
          .filter((i) => !String(i.name).startsWith('system.') && (i.type === undefined || ['collection', 'view', 'timeseries'].includes(String(i.type))))
          .sort((a, b) => String(a.name).localeCompare(String(b.name)));
        const objects = await mapLimit(collections, METADATA_CONCURRENCY, (info) => sampleCollection(client, source, spec, info, signal));
        return {
          sourceId: spec.sourceId,
          sourceType: 'mongodb',
          serverVersion: version,
          fetchedAt: new Date().toISOString(),
          databases: [{ name: spec.connection.database, schemas: [{ name: null, objects }] }],
          cached: false,
        };
      });
    },

    async validate(query) {
      return validateMongoQuery(query);
    },

    async execute(anySpec, query, options) {
      const spec = anySpec as MongoSpec;
      const started = performance.now();
      const document = readOnlyDocument(query);
      return withClient(spec, options.signal, async (client, source) => {
        const controller = new AbortController();
        const interrupter = new StatementInterrupter({
          signal: options.signal,
          timeoutMs: options.timeoutMs,
          // The driver closes the cursor and the socket it is reading from.
          cancelOnServer: async () => controller.abort(),
          timeoutError: () => statementTimeout(options.timeoutMs),
        });
        try {
          const table = await raceAbort(
            interrupter.run(() => runRead(client, spec.connection.database, document, options, controller.signal)),
            controller.signal,
          );
          return unifiedResult({ columns: table.columns, rows: table.rows, truncated: table.truncated, maxRows: options.maxRows, started });
        } catch (error) {
          throw interrupter.interruption() ?? mongoQueryError(error, { timeoutMs: options.timeoutMs, target: source.target, usedTls: source.encrypted });
        } finally {
          await interrupter.settle();
        }
      });
    },

    async explain(anySpec, query, signal) {
      const spec = anySpec as MongoSpec;
      const document = readOnlyDocument(query);
      return withClient(spec, signal, async (client, source) => {
        const timeoutMs = spec.settings.statementTimeoutMs;
        try {
          const plan = await raceAbort(explainPlan(client, spec.connection.database, document, signal), signal);
          const count = await raceAbort(
            client
              .db(document.database ?? spec.connection.database)
              .collection(document.collection)
              .estimatedDocumentCount({ maxTimeMS: timeoutMs })
              .catch(() => null),
            signal,
          );
          return estimateFromExplain(plan, document, count);
        } catch (error) {
          if (signal.aborted) throw new CancelledError();
          throw mongoQueryError(error, { timeoutMs, target: source.target, usedTls: source.encrypted });
        }
      });
    },

    close: () => pools.closeAll(),
  };
}
