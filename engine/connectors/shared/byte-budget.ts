import { SourceSettings } from '../../contract/index';

/** The default of SourceSettings.maxResultBytes, for callers that give no limit. */
export const DEFAULT_MAX_RESULT_BYTES: number = SourceSettings.parse({}).maxResultBytes;

/**
 * Counts the bytes of a result as it is read, so every store stops at the
 * same size limit. A cell's size is what it will weigh as JSON, estimated
 * without serializing it: strings by length, numbers and booleans as a few
 * bytes, nested values by a bounded walk.
 */
export class ByteBudget {
  readonly maxBytes: number;
  #used = 0;
  #exceeded = false;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  get used(): number {
    return this.#used;
  }

  get exceeded(): boolean {
    return this.#exceeded;
  }

  /** Adds raw bytes (from the wire, say); true while the budget holds. */
  addBytes(bytes: number): boolean {
    this.#used += bytes;
    if (this.#used > this.maxBytes) this.#exceeded = true;
    return !this.#exceeded;
  }

  /** Adds one row of converted cells; true while the budget holds (the row that crosses it should be dropped). */
  addRow(row: readonly unknown[]): boolean {
    let bytes = 2;
    for (const cell of row) bytes += cellBytes(cell) + 1;
    return this.addBytes(bytes);
  }
}

const SMALL = 8;
/** Nested values deeper or wider than this are estimated from what was seen. */
const WALK_LIMIT = 10_000;

export function cellBytes(cell: unknown): number {
  if (cell === null || cell === undefined) return 4;
  switch (typeof cell) {
    case 'string':
      return cell.length + 2;
    case 'number':
    case 'boolean':
    case 'bigint':
      return SMALL;
    default:
      break;
  }
  if (cell instanceof Uint8Array) return cell.byteLength * 2 + 4;
  let total = 0;
  let visited = 0;
  const stack: unknown[] = [cell];
  while (stack.length > 0 && visited < WALK_LIMIT) {
    const value = stack.pop();
    visited++;
    if (value === null || value === undefined) total += 4;
    else if (typeof value === 'string') total += value.length + 2;
    else if (typeof value !== 'object') total += SMALL;
    else if (value instanceof Uint8Array) total += value.byteLength * 2 + 4;
    else if (Array.isArray(value)) {
      total += 2 + value.length;
      for (const item of value) stack.push(item);
    } else {
      for (const [key, item] of Object.entries(value)) {
        total += key.length + 4;
        stack.push(item);
      }
    }
  }
  return total;
}
