import { AsyncLocalStorage } from 'node:async_hooks';
import type { Caller } from './permissions';

/**
 * The profile on whose behalf the engine is working: set by the router around
 * each handler and carried through everything the call awaits, so work that
 * outlives a lock (a run, an evaluation) still knows who started it. Nothing
 * is set for the engine's own work (timers) or services called directly.
 */
const calls = new AsyncLocalStorage<Caller>();

export function actingAs<T>(caller: Caller, work: () => T): T {
  return calls.run(caller, work);
}

export function actingCaller(): Caller | null {
  return calls.getStore() ?? null;
}
