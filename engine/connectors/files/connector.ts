import fs from 'node:fs';
import path from 'node:path';
import { StatementType, version as duckdbVersion, type DuckDBConnection } from '@duckdb/node-api';
import type { ExplainEstimate, FileConnection, MetadataDocument, MetadataObject, QueryResult, Verdict } from '../../contract/index';
import { CancelledError, ConnectorError, EngineError, ForbiddenError, PreviewLimitError, ValidationError } from '../../errors';
import { raceAbort } from '../shared/abort';
import { ByteBudget, DEFAULT_MAX_RESULT_BYTES } from '../shared/byte-budget';
import { PREVIEW_BUDGET } from '../shared/preview-budget';
import { formatBytes, unifiedResult } from '../shared/result';
import type { ConnectionSpec, ConnectionTestResult, Connector, ExecuteOptions } from '../types';
import { cellConverter, normalizeType, resultColumn } from './cells';
import { duckdbErrorKind, duckdbMessage, interruptible, isOutOfMemory, WORK_THREADS } from './duckdb';
import { closeParser, loadDuckdbGuardrail, validateDuckdbQuery, type QueryScope } from './guardrail';
import { quoteIdent } from './names';
import { readManifest, type Manifest } from './snapshot';
import { SnapshotCache, type DuckdbLimits, type OpenSnapshot, type SnapshotRole } from './snapshots';

/** Preview work (EXPLAIN, metadata) runs on one thread within the preview's memory. */
const PREVIEW_LIMITS: DuckdbLimits = { memoryLimitMb: PREVIEW_BUDGET.memoryMb, threads: 1 };

const READ_STATEMENTS = new Set<StatementType>([StatementType.SELECT, StatementType.EXPLAIN]);

/** Metadata lists sample values only for short text columns with few distinct values. */
const SAMPLE = { maxDistinct: 25, maxLength: 40, values: 10, scanRows: 100_000, maxColumns: 60 };

const statementName = (type: StatementType) => (StatementType[type] ?? 'unknown').toLowerCase().replace(/_/g, ' ');

/**
 * EXPLAIN is allowed only around a query that is itself a SELECT: `EXPLAIN
 * ANALYZE` runs its statement. Returns the inner statement text.
 */
function explainedStatement(query: string): string | null {
  const stripped = query.replace(/^(\s+|--[^\n]*\n|\/\*[\s\S]*?\*\/)*/, '');
  const match = /^explain\s+(?:analy[sz]e\s+)?(?:\([^)]*\)\s*)?/i.exec(stripped);
  return match ? stripped.slice(match[0].length) : null;
}

function queryError(error: unknown, snapshot: OpenSnapshot): EngineError {
  if (error instanceof EngineError) return error;
  if (isOutOfMemory(error)) {
    if (snapshot.role === 'preview') {
      return new PreviewLimitError(`Estimating the query needed more memory than the preview allows (${PREVIEW_BUDGET.memoryMb} MB), so it was not approved.`, {
        memoryMb: PREVIEW_BUDGET.memoryMb,
      });
    }
    return new ConnectorError(
      `The query needed more than the source's memory limit (${formatBytes(snapshot.limits.memoryLimitMb * 1024 * 1024)}) and was stopped. Filter or aggregate more, or raise the memory limit in the source settings.`,
      { kind: 'MEMORY_LIMIT', memoryLimitMb: snapshot.limits.memoryLimitMb },
    );
  }
  if (error instanceof Error && (error as NodeJS.ErrnoException).code === 'ERR_STRING_TOO_LONG') {
    return new ConnectorError('A value in the result is too large to show (over 512 MB of text). Select a shorter expression, e.g. left(column, 1000).', {
      kind: 'VALUE_TOO_LARGE',
    });
  }
  const message = duckdbMessage(error);
  const kind = duckdbErrorKind(message);
  // Interrupted without a deadline or an abort: the connector was closed under it.
  if (kind === 'INTERRUPT Error') return new CancelledError('The query was stopped because the files connector closed.');
  if (kind === 'Permission Error' || /read-only mode|configuration has been locked/.test(message)) {
    return new ForbiddenError('READ_ONLY', message, { kind });
  }
  return new ConnectorError(message, { kind: kind ?? 'DuckDB Error' });
}

class FilesConnector implements Connector {
  readonly type = 'file' as const;
  readonly #snapshots = new SnapshotCache();

