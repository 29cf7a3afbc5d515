import type { ChannelOutput } from '../../../engine/contract/index';
import { getApi, type Result } from './api';

export type StoredResult = ChannelOutput<'chat.result'>;

/** Results kept in memory, so the chat card, the Results page and chart switches share one copy of the rows. */
const KEEP = 8;
const cache = new Map<string, Promise<Result<StoredResult>>>();

/** The stored rows of a result (and its chart), fetched once and kept for the last few results opened. */
export function loadResult(resultId: string): Promise<Result<StoredResult>> {
  const hit = cache.get(resultId);
  if (hit) {
    // Most recently used last, so the oldest is the first to go.
    cache.delete(resultId);
    cache.set(resultId, hit);
    return hit;
  }
  const api = getApi();
  const pending: Promise<Result<StoredResult>> = api
    ? api.chat.result({ resultId })
    : Promise.resolve({ ok: false, error: { code: 'UNAVAILABLE', message: 'The engine is not reachable.' } } as Result<StoredResult>);
  cache.set(resultId, pending);
  void pending.then((r) => {
    if (!r.ok) cache.delete(resultId);
  });
  while (cache.size > KEEP) cache.delete(cache.keys().next().value!);
  return pending;
}
