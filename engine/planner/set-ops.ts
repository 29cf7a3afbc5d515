/**
 * "Which states have both owners and professionals living there?": two
 * readings of one question, combined. The question is split at "both X and Y"
 * into one question about X and one about Y (the rest of the words shared);
 * each is planned on its own, and when both answer with the same columns the
 * answer is their INTERSECT. "Which states have owners but not professionals?"
 * is split the same way at "but not", and answered with EXCEPT. Anything else
 * is left to the single reading.
 */
import type { PlannerResult, QueryPlan } from './types';

/** The two questions "both X and Y" stands for, or null when the question has no such pair. */
export function splitBoth(question: string): [string, string] | null {
  const words = question.split(/\s+/);
  const both = words.findIndex((w) => w.toLowerCase() === 'both');
  if (both < 0) return null;
  const and = words.findIndex((w, i) => i > both + 1 && w.toLowerCase() === 'and');
  if (and < 0) return null;
  const first = words.slice(both + 1, and);
  // The second side is as long as the first (or what is left): "both a museum opened before 2009 and a museum opened after 2011".
  const rest = words.slice(and + 1);
  const secondLength = Math.min(first.length, rest.length);
  if (first.length === 0 || secondLength === 0) return null;
  let second = rest.slice(0, secondLength);
  // "both orchestras founded before 2003 and those founded after 2003": "those" stands for the first side's noun.
  if (['those', 'ones'].includes(second[0]!.toLowerCase())) second = [first[0]!, ...second.slice(1)];
  const before = words.slice(0, both);
  const after = rest.slice(secondLength);
  // "both the name and the id" lists two columns; that is one question.
  if (before.some((w) => /^(list|show)$/i.test(w)) && after.length === 0 && first.length <= 2) return null;
  return [[...before, ...first, ...after].join(' '), [...before, ...second, ...after].join(' ')];
}

/**
 * The two questions "X but not Y" stands for: X as asked, and the same question about Y, where Y
 * takes the place of as many words before "but" as it has ("singers born before 1945 but not singers
 * born after 1950"; "owners but not professionals"). Null when the question has no "but not".
 */
export function splitButNot(question: string): [string, string] | null {
  const words = question.replace(/[?.!]+$/, '').split(/\s+/);
  const but = words.findIndex((w, i) => w.toLowerCase() === 'but' && words[i + 1]?.toLowerCase() === 'not');
  if (but < 1) return null;
  let second = words.slice(but + 2);
  const before = words.slice(0, but);
  if (second.length === 0 || second.length >= before.length) return null;
  const first = before.slice(before.length - second.length);
  // "owners but not those living in Texas": "those" stands for the first side's noun.
  if (['those', 'ones'].includes(second[0]!.toLowerCase())) second = [first[0]!, ...second.slice(1)];
  const shared = before.slice(0, before.length - second.length);
  return [before.join(' '), [...shared, ...second].join(' ')];
}

/** The two plans combined by `op`, when they answer with the same number and kinds of columns. */
export function combineReadings(first: Extract<PlannerResult, { ok: true }>, second: Extract<PlannerResult, { ok: true }>, op: 'intersect' | 'except', phrase: string): QueryPlan | null {
  const a = first.plan;
  const b = second.plan;
  if (a.combine || b.combine) return null;
  if (a.shape !== b.shape || a.shape === 'count' || a.shape === 'aggregate') return null;
  if (a.columns.length !== b.columns.length || a.columns.length === 0) return null;
  // The same column names on each side ("state" and "state", "name" and "name"): the same kind of value.
  if (a.columns.some((c, i) => c.field !== b.columns[i]!.field)) return null;
  return { ...a, combine: { op, plan: b, phrase } };
}
