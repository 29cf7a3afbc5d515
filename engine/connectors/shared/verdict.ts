import type { Verdict, VerdictReason, VerdictReasonCode } from '../../contract/index';

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
