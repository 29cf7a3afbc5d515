import type pg from 'pg';
import type { MetadataDocument, MetadataField, MetadataObject } from '../../contract/index';
import { pickSampleColumns, SAMPLE_RULES } from '../shared/sampling';
import type { ConnectionSpec } from '../types';
import type { PgSource } from './pools';
import { inReadOnlyTransaction, type Run } from './session';
import { builtinType, decodeRows, typeFromCatalog, type PgTypeInfo } from './types';

// System schemas never appear: pg_catalog, information_schema, pg_toast, pg_temp_N …
const USER_RELATIONS = `c.relkind IN ('r','p','v','m','f') AND NOT c.relispartition
  AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'`;

const RELATIONS_SQL = `
SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind, c.reltuples::float8 AS reltuples,
       CASE WHEN c.relkind IN ('r','m') AND c.reltuples >= 0 THEN c.relpages::int8 * current_setting('block_size')::int8 END AS bytes,
       d.description AS comment,
       c.relispopulated AND has_table_privilege(c.oid, 'SELECT') AS readable
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
 WHERE ${USER_RELATIONS}
 ORDER BY n.nspname, c.relname`;

const COLUMNS_SQL = `
SELECT a.attrelid AS rel, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS native, a.atttypid AS typid,
       a.atttypmod AS typmod, t.typcategory::text AS category, t.typbasetype AS base, t.typelem AS elem,
       NOT a.attnotnull AS nullable, d.description AS comment
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_description d ON d.objoid = a.attrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
 WHERE a.attnum > 0 AND NOT a.attisdropped AND ${USER_RELATIONS}
 ORDER BY a.attrelid, a.attnum`;

const KEY_NAMES = (keys: string, rel: string) =>
  `to_json(ARRAY(SELECT a.attname FROM unnest(${keys}) WITH ORDINALITY k(num, i) JOIN pg_attribute a ON a.attrelid = ${rel} AND a.attnum = k.num ORDER BY k.i))`;

const CONSTRAINTS_SQL = `
SELECT con.conrelid AS rel, con.contype::text AS type, ${KEY_NAMES('con.conkey', 'con.conrelid')} AS cols,
       fn.nspname AS ref_schema, fc.relname AS ref_table, ${KEY_NAMES('con.confkey', 'con.confrelid')} AS ref_cols
  FROM pg_constraint con
  JOIN pg_class c ON c.oid = con.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_class fc ON fc.oid = con.confrelid
  LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
 WHERE con.contype IN ('p','f') AND ${USER_RELATIONS}
 ORDER BY con.conrelid, con.conname`;

/** Tables never analyzed have no relpages to go by; at most this many get measured. */
const MAX_MEASURED = 200;

interface RelationRow {
  oid: number;
  schema: string;
  name: string;
  kind: string;
  reltuples: number;
  bytes: number | null;
  comment: string | null;
  readable: boolean;
}
interface ColumnRow {
  rel: number;
  name: string;
  native: string;
  typid: number;
  typmod: number;
  category: string;
  base: number;
  elem: number;
  nullable: boolean;
  comment: string | null;
}
interface ConstraintRow {
  rel: number;
  type: 'p' | 'f';
  cols: string[];
  ref_schema: string | null;
  ref_table: string | null;
  ref_cols: string[];
}

const KINDS: Record<string, MetadataObject['kind']> = { r: 'table', p: 'table', f: 'table', v: 'view', m: 'materialized_view' };

async function rows<T>(client: pg.PoolClient, run: Run, text: string, values?: unknown[]): Promise<T[]> {
  return decodeRows<T>(await run(() => client.query<Record<string, string | null>>(text, values)));
}

/**
 * One database's tables, views and materialized views in five catalog
 * queries whatever the number of tables, plus one bounded sampling statement
 * (see SAMPLE_RULES).
 */
