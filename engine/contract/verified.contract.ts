import { z } from 'zod';
import { channel, Id } from './channel';
import { Dialect } from './query.contract';

/** The longest question and query a verified pair may hold (the same bounds as chat.ask and chat.editQuery). */
export const MAX_VERIFIED_QUESTION_CHARS = 4_000;
export const MAX_VERIFIED_QUERY_CHARS = 100_000;
/** An export file is read whole; past this it is refused rather than parsed. */
export const MAX_VERIFIED_IMPORT_CHARS = 20_000_000;

const Question = z.string().trim().min(1).max(MAX_VERIFIED_QUESTION_CHARS);
const QueryText = z.string().trim().min(1).max(MAX_VERIFIED_QUERY_CHARS);

/**
 * A question paired with the query a person checked answers it, kept per
 * source. Only the wording and the query text: never result rows, never
 * credentials.
 */
export const VerifiedAnswer = z.object({
  id: z.string(),
  sourceId: z.string(),
  question: z.string(),
  query: z.string(),
  dialect: Dialect,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type VerifiedAnswer = z.infer<typeof VerifiedAnswer>;

/**
 * How a new question met a verified one: `exact` when both normalise to the
 * same words, `similar` when they differ only in words that do not change
 * what is asked (see engine/verified/similarity.ts for the score).
 */
export const VerifiedMatch = z.object({
  id: z.string(),
  question: z.string(),
  match: z.enum(['exact', 'similar']),
  score: z.number().min(0).max(1),
});
export type VerifiedMatch = z.infer<typeof VerifiedMatch>;

/**
 * One line of an export file (JSON lines). Strict: a line that carries
 * anything else (rows, a connection, an id from another profile) is refused,
 * so a shared file holds wording and queries only.
 */
export const VerifiedExportLine = z.strictObject({
  v: z.literal(1),
  question: Question,
  query: QueryText,
  dialect: Dialect,
});
export type VerifiedExportLine = z.infer<typeof VerifiedExportLine>;

export const VerifiedImportReport = z.object({
  added: z.number().int().nonnegative(),
  /** Lines whose question this source already has verified with the same query. */
  skippedDuplicates: z.number().int().nonnegative(),
  /** Lines whose question this source already has verified with another query: kept as it was, listed here. */
  conflicts: z.array(z.object({ line: z.number().int().positive(), existingId: z.string() })),
  lines: z.number().int().nonnegative(),
});
export type VerifiedImportReport = z.infer<typeof VerifiedImportReport>;

const FromMessage = z.strictObject({ sessionId: Id, messageId: Id, question: Question.optional() });
const Explicit = z.strictObject({ sourceId: Id, question: Question, query: QueryText });
export const AddVerifiedInput = z.union([FromMessage, Explicit]);
export type AddVerifiedInput = z.infer<typeof AddVerifiedInput>;

export const verifiedChannels = {
  'verified.list': channel({
    summary: "A source's verified answers, most recently changed first.",
    input: z.strictObject({ sourceId: Id }),
    output: z.array(VerifiedAnswer),
  }),
  'verified.add': channel({
    summary: 'Marks a query that ran successfully (or a question and query, checked by the guardrail first) as the verified answer to its question.',
    input: AddVerifiedInput,
    output: VerifiedAnswer,
  }),
  'verified.edit': channel({
    summary: "Changes a verified answer's question wording; the query stays as verified.",
    input: z.strictObject({ id: Id, question: Question }),
    output: VerifiedAnswer,
  }),
  'verified.remove': channel({
    summary: 'Removes a verified answer: it is no longer proposed.',
    input: z.strictObject({ id: Id }),
    output: z.object({ removed: z.literal(true) }),
  }),
  'verified.export': channel({
    summary: "A source's verified answers as JSON lines (question, query, dialect; no results, no credentials).",
    input: z.strictObject({ sourceId: Id }),
    output: z.object({ jsonl: z.string(), count: z.number().int().nonnegative() }),
  }),
  'verified.import': channel({
    summary: 'Adds verified answers from JSON lines, each checked again by the guardrail of this source; all or nothing.',
    input: z.strictObject({ sourceId: Id, jsonl: z.string().max(MAX_VERIFIED_IMPORT_CHARS) }),
    output: VerifiedImportReport,
  }),
};
