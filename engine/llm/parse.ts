import { validateJson } from './json-schema';
import type { JsonSchema } from './types';

export type ParsedAnswer = { ok: true; value: unknown } | { ok: false; reason: 'NO_JSON' | 'INVALID_SHAPE'; issues: string[] };

/** Candidates beyond this many are not tried: a real answer has one or two. */
const MAX_CANDIDATES = 24;

/**
 * Finds the structured answer in what a model wrote. Models without
 * constrained decoding wrap JSON in ```json fences, put prose around it,
 * leave trailing commas, use single quotes or Python literals, or write SQL
 * with raw line breaks inside a string. Every candidate is tried as is, then
 * repaired; the first that matches the schema (after `normalize`) wins.
 */
export function parseStructuredAnswer(text: string, schema: JsonSchema | null, normalize: (value: unknown) => unknown = (v) => v): ParsedAnswer {
  let firstIssues: string[] | null = null;
  for (const candidate of jsonCandidates(text, schema)) {
    const parsed = parseLenient(candidate);
    if (parsed === undefined) continue;
    const value = normalize(parsed);
    if (!schema) return { ok: true, value };
    const issues = validateJson(value, schema);
    if (issues.length === 0) return { ok: true, value };
    firstIssues ??= issues;
  }
  return firstIssues ? { ok: false, reason: 'INVALID_SHAPE', issues: firstIssues } : { ok: false, reason: 'NO_JSON', issues: ['no JSON value was found in the answer'] };
}

/** JSON.parse, then JSON.parse of the repaired text; undefined when neither works. */
export function parseLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // fall through to the repaired text
  }
  try {
    return JSON.parse(repairJson(text));
  } catch {
    return undefined;
  }
}

/** The whole text, then fenced blocks, then every balanced {...} / [...] in order of appearance. */
export function jsonCandidates(text: string, schema: JsonSchema | null = null): string[] {
  const out: string[] = [];
  const push = (c: string) => {
    const t = c.trim();
    if (t && !out.includes(t) && out.length < MAX_CANDIDATES) out.push(t);
  };
  push(text);
  for (const m of text.matchAll(/```[ \t]*[\w-]*[^\n]*\n([\s\S]*?)```/g)) push(m[1] ?? '');
  const openers = schema?.type === 'object' ? '{' : schema?.type === 'array' ? '[' : '{[';
  for (let i = 0; i < text.length && out.length < MAX_CANDIDATES; i++) {
    if (!openers.includes(text[i]!)) continue;
    const end = matchingClose(text, i);
    if (end > i) {
      push(text.slice(i, end + 1));
      // Objects nested in this one are tried when the outer one fails only
      // through its own repair; skipping ahead keeps prose with many braces linear.
      i = end;
    }
  }
  return out;
}

/** Index of the bracket closing the one at `start`, respecting both quote styles; -1 if unbalanced. */
function matchingClose(text: string, start: number): number {
  const stack: string[] = [];
  let quote: string | null = null;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || (c === "'" && isQuoteStart(text, i))) quote = c;
    else if (c === '{' || c === '[') stack.push(c === '{' ? '}' : ']');
    else if (c === '}' || c === ']') {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

/**
 * A single quote opens a string only where a JSON value or key may start
 * (after `{`, `[`, `,` or `:`), so an apostrophe elsewhere is not a quote.
 */
function isQuoteStart(text: string, i: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    const c = text[j]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    return c === '{' || c === '[' || c === ',' || c === ':';
  }
  return false;
}

const LITERALS: Record<string, string> = { True: 'true', False: 'false', None: 'null', undefined: 'null' };

/**
 * Rewrites almost-JSON into JSON: single-quoted strings, raw control
 * characters inside strings, trailing commas, comments, unquoted keys and
 * Python literals. Only changes that cannot alter a well-formed value.
 */
export function repairJson(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' || (c === "'" && isQuoteStart(text, i))) {
      const [json, next] = readString(text, i);
      out += json;
      i = next;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (c === ',') {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j]!)) j++;
      if (text[j] !== '}' && text[j] !== ']') out += c;
      i++;
    } else if (/[A-Za-z_$]/.test(c)) {
      let j = i;
      while (j < text.length && /[\w$]/.test(text[j]!)) j++;
      const word = text.slice(i, j);
      let k = j;
      while (k < text.length && /[ \t]/.test(text[k]!)) k++;
      if (text[k] === ':' && isQuoteStart(text, i)) out += JSON.stringify(word);
      else out += LITERALS[word] ?? word;
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Reads a quoted string starting at `start`; returns its JSON form and the index after it. */
function readString(text: string, start: number): [string, number] {
  const quote = text[start]!;
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      const n = text[i + 1]!;
      if (n === "'") value += "'";
      else if (n === '"') value += '"';
      else if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 4;
      } else value += ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '/': '/', '\\': '\\' } as Record<string, string>)[n] ?? n;
      i += 2;
      continue;
    }
    if (c === quote) return [JSON.stringify(value), i + 1];
    value += c;
    i++;
  }
  // Unterminated: leave it to JSON.parse to fail on.
  return [text.slice(start), text.length];
}
