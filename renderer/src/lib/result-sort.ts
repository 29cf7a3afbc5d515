import type { NormalizedType } from '../../../engine/contract/index';
import { isNumericType } from './chat-format';
import { numberOf, timeOf } from './result-format';

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
const LONG_INTEGER = /^[+-]?\d{16,}$/;

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Ascending order of two non-null cells of one column, by what the column
 * holds: numbers by value (exact for integers beyond 2^53, which arrive as
 * text), dates by time, booleans false first, text as people sort it
 * ("item 2" before "item 10", case and accents aside). Nulls are not compared
 * here: the table puts them last in both directions.
 */
export function compareCells(a: unknown, b: unknown, type: NormalizedType): number {
  if (isNumericType(type) || (typeof a === 'number' && typeof b === 'number')) {
    if (typeof a === 'string' && typeof b === 'string' && LONG_INTEGER.test(a) && LONG_INTEGER.test(b)) {
      const x = BigInt(a);
      const y = BigInt(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    const x = numberOf(a);
    const y = numberOf(b);
    if (x !== null && y !== null) return x - y;
  }
  if (type === 'date' || type === 'timestamp' || type === 'timestamptz') {
    const x = timeOf(a);
    const y = timeOf(b);
    if (x !== null && y !== null) return x - y;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return collator.compare(text(a), text(b));
}

export type SortKey = number | bigint | string;

/**
 * A cell reduced once to what it sorts by (a number, a time, exact big
 * integer, or text), so sorting 100,000 rows compares keys instead of
 * parsing cells on every comparison. Null stays undefined (sorted last).
 */
export function sortKey(value: unknown, type: NormalizedType): SortKey | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'boolean') return Number(value);
  if (isNumericType(type) || typeof value === 'number') {
    if (typeof value === 'string' && LONG_INTEGER.test(value)) return BigInt(value);
    const n = numberOf(value);
    if (n !== null) return n;
  }
  if (type === 'date' || type === 'timestamp' || type === 'timestamptz') {
    const t = timeOf(value);
    if (t !== null) return t;
  }
  return text(value);
}

/** Ascending order of two sort keys of one column (numbers, big integers and times by value, text as people sort it). */
export function compareKeys(a: SortKey, b: SortKey): number {
  if (typeof a === 'string' || typeof b === 'string') return collator.compare(String(a), String(b));
  return a < b ? -1 : a > b ? 1 : 0;
}
