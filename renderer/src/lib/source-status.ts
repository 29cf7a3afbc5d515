import type { Source } from '../../../engine/contract/index';

export interface StatusWords {
  /** The word shown for the status, the same in the list and on the source's page. */
  label: string;
  /** The badge tone. */
  tone: '' | 'ok' | 'danger' | 'warn';
}

const STATUS: Record<Source['status'], StatusWords> = {
  CONNECTED: { label: 'Connected', tone: 'ok' },
  FAILED: { label: 'Failed', tone: 'danger' },
  UNTESTED: { label: 'Not tested', tone: '' },
  DISABLED: { label: 'Disabled', tone: 'warn' },
  BROKEN: { label: 'Damaged', tone: 'danger' },
};

/** A source's status in words, from its last connection test (recorded by the engine). */
export const statusWords = (status: Source['status']): StatusWords => STATUS[status];

export interface CircuitWords extends StatusWords {
  /** Why, in the engine's words (the message a refused call gets), for the title and the status bar. */
  detail: string;
}

/**
 * A source's circuit breaker in words, or null while it is closed: open (calls fail fast until
 * `retryAt`) or half-open (the next call probes). An open circuit whose retry time has passed
 * is half-open by now, whatever the last list said. `timeOfDay` formats the retry time.
 */
export function circuitWords(
  circuit: Source['circuit'],
  now: number = Date.now(),
  timeOfDay: (iso: string) => string = (iso) => new Date(iso).toLocaleTimeString(),
): CircuitWords | null {
  if (circuit.state === 'closed') return null;
  const failures = `${circuit.consecutiveFailures} failed attempts to connect`;
  const due = circuit.retryAt !== null && Date.parse(circuit.retryAt) <= now;
  if (circuit.state === 'half-open' || due) return { label: 'Retrying', tone: 'warn', detail: `${failures}; the next query tries again.` };
  return {
    label: circuit.retryAt ? `Unreachable, retrying at ${timeOfDay(circuit.retryAt)}` : 'Unreachable',
    tone: 'danger',
    detail: circuit.message ?? `${failures}; queries fail at once until it retries.`,
  };
}

/** The status bar's summary of sources whose circuit is not closed, or null when there are none. */
export function unreachableSummary(sources: readonly Pick<Source, 'name' | 'circuit'>[], now: number = Date.now()): { label: string; detail: string } | null {
  const down = sources.flatMap((s) => {
    const words = circuitWords(s.circuit, now);
    return words ? [{ name: s.name, words }] : [];
  });
  if (down.length === 0) return null;
  return {
    label: down.length === 1 ? `'${down[0]!.name}' unreachable` : `${down.length} sources unreachable`,
    detail: down.map((d) => `${d.name}: ${d.words.detail}`).join('\n'),
  };
}
