import { ADJECTIVES, BUCKET_WORDS, FUNCTION_WORDS, MONTHS, NUMBER_WORDS, STOPWORDS, UNITS, conceptsOf } from './lexicon';
import type { IndexedField, IndexedTable, SchemaIndex } from './schema-index';
import { normalise, plural, singular, tokenize } from './text';
import type { PlannerResult } from './types';

/** Enough rephrasings to show the way, few enough to read. */
const MAX_SUGGESTIONS = 3;
/** Rephrasings about one table at most, so the suggestions show more of the schema. */
const MAX_PER_TABLE = 2;
/** Candidates planned per decline at most: each one costs a planner run. */
const MAX_CANDIDATES_TRIED = 12;
/** A rephrasing the planner answers with less confidence than this would be a guess: not worth offering. */
const MIN_SUGGESTION_CONFIDENCE = 0.5;
/** Words of the question named as not understood, at most. */
const MAX_UNKNOWN_WORDS = 5;
/** Column-name stems of free text (one value per row): grouping by them says nothing. */
const FREE_TEXT_STEMS = new Set(['name', 'titl', 'email', 'phone', 'address', 'street', 'descript', 'comment', 'note', 'url', 'cell', 'fax', 'password']);

type Declined = Extract<PlannerResult, { ok: false }>;

export interface DeclineInput {
  /** Why the planner declined, in words that follow "I can't answer that offline:". */
  why: string;
  question: string;
  index: SchemaIndex;
  /** Words of the question the planner did not understand; when absent, the words that name nothing in this schema. */
  unmatched?: string[];
  /** Plans a question: a rephrasing is offered only when this answers it. */
  plan: (question: string) => PlannerResult;
}

/**
 * A decline that helps: it names what was not understood and offers 2-3
 * rephrasings built from this schema, each one planned first, so every
 * suggestion is a question the planner answers.
 */
export function helpfulDecline(input: DeclineInput): Declined {
  const unknown = (input.unmatched ?? wordsNotUnderstood(input.index, input.question)).slice(0, MAX_UNKNOWN_WORDS);
  const suggestions = suggestRephrasings(input.index, input.question, input.plan);
  const notUnderstood = unknown.length > 0 ? ` (I did not understand ${unknown.map((w) => `"${w}"`).join(', ')})` : '';
  const tryInstead =
    suggestions.length > 0 ? `Try rephrasing as ${suggestions.slice(0, 2).map((q) => `"${q}"`).join(' or ')}` : 'Try naming a table and what to count, list or total';
  return { ok: false, reason: `I can't answer that offline: ${input.why}${notUnderstood}. ${tryInstead}, or configure a model in Settings.`, suggestions };
}

/** Planning a rephrasing may decline too; that inner decline needs no rephrasings of its own. */
let suggesting = false;

const verified = new WeakMap<SchemaIndex, Map<string, boolean>>();

/**
 * Up to three questions about this schema that the planner answers, closest
 * to the question first: tables and columns sharing its words lead, then the
 * largest tables.
 */
export function suggestRephrasings(index: SchemaIndex, question: string, plan: (question: string) => PlannerResult): string[] {
  if (suggesting) return [];
  suggesting = true;
  try {
    const asked = questionConcepts(question);
    const known = verified.get(index) ?? new Map<string, boolean>();
    verified.set(index, known);
    const answers = (candidate: Candidate) => {
      let ok = known.get(candidate.question);
      if (ok === undefined) known.set(candidate.question, (ok = answersAbout(plan(candidate.question), candidate.table)));
      return ok;
    };
    const out: string[] = [];
    let tried = 0;
    for (const table of rankTables(index, asked)) {
      let fromTable = 0;
      for (const candidate of candidatesFor(index, table, asked)) {
        if (tried++ >= MAX_CANDIDATES_TRIED) return out;
        if (out.includes(candidate.question) || !answers(candidate)) continue;
        out.push(candidate.question);
        if (out.length === MAX_SUGGESTIONS) return out;
        if (++fromTable === MAX_PER_TABLE) break;
      }
    }
    return out;
  } finally {
    suggesting = false;
  }
}

interface Candidate {
  question: string;
  table: IndexedTable;
}

/** Answered, about the table the rephrasing names, and not a guess. */
function answersAbout(result: PlannerResult, table: IndexedTable): boolean {
  return result.ok && result.confidence >= MIN_SUGGESTION_CONFIDENCE && result.plan.subject.name === table.name && result.plan.subject.schema === table.schema;
}

/** The synonym concepts of the question's content words. */
function questionConcepts(question: string): Set<string> {
  const out = new Set<string>();
  for (const token of tokenize(question)) if (token.kind === 'word' && !STOPWORDS.has(token.norm)) for (const c of conceptsOf(token.stem)) out.add(c);
  return out;
}

function overlap(stems: string[], asked: Set<string>): number {
  return stems.filter((s) => conceptsOf(s).some((c) => asked.has(c))).length;
}

/** Tables a person would ask about: with rows, with something besides keys (not a join table), with a name that reads as words. */
function askable(table: IndexedTable): boolean {
  return table.rowEstimate !== 0 && table.fields.some((f) => !f.key) && readable(table.words);
}

