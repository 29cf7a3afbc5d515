import type pg from 'pg';
import { unifiedResult } from '../shared/result';
import type { ExplainEstimate, QueryResult } from '../../contract/index';
import { UnsupportedError } from '../../errors';
import { convertColumns } from '../shared/cells';
import type { ExecuteOptions } from '../types';
import type { PgSource } from './pools';
import { inReadOnlyTransaction } from './session';
import { pgStatementKind } from './statement';
import type { PgTypeInfo } from './types';

const DECLARE = 'DECLARE polystore_rows NO SCROLL CURSOR FOR ';
const EXPLAIN = 'EXPLAIN (FORMAT JSON) ';

type Row = Array<string | null>;
type ArrayQuery = pg.QueryArrayConfig & { queryMode?: 'extended' };

/**
 * Layer 2. The user's text always goes through the extended protocol, which
 * refuses more than one statement: `SELECT 1; COMMIT; DROP …` cannot end the
 * read-only transaction. Rows come from a cursor, so a huge result is never
 * produced, let alone held in memory.
 */
export async function executePg(source: PgSource, query: string, options: ExecuteOptions): Promise<QueryResult> {
  const started = performance.now();
  const kind = pgStatementKind(query);
  return inReadOnlyTransaction(source, options, async (client, run) => {
    let result: pg.QueryArrayResult<Row>;
    if (kind === 'cursor') {
      await run(() => client.query({ text: DECLARE + query, queryMode: 'extended' } as pg.QueryConfig), DECLARE.length);
      result = await run(() => client.query<Row>({ text: `FETCH FORWARD ${options.maxRows + 1} FROM polystore_rows`, rowMode: 'array' }));
    } else {
      result = await run(() => client.query<Row>({ text: query, rowMode: 'array', queryMode: 'extended' } as ArrayQuery));
    }
    const infos = await run(() => source.types(client, result.fields.map((f) => f.dataTypeID)));
    return toQueryResult(result, infos, options.maxRows, started);
  });
}

export function toQueryResult(result: pg.QueryArrayResult<Row>, infos: PgTypeInfo[], maxRows: number, started: number): QueryResult {
  const rows: unknown[][] = result.rows ?? [];
  const truncated = rows.length > maxRows;
  if (truncated) rows.length = maxRows;
  convertColumns(rows, infos.map((info) => info.convert));
  return unifiedResult({ columns: (result.fields ?? []).map((f, i) => ({ name: f.name, type: infos[i]!.type, nativeType: infos[i]!.name })), rows, truncated, maxRows, started });
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

/** Plan Rows and Total Cost of `EXPLAIN (FORMAT JSON)`, run inside the same read-only transaction. */
export async function explainPg(source: PgSource, query: string, options: { signal: AbortSignal; timeoutMs: number; rowLimit: number }): Promise<ExplainEstimate> {
  if (pgStatementKind(query) !== 'cursor') {
    throw new UnsupportedError('Only queries that return rows (SELECT, WITH, VALUES, TABLE) can be estimated.');
  }
  return inReadOnlyTransaction(source, options, async (client, run) => {
    const result = await run(() => client.query<Row>({ text: EXPLAIN + query, rowMode: 'array', queryMode: 'extended' } as ArrayQuery), EXPLAIN.length);
    const plan = (JSON.parse(result.rows[0]![0]!) as Array<{ Plan: PlanNode }>)[0]!.Plan;
    return summarizePlan(plan, options.rowLimit);
  });
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
