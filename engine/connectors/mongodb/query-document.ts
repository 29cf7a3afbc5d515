import { z } from 'zod';

const Doc = z.record(z.string(), z.unknown());

/**
 * A MongoDB query as PolyStoreIQ shows, approves and runs it: a JSON document
 * (MongoDB Extended JSON for special values such as {"$date": ...} or
 * {"$oid": ...}). Only reads exist here: find, aggregate, count and distinct.
 */
export const MongoQueryDocument = z.discriminatedUnion('operation', [
  z.strictObject({
    collection: z.string().min(1).max(255),
    database: z.string().min(1).max(64).optional(),
    operation: z.literal('find'),
    filter: Doc.default({}),
    projection: Doc.optional(),
    sort: z.record(z.string(), z.union([z.literal(1), z.literal(-1)])).optional(),
    skip: z.number().int().min(0).optional(),
    limit: z.number().int().min(0).optional(),
  }),
  z.strictObject({
    collection: z.string().min(1).max(255),
    database: z.string().min(1).max(64).optional(),
    operation: z.literal('aggregate'),
    pipeline: z.array(Doc).max(100),
  }),
  z.strictObject({
    collection: z.string().min(1).max(255),
    database: z.string().min(1).max(64).optional(),
    operation: z.literal('count'),
    filter: Doc.default({}),
  }),
  z.strictObject({
    collection: z.string().min(1).max(255),
    database: z.string().min(1).max(64).optional(),
    operation: z.literal('distinct'),
    field: z.string().min(1).max(1024),
    filter: Doc.default({}),
  }),
]);
export type MongoQueryDocument = z.infer<typeof MongoQueryDocument>;
