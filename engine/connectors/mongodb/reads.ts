/**
 * What the connector sends for a checked query document, always in the
 * source's database: the document's own filter, projection, sort and
 * pipeline objects go to the driver untouched, so the command on the wire
 * holds exactly the values the approved text says (extended-json.ts). The
 * connector adds only limits: a find's `limit` (maxRows + 1, to know
 * `truncated`), a final `{"$limit": maxRows + 1}` after a pipeline, and
 * maxTimeMS.
 *
 * Results are read one document at a time and stop at the row limit or the
 * byte budget (the BSON size of each document, as it came off the wire),
 * whichever comes first; the cursor is then closed, which kills it on the
 * server (killCursors), as it is after an error or a cancel.
 */
import type { AbstractCursor, Collection, Db, Document } from 'mongodb';
import type { QueryResult } from '../../contract/index';
import { raceAbort } from '../shared/abort';
import { ByteBudget, cellBytes } from '../shared/byte-budget';
import type { MongoQueryDocument } from './query-document';
import { TableBuilder, valuesToTable } from './results';
import { toCell } from './values';

export interface Table {
  columns: QueryResult['columns'];
  rows: unknown[][];
  /** More rows than maxRows existed. */
  truncated: boolean;
  /** The byte budget ended the result. */
  truncatedByBytes: boolean;
}

/** Limits of one read. */
export interface ReadLimits {
  maxRows: number;
  maxBytes: number;
  timeoutMs: number;
}

type Find = Extract<MongoQueryDocument, { operation: 'find' }>;

function findOptions(doc: Find): Document {
  return {
    ...(doc.projection ? { projection: doc.projection } : {}),
    ...(doc.sort ? { sort: doc.sort } : {}),
    ...(doc.skip ? { skip: doc.skip } : {}),
  };
}

/** Reads raw BSON documents until the cursor ends, the row limit passes or the byte budget is spent; always closes the cursor. */
async function readCursor(cursor: AbstractCursor<Uint8Array>, limits: ReadLimits): Promise<Table> {
  const table = new TableBuilder();
  const budget = new ByteBudget(limits.maxBytes);
  let rows = 0;
  let truncated = false;
  try {
    // A batch at a time (hasNext fetches the next one), each document taken synchronously from the buffer.
    reading: while (await cursor.hasNext()) {
      for (const doc of cursor.readBufferedDocuments()) {
        if (rows === limits.maxRows) {
          truncated = true;
          break reading;
        }
        if (!budget.addBytes(doc.byteLength)) break reading;
        table.addRaw(doc);
        rows += 1;
      }
    }
  } finally {
    await cursor.close();
  }
  return { ...table.finish(), truncated, truncatedByBytes: budget.exceeded };
}

/** Runs a checked query document against `collection` (of the source's database). */
export async function runRead(db: Db, doc: MongoQueryDocument, limits: ReadLimits, signal: AbortSignal): Promise<Table> {
  const collection: Collection = db.collection(doc.collection);
  const fetch = limits.maxRows + 1;
  // Documents arrive as raw BSON and become cells in one pass (raw-cells.ts).
  const common = { maxTimeMS: limits.timeoutMs, signal, raw: true } as const;
  switch (doc.operation) {
    case 'find': {
      const limit = doc.limit ? Math.min(doc.limit, fetch) : fetch;
      const cursor = collection.find(doc.filter, { ...common, ...findOptions(doc), limit });
      return readCursor(cursor as unknown as AbstractCursor<Uint8Array>, limits);
    }
    case 'aggregate': {
      const cursor = collection.aggregate([...doc.pipeline, { $limit: fetch }], common);
      return readCursor(cursor as unknown as AbstractCursor<Uint8Array>, limits);
    }
    case 'count': {
      const n = await collection.countDocuments(doc.filter, { maxTimeMS: limits.timeoutMs, signal });
      return { columns: [{ name: 'count', type: 'integer', nativeType: 'int' }], rows: [[n]], truncated: false, truncatedByBytes: false };
    }
    case 'distinct': {
      // One reply of at most 16 MB: the budget cuts the values, not the transfer. The driver takes no
      // signal here; a cancelled distinct ends at maxTimeMS on the server, its reply discarded.
      const values = await raceAbort(collection.distinct(doc.field, doc.filter, { maxTimeMS: limits.timeoutMs, promoteValues: false }), signal);
      const budget = new ByteBudget(limits.maxBytes);
      const kept = Math.min(values.length, limits.maxRows);
      let end = 0;
      while (end < kept && budget.addBytes(cellBytes(toCell(values[end])))) end++;
      return { ...valuesToTable(doc.field, values.slice(0, end)), truncated: values.length > limits.maxRows, truncatedByBytes: budget.exceeded };
    }
  }
}

/** The explain command for a checked query document at queryPlanner verbosity (nothing runs), with the preview's time limit. */
export function explainCommand(doc: MongoQueryDocument, maxTimeMS: number): Document {
  const explain = (command: Document): Document => ({ explain: command, verbosity: 'queryPlanner', maxTimeMS });
  switch (doc.operation) {
    case 'find':
      return explain({ find: doc.collection, filter: doc.filter, ...findOptions(doc), ...(doc.limit ? { limit: doc.limit } : {}) });
    case 'aggregate':
      return explain({ aggregate: doc.collection, pipeline: doc.pipeline, cursor: {} });
    case 'count':
      // The pipeline countDocuments runs.
      return explain({ aggregate: doc.collection, pipeline: [{ $match: doc.filter }, { $group: { _id: 1, n: { $sum: 1 } } }], cursor: {} });
    case 'distinct':
      return explain({ distinct: doc.collection, key: doc.field, query: doc.filter });
  }
}
