import type { Connection, FieldPacket } from 'mysql2';
import type mysql from 'mysql2/promise';
import type { ExplainEstimate, QueryResult } from '../../contract/index';
import { PreviewLimitError, UnsupportedError } from '../../errors';
import { ByteBudget } from '../shared/byte-budget';
import { convertColumns } from '../shared/cells';
import { PREVIEW_BUDGET } from '../shared/preview-budget';
import { unifiedResult } from '../shared/result';
import type { ExecuteOptions } from '../types';
import type { MysqlSource } from './pools';
import { inReadOnlyTransaction } from './session';
import { checkMysqlStatement, EXPLAINABLE } from './statement';
import { columnInfo } from './types';

type StopReason = 'rows' | 'bytes';

interface Streamed {
  fields: FieldPacket[];
  rows: unknown[][];
  truncatedBy: StopReason | null;
}

/**
 * Bytes that may arrive for a row not yet complete beyond what is left of the
 * budget before the stream is cut: one value can be as large as the server's
 * max_allowed_packet (up to 1 GB), and the driver would hold it whole.
 */
const WIRE_SLACK_BYTES = 1024 * 1024;

/**
 * Streams rows, keeping at most maxRows and about budget.maxBytes of cells.
 * Past either limit the stream stops at once (for rows: unless the server is
 * about to end it anyway): `onStop` stops the statement on the server and
 * cuts the connection (which is then never reused), and the rows so far are
 * the result. Bytes are counted twice: per
 * row as cells (ByteBudget.addRow), and as they arrive on the socket, so a
 * single huge value is cut before the driver has buffered it.
 */
function streamRows(conn: Connection, sql: string, maxRows: number, budget: ByteBudget, onStop: (why: StopReason) => void): Promise<Streamed> {
  return new Promise((resolve, reject) => {
    const rows: unknown[][] = [];
    let fields: FieldPacket[] | null = null;
    let settled = false;
    let stopped = false;
    let pending = 0;
    let beyond = 0;
    const socket = (conn as unknown as { stream?: NodeJS.EventEmitter }).stream;
    const detach = () => {
      socket?.off('data', onData);
      socket?.off('close', onClose);
      conn.off('error', onLost);
    };
    const finish = (truncatedBy: StopReason | null) => {
      if (settled) return;
      settled = true;
      detach();
      resolve({ fields: fields ?? [], rows, truncatedBy });
    };
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      detach();
      reject(error);
    };
    // mysql2 hands a lost connection's error to the command only when it has a callback; a streamed
    // query gets nothing, so without these a reset mid-result would never settle (issue 12).
    const onLost = (error: Error) => fail(error);
    const onClose = () => fail(Object.assign(new Error('Connection lost: the connection closed during the result.'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }));
    const stop = (why: StopReason) => {
      if (stopped) return;
      stopped = true;
      finish(why);
      onStop(why);
    };
    // The driver's own listener came first: rows completed by a chunk were counted before it lands here.
    const onData = (chunk: Buffer) => {
      pending += chunk.length;
      if (budget.used + pending > budget.maxBytes + WIRE_SLACK_BYTES) stop('bytes');
    };
    socket?.on('data', onData);
    socket?.once('close', onClose);
    conn.once('error', onLost);
    const query = conn.query({ sql, rowsAsArray: true });
    query.on('fields', (f: FieldPacket[] | undefined) => {
      if (!fields && f) fields = f;
    });
    query.on('result', (row: unknown) => {
      if (stopped || !Array.isArray(row)) return;
      pending = 0;
      if (rows.length >= maxRows) {
        // sql_select_limit ends a plain SELECT one row past the limit; a second row means an explicit
        // LIMIT overrode it and the server would go on.
        if (++beyond > 1) stop('rows');
      } else if (!budget.addRow(row)) stop('bytes');
      else rows.push(row);
    });
    query.on('error', fail);
    query.on('end', () => finish(beyond > 0 ? 'rows' : null));
  });
}

/** Layer 2 for MySQL and MariaDB: the statement check, then a READ ONLY transaction, bounded by rows and bytes. */
export async function executeMysql(source: MysqlSource, query: string, options: ExecuteOptions & { maxBytes: number }): Promise<QueryResult> {
  const started = performance.now();
  checkMysqlStatement(query);
  const budget = new ByteBudget(options.maxBytes);
  return inReadOnlyTransaction(source, { ...options, selectLimit: options.maxRows + 1 }, async (conn, { run, discard }) => {
    const core = conn.connection as unknown as Connection;
    const threadId = core.threadId;
    let kill = null as Promise<void> | null;
    const streamed = await run(() =>
      streamRows(core, query, options.maxRows, budget, () => {
        // Stop the work on the server, and stop reading: the connection is cut, never reused.
        discard();
        kill = source.killQuery(threadId).catch(() => {});
        core.destroy();
      }),
    );
    if (kill) await kill;
    return toQueryResult(streamed, options.maxRows, started, budget.maxBytes);
  });
}

