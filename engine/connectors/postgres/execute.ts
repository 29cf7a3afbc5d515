import type pg from 'pg';
import type { EventEmitter } from 'node:events';
import { unifiedResult } from '../shared/result';
import type { ExplainEstimate, QueryResult } from '../../contract/index';
import { PreviewLimitError, TimeoutError, UnsupportedError } from '../../errors';
import { ByteBudget, DEFAULT_MAX_RESULT_BYTES } from '../shared/byte-budget';
import { convertColumns } from '../shared/cells';
import { PREVIEW_BUDGET } from '../shared/preview-budget';
import type { ExecuteOptions } from '../types';
import type { PgSource } from './pools';
import { destroySocket, inReadOnlyTransaction } from './session';
import { pgStatementKind } from './statement';
import type { PgTypeInfo } from './types';

const DECLARE = 'DECLARE polystore_rows NO SCROLL CURSOR FOR ';
const EXPLAIN = 'EXPLAIN (FORMAT JSON) ';

type Row = Array<string | null>;
type Field = { name: string; dataTypeID: number };
type ArrayQuery = pg.QueryArrayConfig & { queryMode?: 'extended' };
/** pg's Connection: it emits each protocol message by name and owns the socket. */
type WireConnection = EventEmitter & { stream: NodeJS.ReadableStream & { destroy(): void } };

export interface PgExecuteOptions extends ExecuteOptions {
  /** The search_path the guardrail resolved names with; pinned for the statement. */
  searchPath?: readonly string[];
}

/**
 * Bytes past the budget that may arrive before the connection is cut: room for one row's framing
 * and the server's closing messages, so an ordinary result that fits is never cut on the wire.
 */
const WIRE_SLACK_BYTES = 256 * 1024;

/**
 * Reads the rows of one FETCH as they arrive, counting their bytes (ByteBudget), and stops the
 * server as soon as the budget is spent: the connection is cut, the rows that fit are kept. The
 * driver assembles a whole message before handing a row over, so a single huge value
 * (`repeat('x', 200000000)`) is stopped by counting the socket's bytes, before it is assembled.
 * A cut connection is discarded by the session (the failed ROLLBACK marks it broken).
 */
class ByteCappedFetch {
  readonly rows: Row[] = [];
  fields: Field[] | null = null;
  cut = false;
  readonly #budget: ByteBudget;
  readonly #connection: WireConnection;
  readonly #client: pg.PoolClient;
  #wireBytes = 0;
  readonly #onFields = (msg: { fields: Field[] }) => {
    this.fields = msg.fields;
  };
  readonly #onRow = (msg: { fields: Row }) => {
    if (this.cut) return;
    if (this.#budget.addRow(msg.fields)) this.rows.push(msg.fields);
    else this.#cut();
  };
  readonly #onData = (chunk: Buffer) => {
    this.#wireBytes += chunk.length;
    if (this.#wireBytes > this.#budget.maxBytes + WIRE_SLACK_BYTES) this.#cut();
  };

  constructor(client: pg.PoolClient, budget: ByteBudget) {
    this.#client = client;
    this.#budget = budget;
    this.#connection = (client as unknown as { connection: WireConnection }).connection;
    this.#connection.on('rowDescription', this.#onFields);
    this.#connection.on('dataRow', this.#onRow);
    this.#connection.stream.on('data', this.#onData);
  }

  stop(): void {
    this.#connection.off('rowDescription', this.#onFields);
    this.#connection.off('dataRow', this.#onRow);
    this.#connection.stream.off('data', this.#onData);
  }

  #cut(): void {
    if (this.cut) return;
    this.cut = true;
    destroySocket(this.#client);
  }
}

/**
 * Layer 2. The user's text always goes through the extended protocol, which
 * refuses more than one statement: `SELECT 1; COMMIT; DROP …` cannot end the
 * read-only transaction. Rows come from a cursor, so at most maxRows + 1 rows
 * are ever produced, and no more than about maxBytes of them are read: the
 * connection is cut once they are (the result says `truncatedBy: 'bytes'`).
 */
export async function executePg(source: PgSource, query: string, options: PgExecuteOptions): Promise<QueryResult> {
  const started = performance.now();
  const kind = pgStatementKind(query);
  const budget = new ByteBudget(options.maxBytes ?? DEFAULT_MAX_RESULT_BYTES);
  return inReadOnlyTransaction(source, options, async (client, run) => {
    let fields: Field[];
    let rows: Row[];
    let cut = false;
    if (kind === 'cursor') {
      await run(() => client.query({ text: DECLARE + query, queryMode: 'extended' } as pg.QueryConfig), DECLARE.length);
      const fetch = new ByteCappedFetch(client, budget);
      try {
        const result = await run(() => client.query<Row>({ text: `FETCH FORWARD ${options.maxRows + 1} FROM polystore_rows`, rowMode: 'array' }));
        ({ fields, rows } = result);
      } catch (error) {
        if (!fetch.cut) throw error;
        fields = fetch.fields ?? [];
        rows = fetch.rows;
        cut = true;
      } finally {
        fetch.stop();
      }
      if (!cut) {
        // Complete, but perhaps over the budget by its last rows: keep those that fit.
        cut = fetch.rows.length < rows.length;
        if (cut) rows = fetch.rows;
      }
    } else {
      ({ fields, rows } = await run(() => client.query<Row>({ text: query, rowMode: 'array', queryMode: 'extended' } as ArrayQuery)));
    }
    // After a cut the connection is gone: types not built in are then reported by oid.
    const infos = cut ? await source.types(null, fields.map((f) => f.dataTypeID)) : await run(() => source.types(client, fields.map((f) => f.dataTypeID)));
    return toQueryResult({ fields, rows }, infos, options.maxRows, started, cut ? budget.maxBytes : null);
  });
}