  /** A fresh connection per call: interrupting it stops this query and nothing else. */
  async #withConnection<T>(
    spec: ConnectionSpec,
    role: SnapshotRole,
    options: { signal: AbortSignal; timeoutMs: number | null; what: string; timeoutError?: (timeoutMs: number) => EngineError },
    work: (connection: DuckDBConnection, stopped: () => boolean, snapshot: OpenSnapshot) => Promise<T>,
  ): Promise<T> {
    const limits = role === 'preview' ? PREVIEW_LIMITS : { memoryLimitMb: spec.settings.memoryLimitMb, threads: WORK_THREADS };
    const { snapshot, connection, release } = await this.#snapshots.lease(spec.workDir, role, limits);
    try {
      assertViewFilesAreRegular(snapshot.manifest);
    } catch (error) {
      release();
      throw error;
    }
    try {
      return await interruptible(connection, options, (stopped) => work(connection, stopped, snapshot), release);
    } catch (error) {
      throw queryError(error, snapshot);
    }
  }

  /** Prepares exactly one statement and refuses anything but a read, whatever the guardrail said. */
  async #prepareRead(connection: DuckDBConnection, query: string) {
    const statements = await connection.extractStatements(query);
    if (statements.count === 0) throw new ValidationError('The query is empty.');
    if (statements.count > 1) throw new ForbiddenError('READ_ONLY', 'Run one statement at a time; this query has several.');
    const prepared = await statements.prepare(0);
    const type = prepared.statementType;
    if (!READ_STATEMENTS.has(type)) {
      throw new ForbiddenError('READ_ONLY', `Files are read-only: only SELECT queries run here (this statement is ${statementName(type).toUpperCase()}).`, {
        statementType: statementName(type),
      });
    }
    if (type === StatementType.EXPLAIN) {
      const inner = explainedStatement(query);
      if (inner === null) throw new ForbiddenError('READ_ONLY', 'Only EXPLAIN of a SELECT query runs here.');
      await this.#prepareRead(connection, inner);
    }
    return prepared;
  }

  async testConnection(spec: ConnectionSpec, signal: AbortSignal): Promise<ConnectionTestResult> {
    const started = performance.now();
    const problems: string[] = [];
    for (const filePath of (spec.connection as FileConnection).paths) {
      if (signal.aborted) break;
      try {
        const stat = fs.statSync(filePath);
        if (!stat.isFile()) problems.push(`${filePath} is not a file`);
        else fs.accessSync(filePath, fs.constants.R_OK);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        problems.push(`${filePath} ${code === 'ENOENT' ? 'was not found' : code === 'EACCES' || code === 'EPERM' ? 'cannot be read (permission denied)' : 'cannot be read'}`);
      }
    }
    const result: ConnectionTestResult = {
      ok: problems.length === 0 && !signal.aborted,
      latencyMs: Math.round(performance.now() - started),
      serverVersion: `DuckDB ${duckdbVersion()}`,
      canWrite: null,
      writeDetails: [],
      risks: [],
    };
    if (signal.aborted) result.error = { kind: 'TIMEOUT', message: 'The check was cancelled.' };
    else if (problems.length) {
      const total = (spec.connection as FileConnection).paths.length;
      result.error = {
        kind: 'FILE_UNREADABLE',
        message: `${problems.length} of ${total} file${total === 1 ? '' : 's'} cannot be used: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? '; …' : ''}.`,
      };
    }
    return result;
  }

  /** Layer 1 within the preview budget (after the once-per-process load of DuckDB's function catalog). */
  async validate(query: string, spec: ConnectionSpec, signal: AbortSignal): Promise<Verdict> {
    await raceAbort(loadDuckdbGuardrail(), signal);
    let timer: NodeJS.Timeout | undefined;
    const overBudget = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new PreviewLimitError(`Checking the query took longer than the preview allows (${PREVIEW_BUDGET.timeMs / 1000} s), so it was not approved.`)),
        PREVIEW_BUDGET.timeMs,
      );
    });
    try {
      return await raceAbort(Promise.race([validateDuckdbQuery(query, queryScope(spec)), overBudget]), signal);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Layer 2: the query is checked again against the source's tables (the
   * token binds the text, but the source may have been re-imported since),
   * then runs as the one read statement it must be, under the source's memory
   * limit, its timeout, its row limit and its byte budget.
   */
  async execute(spec: ConnectionSpec, query: string, options: ExecuteOptions): Promise<QueryResult> {
    const started = performance.now();
    const maxRows = Math.max(1, options.maxRows);
    const verdict = await raceAbort(validateDuckdbQuery(query, queryScope(spec)), options.signal);
    if (!verdict.allowed) {
      const first = verdict.reasons[0];
      throw new ForbiddenError(first?.code ?? 'GUARDRAIL', `This query was refused before it ran: ${first?.message ?? 'it did not pass the safety check.'}`, { layer: 2 });
    }
    const budget = new ByteBudget(options.maxBytes ?? DEFAULT_MAX_RESULT_BYTES);
    return this.#withConnection(spec, 'execute', { signal: options.signal, timeoutMs: options.timeoutMs, what: 'The query' }, async (connection, stopped) => {
      const prepared = await this.#prepareRead(connection, query);
      const result = await prepared.stream();
      const types = result.columnTypes();
      const columns = result.columnNames().map((name, i) => resultColumn(name, types[i]!));
      const convert = types.map(cellConverter);
      const width = columns.length;
      const rows: unknown[][] = [];
      let truncated = false;
      // Only maxRows + 1 rows are ever fetched: the extra one says whether there was more.
      fetching: while (!stopped()) {
        const chunk = await result.fetchChunk();
        const chunkRows = chunk?.rowCount ?? 0;
        if (!chunk || chunkRows === 0) break;
        const take = Math.min(chunkRows, maxRows - rows.length);
        // Vectors read directly: the chunk's own row accessors ask the native side for its size on every row.
        const vectors = Array.from({ length: width }, (_, c) => chunk.getColumnVector(c));
        for (let r = 0; r < take; r++) {
          const row = new Array<unknown>(width);
          for (let c = 0; c < width; c++) row[c] = convert[c]!(vectors[c]!.getItem(r));
          // The row that crosses the budget is dropped, and nothing more is fetched.
          if (!budget.addRow(row)) break fetching;
          rows.push(row);
        }
        if (chunkRows > take) {
          truncated = true;
          break;
        }
      }
      return unifiedResult({ columns, rows, truncated, maxRows, started, ...(budget.exceeded ? { truncatedByBytes: { maxBytes: budget.maxBytes } } : {}) });
    });
  }

  explain(spec: ConnectionSpec, query: string, signal: AbortSignal): Promise<ExplainEstimate> {
    // Planning folds constants: a query like length(repeat('x', 1500000000)) costs its price here, before approval.
    const preview = { signal, timeoutMs: PREVIEW_BUDGET.timeMs, what: 'Estimating the query', timeoutError: explainOverBudget };
    return this.#withConnection(spec, 'preview', preview, async (connection) => {
      await this.#prepareRead(connection, query);
      if (explainedStatement(query) !== null) throw new ValidationError('Give the query without EXPLAIN; PolyStoreIQ adds it.');
      const reader = await connection.runAndReadAll(`EXPLAIN (FORMAT JSON) ${query}`);
      const plan = JSON.parse(String(reader.getColumnsJS()[1]?.[0] ?? '[]')) as PlanNode[];
      const root = plan[0];
      const lines: string[] = [];
      const walk = (node: PlanNode, depth: number) => {
        if (lines.length >= 20) return;
        const rows = cardinality(node);
        lines.push(`${'  '.repeat(depth)}${node.name}${rows === null ? '' : ` (~${rows.toLocaleString('en-US')} rows)`}`);
        for (const child of node.children ?? []) walk(child, depth + 1);
      };
      if (root) walk(root, 0);
      const warnings = lines.some((l) => /CROSS_PRODUCT/.test(l))
        ? ['The plan has a cross product: every row of one table is paired with every row of another.']
        : [];
      return {
        estimatedRows: root ? firstCardinality(root) : null,
        estimatedCost: null,
        summary: lines.join('\n') || 'No plan.',
        warnings,
      };
    });
  }

  fetchMetadata(spec: ConnectionSpec, signal: AbortSignal): Promise<MetadataDocument> {
    const timeoutMs = Math.max(spec.settings.statementTimeoutMs, 30_000) * 4;
    return this.#withConnection(spec, 'preview', { signal, timeoutMs, what: 'Reading the files’ schema' }, async (connection, stopped, snapshot) => {
      const described = await connection.runAndReadAll(
        `SELECT table_name, column_name, data_type, is_nullable FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' ORDER BY table_name, column_index`,
      );
      const fieldsByTable = new Map<string, MetadataObject['fields']>();
      for (const row of described.getRowObjectsJS()) {
        const fields = fieldsByTable.get(String(row.table_name)) ?? [];
        const nativeType = String(row.data_type);
        fields.push({
          name: String(row.column_name),
          type: normalizeType(nativeType),
          nativeType,
          nullable: row.is_nullable !== false,
          primaryKey: false,
          foreignKey: null,
          comment: null,
          presence: null,
          observedTypes: [],
          sampleValues: [],
        });
        fieldsByTable.set(String(row.table_name), fields);
      }
      const objects: MetadataObject[] = [];
      for (const entry of snapshot.manifest.objects) {
        if (stopped()) break;
        const fields = fieldsByTable.get(entry.table) ?? [];
        const table = quoteIdent(entry.table);
        let rowEstimate: number;
        try {
          const count = await connection.runAndReadAll(`SELECT count(*) FROM ${table}`);
          rowEstimate = Number(count.getColumnsJS()[0]?.[0] ?? 0);
          await addSampleValues(connection, table, fields);
        } catch (error) {
          // A Parquet file that moved or changed since import: list it, say why, keep going.
          if (stopped()) throw error;
          objects.push(objectFor(entry, fields, null, `Cannot be read now: ${duckdbMessage(error).split('\n')[0]}`));
          continue;
        }
        objects.push(objectFor(entry, fields, rowEstimate, null));
      }
      return {
        sourceId: spec.sourceId,
        sourceType: 'file',
        serverVersion: `DuckDB ${duckdbVersion()}`,
        fetchedAt: new Date().toISOString(),
        databases: [{ name: 'files', schemas: [{ name: 'main', objects }] }],
        cached: false,
      };
    });
  }

  /** Interrupts what runs and resolves once every connection and instance (and the parser's) is closed. */
  async close(): Promise<void> {
    await this.#snapshots.close();
    await closeParser();
  }
}

