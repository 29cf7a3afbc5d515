import type { Result } from './errors';
import {
  channelNames,
  isEventName,
  type ChannelInput,
  type ChannelName,
  type ChannelOutput,
  type EventName,
  type EventPayload,
} from './index';

/** How an API call reaches the router: Electron IPC, a WebSocket, or in-process. */
export interface Transport {
  invoke(channel: ChannelName, payload: unknown): Promise<Result<unknown>>;
  /** Starts delivering an event; returns a function that stops it. */
  subscribe(event: EventName, deliver: (payload: unknown) => void): () => void;
}

type GroupOf<C extends string> = C extends `${infer G}.${string}` ? G : never;
type VerbOf<C extends string, G extends string> = C extends `${G}.${infer V}` ? V : never;
type Call<C extends ChannelName> = undefined extends ChannelInput<C>
  ? (input?: ChannelInput<C>) => Promise<Result<ChannelOutput<C>>>
  : (input: ChannelInput<C>) => Promise<Result<ChannelOutput<C>>>;

/** The API over a set of channels: one function per channel, grouped by the part before the dot, plus `on`. */
export type ApiOf<C extends ChannelName> = {
  readonly [G in GroupOf<C>]: {
    readonly [V in VerbOf<C, G>]: Call<Extract<`${G}.${V}`, ChannelName>>;
  };
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/** Every channel (the CLI and tests call them through the router directly). */
export type PolystoreApi = ApiOf<ChannelName>;

/**
 * Builds `window.polystore` from the contract (the given channels only: the
 * hosts pass the renderer's allow-list): one function per channel, grouped
 * by the part before the dot, plus `on(event, listener)`. Nothing here accepts a
 * channel name from the caller, so no generic invoke leaks to the page.
 */
export function buildApi<C extends ChannelName = ChannelName>(transport: Transport, channels: readonly C[] = channelNames as C[]): ApiOf<C> {
  const api: Record<string, Record<string, unknown>> = {};
  for (const name of channels) {
    const dot = name.indexOf('.');
    const group = name.slice(0, dot);
    const verb = name.slice(dot + 1);
    api[group] ??= {};
    api[group][verb] = (input?: unknown) => transport.invoke(name, input);
  }
  const on = (event: EventName, listener: (payload: never) => void): (() => void) => {
    if (!isEventName(event)) throw new TypeError(`Unknown event: ${String(event)}`);
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    return transport.subscribe(event, listener as (payload: unknown) => void);
  };
  for (const group of Object.values(api)) Object.freeze(group);
  return Object.freeze({ ...api, on }) as unknown as ApiOf<C>;
}

/**
 * Keeps one underlying subscription per (event, listener) pair so that an
 * unsubscribe removes exactly what was added, even when the same listener is
 * registered for several events.
 */
export class ListenerRegistry {
  readonly #listeners = new Map<EventName, Set<(payload: unknown) => void>>();

  add(event: EventName, listener: (payload: unknown) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    // Wrap so that registering the same function twice yields two independent subscriptions.
    const wrapper = (payload: unknown) => listener(payload);
    set.add(wrapper);
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      set.delete(wrapper);
      if (set.size === 0) this.#listeners.delete(event);
    };
  }

  emit(event: EventName, payload: unknown): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) listener(payload);
  }

  count(event?: EventName): number {
    if (event) return this.#listeners.get(event)?.size ?? 0;
    let n = 0;
    for (const set of this.#listeners.values()) n += set.size;
    return n;
  }

  events(): EventName[] {
    return [...this.#listeners.keys()];
  }
}
