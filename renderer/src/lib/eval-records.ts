/**
 * The Evaluate page's views of an evaluation: records merged as they arrive,
 * filtered by outcome, the summary in words, and the records as JSON lines
 * for export. Pure, so it is unit-tested without a page.
 */
import { EvalOutcome, type CalibrationRow, type EvalRecord, type EvalSummary } from '../../../engine/contract/index';

export const OUTCOMES = EvalOutcome.options;
export type OutcomeFilter = 'all' | EvalOutcome;

export const OUTCOME_LABELS: Record<EvalOutcome, string> = { correct: 'Correct', wrong: 'Wrong', declined: 'Declined', error: 'Error' };

/** A record in line order, replacing one already there for the same line (the final report repeats what progress showed). */
export function mergeRecord(records: readonly EvalRecord[], record: EvalRecord): EvalRecord[] {
  const kept = records.filter((r) => r.line !== record.line);
  const at = kept.findIndex((r) => r.line > record.line);
  if (at === -1) return [...kept, record];
  return [...kept.slice(0, at), record, ...kept.slice(at)];
}

export function filterRecords(records: readonly EvalRecord[], filter: OutcomeFilter): EvalRecord[] {
  return filter === 'all' ? [...records] : records.filter((r) => r.outcome === filter);
}

export function countByOutcome(records: readonly Pick<EvalRecord, 'outcome'>[]): Record<EvalOutcome, number> {
  const counts: Record<EvalOutcome, number> = { correct: 0, wrong: 0, declined: 0, error: 0 };
  for (const r of records) counts[r.outcome]++;
  return counts;
}

export const percent = (share: number | null): string => (share === null ? '–' : `${(share * 100).toFixed(1)}%`);

export function formatLatency(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export const formatConfidence = (confidence: number | null): string => (confidence === null ? '–' : confidence.toFixed(2));

/** "3 questions (1 bad line) in 4.2 s, threshold 0.8": what was evaluated. */
export function describeRun(summary: EvalSummary): string {
  const parts = [`${summary.questions} question${summary.questions === 1 ? '' : 's'}`];
  if (summary.badLines > 0) parts.push(`(${summary.badLines} bad line${summary.badLines === 1 ? '' : 's'})`);
  parts.push(`in ${formatLatency(summary.elapsedMs)}`);
  const text = parts.join(' ');
  return summary.threshold === null ? text : `${text}, confidence threshold ${summary.threshold}`;
}

export interface OutcomeTile {
  outcome: EvalOutcome;
  label: string;
  count: number;
  /** Of the questions asked (a bad line counts as an error but is not a question). */
  share: string;
}

/** The four outcome counts with their share of the questions. */
export function outcomeTiles(summary: EvalSummary): OutcomeTile[] {
  return OUTCOMES.map((outcome) => {
    const count = summary.counts[outcome] ?? 0;
    return { outcome, label: OUTCOME_LABELS[outcome], count, share: summary.questions === 0 ? '–' : percent(count / summary.questions) };
  });
}

/** "2 exact, 1 with extra columns": how the correct answers matched. */
export function describeMatches(summary: EvalSummary): string {
  if (summary.counts.correct === 0) return 'No correct answers';
  const parts = [`${summary.exact} exact`];
  if (summary.superset > 0) parts.push(`${summary.superset} with extra columns`);
  return parts.join(', ');
}

export interface CalibrationLine {
  threshold: string;
  answered: number;
  coverage: string;
  correct: number;
  precision: string;
}

/** The precision/coverage table: at each confidence threshold, how many questions would be answered and how many of those rightly. */
export function calibrationLines(rows: readonly CalibrationRow[]): CalibrationLine[] {
  return rows.map((r) => ({ threshold: `≥ ${r.threshold}`, answered: r.answered, coverage: percent(r.coverage), correct: r.correct, precision: percent(r.precision) }));
}

/** The records as JSON lines, one record a line, in line order: what `polystore eval --json` prints for them. */
export function recordsToJsonLines(records: readonly EvalRecord[]): string {
  return [...records].sort((a, b) => a.line - b.line).map((r) => JSON.stringify(r) + '\n').join('');
}

/** A threshold typed in the form: empty is none, else a number from 0 to 1. */
export function parseThreshold(text: string): { ok: true; value: number | null } | { ok: false; message: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: null };
  const n = Number(trimmed);
  if (!Number.isFinite(n) || n < 0 || n > 1) return { ok: false, message: 'The threshold is a number from 0 to 1, e.g. 0.8.' };
  return { ok: true, value: n };
}