interface PlanNode {
  name: string;
  children?: PlanNode[];
  extra_info?: Record<string, unknown>;
}

function cardinality(node: PlanNode): number | null {
  const value = node.extra_info?.['Estimated Cardinality'];
  const n = typeof value === 'string' || typeof value === 'number' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : null;
}

/** The root's estimate, or the first one below it (DuckDB leaves some operators unestimated). */
function firstCardinality(node: PlanNode): number | null {
  return cardinality(node) ?? (node.children ?? []).map(firstCardinality).find((n) => n !== null) ?? null;
}

function objectFor(entry: Manifest['objects'][number], fields: MetadataObject['fields'], rowEstimate: number | null, problem: string | null): MetadataObject {
  const what = `${entry.format.toUpperCase()} file ${path.basename(entry.path)}${entry.kind === 'view' ? ', read in place' : ', imported'}`;
  return {
    name: entry.table,
    kind: 'file',
    rowEstimate,
    comment: problem ? `${what}. ${problem}` : what,
    fields,
    foreignKeys: [],
    origin: entry.path,
  };
}

/** A few values of short, low-cardinality text columns, for value linking ("from Brazil"). */
async function addSampleValues(connection: DuckDBConnection, table: string, fields: MetadataObject['fields']): Promise<void> {
  const text = fields.filter((f) => /^(VARCHAR|ENUM)/i.test(f.nativeType)).slice(0, SAMPLE.maxColumns);
  if (text.length === 0) return;
  const source = `(SELECT * FROM ${table} LIMIT ${SAMPLE.scanRows})`;
  const stats = await connection.runAndReadAll(
    `SELECT ${text.map((f) => `approx_count_distinct(${quoteIdent(f.name)}), max(length(${quoteIdent(f.name)}::VARCHAR))`).join(', ')} FROM ${source}`,
  );
  const row = stats.getRowsJS()[0] ?? [];
  for (const [i, field] of text.entries()) {
    const distinct = Number(row[i * 2] ?? 0);
    const longest = Number(row[i * 2 + 1] ?? 0);
    if (distinct === 0 || distinct > SAMPLE.maxDistinct || longest > SAMPLE.maxLength) continue;
    const column = quoteIdent(field.name);
    const top = await connection.runAndReadAll(
      `SELECT ${column}::VARCHAR AS v FROM ${source} WHERE ${column} IS NOT NULL GROUP BY ALL ORDER BY count(*) DESC, v LIMIT ${SAMPLE.values}`,
    );
    field.sampleValues = (top.getColumnsJS()[0] ?? []).map(String);
  }
}