/**
 * Tables whose names or columns share the question's words first; then stored
 * tables before views (which mostly repeat them), the largest, and the most
 * connected (the tables a schema is about have the most foreign keys).
 */
function rankTables(index: SchemaIndex, asked: Set<string>): IndexedTable[] {
  const relevance = (t: IndexedTable) => 2 * overlap(t.stems, asked) + t.fields.filter((f) => !f.key).reduce((n, f) => n + overlap(f.stems, asked), 0);
  const scored = index.tables.filter(askable).map((table) => ({
    table,
    relevance: relevance(table),
    view: table.kind === 'view' || table.kind === 'materialized_view' ? 1 : 0,
    links: index.neighbours.get(table)?.length ?? 0,
  }));
  scored.sort(
    (a, b) =>
      b.relevance - a.relevance ||
      a.view - b.view ||
      (b.table.rowEstimate ?? 0) - (a.table.rowEstimate ?? 0) ||
      b.links - a.links ||
      a.table.name.localeCompare(b.table.name),
  );
  return scored.map((s) => s.table);
}

/** Rephrasings about one table, those using the question's words first. */
function candidatesFor(index: SchemaIndex, table: IndexedTable, asked: Set<string>): Candidate[] {
  const rows = plural(table.words.join(' '));
  const byRelevance = (fields: IndexedField[]) => fields.map((f, i) => ({ f, i, r: overlap(f.stems, asked) })).sort((a, b) => b.r - a.r || a.i - b.i);
  const categories = byRelevance(table.fields.filter(isCategory));
  const measures = byRelevance(table.fields.filter(isMeasure));
  const parent = index.edges.find((e) => e.child === table && e.parent !== table && askable(e.parent))?.parent;
  const perCategory = (f: IndexedField) => `How many ${rows} are there per ${humanWords(f).join(' ')}?`;
  const average = (f: IndexedField) => `What is the average ${humanWords(f).join(' ')} of ${rows}?`;
  const questions: string[] = [];
  if (categories[0] && categories[0].r > 0) questions.push(perCategory(categories[0].f));
  if (measures[0] && measures[0].r > 0) questions.push(average(measures[0].f));
  questions.push(`How many ${rows} are there?`);
  if (categories[0]) questions.push(perCategory(categories[0].f));
  if (parent) questions.push(`How many ${rows} are there per ${[...parent.words.slice(0, -1), singular(parent.words.at(-1)!)].join(' ')}?`);
  if (measures[0]) questions.push(average(measures[0].f));
  return [...new Set(questions)].map((question) => ({ question, table }));
}

/** A column people group by: short text values that repeat (not a key, not a name or free text). */
function isCategory(field: IndexedField): boolean {
  return field.text && !field.key && field.samples.length > 1 && !field.table.display.includes(field) && !field.stems.some((s) => FREE_TEXT_STEMS.has(s)) && readable(humanWords(field));
}

/** A column people average: a number that is not a key. */
function isMeasure(field: IndexedField): boolean {
  return field.numeric && !field.key && readable(humanWords(field));
}

/** A column's name in people's words, without the table's name in front (invoice.invoice_date → date). */
function humanWords(field: IndexedField): string[] {
  const own = field.table.stems;
  for (let n = Math.min(own.length, field.stems.length - 1); n > 0; n--) {
    if (own.slice(-n).every((s, i) => s === field.stems[i])) return field.words.slice(n);
  }
  return field.words;
}

/** Words a person would say: no one- or two-letter abbreviations ("yn", "cd") except ordinary short words. */
function readable(words: string[]): boolean {
  return words.length > 0 && words.every((w) => /^\d+$/.test(w) || w.length > 2 || STOPWORDS.has(w));
}

const knownConcepts = new WeakMap<SchemaIndex, Set<string>>();

/** Concepts of every table and column name and of every word of a sampled value. */
function schemaConcepts(index: SchemaIndex): Set<string> {
  const hit = knownConcepts.get(index);
  if (hit) return hit;
  const out = new Set<string>();
  const add = (stems: string[]) => stems.forEach((s) => conceptsOf(s).forEach((c) => out.add(c)));
  for (const table of index.tables) {
    add(table.stems);
    for (const field of table.fields) add(field.stems);
  }
  for (const key of [...index.values.keys(), ...index.stemmedValues.keys()]) add(key.split(' '));
  knownConcepts.set(index, out);
  return out;
}

/**
 * The question's words that name nothing in this schema and are not words
 * the planner reads on their own (counting, ranking, months, units...):
 * a stand-in until the planner reports the words it left unused.
 */
export function wordsNotUnderstood(index: SchemaIndex, question: string): string[] {
  const known = schemaConcepts(index);
  const out: string[] = [];
  for (const token of tokenize(question)) {
    if (token.kind !== 'word') continue;
    const word = token.norm;
    if (STOPWORDS.has(word) || FUNCTION_WORDS.has(word) || word in ADJECTIVES || word in MONTHS || word in NUMBER_WORDS || word in BUCKET_WORDS || token.stem in UNITS) continue;
    if (known.has(word) || conceptsOf(token.stem).some((c) => known.has(c))) continue;
    const shown = normalise(token.raw) === word ? token.raw : word;
    if (!out.includes(shown)) out.push(shown);
  }
  return out;
}