export function toQueryResult(result: { fields: Field[]; rows: Row[] }, infos: PgTypeInfo[], maxRows: number, started: number, cutAtBytes: number | null = null): QueryResult {
  const rows: unknown[][] = result.rows ?? [];
  const truncated = rows.length > maxRows;
  if (truncated) rows.length = maxRows;
  convertColumns(rows, infos.map((info) => info.convert));
  return unifiedResult({
    columns: (result.fields ?? []).map((f, i) => ({ name: f.name, type: infos[i]!.type, nativeType: infos[i]!.name })),
    rows,
    truncated,
    maxRows,
    started,
    ...(cutAtBytes !== null ? { truncatedByBytes: { maxBytes: cutAtBytes } } : {}),
  });
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Plan Rows'?: number;
  'Total Cost'?: number;
  'Startup Cost'?: number;
  Plans?: PlanNode[];
}

const SUMMARY_LINES = 12;
const LARGE_SCAN_ROWS = 1_000_000;

/** How long past the preview budget the app waits for a server that has not yet noticed its statement timeout. */
const PREVIEW_GRACE_MS = 500;

function previewLimit(): PreviewLimitError {
  return new PreviewLimitError(
    `Estimating this query took longer than the ${PREVIEW_BUDGET.timeMs / 1000} s preview budget (planning computes its constant expressions), so it was stopped before approval. Simplify the constant expressions.`,
    { timeoutMs: PREVIEW_BUDGET.timeMs },
  );
}

/**
 * Plan Rows and Total Cost of `EXPLAIN (FORMAT JSON)`, in a read-only transaction under the preview
 * budget: planning folds constants (`length(repeat(md5('a'), 25000000))` is computed while planning),
 * so before approval it gets PREVIEW_BUDGET.timeMs of server time and fails with PreviewLimitError.
 * PostgreSQL notices a timeout only between steps of such a computation, so the app does not wait
 * for that: shortly after the budget the connection is cut (and discarded).
 */
export async function explainPg(source: PgSource, query: string, options: { signal: AbortSignal; rowLimit: number; searchPath?: readonly string[] }): Promise<ExplainEstimate> {
  if (pgStatementKind(query) !== 'cursor') {
    throw new UnsupportedError('Only queries that return rows (SELECT, WITH, VALUES, TABLE) can be estimated.');
  }
  let cut = false;
  try {
    return await inReadOnlyTransaction(source, { ...options, timeoutMs: PREVIEW_BUDGET.timeMs }, async (client, run) => {
      const deadline = setTimeout(() => {
        cut = true;
        destroySocket(client);
      }, PREVIEW_BUDGET.timeMs + PREVIEW_GRACE_MS);
      try {
        const result = await run(() => client.query<Row>({ text: EXPLAIN + query, rowMode: 'array', queryMode: 'extended' } as ArrayQuery), EXPLAIN.length);
        const plan = (JSON.parse(result.rows[0]![0]!) as Array<{ Plan: PlanNode }>)[0]!.Plan;
        return summarizePlan(plan, options.rowLimit);
      } finally {
        clearTimeout(deadline);
      }
    });
  } catch (error) {
    if (cut || (error instanceof TimeoutError && error.details?.kind === 'STATEMENT_TIMEOUT')) throw previewLimit();
    throw error;
  }
}

export function summarizePlan(plan: PlanNode, rowLimit: number): ExplainEstimate {
  const lines: string[] = [];
  const warnings: string[] = [];
  const visit = (node: PlanNode, depth: number) => {
    let label = node['Node Type'];
    if (node['Relation Name']) label += ` on ${node['Relation Name']}`;
    if (node['Index Name']) label += ` using ${node['Index Name']}`;
    if (lines.length < SUMMARY_LINES) {
      lines.push(`${depth ? `${'  '.repeat(depth - 1)}-> ` : ''}${label} (rows≈${node['Plan Rows'] ?? '?'}, cost ${node['Startup Cost'] ?? '?'}..${node['Total Cost'] ?? '?'})`);
    }
    if (node['Node Type'] === 'Seq Scan' && (node['Plan Rows'] ?? 0) >= LARGE_SCAN_ROWS) {
      warnings.push(`Reads all of ${node['Relation Name']} (about ${node['Plan Rows']!.toLocaleString('en-US')} rows) without an index.`);
    }
    for (const child of node.Plans ?? []) visit(child, depth + 1);
  };
  visit(plan, 0);
  const estimatedRows = plan['Plan Rows'] ?? null;
  if (estimatedRows !== null && estimatedRows > rowLimit) {
    warnings.push(`About ${estimatedRows.toLocaleString('en-US')} rows expected; only the first ${rowLimit.toLocaleString('en-US')} will be shown.`);
  }
  return { estimatedRows, estimatedCost: plan['Total Cost'] ?? null, summary: lines.join('\n'), warnings };
}
