/**
 * DuckDB folds constant expressions while it plans, that is during the
 * preview, before anyone approved the query: `length(repeat('x', 1500000000))`
 * builds a 1.5 GB string just to be estimated. What stops such a query for
 * certain is the preview's own process and budget (pool/process-lane.ts ends
 * the process at the deadline or over its memory). This is the fast path in
 * front of it: a call that builds a value from a size given as a constant
 * (possibly with arithmetic) is refused at once, with the size it would have.
 */
import { PREVIEW_BUDGET } from '../shared/preview-budget';

type Json = Record<string, unknown>;

/** A value at most this big may be built while the query is planned: the preview's memory. */
export const MAX_FOLDED_BYTES = PREVIEW_BUDGET.memoryMb * 1024 * 1024;
/** Bytes per list element, as a rough measure of a folded list. */
const ELEMENT_BYTES = 8;

/**
 * Functions whose result grows with an argument: the argument that sets the
 * count, and what one unit of it weighs (the length of the repeated text,
 * or a list element).
 */
const SIZED: Record<string, (args: Json[]) => number | null> = {
  repeat: (args) => times(textLength(args[0]), integer(args[1])),
  lpad: (args) => integer(args[1]),
  rpad: (args) => integer(args[1]),
  list_resize: (args) => times(ELEMENT_BYTES, integer(args[1])),
  array_resize: (args) => times(ELEMENT_BYTES, integer(args[1])),
  range: (args) => times(ELEMENT_BYTES, seriesLength(args)),
  generate_series: (args) => times(ELEMENT_BYTES, seriesLength(args)),
};

/** The bytes a constant call would fold to when that is known and too big for the preview, else null. */
export function oversizedFold(functionName: string, children: unknown): number | null {
  const size = SIZED[functionName.toLowerCase()];
  // Only a call on constants alone is folded; one on a column builds its values when the query runs.
  if (!size || !Array.isArray(children) || !children.every((c) => constant(c as Json))) return null;
  const bytes = size(children as Json[]);
  return bytes !== null && bytes > MAX_FOLDED_BYTES ? bytes : null;
}

/** An expression of constants only (what DuckDB folds): literals, and casts, operators and calls over them. */
function constant(node: Json | undefined, depth = 0): boolean {
  if (!node || depth > 64) return false;
  if (node.class === 'CONSTANT') return true;
  if (node.class === 'CAST') return constant(node.child as Json, depth + 1);
  return node.class === 'FUNCTION' && Array.isArray(node.children) && (node.children as Json[]).every((c) => constant(c, depth + 1));
}

function times(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a * b;
}

/** A constant string's length; 1 when it is built by an operator (the count alone then decides). */
function textLength(node: Json | undefined): number {
  const value = (node?.value as Json | undefined)?.value;
  return node?.class === 'CONSTANT' && typeof value === 'string' ? Math.max(1, value.length) : 1;
}

/** range(stop), range(start, stop), range(start, stop, step): how many elements. */
function seriesLength(args: Json[]): number | null {
  const [a, b, c] = args.map(integer);
  if (args.length === 1) return a ?? null;
  if (a === null || a === undefined || b === null || b === undefined) return null;
  const step = args.length >= 3 ? c : 1;
  if (step === null || step === undefined || step === 0) return null;
  return Math.max(0, Math.floor((b - a) / step));
}

/** The value of an integer expression made of constants, casts and + - * (null when it is not one). */
function integer(node: Json | undefined, depth = 0): number | null {
  if (!node || depth > 64) return null;
  switch (node.class) {
    case 'CONSTANT': {
      const value = (node.value as Json | undefined)?.value;
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
      return Number.isFinite(n) ? n : null;
    }
    case 'CAST':
      return integer(node.child as Json, depth + 1);
    case 'FUNCTION': {
      const args = Array.isArray(node.children) ? (node.children as Json[]) : [];
      if (node.is_operator !== true) return null;
      const [x, y] = args.map((a) => integer(a, depth + 1));
      if (args.length === 1 && node.function_name === '-') return x === null || x === undefined ? null : -x;
      if (args.length !== 2 || x === null || y === null || x === undefined || y === undefined) return null;
      if (node.function_name === '+') return x + y;
      if (node.function_name === '-') return x - y;
      if (node.function_name === '*') return x * y;
      return null;
    }
    default:
      return null;
  }
}
