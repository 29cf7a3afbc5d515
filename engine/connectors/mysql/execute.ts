import type { Connection, FieldPacket } from 'mysql2';
import { unifiedResult } from '../shared/result';
import type mysql from 'mysql2/promise';
import type { ExplainEstimate, QueryResult } from '../../contract/index';
import { UnsupportedError } from '../../errors';
import { convertColumns } from '../shared/cells';
import type { ExecuteOptions } from '../types';
import type { MysqlSource } from './pools';
import { inReadOnlyTransaction } from './session';
import { checkMysqlStatement, EXPLAINABLE } from './statement';
import { columnInfo } from './types';

interface Streamed {
  fields: FieldPacket[];
  rows: unknown[][];
  truncated: boolean;
}

/**
 * Streams rows and keeps at most maxRows + 1. Past that, `onOverflow` kills
 * the rest on the server (an explicit LIMIT beats sql_select_limit), and the
 * remaining rows are dropped as they arrive until the statement ends.
 */
function streamRows(conn: Connection, sql: string, maxRows: number, onOverflow: () => void): Promise<Streamed> {
  return new Promise((resolve, reject) => {
    const rows: unknown[][] = [];
    let fields: FieldPacket[] | null = null;
    let overflow = false;
    let settled = false;
    const query = conn.query({ sql, rowsAsArray: true });
    query.on('fields', (f: FieldPacket[] | undefined) => {
      if (!fields && f) fields = f;
    });
    query.on('result', (row: unknown) => {
      if (overflow || !Array.isArray(row)) return;
      rows.push(row);
      if (rows.length > maxRows) {
        overflow = true;
        onOverflow();
      }
    });
    query.on('error', (error: Error) => {
      if (settled) return;
      settled = true;
      if (overflow) resolve({ fields: fields ?? [], rows, truncated: true });
      else reject(error);
    });
    query.on('end', () => {
      if (settled) return;
      settled = true;
      resolve({ fields: fields ?? [], rows, truncated: overflow });
    });
  });
}

/** Layer 2 for MySQL and MariaDB: the statement check, then a READ ONLY transaction. */
export async function executeMysql(source: MysqlSource, query: string, options: ExecuteOptions): Promise<QueryResult> {
  const started = performance.now();
  checkMysqlStatement(query);
  return inReadOnlyTransaction(source, { ...options, selectLimit: options.maxRows + 1 }, async (conn, run) => {
    const core = conn.connection as unknown as Connection;
    const threadId = core.threadId;
    let kill: Promise<void> | null = null;
    const streamed = await run(() =>
      streamRows(core, query, options.maxRows, () => {
        kill ??= source.killQuery(threadId).catch(() => {});
      }),
    );
    if (kill) await kill;
    return toQueryResult(streamed, options.maxRows, started);
  });
}

export function toQueryResult({ fields, rows, truncated }: Streamed, maxRows: number, started: number): QueryResult {
  if (rows.length > maxRows) rows.length = maxRows;
  const infos = fields.map(columnInfo);
  convertColumns(rows, infos.map((info) => info.convert));
  return unifiedResult({ columns: fields.map((f, i) => ({ name: f.name, type: infos[i]!.type, nativeType: infos[i]!.nativeType })), rows, truncated, maxRows, started });
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

/** `EXPLAIN FORMAT=JSON` inside the same read-only transaction. */
export async function explainMysql(source: MysqlSource, query: string, options: { signal: AbortSignal; timeoutMs: number; rowLimit: number }): Promise<ExplainEstimate> {
  const keyword = checkMysqlStatement(query);
  if (!EXPLAINABLE.has(keyword)) throw new UnsupportedError('Only queries that return rows (SELECT, WITH, VALUES, TABLE) can be estimated.');
  return inReadOnlyTransaction(source, { ...options, selectLimit: null }, async (conn, run) => {
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
