import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * A thread that built a large result keeps the heap it grew for it: V8 frees
 * the rows once the reply has been sent, but holds on to the memory until a
 * full collection it may not run for minutes (a 1M-row result left the host
 * process about 300 MB larger). After such a job the thread runs one full
 * collection, once its reply is on its way, and the memory goes back to the OS.
 */

/** Cells (rows × columns) from which a result counts as large. */
export const LARGE_RESULT_CELLS = 200_000;

let collect: (() => void) | null | undefined;

/** V8's full collection, made callable in this thread; null where the runtime refuses it. */
function fullCollection(): (() => void) | null {
  if (collect === undefined) {
    try {
      // Flags are read when a context is created: the new context gets `gc`, this one is unchanged.
      v8.setFlagsFromString('--expose-gc');
      const gc: unknown = vm.runInNewContext('gc');
      collect = typeof gc === 'function' ? (gc as () => void) : null;
    } catch {
      collect = null;
    }
  }
  return collect;
}

/** The number of cells of a job's value, when it is a query result; 0 otherwise. */
export function resultCells(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const { rows, columns } = value as { rows?: unknown; columns?: unknown };
  if (!Array.isArray(rows) || !Array.isArray(columns)) return 0;
  return rows.length * Math.max(1, columns.length);
}

/** After a large result, collects once the reply has left (the next turn of the event loop). */
export function releaseAfter(value: unknown): void {
  if (resultCells(value) < LARGE_RESULT_CELLS) return;
  const gc = fullCollection();
  if (gc) setImmediate(gc);
}
