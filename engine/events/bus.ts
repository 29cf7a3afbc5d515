import { events, type EventName, type EventPayload } from '../contract/index';
import type { Logger } from '../log/logger';

export type EventSink = (event: EventName, payload: unknown) => void;

/**
 * Engine -> hosts. Payloads are validated against the contract before they
 * leave, and events that are not `open` are held back while the profile is locked.
 */
export class EventBus {
  readonly #sinks = new Set<EventSink>();
  readonly #isLocked: () => boolean;
  readonly #logger: Logger | undefined;

  constructor(isLocked: () => boolean, logger?: Logger) {
    this.#isLocked = isLocked;
    this.#logger = logger;
  }

  /** Registers a host sink; returns a function that really removes it. */
  subscribe(sink: EventSink): () => void {
    this.#sinks.add(sink);
    return () => void this.#sinks.delete(sink);
  }

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    const def = events[name];
    if (def.access !== 'open' && this.#isLocked()) return;
    const parsed = def.payload.safeParse(payload);
    if (!parsed.success) {
      this.#logger?.error('dropped an event that does not match its contract', { event: name, issues: parsed.error.issues.slice(0, 5) });
      return;
    }
    for (const sink of [...this.#sinks]) {
      try {
        sink(name, parsed.data);
      } catch (error) {
        this.#logger?.warn('event sink failed', { event: name, error });
      }
    }
  }
}
