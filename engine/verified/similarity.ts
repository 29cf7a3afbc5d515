import type { QuestionToken, TokenClass } from './normalize';

/**
 * How close two questions are, from their normalised tokens (normalize.ts).
 *
 * score = weight of the longest common subsequence / weight of the union of
 * both token sets. Order counts (the common words must come in the same
 * order: "from A to B" is not "from B to A"), and a token's weight says how
 * much it matters: a number or a content word 1, a soft word ("total",
 * "entire") SOFT_WEIGHT. Identical questions score 1, questions with no word
 * in common 0.
 *
 * A score alone never makes a match: a content word or number that one
 * question has and the other lacks, or has elsewhere, changes what is asked
 * ("albums" vs "artists", "per year" added, "2023" vs "2024", "from A to B"
 * vs "from B to A"), so such pairs never match whatever the score. A `similar` match differs only in soft words and keeps
 * the order; the score (>= SIMILAR_THRESHOLD) bounds how many soft words may
 * differ. The score also ranks the closest verified pairs given to a model as
 * examples, where no match is needed.
 */

export const WEIGHTS: Readonly<Record<TokenClass, number>> = { value: 1, content: 1, soft: 0.25 };

/** A similar match needs at least this score: one soft word of difference in a two-word question passes (2 / 2.25 = 0.89), two do not (0.8). */
export const SIMILAR_THRESHOLD = 0.85;

export type MatchKind = 'exact' | 'similar';

function weightOf(tokens: readonly QuestionToken[]): number {
  return tokens.reduce((sum, t) => sum + WEIGHTS[t.kind], 0);
}

/** Weight of the heaviest common subsequence of two stem sequences (dynamic programming, O(n·m) on a few words). */
function commonWeight(a: readonly QuestionToken[], b: readonly QuestionToken[]): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  for (const ta of a) {
    const row = new Array<number>(b.length + 1).fill(0);
    b.forEach((tb, j) => {
      row[j + 1] = ta.stem === tb.stem ? previous[j]! + WEIGHTS[ta.kind] : Math.max(previous[j + 1]!, row[j]!);
    });
    previous = row;
  }
  return previous[b.length]!;
}

function union(a: readonly QuestionToken[], b: readonly QuestionToken[]): QuestionToken[] {
  const stems = new Set(a.map((t) => t.stem));
  return [...a, ...b.filter((t) => !stems.has(t.stem))];
}

export function similarity(a: readonly QuestionToken[], b: readonly QuestionToken[]): number {
  const total = weightOf(union(a, b));
  return total === 0 ? 0 : commonWeight(a, b) / total;
}

/** The words that carry meaning, in order: a match needs them identical (a word added, missing, changed or moved changes what is asked). */
function meaningOf(tokens: readonly QuestionToken[]): string {
  return tokens
    .filter((t) => t.kind !== 'soft')
    .map((t) => t.stem)
    .join(' ');
}

/** Whether a new question asks what a verified one asks, and how closely; null when it does not. */
export function matchQuestions(asked: readonly QuestionToken[], verified: readonly QuestionToken[]): { kind: MatchKind; score: number } | null {
  if (asked.length === 0 || verified.length === 0) return null;
  const score = similarity(asked, verified);
  if (score === 1) return { kind: 'exact', score };
  if (meaningOf(asked) !== meaningOf(verified) || score < SIMILAR_THRESHOLD) return null;
  return { kind: 'similar', score };
}
