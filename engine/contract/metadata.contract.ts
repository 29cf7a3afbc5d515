import { z } from 'zod';
import { NormalizedType } from './query.contract';

export const ForeignKeyRef = z.object({
  schema: z.string().nullable(),
  table: z.string(),
  column: z.string(),
});

/** A column of a table or view, or a (dotted) field path of a collection. */
export const MetadataField = z.object({
  name: z.string(),
  type: NormalizedType,
  nativeType: z.string(),
  nullable: z.boolean(),
  primaryKey: z.boolean(),
  foreignKey: ForeignKeyRef.nullable(),
  comment: z.string().nullable(),
  /** MongoDB: share of sampled documents that have the field (0..1). */
  presence: z.number().min(0).max(1).nullable().default(null),
  /** MongoDB: observed BSON types and how many sampled documents had each. */
  observedTypes: z.array(z.object({ type: z.string(), count: z.number().int().nonnegative() })).default([]),
  /**
   * A few distinct values seen in the data, for value linking ("from Brazil").
   * Never sent to a hosted model unless the source allows sample values.
   */
  sampleValues: z.array(z.union([z.string(), z.number(), z.boolean()])).default([]),
});
export type MetadataField = z.infer<typeof MetadataField>;

export const MetadataObject = z.object({
  name: z.string(),
  kind: z.enum(['table', 'view', 'materialized_view', 'collection', 'file']),
  rowEstimate: z.number().nonnegative().nullable(),
  comment: z.string().nullable(),
  fields: z.array(MetadataField),
  /** Multi-column keys as declared; single-column ones also appear on the field. */
  foreignKeys: z
    .array(z.object({ columns: z.array(z.string()), refSchema: z.string().nullable(), refTable: z.string(), refColumns: z.array(z.string()) }))
    .default([]),
  /** Files: where the table comes from. */
  origin: z.string().nullable().default(null),
});
export type MetadataObject = z.infer<typeof MetadataObject>;

export const MetadataSchema = z.object({
  /** Null where the store has no schemas (MongoDB, MySQL databases are listed as databases). */
  name: z.string().nullable(),
  objects: z.array(MetadataObject),
});

export const MetadataDatabase = z.object({
  name: z.string(),
  schemas: z.array(MetadataSchema),
});

/** One metadata shape for all stores: source -> databases -> schemas -> tables/views/collections -> fields. */
export const MetadataDocument = z.object({
  sourceId: z.string(),
  sourceType: z.enum(['postgres', 'mysql', 'mongodb', 'file']),
  serverVersion: z.string().nullable(),
  fetchedAt: z.string(),
  databases: z.array(MetadataDatabase),
  /** True when this document came from the cache rather than the store. */
  cached: z.boolean().default(false),
});
export type MetadataDocument = z.infer<typeof MetadataDocument>;
