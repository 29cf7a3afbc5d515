/**
 * Reports user activity to the engine at most once per `intervalMs`, so idle
 * auto-lock measures real idleness (reading a long result is not idle), while
 * a burst of keystrokes costs one call.
 */
export function createActivityReporter(report: () => void, intervalMs = 30_000, now: () => number = Date.now) {
  let last = Number.NEGATIVE_INFINITY;
  return () => {
    const t = now();
    if (t - last < intervalMs) return false;
    last = t;
    report();
    return true;
  };
}