/**
 * A Parquet view reads its file at query time, and DuckDB opens it blocking:
 * a FIFO or device swapped in for the file would hold the query until its
 * deadline. A stat of the path does not block, so it is checked first.
 */
function assertViewFilesAreRegular(manifest: Manifest): void {
  for (const entry of manifest.objects) {
    if (!entry.readPath) continue;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(entry.readPath);
    } catch {
      // Missing or unreadable: DuckDB says so itself, at once.
      continue;
    }
    if (!stat.isFile()) {
      throw new ConnectorError(
        `${path.basename(entry.path)} is no longer a regular file, so ${entry.table} (read from it in place) cannot be queried. Put the file back, or remove it from the source.`,
        { kind: 'NOT_A_FILE', table: entry.table },
      );
    }
  }
}

function explainOverBudget(): PreviewLimitError {
  return new PreviewLimitError(`Estimating the query took longer than the preview allows (${PREVIEW_BUDGET.timeMs / 1000} s), so it was not approved. Simplify it, or filter before computing large values.`, {
    timeoutMs: PREVIEW_BUDGET.timeMs,
  });
}

/** What a query of this source may read: the tables and views its manifest lists (none before the first import). */
function queryScope(spec: ConnectionSpec): QueryScope {
  const manifest = readManifest(path.resolve(spec.workDir));
  return { tables: manifest?.objects.map((o) => o.table) ?? [], database: manifest ? path.basename(manifest.database, '.duckdb') : null };
}

export function createFilesConnector(): Connector {
  return new FilesConnector();
}
