import { ForbiddenError } from '../../errors';
import type { MongoQueryDocument } from './query-document';
import { isPlainDocument } from './values';

/**
 * Layer 2, independent of the guardrail module on purpose: whatever the
 * guardrail let through, nothing that writes ($out, $merge), runs
 * server-side JavaScript ($function, $accumulator, $where, Code values) or
 * names another database (the query's `database`, or a {db, coll} reference
 * in a $lookup, $graphLookup or $unionWith) reaches the server, wherever it
 * hides in the document.
 */
const FORBIDDEN: Record<string, string> = {
  $out: 'it writes into a collection',
  $merge: 'it writes into a collection',
  $function: 'it runs JavaScript on the server',
  $accumulator: 'it runs JavaScript on the server',
  $where: 'it runs JavaScript on the server',
};

/** Keys whose value names a collection, possibly as {db, coll}. */
const COLLECTION_KEYS = new Set(['from', 'coll', 'into']);

interface Hit {
  reason: string;
  why: string;
  path: string;
}

function find(value: unknown, path: string, depth: number, database: string): Hit | null {
  if (depth > 200) return { reason: 'READ_ONLY', why: 'the document is nested too deeply to check', path };
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const hit = find(item, `${path}[${i}]`, depth + 1, database);
      if (hit) return hit;
    }
    return null;
  }
  if ((value as { _bsontype?: string } | null)?._bsontype === 'Code') return { reason: 'READ_ONLY', why: 'JavaScript code values are not allowed', path };
  if (!isPlainDocument(value)) return null;
  for (const [key, child] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (Object.hasOwn(FORBIDDEN, key)) return { reason: 'READ_ONLY', why: `${key} is not allowed: ${FORBIDDEN[key]}`, path: at };
    if (COLLECTION_KEYS.has(key) && isPlainDocument(child) && 'db' in child && child.db !== database) {
      return { reason: 'CROSS_DATABASE', why: `it reads database "${String(child.db)}", but this source reads only "${database}"`, path: at };
    }
    const hit = find(child, at, depth + 1, database);
    if (hit) return hit;
  }
  return null;
}

/** Throws ForbiddenError when the parsed query document could write, run code or leave the source's database. */
export function assertReadOnly(document: MongoQueryDocument, database: string): void {
  const hit: Hit | null =
    document.database !== undefined && document.database !== database
      ? { reason: 'CROSS_DATABASE', why: `it names database "${document.database}", but this source reads only "${database}"`, path: 'database' }
      : find(document, '', 0, database);
  if (!hit) return;
  throw new ForbiddenError(hit.reason, `This query was refused before it reached MongoDB: ${hit.why} (at ${hit.path || 'the top level'}).`, {
    layer: 2,
    path: hit.path,
  });
}
