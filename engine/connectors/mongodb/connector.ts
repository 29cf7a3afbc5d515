/**
 * The MongoDB connector: the official driver, one client per source (and
 * connection details and password), reads only, in the source's database.
 *
 * Queries are MongoQueryDocuments in Extended JSON, read strictly so that
 * what the server receives is what the text says (extended-json.ts). Before
 * anything is sent, layer 2 (read-only.ts) refuses writes, server-side
 * JavaScript and other databases on its own, and layer 1 runs again against
 * the source's database; then only find, aggregate, countDocuments and
 * distinct are ever called (reads.ts), each with maxTimeMS set to the
 * statement timeout, stopping at the row limit or the byte budget.
 *
 * Cancellation: aborting the signal aborts the driver operation (the driver
 * closes the socket it was reading from and kills the cursor) and the call
 * rejects with CancelledError at once. MongoDB ends a find or aggregate whose
 * client disconnected; no killOp is sent (the connector would need that
 * privilege). A client-side timer one second past maxTimeMS does the same
 * when a server ignores maxTimeMS. EXPLAIN runs the same way under the
 * preview budget (PREVIEW_BUDGET) and fails with PreviewLimitError past it.
 */
import type { Document, MongoClient } from 'mongodb';
import { unifiedResult } from '../shared/result';
import type { MetadataDocument, MetadataObject } from '../../contract/index';
import { CancelledError, EngineError, ForbiddenError, PreviewLimitError, TimeoutError } from '../../errors';
import { DEFAULT_MAX_RESULT_BYTES } from '../shared/byte-budget';
import { PREVIEW_BUDGET } from '../shared/preview-budget';
import { raceAbort, throwIfAborted } from '../shared/abort';
import { connectionErrorKind, connectionError } from '../shared/connection-errors';
import { ConnectorNet, type ConnectionBudgets, type ConnectorOptions } from '../shared/budgets';
import { StatementInterrupter } from '../shared/interrupter';
import { PoolCache, type PoolKeyInput } from '../shared/pool-cache';
import type { ConnectionSpec, ConnectionTestResult, Connector } from '../types';
import { isMaxTimeExpired, isUnauthorized, mongoConnectError, mongoQueryError, notAuthorized, statementTimeout } from './errors';
import { inspectMongoQuery, validateMongoQuery } from './guardrail';
import { estimateFromExplain } from './plan';
import { MongoSource } from './pools';
import type { MongoQueryDocument } from './query-document';
import { parseQueryText } from './query-text';
import { assertReadOnly } from './read-only';
import { explainCommand, runRead } from './reads';
import { inferFields } from './schema';
import { mongoLoginRisks } from './login-risks';
import { writeAccess } from './write-access';

/** Collections sampled at once while reading metadata. */
const METADATA_CONCURRENCY = 3;

type MongoSpec = ConnectionSpec<'mongodb'>;

function keyOf(spec: MongoSpec): PoolKeyInput {
  return { sourceId: spec.sourceId, connection: spec.connection, password: spec.password };
}

/**
 * The query as it will be sent, checked before any connection is made: read
 * strictly, then layer 2 (read-only.ts, independent of the guardrail), then
 * layer 1 again against the source's database, so a caller that skipped
 * validation still cannot run what validation refuses.
 */
