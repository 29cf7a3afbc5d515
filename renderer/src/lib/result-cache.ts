import type { ChannelOutput } from '../../../engine/contract/index';
import { ColumnReader } from '../../../engine/contract/result-columns';
import { getApi, type Result } from './api';

/**
 * A stored result as the page holds it: the columns arrive as typed arrays and
 * are read in place (`cells.get(row, column)`), so a 100,000-row result is
 * ready as soon as it arrives; the table reads only the rows it shows.
 */
export type StoredResult = Omit<ChannelOutput<'chat.result'>, 'data'> & { cells: ColumnReader };

/** Results kept in memory, so the chat card, the Results page and chart switches share one copy of the rows. */
const KEEP = 8;
/** The performance mark set when a result's rows reach the page. */
export const RESULT_ARRIVED_MARK = 'polystore.result-arrived';
const cache = new Map<string, Promise<Result<StoredResult>>>();

/** The stored rows of a result (and its chart), fetched once and kept for the last few results opened. */
export function loadResult(resultId: string): Promise<Result<StoredResult>> {
  const hit = cache.get(resultId);
  if (hit) {
    // Most recently used last, so the oldest is the first to go.
    cache.delete(resultId);
    cache.set(resultId, hit);
    void hit.then(arrived);
    return hit;
  }
  const api = getApi();
  const pending: Promise<Result<StoredResult>> = api
    ? api.chat.result({ resultId }).then(readable)
    : Promise.resolve({ ok: false, error: { code: 'UNAVAILABLE', message: 'The engine is not reachable.' } } as Result<StoredResult>);
  cache.set(resultId, pending);
  void pending.then((r) => {
    if (!r.ok) cache.delete(resultId);
  });
  void pending.then(arrived);
  while (cache.size > KEEP) cache.delete(cache.keys().next().value!);
  return pending;
}

function readable(r: Result<ChannelOutput<'chat.result'>>): Result<StoredResult> {
  if (!r.ok) return r;
  const { data, ...rest } = r.value;
  return { ok: true, value: { ...rest, cells: new ColumnReader(data) } };
}

/** Marks when a result's rows are there for the page (fetched, or from this cache), just before the caller gets them: the rendering bench times the first paint from here. */
function arrived(r: Result<StoredResult>): void {
  if (r.ok) performance.mark(RESULT_ARRIVED_MARK, { detail: r.value.rowCount });
}
