import type { Verdict, VerdictReason, VerdictReasonCode } from '../../contract/index';
import { ForbiddenError } from '../../errors';

/** Sets where in the text a reason applies, when the parser said (a non-negative offset). */
export function reasonAt(reason: VerdictReason, position: unknown): VerdictReason {
  if (typeof position === 'number' && Number.isFinite(position) && position >= 0) reason.position = position;
  return reason;
}

/**
 * Drops repeated reasons. By default the same code and message count once
 * wherever they occur; with `perPosition`, each place is reported.
 */
export function dedupeReasons(reasons: VerdictReason[], options: { perPosition?: boolean } = {}): VerdictReason[] {
  const seen = new Set<string>();
  return reasons.filter((r) => {
    const key = `${r.code}\n${r.message}${options.perPosition ? `\n${r.position ?? ''}` : ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A verdict that refuses, for one reason. */
export function refusal(code: VerdictReasonCode, message: string, statementKind: string | null = null, position?: number): Verdict {
  return { allowed: false, reasons: [reasonAt({ code, message }, position)], statementKind };
}

/**
 * Layer 2's own look at layer 1: execute and explain judge the query again, whoever called them, and throw for a
 * refused one so a caller that skipped validation (or a bug in one) cannot run it.
 */
export function assertAllowed(verdict: Verdict): void {
  if (verdict.allowed) return;
  const first = verdict.reasons[0];
  throw new ForbiddenError(first?.code ?? 'GUARDRAIL', `This query was refused before it ran: ${first?.message ?? 'it did not pass the safety check.'}`, {
    layer: 2,
    reasons: verdict.reasons,
  });
}
