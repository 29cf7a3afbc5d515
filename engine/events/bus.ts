import { actingCaller } from '../auth/acting';
import { mayReceive, type AccessControl } from '../auth/permissions';
import { events, type EventName, type EventPayload } from '../contract/index';
import type { Logger } from '../log/logger';

export type EventSink = (event: EventName, payload: unknown) => void;

/**
 * Engine -> hosts. Payloads are validated against the contract before they
 * leave, events that are not `open` are held back while the profile is
 * locked, and a viewer receives only what the event matrix lets it see
 * (engine/auth/permissions.ts `eventPermissions`), decided when the event is
 * emitted: every window shows the one unlocked profile.
 */
export class EventBus {
  readonly #sinks = new Set<EventSink>();
  readonly #isLocked: () => boolean;
  readonly #logger: Logger | undefined;
  readonly #access: () => AccessControl | null;

  /** `access` is read at every event (the engine creates the profiles after the bus); without it every event goes to every sink. */
  constructor(isLocked: () => boolean, logger?: Logger, access: () => AccessControl | null = () => null) {
    this.#isLocked = isLocked;
    this.#logger = logger;
    this.#access = access;
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
    if (!this.#mayDeliver(name, parsed.data)) return;
    for (const sink of [...this.#sinks]) {
      try {
        sink(name, parsed.data);
      } catch (error) {
        this.#logger?.warn('event sink failed', { event: name, error });
      }
    }
  }

  #mayDeliver(name: EventName, payload: unknown): boolean {
    const access = this.#access();
    if (!access) return true;
    const caller = access.caller();
    if (!caller) return true;
    const ownCall = actingCaller()?.profileId === caller.profileId;
    try {
      return mayReceive(name, payload, caller, () => access.scopeOf(caller.profileId), ownCall);
    } catch (error) {
      // Not knowing who may see it is not a reason to show it.
      this.#logger?.warn('an event was held back: its audience could not be checked', { event: name, error });
      return false;
    }
  }
}