export function toQueryResult({ fields, rows, truncatedBy }: Streamed, maxRows: number, started: number, maxBytes: number): QueryResult {
  const infos = fields.map(columnInfo);
  convertColumns(rows, infos.map((info) => info.convert));
  return unifiedResult({
    columns: fields.map((f, i) => ({ name: f.name, type: infos[i]!.type, nativeType: infos[i]!.nativeType })),
    rows,
    truncated: truncatedBy !== null,
    maxRows,
    started,
    truncatedByBytes: truncatedBy === 'bytes' ? { maxBytes } : undefined,
  });
}

interface PlanTable {
  table_name?: string;
  access_type?: string;
  key?: string;
  rows?: number;
  rows_examined_per_scan?: number;
  rows_produced_per_join?: number;
  filtered?: number | string;
}

const SUMMARY_LINES = 12;
const LARGE_SCAN_ROWS = 1_000_000;

function previewLimit(): PreviewLimitError {
  return new PreviewLimitError(
    `Estimating this query took longer than the ${PREVIEW_BUDGET.timeMs / 1000} s allowed before approval, so it was stopped. Simplify it (constant subqueries are evaluated while planning) and try again.`,
    { timeoutMs: PREVIEW_BUDGET.timeMs },
  );
}

/**
 * `EXPLAIN FORMAT=JSON` inside the same read-only transaction, under the
 * preview budget (both servers evaluate constant subqueries while planning):
 * running out of time is a PreviewLimitError, not a statement time-out.
 */
export async function explainMysql(source: MysqlSource, query: string, options: { signal: AbortSignal; rowLimit: number }): Promise<ExplainEstimate> {
  const keyword = checkMysqlStatement(query);
  if (!EXPLAINABLE.has(keyword)) throw new UnsupportedError('Only queries that return rows (SELECT, WITH, VALUES, TABLE) can be estimated.');
  const budget = { signal: options.signal, timeoutMs: PREVIEW_BUDGET.timeMs, selectLimit: null, timeoutError: previewLimit };
  return inReadOnlyTransaction(source, budget, async (conn, { run }) => {
    const [rows] = await run(() => conn.query<mysql.RowDataPacket[]>({ sql: `EXPLAIN FORMAT=JSON ${query}`, rowsAsArray: true }));
    const text = rows[0]?.[0];
    return summarizeMysqlPlan(JSON.parse(String(text)) as Record<string, unknown>, options.rowLimit);
  });
}

/**
 * MySQL reports cost_info.query_cost and rows_produced_per_join per table;
 * MariaDB reports `rows` and `filtered` per table (and `cost` from 11.0).
 * The row estimate is the last table's rows_produced_per_join where there is
 * one, else the product of rows × filtered over the joined tables.
 */
export function summarizeMysqlPlan(plan: Record<string, unknown>, rowLimit: number): ExplainEstimate {
  const tables: PlanTable[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'table' && value && typeof value === 'object' && 'table_name' in value) tables.push(value as PlanTable);
        visit(value);
      }
    }
  };
  visit(plan);
  const block = (plan.query_block ?? {}) as { cost_info?: { query_cost?: string | number }; cost?: number };
  const cost = Number(block.cost_info?.query_cost ?? block.cost ?? Number.NaN);
  const produced = [...tables].reverse().find((t) => t.rows_produced_per_join !== undefined)?.rows_produced_per_join;
  let estimatedRows: number | null = produced ?? null;
  if (estimatedRows === null && tables.length > 0) {
    estimatedRows = Math.round(tables.reduce((acc, t) => acc * (t.rows ?? t.rows_examined_per_scan ?? 1) * (Number(t.filtered ?? 100) / 100), 1));
  }
  const warnings: string[] = [];
  const lines = tables.slice(0, SUMMARY_LINES).map((t) => {
    const rows = t.rows ?? t.rows_examined_per_scan;
    const how = t.access_type === 'ALL' ? 'full scan' : `${t.access_type ?? 'access'}${t.key ? ` via ${t.key}` : ''}`;
    if (t.access_type === 'ALL' && (rows ?? 0) >= LARGE_SCAN_ROWS) {
      warnings.push(`Reads all of ${t.table_name} (about ${rows!.toLocaleString('en-US')} rows) without an index.`);
    }
    return `${t.table_name}: ${how} (rows≈${rows ?? '?'})`;
  });
  if (estimatedRows !== null && estimatedRows > rowLimit) {
    warnings.push(`About ${estimatedRows.toLocaleString('en-US')} rows expected; only the first ${rowLimit.toLocaleString('en-US')} will be shown.`);
  }
  return {
    estimatedRows,
    estimatedCost: Number.isFinite(cost) ? cost : null,
    summary: lines.join('\n') || 'No tables read.',
    warnings,
  };
}
