import type { ChartRecommendation, ChartSpec, MetadataDocument, QueryResult } from '../../engine/contract/index';
import { formatTable } from './context';

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** RFC 4180 CSV: fields with commas, quotes or line breaks are quoted; quotes doubled. */
export function toCsv(result: Pick<QueryResult, 'columns' | 'rows'>): string {
  const field = (text: string) => (/[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
  const lines = [result.columns.map((c) => field(c.name)).join(',')];
  for (const row of result.rows) lines.push(row.map((v) => field(cellText(v))).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function toTable(result: QueryResult, maxWidth = 60): string {
  const clip = (s: string) => (s.length > maxWidth ? s.slice(0, maxWidth - 1) + '…' : s);
  const table = formatTable(
    result.columns.map((c) => c.name),
    result.rows.map((r) => r.map((v) => clip(cellText(v)))),
  );
  const footer = `${result.rowCount} row${result.rowCount === 1 ? '' : 's'}${result.truncated ? ` (truncated at ${result.rowLimit}; more rows exist)` : ''} in ${Math.round(result.elapsedMs)} ms`;
  return `${table}\n${footer}`;
}

/** "bar of customers by country (horizontal, top 30)", "scatter of bytes against milliseconds", "single value". */
export function describeChartSpec(spec: ChartSpec): string {
  switch (spec.type) {
    case 'table':
      return 'table';
    case 'single':
      return `single value (${spec.y.join(', ')})`;
    case 'histogram':
      return `histogram of ${spec.x}${spec.bins ? ` (${spec.bins} bins)` : ''}`;
    case 'scatter':
      return `scatter of ${spec.y.join(', ')} against ${spec.x}${spec.size ? ` sized by ${spec.size}` : ''}`;
    default: {
      const notes = [spec.stacked ? 'stacked' : '', spec.horizontal ? 'horizontal' : '', spec.topN ? `top ${spec.topN}` : ''].filter(Boolean);
      return `${spec.type} of ${spec.y.join(', ')} by ${spec.x}${spec.series ? ` per ${spec.series}` : ''}${notes.length ? ` (${notes.join(', ')})` : ''}`;
    }
  }
}

/** The chart recommendation in one line, for `--format table`. */
export function describeChart(chart: ChartRecommendation): string {
  const others = [...new Set(chart.alternatives.map((a) => a.type))];
  return `Chart: ${describeChartSpec(chart.recommended)}. ${chart.reason}${others.length ? ` Also: ${others.join(', ')}.` : ''}`;
}

/** What `run` and `query` print: JSON with the chart next to the rows, CSV, or the table with the chart in one line. */
export function formatRun(run: { runId: string; resultId: string; result: QueryResult; chart?: ChartRecommendation | undefined }, mode: 'json' | 'csv' | 'table'): string {
  if (mode === 'json') return JSON.stringify({ ...run.result, runId: run.runId, resultId: run.resultId, chart: run.chart ?? null }, null, 2) + '\n';
  if (mode === 'csv') return toCsv(run.result);
  return `${toTable(run.result)}${run.chart ? `\n${describeChart(run.chart)}` : ''}\n`;
}

export function describeMetadata(doc: MetadataDocument): string {
  const lines: string[] = [];
  for (const db of doc.databases) {
    lines.push(`database ${db.name}`);
    for (const schema of db.schemas) {
      if (schema.name) lines.push(`  schema ${schema.name}`);
      for (const object of schema.objects) {
        lines.push(`    ${object.kind} ${object.name}${object.rowEstimate !== null ? ` (~${Math.round(object.rowEstimate)} rows)` : ''}`);
        for (const f of object.fields) {
          const flags = [f.primaryKey ? 'PK' : '', f.foreignKey ? `FK -> ${f.foreignKey.table}.${f.foreignKey.column}` : '', f.nullable ? '' : 'not null'].filter(Boolean).join(', ');
          lines.push(`      ${f.name}: ${f.type} (${f.nativeType})${flags ? ` [${flags}]` : ''}`);
        }
      }
    }
  }
  lines.push(`${doc.cached ? 'from cache' : 'fresh from the source'}, fetched ${doc.fetchedAt}`);
  return lines.join('\n');
}
