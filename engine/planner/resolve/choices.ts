import type { Item } from '../linker';
import { CONCEPT_STEMS, type Concept } from '../lexicon';
import type { IndexedField, IndexedTable, SchemaIndex } from '../schema-index';
import { SCORES } from '../scores';

/** One reading of a word: a table (and column) it may mean, and how sure that reading is. */
export interface Choice {
  table: IndexedTable;
  score: number;
  field?: IndexedField;
  /** Price × quantity lines. */
  times?: IndexedField;
  /** A value's column chosen by its role rather than seen among the samples. */
  guessed?: boolean;
  /** An age in years (older is more), where "age" otherwise means a birth date (older is earlier). */
  ageInYears?: boolean;
}

/** One open decision: the readings of one word, best first. */
export interface Slot {
  name: string;
  choices: Choice[];
  /** Sums and averages must not read repeated rows. */
  additive: boolean;
}

export const CREATOR_STEMS = new Set(['artist', 'author', 'compos', 'director', 'writer', 'band', 'singer', 'creator', 'maker', 'manufactur', 'publish', 'brand', 'vendor', 'supplier', 'perform']);
export const LOCATION_STEMS = new Set(['countri', 'citi', 'state', 'region', 'provinc', 'town', 'place', 'locat', 'area', 'nation']);

export function conceptChoices(index: SchemaIndex, concept: Concept): Choice[] {
  const out: Choice[] = [];
  const wantsTime = concept === 'recency' || concept === 'age';
  for (const table of index.tables) {
    for (const field of table.fields) {
      if (field.key) continue;
      if (concept === 'age' && field.numeric && field.words.includes('age')) {
        out.push({ table, field, score: SCORES.ageInYears, ageInYears: true });
        continue;
      }
      if (wantsTime ? !field.temporal : !field.numeric) continue;
      const rank = CONCEPT_STEMS[concept].findIndex((s) => field.stems.some((fs) => fs === s || fs.startsWith(s)));
      if (rank < 0) {
        // Any date column will do for "newest"; "oldest" people are found by a birth date.
        if (concept === 'recency') out.push({ table, field, score: field.stems.some((s) => s.startsWith('birth')) ? SCORES.birthDateForRecency : SCORES.anyDateForRecency });
        continue;
      }
      out.push({ table, field, score: SCORES.conceptBest - SCORES.conceptRankStep * rank });
    }
  }
  return out;
}

/** Tables with a price and a quantity column: their product is the line's amount. */
export function lineAmountChoices(index: SchemaIndex): Choice[] {
  const out: Choice[] = [];
  for (const table of index.tables) {
    const price = table.fields.find((f) => f.numeric && !f.key && f.stems.some((s) => s === 'price' || s === 'cost'));
    const quantity = table.fields.find((f) => f.numeric && !f.key && f.stems.some((s) => s === 'quantiti' || s === 'qty'));
    if (price && quantity) out.push({ table, field: price, times: quantity, score: SCORES.lineAmount });
  }
  return out;
}

export function temporalChoices(index: SchemaIndex, hint: Item | null): Choice[] {
  if (hint) {
    const linked = hint.fields.filter((f) => f.field.temporal).map((f) => ({ table: f.field.table, field: f.field, score: f.score }));
    if (linked.length > 0) return linked;
  }
  const out: Choice[] = [];
  for (const table of index.tables) {
    const temporal = table.fields.filter((f) => f.temporal);
    temporal.forEach((field, i) => {
      const birth = field.stems.some((s) => s.startsWith('birth') || s === 'born' || s === 'dob');
      out.push({ table, field, score: (birth ? SCORES.birthDate : SCORES.anyDate) - SCORES.laterDateStep * i });
    });
  }
  return out;
}

/**
 * The column of another table that holds `subject`'s key: the mentioned table's own foreign key,
 * else a link table's ("teachers" and "courses" through course_arrange). Single-column keys only.
 */
export function relatedKey(index: SchemaIndex, subject: IndexedTable, mentioned: IndexedTable[]): { key: IndexedField; column: IndexedField } | null {
  const pointing = (child: IndexedTable) => index.edges.find((e) => e.child === child && e.parent === subject && e.pairs.length === 1 && !e.inferred);
  for (const table of mentioned) {
    const direct = pointing(table);
    if (direct) return { key: direct.pairs[0]![1], column: direct.pairs[0]![0] };
  }
  for (const table of mentioned) {
    for (const edge of index.edges) {
      if (edge.parent !== table || edge.inferred) continue;
      const link = pointing(edge.child);
      if (link) return { key: link.pairs[0]![1], column: link.pairs[0]![0] };
    }
  }
  return null;
}

/** Whole years stored as numbers ("open_year", "year_of_founded"), for "in 2014" or "before 2009". */
export function yearColumnChoices(index: SchemaIndex, hint: Item | null): Choice[] {
  const isYear = (f: IndexedField) => f.numeric && !f.key && f.stems.includes('year');
  const hinted = hint?.fields.filter((f) => isYear(f.field)) ?? [];
  if (hinted.length > 0) return hinted.map((f) => ({ table: f.field.table, field: f.field, score: f.score }));
  const out: Choice[] = [];
  for (const table of index.tables) for (const field of table.fields) if (isYear(field)) out.push({ table, field, score: SCORES.yearColumn });
  return out;
}

/** Columns that name who made something: artist or author tables' names, composer-like columns. */
export function creatorChoices(index: SchemaIndex, score: number): Choice[] {
  const out: Choice[] = [];
  for (const table of index.tables) {
    if (table.stems.some((s) => CREATOR_STEMS.has(s))) out.push(...table.display.filter((f) => f.text).slice(0, 1).map((field) => ({ table, field, score })));
    for (const field of table.fields) if (field.text && !field.key && field.stems.some((s) => CREATOR_STEMS.has(s))) out.push({ table, field, score: score - SCORES.creatorColumnPenalty });
  }
  return out;
}

export const tableChoices = (item: Item): Choice[] => item.tables.map((t) => ({ table: t.table, score: t.score }));

export function fieldChoices(item: Item, accept: (f: IndexedField) => boolean): Choice[] {
  return item.fields.filter((f) => accept(f.field)).map((f) => ({ table: f.field.table, field: f.field, score: f.score }));
}

export function singular(item: Item): boolean {
  const raw = item.tokens[item.tokens.length - 1]!.raw.toLowerCase();
  return !raw.endsWith('s') || raw.endsWith('ss');
}

/** The unit a duration column is stored in, from its name. */
export function durationUnit(field: IndexedField): 'ms' | 's' | 'min' | 'h' | null {
  if (field.stems.some((s) => s.startsWith('milli') || s === 'ms')) return 'ms';
  if (field.stems.some((s) => s.startsWith('second') || s === 'sec' || s === 'secs')) return 's';
  if (field.stems.some((s) => s.startsWith('minut') || s === 'min' || s === 'mins')) return 'min';
  return null;
}
