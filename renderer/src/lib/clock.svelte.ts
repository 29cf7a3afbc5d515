import { createSubscriber } from 'svelte/reactivity';

/**
 * The time now, for what changes with the clock (a retry time that passes): reading `now`
 * inside an effect or template re-reads it every `everyMs`, only while something reads it.
 */
export class Clock {
  readonly #subscribe: () => void;

  constructor(everyMs: number) {
    this.#subscribe = createSubscriber((update) => {
      const timer = setInterval(update, everyMs);
      return () => clearInterval(timer);
    });
  }

  get now(): number {
    this.#subscribe();
    return Date.now();
  }
}

/** Seconds are enough for retry times shown to the second. */
export const clock = new Clock(1000);
