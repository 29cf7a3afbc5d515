import { CALIBRATION_THRESHOLDS, type CalibrationRow, type EvalOutcome } from '../contract/eval.contract';

/** What the summary needs of a scored question. */
export interface Scored {
  outcome: EvalOutcome;
  /** How the generated query scored before any threshold; null when there was none (declined, bad line). */
  answer: 'correct' | 'wrong' | 'error' | null;
  confidence: number | null;
}

export function countOutcomes(records: readonly Pick<Scored, 'outcome'>[]): Record<EvalOutcome, number> {
  const counts: Record<EvalOutcome, number> = { correct: 0, wrong: 0, declined: 0, error: 0 };
  for (const r of records) counts[r.outcome]++;
  return counts;
}

/**
 * Precision and coverage by confidence: for each threshold, the questions
 * answered with at least that confidence (an answer without a confidence
 * never clears one), their share of all questions, and the share of them
 * that was correct. An answer the database rejected counts as answered and wrong.
 */
export function calibrate(records: readonly Scored[], questions: number, thresholds: readonly number[] = CALIBRATION_THRESHOLDS): CalibrationRow[] {
  return thresholds.map((threshold) => {
    const answered = records.filter((r) => r.answer !== null && (r.confidence ?? 0) >= threshold);
    const correct = answered.filter((r) => r.answer === 'correct').length;
    return {
      threshold,
      answered: answered.length,
      coverage: questions === 0 ? 0 : answered.length / questions,
      correct,
      precision: answered.length === 0 ? null : correct / answered.length,
    };
  });
}

export const percent = (share: number | null): string => (share === null ? '-' : `${(share * 100).toFixed(1)}%`);

/** The calibration table in markdown, for the CLI and BENCHMARKS.md. */
export function calibrationTable(rows: readonly CalibrationRow[]): string {
  return [
    '| confidence >= | answered | coverage | correct | precision |',
    '|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.threshold} | ${r.answered} | ${percent(r.coverage)} | ${r.correct} | ${percent(r.precision)} |`),
  ].join('\n');
}
