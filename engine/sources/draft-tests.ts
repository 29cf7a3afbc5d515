import { createHmac, randomBytes } from 'node:crypto';
import type { ConnectionTestResult } from '../connectors/types';

/** How long a test from the add-source form stands for the source saved from it. */
const DRAFT_TEST_TTL_MS = 15 * 60_000;
/** Forms open at once are few; older results are dropped first. */
const MAX_DRAFT_TESTS = 20;

/**
 * Connection tests run from the add-source form before the source exists, kept
 * briefly so that saving exactly the tested details gives the new source that
 * result (status, server version, login risks) instead of "Not tested". Keyed
 * by a keyed hash of the details and password: no password is held here.
 */
export class DraftTests {
  readonly #key = randomBytes(32);
  readonly #results = new Map<string, { result: ConnectionTestResult; at: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  #fingerprint(details: unknown): string {
    return createHmac('sha256', this.#key).update(JSON.stringify(details)).digest('hex');
  }

  remember(details: unknown, result: ConnectionTestResult): void {
    const key = this.#fingerprint(details);
    this.#results.delete(key);
    this.#results.set(key, { result, at: this.#now() });
    while (this.#results.size > MAX_DRAFT_TESTS) this.#results.delete(this.#results.keys().next().value!);
  }

  /** The last test of exactly these details, if recent; used once. */
  take(details: unknown): ConnectionTestResult | null {
    const key = this.#fingerprint(details);
    const found = this.#results.get(key);
    this.#results.delete(key);
    return found && this.#now() - found.at <= DRAFT_TEST_TTL_MS ? found.result : null;
  }
}
