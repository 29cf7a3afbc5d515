import type { AppSettings } from '../../../engine/contract/index';

export type LimitKey =
  | 'sourceConcurrentQueries'
  | 'sourceQueriesPerMinute'
  | 'circuitFailureThreshold'
  | 'circuitCoolDownSeconds'
  | 'providerRequestsPerMinute'
  | 'providerTokensPerMinute';

export interface LimitField {
  key: LimitKey;
  label: string;
  hint: string;
  /** Whether 0 turns the limit off. */
  zeroIsOff: boolean;
  min: number;
  max: number;
}

/** The Limits card's fields, in the order shown; ranges are the contract's (engine/contract/settings.contract.ts). */
export const LIMIT_FIELDS: readonly LimitField[] = [
  {
    key: 'sourceConcurrentQueries',
    label: 'Queries at once per source',
    hint: 'A source never gets every worker thread, so one that stops answering leaves the others room.',
    zeroIsOff: false,
    min: 1,
    max: 64,
  },
  {
    key: 'sourceQueriesPerMinute',
    label: 'Work per source per minute',
    hint: 'Each check, estimate, run and connection test counts. 0 for no limit; set one to protect a shared server.',
    zeroIsOff: true,
    min: 0,
    max: 1_000_000,
  },
  {
    key: 'circuitFailureThreshold',
    label: 'Failures before a source pauses',
    hint: 'Calls in a row that could not reach a source; after that it fails fast instead of waiting out each connect timeout. Query errors never count.',
    zeroIsOff: false,
    min: 1,
    max: 100,
  },
  {
    key: 'circuitCoolDownSeconds',
    label: 'Seconds before a paused source is retried',
    hint: 'Then one call goes through to try it; each failed try doubles the wait, up to 5 minutes. Testing the connection retries at once.',
    zeroIsOff: false,
    min: 1,
    max: 3_600,
  },
  { key: 'providerRequestsPerMinute', label: 'Model requests per minute', hint: "0 for no limit of our own; the provider's own limits still apply.", zeroIsOff: true, min: 0, max: 1_000_000 },
  { key: 'providerTokensPerMinute', label: 'Model tokens per minute', hint: 'Prompt and answer together. 0 for no limit of our own.', zeroIsOff: true, min: 0, max: 1_000_000_000 },
];

/** A typed value, or why it cannot be saved. */
export function parseLimit(field: LimitField, text: string): { ok: true; value: number } | { ok: false; message: string } {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (trimmed === '' || !Number.isInteger(value)) return { ok: false, message: `${field.label}: enter a whole number.` };
  if (value < field.min || value > field.max) {
    return { ok: false, message: `${field.label}: between ${field.min.toLocaleString('en')} and ${field.max.toLocaleString('en')}${field.zeroIsOff ? ' (0 for no limit)' : ''}.` };
  }
  return { ok: true, value };
}

/** What a saved value means, for the confirmation under the card. */
export function describeLimit(field: LimitField, settings: Pick<AppSettings, LimitKey>): string {
  const value = settings[field.key];
  if (field.zeroIsOff && value === 0) return `${field.label}: no limit.`;
  return `${field.label}: ${value.toLocaleString('en')}.`;
}

