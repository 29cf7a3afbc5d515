import { z } from 'zod';

/**
 * Where a conversation's query stands, as the engine decides it (the
 * renderer, the CLI and every window show this; none derives it):
 * - refused: the guardrail said no, or the database rejected it at EXPLAIN, so it can never run;
 * - pending: the latest query, its approval unused and live: the only one that may be approved;
 * - replaced: edited or validated again, so a newer message carries the approval;
 * - skipped: the conversation moved on (a newer question or query) without a decision;
 * - expired: its approval ran out unused ("validate again" gives a fresh one);
 * - denied: the user said no; it never ran;
 * - approved: its approval was used, but no run of it is recorded (profiles from before runs were recorded at approval);
 * - running: its run started and is still going (here or in another window or process);
 * - done: it ran and its result is stored;
 * - failed: its run failed or was cancelled;
 * - unknown: its run started but the process ended before the outcome was written: it may or may not have run.
 */
export const QueryStatus = z.enum(['refused', 'pending', 'replaced', 'skipped', 'expired', 'denied', 'approved', 'running', 'done', 'failed', 'unknown']);
export type QueryStatus = z.infer<typeof QueryStatus>;

export const QueryState = z.object({
  messageId: z.string(),
  status: QueryStatus,
  /** The newer message that replaced this one (an edit or "validate again"). */
  replacedBy: z.string().nullable(),
  resultMessageId: z.string().nullable(),
  errorMessageId: z.string().nullable(),
  /** The latest run of this query, if any. */
  runId: z.string().nullable(),
  /** When its approval expires (or expired); null when none was issued. */
  approvalExpiresAt: z.string().nullable(),
  /**
   * For a query whose last run failed: false when the statement never reached the server, so the
   * approval was given back and stays usable until it expires; true when it may have started.
   */
  statementStarted: z.boolean().nullable(),
});
export type QueryState = z.infer<typeof QueryState>;
