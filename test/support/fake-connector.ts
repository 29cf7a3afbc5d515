import type { ExplainEstimate, LoginRisk, MetadataDocument, QueryResult, Verdict } from '../../engine/contract/index';
import type { ConnectionSpec, ConnectionTestResult, Connector, ExecuteOptions } from '../../engine/connectors/types';
import { CancelledError, PreviewLimitError, UnsupportedError } from '../../engine/errors';

function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new CancelledError('Cancelled on the server.'));
    }, { once: true });
  });
}

/**
 * A store that exists only in memory, implementing the Connector interface,
 * and recording every call so tests can prove what reached it (and what did not).
 * Queries: `SELECT n` returns n rows; `SLEEP` waits until cancelled; anything
 * not starting with SELECT is refused by its guardrail.
 */
export class FakeConnector implements Connector {
  readonly type = 'postgres' as const;
  readonly calls: Array<{ method: string; query?: string; spec?: ConnectionSpec }> = [];
  explainSupported = true;
  /** Risks the next connection tests report on top of SUPERUSER for the 'admin' login. */
  extraRisks: LoginRisk[] = [];
  /** When set, connection tests fail with this message. */
  failTests: string | null = null;
  /**
   * Preview trouble: 'validate' or 'explain' throws PreviewLimitError (as a store over its preview budget does);
   * 'hang-validate' never answers until the caller aborts (a store ignoring its budget).
   */
  previewTrouble: 'validate' | 'explain' | 'hang-validate' | null = null;
  /** When set, explain fails with this error (the store's own, or a lost connection). */
  explainFailure: Error | null = null;
  /** Every execute waits this long before answering (a store of known latency); a cancel still stops it. */
  executeDelayMs = 0;

  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  async testConnection(spec: ConnectionSpec): Promise<ConnectionTestResult> {
    this.calls.push({ method: 'testConnection', spec });
    if (this.failTests) return { ok: false, latencyMs: 1, serverVersion: null, canWrite: null, writeDetails: [], risks: [], error: { kind: 'HOST_UNREACHABLE', message: this.failTests } };
    const admin = spec.password === 'admin';
    const risks: LoginRisk[] = admin ? [{ code: 'SUPERUSER', message: 'It is a superuser.' }] : [];
    return { ok: true, latencyMs: 1, serverVersion: 'fake 1.0', canWrite: admin, writeDetails: admin ? ['superuser'] : [], risks: [...risks, ...this.extraRisks] };
  }

  async fetchMetadata(spec: ConnectionSpec): Promise<MetadataDocument> {
    this.calls.push({ method: 'fetchMetadata', spec });
    return {
      sourceId: spec.sourceId,
      sourceType: 'postgres',
      serverVersion: 'fake 1.0',
      fetchedAt: new Date().toISOString(),
      cached: false,
      databases: [
        {
          name: 'fake',
          schemas: [
            {
              name: 'public',
              objects: [
                {
                  name: 'numbers',
                  kind: 'table',
                  rowEstimate: 1000,
                  comment: null,
                  origin: null,
                  foreignKeys: [],
                  fields: [{ name: 'n', type: 'integer', nativeType: 'int4', nullable: false, primaryKey: true, foreignKey: null, comment: null, presence: null, observedTypes: [], sampleValues: [] }],
                },
              ],
            },
          ],
        },
      ],
    };
  }

  async validate(query: string, _spec?: ConnectionSpec, signal?: AbortSignal): Promise<Verdict> {
    this.calls.push({ method: 'validate', query });
    if (this.previewTrouble === 'validate') throw new PreviewLimitError('Checking this query went over the preview budget (fake).');
    if (this.previewTrouble === 'hang-validate') {
      await new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new CancelledError('Validation was stopped.')), { once: true }));
    }
    const allowed = /^\s*(SELECT|SLEEP)\b/i.test(query);
    return allowed
      ? { allowed: true, reasons: [], statementKind: 'select' }
      : { allowed: false, reasons: [{ code: 'NOT_A_QUERY', message: 'Only SELECT is allowed.' }], statementKind: null };
  }

  async execute(spec: ConnectionSpec, query: string, options: ExecuteOptions): Promise<QueryResult> {
    this.calls.push({ method: 'execute', query, spec });
    if (/^\s*SLEEP/i.test(query)) {
      await new Promise((_, reject) => options.signal.addEventListener('abort', () => reject(new CancelledError('Cancelled on the server.')), { once: true }));
    }
    if (this.executeDelayMs > 0) await sleepUnlessAborted(this.executeDelayMs, options.signal);
    const n = Number(/SELECT\s+(\d+)/i.exec(query)?.[1] ?? 1);
    const rows = Array.from({ length: Math.min(n, options.maxRows) }, (_, i) => [i + 1]);
    return { columns: [{ name: 'n', type: 'integer', nativeType: 'int4' }], rows, rowCount: rows.length, truncated: n > options.maxRows, truncatedBy: n > options.maxRows ? 'rows' : null, rowLimit: options.maxRows, elapsedMs: 1, notices: [] };
  }

  async explain(_spec: ConnectionSpec, query: string): Promise<ExplainEstimate> {
    this.calls.push({ method: 'explain', query });
    if (!this.explainSupported) throw new UnsupportedError('This store cannot explain queries.');
    if (this.previewTrouble === 'explain') throw new PreviewLimitError('Estimating this query went over the preview budget (fake).');
    if (this.explainFailure) throw this.explainFailure;
    return { estimatedRows: 42, estimatedCost: 7.5, summary: 'Seq Scan on numbers', warnings: [] };
  }

  async close(): Promise<void> {}
}
