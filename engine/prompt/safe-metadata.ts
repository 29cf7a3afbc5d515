import type { MetadataDocument, MetadataField, MetadataObject, NormalizedType } from '../contract/index';
import { findSecrets, isSecretFieldName, scrubText } from './scrub';

/** A field as it may appear in a prompt: secrets removed, samples only where allowed. */
export interface SafeField {
  name: string;
  type: NormalizedType;
  nativeType: string;
  nullable: boolean;
  primaryKey: boolean;
  foreignKey: { schema: string | null; table: string; column: string } | null;
  comment: string | null;
  presence: number | null;
  observedTypes: string[];
  samples: Array<string | number | boolean>;
}

export interface SafeObject {
  /** database.schema.name (schema left out where the store has none): stable and unambiguous. */
  key: string;
  database: string;
  schema: string | null;
  name: string;
  kind: MetadataObject['kind'];
  rowEstimate: number | null;
  comment: string | null;
  fields: SafeField[];
  /** Keys over several columns; single-column ones are on the fields. */
  compositeForeignKeys: Array<{ columns: string[]; refSchema: string | null; refTable: string; refColumns: string[] }>;
}

export interface SafeMetadataOptions {
  /** Sample values may be included (the source allows it, or the model is local). */
  sampleValues: boolean;
  /** Only this database (MySQL, MongoDB); all when absent. */
  database?: string;
}

const MAX_SAMPLES = 5;
const MAX_SAMPLE_LENGTH = 60;
const MAX_COMMENT_LENGTH = 200;

/**
 * The metadata a prompt may use. Everything user- or data-authored passes the
 * scrubber: an object or field whose very name looks like a credential is
 * left out (it could not be queried by that name anyway), comments are
 * masked, and sample values are dropped for credential-like columns and for
 * any value that looks like a secret.
 */
export function safeObjects(doc: MetadataDocument, options: SafeMetadataOptions): SafeObject[] {
  const databases = doc.databases.filter((d) => options.database === undefined || d.name === options.database);
  const samplesOf = (field: MetadataField) => (options.sampleValues && !isSecretFieldName(field.name) ? (field.sampleValues ?? []).slice(0, MAX_SAMPLES * 2) : []);

  // Every name, type, comment and sample value is checked in one batch (findSecrets): schemas run to thousands of columns.
  const texts: string[] = [];
  for (const database of databases) {
    texts.push(database.name);
    for (const schema of database.schemas) {
      if (schema.name !== null) texts.push(schema.name);
      for (const object of schema.objects) {
        texts.push(object.name);
        if (object.comment) texts.push(object.comment);
        for (const fk of object.foreignKeys ?? []) texts.push(fk.refTable, ...fk.columns, ...fk.refColumns);
        for (const field of object.fields) {
          texts.push(field.name, field.nativeType);
          if (field.comment) texts.push(field.comment);
          if (field.foreignKey) texts.push(field.foreignKey.table, field.foreignKey.column);
          for (const value of samplesOf(field)) if (typeof value === 'string') texts.push(value);
        }
      }
    }
  }
  const secret = findSecrets(texts);
  const clean = (text: string) => !secret.has(text);

  const out: SafeObject[] = [];
  for (const database of databases) {
    if (!clean(database.name)) continue;
    for (const schema of database.schemas) {
      if (schema.name !== null && !clean(schema.name)) continue;
      for (const object of schema.objects) {
        if (!clean(object.name)) continue;
        const fields: SafeField[] = [];
        for (const field of object.fields) {
          if (!clean(field.name)) continue;
          const fk = field.foreignKey;
          fields.push({
            name: field.name,
            type: field.type,
            nativeType: clean(field.nativeType) ? field.nativeType : scrubText(field.nativeType),
            nullable: field.nullable,
            primaryKey: field.primaryKey,
            foreignKey: fk && clean(fk.table) && clean(fk.column) ? { schema: fk.schema, table: fk.table, column: fk.column } : null,
            comment: safeComment(field.comment),
            presence: field.presence ?? null,
            observedTypes: (field.observedTypes ?? []).map((t) => t.type),
            samples: safeSamples(samplesOf(field).filter((v) => typeof v !== 'string' || clean(v))),
          });
        }
        out.push({
          key: [database.name, schema.name, object.name].filter((p) => p !== null).join('.'),
          database: database.name,
          schema: schema.name,
          name: object.name,
          kind: object.kind,
          rowEstimate: object.rowEstimate,
          comment: safeComment(object.comment),
          fields,
          compositeForeignKeys: (object.foreignKeys ?? []).filter((k) => k.columns.length > 1 && [k.refTable, ...k.columns, ...k.refColumns].every(clean)),
        });
      }
    }
  }

  function safeComment(comment: string | null | undefined): string | null {
    if (!comment) return null;
    const text = (clean(comment) ? comment : scrubText(comment)).replace(/\s+/g, ' ').trim();
    if (!text) return null;
    return text.length > MAX_COMMENT_LENGTH ? `${text.slice(0, MAX_COMMENT_LENGTH - 1)}…` : text;
  }
  return out;
}

/** Values already cleared of secrets; short single-line ones make useful examples. */
function safeSamples(values: Array<string | number | boolean>): Array<string | number | boolean> {
  const out: Array<string | number | boolean> = [];
  for (const value of values) {
    if (out.length >= MAX_SAMPLES) break;
    if (typeof value === 'string') {
      if (!value.trim() || value.length > MAX_SAMPLE_LENGTH || /[\r\n]/.test(value)) continue;
    } else if (typeof value === 'number' && !Number.isFinite(value)) continue;
    if (!out.includes(value)) out.push(value);
  }
  return out;
}

