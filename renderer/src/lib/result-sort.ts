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
