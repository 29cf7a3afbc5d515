import type mysql from 'mysql2/promise';
import type { MetadataDocument, MetadataField, MetadataObject } from '../../contract/index';
import { pickSampleColumns, SAMPLE_RULES } from '../shared/sampling';
import type { ConnectionSpec } from '../types';
import type { MysqlSource } from './pools';
import { inReadOnlyTransaction, sessionSql, type Run, type Session } from './session';
import { normalizeDataType } from './types';

// Aliased lower-case: MySQL 8 returns information_schema column names in upper case.
const TABLES_SQL = `
SELECT table_name AS name, table_type AS type, table_rows AS row_estimate, table_comment AS comment,
       data_length + index_length AS bytes
  FROM information_schema.tables
 WHERE table_schema = DATABASE() AND table_type IN ('BASE TABLE', 'VIEW', 'SYSTEM VERSIONED')
 ORDER BY table_name`;

const COLUMNS_SQL = `
SELECT table_name AS tbl, column_name AS name, data_type AS data_type, column_type AS column_type,
       is_nullable AS nullable, character_maximum_length AS max_length, column_comment AS comment
  FROM information_schema.columns
 WHERE table_schema = DATABASE()
 ORDER BY table_name, ordinal_position`;

const KEYS_SQL = `
SELECT table_name AS tbl, constraint_name AS name, column_name AS col,
       referenced_table_schema AS ref_schema, referenced_table_name AS ref_table, referenced_column_name AS ref_col
  FROM information_schema.key_column_usage
 WHERE table_schema = DATABASE() AND (constraint_name = 'PRIMARY' OR referenced_table_name IS NOT NULL)
 ORDER BY table_name, constraint_name, ordinal_position`;

// MariaDB's JSON is LONGTEXT plus a json_valid() CHECK; only the check tells them apart.
const JSON_CHECKS_SQL = `
SELECT table_name AS tbl, check_clause AS clause
  FROM information_schema.check_constraints
 WHERE constraint_schema = DATABASE() AND check_clause LIKE 'json_valid(%'`;

interface TableRow {
  name: string;
  type: string;
  row_estimate: number | string | null;
  comment: string | null;
  bytes: number | string | null;
}
interface ColumnRow {
  tbl: string;
  name: string;
  data_type: string;
  column_type: string;
  nullable: string;
  max_length: number | string | null;
  comment: string | null;
}
interface KeyRow {
  tbl: string;
  name: string;
  col: string;
  ref_schema: string | null;
  ref_table: string | null;
  ref_col: string | null;
}

async function select<T>(conn: mysql.PoolConnection, run: Run, sql: string): Promise<T[]> {
  const [rows] = await run(() => conn.query<mysql.RowDataPacket[]>(sql));
  return rows as unknown as T[];
}

const quote = (name: string) => `\`${name.replace(/`/g, '``')}\``;
const blankToNull = (text: string | null) => (text ? text : null);
const SHORT_TEXT = new Set(['char', 'varchar', 'enum', 'set', 'tinytext', 'text']);

/**
 * The connection's database as one schema-less database: four catalog
 * queries whatever the number of tables, plus one bounded sampling statement
 * (see SAMPLE_RULES).
 */
