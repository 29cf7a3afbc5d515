import { ForbiddenError } from '../../errors';
import { isPlainDocument } from './values';

/**
 * Layer 2, independent of the guardrail module on purpose: whatever the
 * guardrail let through, nothing that writes ($out, $merge) or runs
 * server-side JavaScript ($function, $accumulator, $where, Code values)
 * reaches the server, wherever it hides in the document.
 */
const FORBIDDEN: Record<string, string> = {
  $out: 'it writes into a collection',
  $merge: 'it writes into a collection',
  $function: 'it runs JavaScript on the server',
  $accumulator: 'it runs JavaScript on the server',
  $where: 'it runs JavaScript on the server',
};

function find(value: unknown, path: string, depth: number): { name: string; path: string } | null {
  if (depth > 200) return { name: 'nesting', path };
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const hit = find(item, `${path}[${i}]`, depth + 1);
      if (hit) return hit;
    }
    return null;
  }
  if ((value as { _bsontype?: string } | null)?._bsontype === 'Code') return { name: 'Code', path };
  if (!isPlainDocument(value)) return null;
  for (const [key, child] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (Object.hasOwn(FORBIDDEN, key)) return { name: key, path: at };
    const hit = find(child, at, depth + 1);
    if (hit) return hit;
  }
  return null;
}

/** Throws ForbiddenError when the parsed query document could write or run code. */
export function assertReadOnly(document: unknown): void {
  const hit = find(document, '', 0);
  if (!hit) return;
  const why =
    hit.name === 'Code' ? 'JavaScript code values are not allowed' : hit.name === 'nesting' ? 'the document is nested too deeply to check' : `${hit.name} is not allowed: ${FORBIDDEN[hit.name]}`;
  throw new ForbiddenError('READ_ONLY', `This query was refused before it reached MongoDB: ${why} (at ${hit.path || 'the top level'}).`, {
    layer: 2,
    operator: hit.name,
    path: hit.path,
  });
}
