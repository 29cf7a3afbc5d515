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
