import type { SafeField, SafeObject } from '../safe-metadata';
import { formatCount, pickFields, type RenderOptions } from './types';

/** How one SQL dialect writes names, types and literals in pseudo-DDL. */
export interface SqlStyle {
  quote(identifier: string): string;
  /** Shorter spelling of verbose native types (tokens cost money). */
  shortType(nativeType: string): string;
  qualifiedName(object: SafeObject, multiDatabase: boolean): string;
}

/**
 * Compact CREATE TABLE text: models read DDL well, and one line per column
 * carries type, key, nullability, reference, comment and sample values.
 */
export function renderSqlObject(object: SafeObject, options: RenderOptions, style: SqlStyle): string {
  const keyword = object.kind === 'view' ? 'VIEW' : object.kind === 'materialized_view' ? 'MATERIALIZED VIEW' : 'TABLE';
  const about = [formatCount(object.rowEstimate, 'rows'), object.comment].filter(Boolean).join('. ');
  const { fields, hidden } = pickFields(object, options);
  const pk = object.fields.filter((f) => f.primaryKey);
  const lines: Array<{ code: string; comment?: string }> = fields.map((f) => sqlColumn(f, pk.length > 1, object, style));
  if (pk.length > 1) lines.push({ code: `PRIMARY KEY (${pk.map((f) => style.quote(f.name)).join(', ')})` });
  for (const fk of object.compositeForeignKeys) {
    const target = refName(object, fk.refSchema, fk.refTable, style);
    lines.push({ code: `FOREIGN KEY (${fk.columns.map(style.quote).join(', ')}) REFERENCES ${target}(${fk.refColumns.map(style.quote).join(', ')})` });
  }
  // The comma goes before a column's comment, so every line stays valid DDL.
  const body = lines.map((l, i) => `  ${l.code}${i < lines.length - 1 ? ',' : ''}${l.comment ? `  -- ${l.comment}` : ''}`);
  if (hidden > 0) body.push(`  -- … ${hidden} more columns not shown`);
  return `CREATE ${keyword} ${style.qualifiedName(object, options.multiDatabase)} (${about ? `  -- ${about}` : ''}\n${body.join('\n')}\n);`;
}

function sqlColumn(field: SafeField, compositePk: boolean, object: SafeObject, style: SqlStyle): { code: string; comment?: string } {
  let code = `${style.quote(field.name)} ${style.shortType(field.nativeType)}`;
  if (field.primaryKey && !compositePk) code += ' PRIMARY KEY';
  else if (!field.nullable) code += ' NOT NULL';
  if (field.foreignKey) {
    code += ` REFERENCES ${refName(object, field.foreignKey.schema, field.foreignKey.table, style)}(${style.quote(field.foreignKey.column)})`;
  }
  const notes = [field.comment, field.samples.length ? `e.g. ${field.samples.map(sqlLiteral).join(', ')}` : null].filter(Boolean);
  return notes.length ? { code, comment: notes.join('; ') } : { code };
}

function refName(from: SafeObject, schema: string | null, table: string, style: SqlStyle): string {
  const target: SafeObject = { ...from, schema: schema ?? from.schema, name: table };
  return style.qualifiedName(target, false);
}

export function sqlLiteral(value: string | number | boolean): string {
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return String(value);
}

/** Quotes with `open`/`close` unless the name is a plain lower-case identifier that is not reserved. */
export function quoteIfNeeded(identifier: string, plain: RegExp, reserved: ReadonlySet<string>, open: string, close = open): string {
  if (plain.test(identifier) && !reserved.has(identifier.toLowerCase())) return identifier;
  return `${open}${identifier.replaceAll(close, close + close)}${close}`;
}

/** Words reserved in PostgreSQL, MySQL and DuckDB alike that turn up as column names. */
export const COMMON_RESERVED = new Set(
  `all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create current_catalog
  current_date current_role current_time current_timestamp current_user default deferrable desc distinct do else end except false
  fetch for foreign from grant group having in initially intersect into lateral leading limit localtime localtimestamp not null
  offset on only or order placing primary references returning select session_user some symmetric table then to trailing true
  union unique user using variadic when where window with`.split(/\s+/),
);