function checkedDocument(query: string, database: string): MongoQueryDocument {
  // Typed errors first: a ValidationError for what is not a query, layer 2's refusal for what could do harm.
  assertReadOnly(parseQueryText(query), database);
  const { verdict, document: allowed } = inspectMongoQuery(query, { database });
  if (allowed) {
    // Layer 2 also sees exactly the objects that will be sent.
    assertReadOnly(allowed, database);
    return allowed;
  }
  const [first] = verdict.reasons;
  throw new ForbiddenError(first?.code ?? 'GUARDRAIL', `This query was refused before it reached MongoDB: ${first?.message ?? 'it did not pass the safety check.'}`, {
    layer: 1,
    reasons: verdict.reasons,
  });
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

/** Explaining took longer than the preview may: the query is not approved. */
function previewLimit(): PreviewLimitError {
  return new PreviewLimitError(
    `Estimating this query took longer than the ${PREVIEW_BUDGET.timeMs / 1000} s preview budget, so it was not approved. Filter before computing large values, or simplify the pipeline.`,
    { timeoutMs: PREVIEW_BUDGET.timeMs },
  );
}

/**
 * Runs `work` with a signal that aborts when the caller cancels or when the
 * server lets `timeoutMs` pass by more than a grace second (it should have
 * stopped at maxTimeMS). Aborting makes the driver close the socket and the
 * cursor it was reading (killCursors), so nothing of the operation lives on.
 */
async function interruptible<T>(
  budgets: ConnectionBudgets,
  signal: AbortSignal,
  timeoutMs: number,
  timeoutError: () => EngineError,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const interrupter = new StatementInterrupter({ signal, timeoutMs, cancelOnServer: async () => controller.abort(), timeoutError, budgets });
  try {
    return await raceAbort(
      interrupter.run(() => work(controller.signal)),
      controller.signal,
    );
  } catch (error) {
    throw interrupter.interruption() ?? error;
  } finally {
    await interrupter.settle();
  }
}

/** The connection test's statements on a connected client: latency, version, privileges, and that the database exists. */
async function probe(source: MongoSource, client: MongoClient, signal: AbortSignal, database: string): Promise<ConnectionTestResult> {
  const db = client.db(database);
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
  return {
    ok: true,
    latencyMs,
    serverVersion: typeof info.version === 'string' ? info.version : null,
    canWrite: write.canWrite,
    writeDetails: write.details,
    risks: mongoLoginRisks(status, database),
  };
}

/** The connection test's statements (ping, build info, privileges, collections) ran out of time. */
function testTimeout(timeoutMs: number): EngineError {
  return new TimeoutError(`The server did not finish answering the connection test within ${timeoutMs / 1000} s. Check the network, or try again.`, {
    kind: 'NO_ANSWER',
    timeoutMs,
  });
}

export function createMongoConnector(options: ConnectorOptions = {}): Connector {
  const net = new ConnectorNet(options);
  const pools = new PoolCache<MongoSource>();

  /** Runs `fn` with the source's connected client; a refused login drops the cached client. */
  function withClient<T>(spec: MongoSpec, signal: AbortSignal, fn: (client: MongoClient, source: MongoSource) => Promise<T>): Promise<T> {
    throwIfAborted(signal);
    return pools.use(keyOf(spec), () => new MongoSource(spec, net), async (source) => {
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

  /** Collections and their sampled fields, within the statement timeout (interruptible, in fetchMetadata). */
  async function readMetadata(client: MongoClient, source: MongoSource, spec: MongoSpec, signal: AbortSignal): Promise<MetadataDocument> {
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
  }

  return {
    type: 'mongodb',

    async testConnection(anySpec, signal) {
      const spec = anySpec as MongoSpec;
      const started = performance.now();
      let source: MongoSource | null = null;
      try {
        source = new MongoSource(spec, net);
        const opened = source;
        // Connecting is bounded by the connect timeout; the statements after it by the test budget.
        const client = await opened.client(signal);
        return await interruptible(net.budgets, signal, net.budgets.testMs, () => testTimeout(net.budgets.testMs), (inner) => probe(opened, client, inner, spec.connection.database));
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
      const timeoutMs = spec.settings.statementTimeoutMs;
      return withClient(spec, signal, (client, source) =>
        interruptible(net.budgets, signal, timeoutMs, () => statementTimeout(timeoutMs), (inner) => readMetadata(client, source, spec, inner)),
      );
    },

    async validate(query, anySpec) {
      return validateMongoQuery(query, { database: (anySpec as MongoSpec).connection.database });
    },

    async execute(anySpec, query, options) {
      const spec = anySpec as MongoSpec;
      const started = performance.now();
      const document = checkedDocument(query, spec.connection.database);
      const limits = { maxRows: options.maxRows, maxBytes: options.maxBytes ?? DEFAULT_MAX_RESULT_BYTES, timeoutMs: options.timeoutMs };
      return withClient(spec, options.signal, (client, source) =>
        interruptible(net.budgets, options.signal, limits.timeoutMs, () => statementTimeout(limits.timeoutMs), async (signal) => {
          try {
            const table = await runRead(client.db(spec.connection.database), document, limits, signal);
            return unifiedResult({
              columns: table.columns,
              rows: table.rows,
              truncated: table.truncated,
              maxRows: options.maxRows,
              started,
              ...(table.truncatedByBytes ? { truncatedByBytes: { maxBytes: limits.maxBytes } } : {}),
            });
          } catch (error) {
            throw mongoQueryError(error, { timeoutMs: limits.timeoutMs, target: source.target, usedTls: source.encrypted });
          }
        }),
      );
    },

    async explain(anySpec, query, signal) {
      const spec = anySpec as MongoSpec;
      const document = checkedDocument(query, spec.connection.database);
      const budget = PREVIEW_BUDGET.timeMs;
      return withClient(spec, signal, (client, source) =>
        interruptible(net.budgets, signal, budget, previewLimit, async (inner) => {
          const db = client.db(spec.connection.database);
          try {
            const plan = await db.command(explainCommand(document, budget), { signal: inner });
            const count = await db
              .collection(document.collection)
              .estimatedDocumentCount({ maxTimeMS: budget })
              .catch(() => null);
            return estimateFromExplain(plan, document, count);
          } catch (error) {
            if (isMaxTimeExpired(error)) throw previewLimit();
            throw mongoQueryError(error, { timeoutMs: budget, target: source.target, usedTls: source.encrypted });
          }
        }),
      );
    },

    close: () => pools.closeAll(),
  };
}
