import { fieldWords, tableWords, type Choice, type Tie } from './resolve';
import { plural, singular } from './text';
import type { PlannerResult } from './types';

type Declined = Extract<PlannerResult, { ok: false }>;

/** Planning a rephrasing may meet a tie of its own: that inner question needs no rephrasings. */
let clarifying = false;

export interface ClarifyInput {
  question: string;
  tie: Tie;
  /** The SQL (or pipeline) of the reading the planner would have picked, and of the other one. */
  chosenQuery: string;
  otherQuery: string;
  /** Plans a question (no history): a rephrasing is offered only when it plans to exactly one of the two readings. */
  plan: (question: string) => PlannerResult;
}

/** A choice in the words a user would use: "orchestra year of founded", "albums". */
export function describeChoice(c: Choice): string {
  if (!c.field) return plural(tableWords(c.table));
  // "transcript id", not "transcripts transcript id": the column's name already says whose it is.
  const own = singular(c.table.words[c.table.words.length - 1] ?? '');
  return c.field.words.some((w) => singular(w) === own) ? fieldWords(c.field) : `${tableWords(c.table)} ${fieldWords(c.field)}`;
}

/** The words of the question a decision is about: `"in 2008"` rather than `a date for "in 2008"`. */
function decisionWords(decision: string): string {
  const quoted = /"[^"]+"/.exec(decision)?.[0];
  return quoted ?? decision;
}

/**
 * When two readings of a question differ in one decision and score exactly the same, picking one
 * would be a coin toss presented as an answer. Instead the planner asks which was meant, and
 * offers the question rephrased once per reading; each rephrasing is planned first and kept only
 * if it plans to that reading's query, so clicking it answers what it says. Null when the two
 * readings give the same query (no real ambiguity).
 */
export function askWhichWasMeant(input: ClarifyInput): Declined | null {
  if (input.chosenQuery === input.otherQuery) return null;
  const a = describeChoice(input.tie.chosen);
  const b = describeChoice(input.tie.other);
  if (a === b) return null;
  const suggestions = clarifying
    ? []
    : [
        [input.tie.chosen, input.chosenQuery],
        [input.tie.other, input.otherQuery],
      ].flatMap(([choice, query]) => {
        const found = rephrasings(input.question, input.tie.decision, describeChoice(choice as Choice)).find((q) => plansTo(input.plan, q, query as string));
        return found ? [found] : [];
      });
  const pick = suggestions.length > 0 ? ' Pick one of the rephrasings below, or say which in your own words.' : ` Ask again naming ${a} or ${b}.`;
  return { ok: false, reason: `I'm not sure what ${decisionWords(input.tie.decision)} refers to here: ${a} or ${b} fit equally well.${pick}`, suggestions };
}

function plansTo(plan: (question: string) => PlannerResult, question: string, query: string): boolean {
  clarifying = true;
  try {
    const result = plan(question);
    return result.ok && result.query === query;
  } finally {
    clarifying = false;
  }
}

/** The question with the ambiguous words replaced by the reading's own words, then with them added at the end. */
export function rephrasings(question: string, decision: string, words: string): string[] {
  const out: string[] = [];
  const quoted = /"([^"]+)"/.exec(decision)?.[1];
  if (quoted) {
    const at = question.toLowerCase().indexOf(quoted.toLowerCase());
    if (at >= 0) out.push(`${question.slice(0, at)}${words}${question.slice(at + quoted.length)}`);
  }
  const base = question.replace(/[\s?.!]+$/, '');
  const end = /\?\s*$/.test(question) ? '?' : '';
  out.push(`${base} (${words})${end}`);
  return [...new Set(out)].filter((q) => q !== question);
}
