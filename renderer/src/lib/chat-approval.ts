/** A single-use approval as chat.ask / chat.editQuery return it. Held in memory only, never persisted. */
export interface Approval {
  token: string;
  expiresAt: string;
}

export type ApprovalState =
  | { kind: 'live'; remainingMs: number }
  /** It ran out: only "Validate again" (a fresh approval for the same query) helps. */
  | { kind: 'expired' }
  /** This window never had it (the page was reloaded, or it was used). */
  | { kind: 'missing' };

/**
 * Approving this close to the deadline would most likely arrive late, so the
 * button is withdrawn a moment early rather than failing after the click.
 */
export const EXPIRY_MARGIN_MS = 1_000;

export function approvalState(approval: Approval | undefined, now: number): ApprovalState {
  if (!approval) return { kind: 'missing' };
  const expires = Date.parse(approval.expiresAt);
  if (!Number.isFinite(expires)) return { kind: 'expired' };
  const remainingMs = expires - now - EXPIRY_MARGIN_MS;
  return remainingMs > 0 ? { kind: 'live', remainingMs } : { kind: 'expired' };
}

/** "1:45" above a minute, "45 s" below it; rounded up so "0 s" never shows while live. */
export function formatRemaining(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** The countdown turns to a warning in its last stretch. */
export function isExpiringSoon(state: ApprovalState): boolean {
  return state.kind === 'live' && state.remainingMs < 20_000;
}

/** A run id for chat.approve / chat.cancel (the contract's Id: letters, digits, _ and -). */
export function newRunId(random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  const bytes = random(12);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  return 'run_' + Array.from(bytes, (b) => alphabet[b & 63]).join('');
}
