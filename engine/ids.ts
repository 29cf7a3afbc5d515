import { randomBytes } from 'node:crypto';

/** Short random ids with a readable prefix (`src_…`, `ses_…`), safe in URLs and file names. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(9).toString('base64url')}`;
}

export const nowIso = (): string => new Date().toISOString();