export async function fetchMysqlMetadata(source: MysqlSource, spec: ConnectionSpec<'mysql'>, signal: AbortSignal): Promise<MetadataDocument> {
  return inReadOnlyTransaction(source, { signal, timeoutMs: spec.settings.statementTimeoutMs, selectLimit: null }, async (conn, session) => {
    const { run, flavour } = session;
    const [db] = await select<{ db: string }>(conn, run, 'SELECT DATABASE() AS db');
    const tables = await select<TableRow>(conn, run, TABLES_SQL);
    const columns = await select<ColumnRow>(conn, run, COLUMNS_SQL);
    const keys = await select<KeyRow>(conn, run, KEYS_SQL);
    const jsonColumns = new Set<string>();
    if (flavour.mariadb) {
      try {
        for (const check of await select<{ tbl: string; clause: string }>(conn, run, JSON_CHECKS_SQL)) {
          const m = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(check.clause.trim());
          if (m) jsonColumns.add(`${check.tbl}.${m[1]!.replace(/``/g, '`')}`);
        }
      } catch {
        // No check_constraints before MariaDB 10.2.22: JSON columns then read as text. The
        // connection saw an error, so it is not reused.
        session.discard();
      }
    }

    const byTable = new Map<string, ColumnRow[]>();
    for (const c of columns) byTable.set(c.tbl, [...(byTable.get(c.tbl) ?? []), c]);
    const primary = new Map<string, Set<string>>();
    const foreign = new Map<string, Map<string, KeyRow[]>>();
    for (const k of keys) {
      if (k.name === 'PRIMARY' && !k.ref_table) {
        primary.set(k.tbl, (primary.get(k.tbl) ?? new Set()).add(k.col));
      } else {
        const byName = foreign.get(k.tbl) ?? new Map<string, KeyRow[]>();
        byName.set(k.name, [...(byName.get(k.name) ?? []), k]);
        foreign.set(k.tbl, byName);
      }
    }
    const refSchema = (schema: string | null) => (schema && schema !== db!.db ? schema : null);

    const objects = tables.map((t): MetadataObject => {
      const isView = t.type === 'VIEW';
      const fks = [...(foreign.get(t.name)?.values() ?? [])];
      const pk = primary.get(t.name);
      const fields = (byTable.get(t.name) ?? []).map((c): MetadataField => {
        const single = fks.find((fk) => fk.length === 1 && fk[0]!.col === c.name)?.[0];
        const isJson = jsonColumns.has(`${t.name}.${c.name}`);
        return {
          name: c.name,
          type: isJson ? 'json' : normalizeDataType(c.data_type),
          nativeType: isJson ? 'json' : c.column_type,
          nullable: c.nullable === 'YES',
          primaryKey: pk?.has(c.name) ?? false,
          foreignKey: single ? { schema: refSchema(single.ref_schema), table: single.ref_table!, column: single.ref_col! } : null,
          comment: blankToNull(c.comment),
          presence: null,
          observedTypes: [],
          sampleValues: [],
        };
      });
      return {
        name: t.name,
        kind: isView ? 'view' : 'table',
        rowEstimate: isView || t.row_estimate === null ? null : Number(t.row_estimate),
        comment: isView && t.comment === 'VIEW' ? null : blankToNull(t.comment),
        fields,
        foreignKeys: fks.map((fk) => ({
          columns: fk.map((k) => k.col),
          refSchema: refSchema(fk[0]!.ref_schema),
          refTable: fk[0]!.ref_table!,
          refColumns: fk.map((k) => k.ref_col!),
        })),
        origin: null,
      };
    });

    await addSamples(conn, session, tables, objects, byTable, jsonColumns);
    return {
      sourceId: spec.sourceId,
      sourceType: 'mysql',
      serverVersion: flavour.mariadb ? flavour.version : `MySQL ${flavour.version}`,
      fetchedAt: new Date().toISOString(),
      databases: [{ name: db!.db, schemas: [{ name: null, objects }] }],
      cached: false,
    };
  });
}

async function addSamples(
  conn: mysql.PoolConnection,
  { run, flavour, discard }: Session,
  tables: TableRow[],
  objects: MetadataObject[],
  byTable: Map<string, ColumnRow[]>,
  jsonColumns: Set<string>,
): Promise<void> {
  const picked = pickSampleColumns(
    tables.map((t) => ({
      sizeBytes: t.type === 'VIEW' || t.bytes === null ? null : Number(t.bytes),
      readable: true,
      columns: byTable.get(t.name) ?? [],
    })),
    (c) =>
      SHORT_TEXT.has(c.data_type.toLowerCase()) &&
      !jsonColumns.has(`${c.tbl}.${c.name}`) &&
      (c.max_length === null || Number(c.max_length) <= SAMPLE_RULES.maxDeclaredLength),
  );
  if (picked.length === 0) return;
  const parts = picked.map(([t, c], i) => {
    const col = quote(c.name);
    return `SELECT ${i} AS i, v FROM (SELECT ${col} AS v, COUNT(*) AS n FROM ${quote(tables[t]!.name)} WHERE ${col} IS NOT NULL AND CHAR_LENGTH(${col}) <= ${SAMPLE_RULES.maxValueLength} GROUP BY ${col} ORDER BY n DESC, v LIMIT ${SAMPLE_RULES.maxValues}) AS s${i}`;
  });
  try {
    await run(() => conn.query(sessionSql(flavour, SAMPLE_RULES.timeoutMs, null)));
    const samples = await select<{ i: number; v: string }>(conn, run, parts.join('\nUNION ALL\n'));
    for (const { i, v } of samples) {
      const [t, c] = picked[i]!;
      const field = objects[t]!.fields.find((f) => f.name === c.name);
      if (field) field.sampleValues.push(String(v));
    }
  } catch (error) {
    // Samples are a bonus: a time-out or a permission problem leaves them out. A cancel is still a cancel.
    if ((error as { code?: string }).code === 'CANCELLED') throw error;
    discard();
  }
}
