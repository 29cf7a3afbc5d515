import { z } from 'zod';
import { channel, Id } from './channel';
import { ApiError } from './errors';
import { event } from './event';

/** A golden-question file is sent line by line; past these it is refused rather than read. */
export const MAX_EVAL_LINES = 10_000;
export const MAX_EVAL_LINE_CHARS = 1_000_000;
export const MAX_EVAL_QUESTION_CHARS = 4_000;
/** Confidence thresholds of the calibration table. */
export const CALIBRATION_THRESHOLDS = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95] as const;
/** How long one question (generation, gold and answer runs) may take unless the caller says otherwise. */
export const DEFAULT_EVAL_QUESTION_DEADLINE_MS = 120_000;

/**
 * One line of a golden-question file (JSON lines): the question and its gold
 * answer, as rows or as SQL run read-only on the source. Other fields (a
 * benchmark's `db`, `hardness`, `columns`) are allowed and ignored.
 */
export const EvalLine = z
  .object({
    id: z.union([z.string().trim().min(1).max(200), z.number().int()]).transform(String).optional(),
    question: z.string().trim().min(1, 'is required').max(MAX_EVAL_QUESTION_CHARS),
    gold_sql: z.string().trim().min(1).max(100_000).optional(),
    rows: z.array(z.array(z.unknown())).optional(),
    ordered: z.boolean().default(false),
  })
  .refine((line) => line.gold_sql !== undefined || line.rows !== undefined, { message: 'needs gold_sql or rows (the gold answer)', path: ['rows'] });
export type EvalLine = z.infer<typeof EvalLine>;

export const EvalOutcome = z.enum(['correct', 'wrong', 'declined', 'error']);
export type EvalOutcome = z.infer<typeof EvalOutcome>;

/** How the generated query scored before the threshold: null when there was none to score. */
export const EvalAnswer = z.enum(['correct', 'wrong', 'error']);

export const EvalRecord = z.object({
  /** 1-based line of the file. */
  line: z.number().int().positive(),
  id: z.string().nullable(),
  question: z.string().nullable(),
  query: z.string().nullable(),
  confidence: z.number().nullable(),
  outcome: EvalOutcome,
  answer: EvalAnswer.nullable(),
  /** `superset`: the gold columns were found among more columns. */
  match: z.enum(['exact', 'superset']).nullable(),
  detail: z.string(),
  /** Set when the outcome is `error`: a bad line (VALIDATION), a refused or failed query, a deadline. */
  error: ApiError.nullable(),
  latencyMs: z.number().nonnegative(),
});
export type EvalRecord = z.infer<typeof EvalRecord>;

export const CalibrationRow = z.object({
  threshold: z.number(),
  /** Questions answered with confidence >= threshold, and their share of all questions. */
  answered: z.number().int().nonnegative(),
  coverage: z.number().min(0).max(1),
  correct: z.number().int().nonnegative(),
  /** Share of those answers that were correct; null when none were given. */
  precision: z.number().min(0).max(1).nullable(),
});
export type CalibrationRow = z.infer<typeof CalibrationRow>;

export const EvalSummary = z.object({
  /** Lines that held a question (bad lines are counted in `errors` only). */
  questions: z.number().int().nonnegative(),
  badLines: z.number().int().nonnegative(),
  counts: z.record(EvalOutcome, z.number().int().nonnegative()),
  /** Correct answers over questions. */
  accuracy: z.number().min(0).max(1),
  exact: z.number().int().nonnegative(),
  superset: z.number().int().nonnegative(),
  threshold: z.number().nullable(),
  calibration: z.array(CalibrationRow),
  elapsedMs: z.number().nonnegative(),
});
export type EvalSummary = z.infer<typeof EvalSummary>;

export const EvalReport = z.object({
  evalId: z.string(),
  sourceId: z.string(),
  records: z.array(EvalRecord),
  summary: EvalSummary,
});
export type EvalReport = z.infer<typeof EvalReport>;

export const evalChannels = {
  'eval.run': channel({
    summary: 'Asks each golden question, runs only the generated query (and gold SQL) read-only with an approval, and scores the results.',
    input: z.strictObject({
      sourceId: Id,
      /** The file's lines as read; each is validated on its own, so a bad line is an error record and the rest still run. */
      lines: z.array(z.string().max(MAX_EVAL_LINE_CHARS)).min(1).max(MAX_EVAL_LINES),
      /** Answers with a lower confidence count as declined. */
      threshold: z.number().min(0).max(1).optional(),
      /** Names the run for eval.cancel and the progress events; one is made up when absent. */
      evalId: Id.optional(),
      questionDeadlineMs: z.number().int().min(1_000).max(3_600_000).optional(),
    }),
    output: EvalReport,
  }),
  'eval.cancel': channel({
    summary: 'Stops a running evaluation: its current query is cancelled on the server.',
    input: z.strictObject({ evalId: Id }),
    output: z.object({ cancelled: z.boolean() }),
  }),
};

export const evalEvents = {
  'eval.progress': event(z.object({ evalId: z.string(), sourceId: z.string(), done: z.number().int(), total: z.number().int(), record: EvalRecord })),
};