export async function fetchPgMetadata(source: PgSource, spec: ConnectionSpec<'postgres'>, signal: AbortSignal): Promise<MetadataDocument> {
  const timeoutMs = spec.settings.statementTimeoutMs;
  return inReadOnlyTransaction(source, { signal, timeoutMs }, async (client, run) => {
    const [info] = await rows<{ version: string; db: string }>(client, run, `SELECT current_setting('server_version') AS version, current_database() AS db`);
    const relations = await rows<RelationRow>(client, run, RELATIONS_SQL);
    const columns = await rows<ColumnRow>(client, run, COLUMNS_SQL);
    const constraints = await rows<ConstraintRow>(client, run, CONSTRAINTS_SQL);

    const unmeasured = relations.filter((r) => (r.kind === 'r' || r.kind === 'm') && r.bytes === null && r.readable).slice(0, MAX_MEASURED);
    if (unmeasured.length > 0) {
      const sizes = await rows<{ oid: number; bytes: number }>(
        client,
        run,
        `SELECT r AS oid, pg_relation_size(r) AS bytes FROM unnest($1::oid[]) AS r`,
        [unmeasured.map((r) => r.oid)],
      );
      const byOid = new Map(sizes.map((s) => [s.oid, s.bytes]));
      for (const r of unmeasured) r.bytes = byOid.get(r.oid) ?? null;
    }

    const byRel = new Map<number, ColumnRow[]>();
    for (const c of columns) {
      const list = byRel.get(c.rel);
      if (list) list.push(c);
      else byRel.set(c.rel, [c]);
    }
    const primary = new Map<number, Set<string>>();
    const foreign = new Map<number, ConstraintRow[]>();
    for (const con of constraints) {
      if (con.type === 'p') primary.set(con.rel, new Set(con.cols));
      else foreign.set(con.rel, [...(foreign.get(con.rel) ?? []), con]);
    }

    const typeOf = catalogTypes();
    const objects = relations.map((rel) => {
      const fks = foreign.get(rel.oid) ?? [];
      const pk = primary.get(rel.oid);
      const fields: MetadataField[] = (byRel.get(rel.oid) ?? []).map((c) => {
        const type = typeOf(c);
        const single = fks.find((fk) => fk.cols.length === 1 && fk.cols[0] === c.name);
        return {
          name: c.name,
          type: type.type,
          nativeType: c.native,
          nullable: c.nullable,
          primaryKey: pk?.has(c.name) ?? false,
          foreignKey: single ? { schema: single.ref_schema, table: single.ref_table!, column: single.ref_cols[0]! } : null,
          comment: c.comment,
          presence: null,
          observedTypes: [],
          sampleValues: [],
        };
      });
      const object: MetadataObject = {
        name: rel.name,
        kind: KINDS[rel.kind] ?? 'table',
        rowEstimate: rel.kind === 'v' || rel.reltuples < 0 ? null : Math.round(rel.reltuples),
        comment: rel.comment,
        fields,
        foreignKeys: fks.map((fk) => ({ columns: fk.cols, refSchema: fk.ref_schema, refTable: fk.ref_table!, refColumns: fk.ref_cols })),
        origin: null,
      };
      return object;
    });

    await addSamples(client, run, relations, objects, byRel, typeOf);

    const schemas = new Map<string, MetadataObject[]>();
    relations.forEach((rel, i) => {
      const list = schemas.get(rel.schema);
      if (list) list.push(objects[i]!);
      else schemas.set(rel.schema, [objects[i]!]);
    });
    return {
      sourceId: spec.sourceId,
      sourceType: 'postgres',
      serverVersion: `PostgreSQL ${info!.version}`,
      fetchedAt: new Date().toISOString(),
      databases: [{ name: info!.db, schemas: [...schemas].map(([name, objs]) => ({ name, objects: objs })) }],
      cached: false,
    };
  });
}

function catalogTypes(): (c: ColumnRow) => PgTypeInfo {
  const seen = new Map<number, PgTypeInfo>();
  return (c) => {
    let info = builtinType(c.typid) ?? seen.get(c.typid);
    if (!info) {
      info = typeFromCatalog({ oid: c.typid, name: c.native, category: c.category, baseOid: c.base, elementOid: c.elem }, builtinType);
      seen.set(c.typid, info);
    }
    return info;
  };
}

function isShortText(c: ColumnRow, type: PgTypeInfo): boolean {
  if (type.type !== 'string' || (c.category !== 'S' && c.category !== 'E')) return false;
  // varchar(n) / char(n) carry n + 4 in atttypmod; -1 means unbounded (text).
  return c.typmod < 0 || c.typmod - 4 <= SAMPLE_RULES.maxDeclaredLength;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function addSamples(
  client: pg.PoolClient,
  run: Run,
  relations: RelationRow[],
  objects: MetadataObject[],
  byRel: Map<number, ColumnRow[]>,
  typeOf: (c: ColumnRow) => PgTypeInfo,
): Promise<void> {
  const picked = pickSampleColumns(
    relations.map((rel) => ({
      sizeBytes: rel.kind === 'r' || rel.kind === 'm' ? rel.bytes : null,
      readable: rel.readable,
      columns: byRel.get(rel.oid) ?? [],
    })),
    (c) => isShortText(c, typeOf(c)),
  );
  if (picked.length === 0) return;
  const parts = picked.map(([t, c], i) => {
    const rel = relations[t]!;
    const col = quote(c.name);
    // Most frequent values first: "Rock" before a one-off title; ties alphabetically.
    return `SELECT ${i} AS i, to_json(ARRAY(SELECT ${col}::text FROM ${quote(rel.schema)}.${quote(rel.name)} WHERE ${col} IS NOT NULL AND length(${col}::text) <= ${SAMPLE_RULES.maxValueLength} GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ${SAMPLE_RULES.maxValues})) AS v`;
  });
  try {
    await run(() => client.query(`SET LOCAL statement_timeout = ${SAMPLE_RULES.timeoutMs}`));
    const samples = await rows<{ i: number; v: string[] }>(client, run, parts.join('\nUNION ALL\n'));
    for (const { i, v } of samples) {
      const [t, c] = picked[i]!;
      const field = objects[t]!.fields.find((f) => f.name === c.name);
      if (field) field.sampleValues = v;
    }
  } catch (error) {
    // Samples are a bonus: a timeout or a permission problem leaves them out. A cancel is still a cancel.
    if ((error as { code?: string }).code === 'CANCELLED') throw error;
  }
}
