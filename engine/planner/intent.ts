import { ADJECTIVES, BUCKET_WORDS, MONTHS, NUMBER_WORDS, STOPWORDS, UNITS, type Concept, type Direction } from './lexicon';
import { isRevenueItem, type Item } from './linker';
import type { AggregateFn, CompareOp, TimeBucket } from './types';

/** "sum of invoice total", "number of tracks", "average length". */
export interface AggregateIntent {
  fn: AggregateFn;
  /** The item naming what is aggregated (a column, or a table for counts); null when only a concept is known. */
  target: Item | null;
  concept: Concept | null;
  divideBy: number | null;
  unitWord: string | null;
}

export interface GroupIntent {
  item: Item | null;
  bucket: TimeBucket | null;
}

export interface DateIntent {
  from: string | null;
  to: string | null;
  month: number | null;
  phrase: string;
  /** A column named next to the date ("hired in 2003"). */
  hint: Item | null;
}

export interface CompareIntent {
  target: Item | null;
  concept: Concept | null;
  op: CompareOp | 'between' | 'in';
  value: number;
  /** Every value of an "either 32 or 33" (op 'in'). */
  values: number[];
  /** "below the average": compared with the column's own average, not a number. */
  average: boolean;
  high: number | null;
  unit: (typeof UNITS)[string] | null;
  /** "artists with more than 10 albums": the number counts rows of this table. */
  countOf: Item | null;
  phrase: string;
}

export interface TextIntent {
  target: Item | null;
  op: 'contains' | 'starts_with' | 'ends_with' | 'equals' | 'not_equals';
  value: string;
}

export interface ValueIntent {
  item: Item;
  negate: boolean;
  /** The word before it ("by", "from", "does"). */
  prep: string;
}

/** A name that matched no stored sample: "albums by Iron Maiden", "customers in 'Oslo'". */
export interface GuessedValueIntent {
  raw: string;
  /** The word before it ("by", "from", "of", "does"). */
  prep: string;
  /** A table named right before it ("the artist Iron Maiden"). */
  owner: Item | null;
  negate: boolean;
}

export interface RankIntent {
  n: number | null;
  direction: Direction;
  /** What ranks: an aggregate ("by number of tracks"), a column or concept ("longest"). */
  by: AggregateIntent | null;
  concept: Concept | null;
  byItem: Item | null;
}

export interface OrderIntent {
  target: Item | null;
  concept: Concept | null;
  direction: Direction | null;
}

export interface Intent {
  aggregates: AggregateIntent[];
  groups: GroupIntent[];
  dates: DateIntent[];
  compares: CompareIntent[];
  texts: TextIntent[];
  values: ValueIntent[];
  guessed: GuessedValueIntent[];
  booleans: Array<{ item: Item; value: boolean }>;
  /** "with a company" / "without a fax": the column is (not) filled in. */
  presence: Array<{ item: Item; present: boolean }>;
  rank: RankIntent | null;
  order: OrderIntent | null;
  /** "which countries …", "distinct cities". */
  distinct: Item | null;
  /** "in alphabetical order": sorted by the listed text, not by the key. */
  alphabetical: boolean;
  /** "sorted by their frequency", "in ascending order of count": the listed values are counted and sorted by it. */
  orderByCount: boolean;
  /** Explicitly a listing ("list", "show") rather than a single answer. */
  listing: boolean;
  /** Table mentions no rule consumed, in question order. */
  tables: Item[];
  /** "dogs that went through any treatment", "teachers who have not been arranged": rows of the subject with (or without) rows of another table. */
  related: Array<{ item: Item; present: boolean }>;
  /** Column mentions no rule consumed. */
  fields: Item[];
  /** Of those, the ones joined to the rest by "and" ("the names of singers and the total sales"): shown beside an aggregate. */
  alongside: Item[];
  /** Words that linked to nothing and mean nothing to the planner. */
  unknown: string[];
  /** Of those, the ones that read as verbs ("living", "performed"): they rarely change what is asked. */
  unknownVerbs: number;
  /** Words that name or ask something (linked, or unknown), for the share not understood. */
  contentWords: number;
  /** Words of logic (negation, sets, comparison, quantifiers) that no rule consumed: a reading that likely missed a condition. */
  unreadLogic: number;
  /** A relative or unreadable time expression. */
  problems: string[];
}

const COUNT_CUES = [['count', 'the', 'number', 'of'], ['count', 'number', 'of'], ['find', 'the', 'number', 'of'], ['how', 'many'], ['total', 'number', 'of'], ['number', 'of'], ['count', 'of'], ['count'], ['amount', 'of']];
const AGG_CUES: Array<[string[], AggregateFn]> = [
  [['sum', 'of'], 'sum'],
  [['total', 'of'], 'sum'],
  [['how', 'much'], 'sum'],
  [['sum'], 'sum'],
  [['total'], 'sum'],
  [['combined'], 'sum'],
  [['average', 'of'], 'avg'],
  [['average'], 'avg'],
  [['avg'], 'avg'],
  [['mean'], 'avg'],
  [['maximum'], 'max'],
  [['max'], 'max'],
  [['highest'], 'max'],
  [['largest'], 'max'],
  [['biggest'], 'max'],
  [['greatest'], 'max'],
  [['minimum'], 'min'],
  [['min'], 'min'],
  [['lowest'], 'min'],
  [['smallest'], 'min'],
];
const GROUP_CUES = [
  ['grouped', 'by'],
  ['group', 'by'],
  ['broken', 'down', 'by'],
  ['break', 'it', 'down', 'by'],
  ['break', 'down', 'by'],
  ['breakdown', 'by'],
  ['split', 'by'],
  ['for', 'each'],
  ['for', 'every'],
  ['in', 'each'],
  ['of', 'each'],
  ['per'],
  ['by'],
  ['each'],
  ['every'],
];
const COMPARE_CUES: Array<[string[], CompareOp]> = [
  [['greater', 'than', 'or', 'equal', 'to'], 'gte'],
  [['more', 'than', 'or', 'equal', 'to'], 'gte'],
  [['less', 'than', 'or', 'equal', 'to'], 'lte'],
  [['greater', 'than'], 'gt'],
  [['more', 'than'], 'gt'],
  [['higher', 'than'], 'gt'],
  [['over'], 'gt'],
  [['above'], 'gt'],
  [['exceeding'], 'gt'],
  [['exceeds'], 'gt'],
  [['>'], 'gt'],
  [['at', 'least'], 'gte'],
  [['no', 'less', 'than'], 'gte'],
  [['>='], 'gte'],
  [['less', 'than'], 'lt'],
  [['fewer', 'than'], 'lt'],
  [['lower', 'than'], 'lt'],
  [['under'], 'lt'],
  [['below'], 'lt'],
  [['<'], 'lt'],
  [['at', 'most'], 'lte'],
  [['no', 'more', 'than'], 'lte'],
  [['up', 'to'], 'lte'],
  [['<='], 'lte'],
  [['equal', 'to'], 'eq'],
  [['equals'], 'eq'],
  [['exactly'], 'eq'],
  [['='], 'eq'],
  [['not', 'equal', 'to'], 'neq'],
  [['!='], 'neq'],
  [['<>'], 'neq'],
];
const TEXT_CUES: Array<[string[], TextIntent['op']]> = [
  [['that', 'contain'], 'contains'],
  [['which', 'contain'], 'contains'],
  [['containing'], 'contains'],
  [['contains'], 'contains'],
  [['contain'], 'contains'],
  [['including'], 'contains'],
  [['like'], 'contains'],
  [['matching'], 'contains'],
  [['mentioning'], 'contains'],
  [['starting', 'with'], 'starts_with'],
  [['starts', 'with'], 'starts_with'],
  [['start', 'with'], 'starts_with'],
  [['beginning', 'with'], 'starts_with'],
  [['begins', 'with'], 'starts_with'],
  [['begin', 'with'], 'starts_with'],
  [['ending', 'with'], 'ends_with'],
  [['ends', 'with'], 'ends_with'],
  [['end', 'with'], 'ends_with'],
  [['named'], 'equals'],
  [['called'], 'equals'],
  [['titled'], 'equals'],
];
const NEGATIONS = [['other', 'than'], ['except', 'for'], ['except'], ['excluding'], ['not', 'in'], ['not', 'from'], ['outside'], ['not'], ['non']];
const TEXT_NOUNS = new Set(['letter', 'letters', 'substring', 'string', 'word', 'words', 'text', 'phrase', 'prefix', 'suffix', 'character', 'characters']);
const NUMBER_STEMS = new Set(['num', 'number', 'numb', 'no', 'count']);
const DISTINCT_WORDS = new Set(['different', 'distinct', 'unique']);
const COMMON_WORDS = new Set(['common', 'frequent', 'popular', 'usual', 'typical']);

/** A cursor over items with phrase matching on their words. */
class Items {
  constructor(readonly list: Item[]) {}
  text(i: number): string {
    return this.list[i]?.text ?? '';
  }
  at(i: number): Item | undefined {
    return this.list[i];
  }
  free(i: number): boolean {
    const item = this.list[i];
    return item !== undefined && !item.used;
  }
  /** Number of items matched when `words` start at `i` (each item one word), else 0. */
  match(i: number, words: string[]): number {
    for (let k = 0; k < words.length; k++) {
      const item = this.list[i + k];
      if (!item || item.used || item.tokens.length !== 1 || item.text !== words[k]) return 0;
    }
    return words.length;
  }
  firstMatch<T>(i: number, cues: Array<[string[], T]>): { length: number; value: T } | null {
    for (const [words, value] of cues) {
      const length = this.match(i, words);
      if (length > 0) return { length, value };
    }
    return null;
  }
  use(from: number, length: number): void {
    for (let k = from; k < from + length; k++) if (this.list[k]) this.list[k]!.used = true;
  }
  isArticle(i: number): boolean {
    return ['the', 'a', 'an', 'all', 'their', 'its', 'his', 'her'].includes(this.text(i));
  }
  /** Skips articles and "of" from `i`. */
  skipFiller(i: number): number {
    while (i < this.list.length && (this.isArticle(i) || this.text(i) === 'of') && !this.list[i]!.used) i++;
    return i;
  }
  linked(i: number): boolean {
    const item = this.list[i];
    return item !== undefined && (item.tables.length > 0 || item.fields.length > 0 || item.values.length > 0);
  }
  number(i: number): number | null {
    const item = this.list[i];
    if (!item || item.tokens.length !== 1) return null;
    const token = item.tokens[0]!;
    if (token.kind === 'number') return token.value;
    return NUMBER_WORDS[token.norm] ?? null;
  }
  get length(): number {
    return this.list.length;
  }
}

const isYear = (n: number | null): n is number => n !== null && Number.isInteger(n) && n >= 1900 && n <= 2100;
const pad = (n: number) => String(n).padStart(2, '0');
const iso = (y: number, m: number, d = 1) => `${y}-${pad(m)}-${pad(d)}`;

function nextMonth(y: number, m: number): string {
  return m === 12 ? iso(y + 1, 1) : iso(y, m + 1);
}

function addDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** A period: a year, a month of a year, a quarter, a day or a bare month; with its start and end (exclusive). */
interface Period {
  from: string;
  to: string;
  month: number | null;
  length: number;
  phrase: string;
}

function readPeriod(items: Items, i: number): Period | null {
  const item = items.at(i);
  if (!item || item.used || item.tokens.length !== 1) return null;
  const token = item.tokens[0]!;
  if (token.kind === 'isodate') {
    const [y, m, d] = token.raw.split('-').map(Number) as [number, number, number | undefined];
    if (m < 1 || m > 12) return null;
    if (d === undefined) return { from: iso(y, m), to: nextMonth(y, m), month: null, length: 1, phrase: `${MONTH_LONG[m - 1]} ${y}` };
    const day = iso(y, m, d);
    return { from: day, to: addDay(day), month: null, length: 1, phrase: day };
  }
  const month = MONTHS[token.norm];
  if (month !== undefined && !(token.norm === 'may' && !isYear(items.number(i + 1)))) {
    const year = items.number(i + 1) ?? (items.text(i + 1) === 'of' ? items.number(i + 2) : null);
    const yearAt = items.number(i + 1) !== null ? 1 : 2;
    if (isYear(year)) return { from: iso(year, month), to: nextMonth(year, month), month: null, length: 1 + yearAt, phrase: `${MONTH_LONG[month - 1]} ${year}` };
    return { from: '', to: '', month, length: 1, phrase: MONTH_LONG[month - 1]! };
  }
  const quarter = /^q([1-4])$/.exec(token.norm);
  if (quarter && isYear(items.number(i + 1))) {
    const q = Number(quarter[1]);
    const y = items.number(i + 1)!;
    return { from: iso(y, q * 3 - 2), to: q === 4 ? iso(y + 1, 1) : iso(y, q * 3 + 1), month: null, length: 2, phrase: `Q${q} ${y}` };
  }
  const n = items.number(i);
  if (token.kind === 'number' && isYear(n)) {
    // "2000 ms", "over 1999 tracks" are not years.
    const after = items.at(i + 1);
    if (after && (UNITS[after.tokens[0]?.stem ?? ''] || after.tables.length > 0)) return null;
    return { from: iso(n, 1), to: iso(n + 1, 1), month: null, length: 1, phrase: String(n) };
  }
  return null;
}

const MONTH_LONG = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** The item just before `i` (skipping a word or two like "were", "was") that names a date column. */
function dateHint(items: Items, i: number): Item | null {
  for (let k = i - 1; k >= Math.max(0, i - 3); k--) {
    const item = items.at(k)!;
    if (item.fields.some((f) => f.field.temporal || (f.field.numeric && f.field.stems.includes('year'))) && !item.used) {
      // A column named only to say which date ("hired in 2002") is not also a column to list.
      if (item.tables.length === 0) item.used = true;
      return item;
    }
    if (item.tables.length > 0 || (items.linked(k) && item.fields.length === 0)) break;
  }
  return null;
}

function extractDates(items: Items, intent: Intent): void {
  for (let i = 0; i < items.length; i++) {
    if (!items.free(i)) continue;
    const word = items.text(i);
    // between X and Y / from X to Y
    if (word === 'between' || word === 'from') {
      const a = readPeriod(items, i + 1);
      if (a && a.month === null) {
        const j = i + 1 + a.length;
        const joiner = items.text(j);
        if (['and', 'to', 'through', 'until', 'till'].includes(joiner)) {
          const b = readPeriod(items, j + 1);
          if (b && b.month === null) {
            intent.dates.push({ from: a.from, to: b.to, month: null, phrase: `between ${a.phrase} and ${b.phrase}`, hint: dateHint(items, i) });
            items.use(i, j + 1 + b.length - i);
            continue;
          }
        }
      }
    }
    const bounds: Record<string, 'before' | 'after' | 'since' | 'until'> = { before: 'before', after: 'after', since: 'since', from: 'since', until: 'until', till: 'until', through: 'until' };
    const bound = bounds[word];
    if (bound) {
      const p = readPeriod(items, i + 1);
      if (p && p.month === null) {
        const hint = dateHint(items, i);
        if (bound === 'before') intent.dates.push({ from: null, to: p.from, month: null, phrase: `before ${p.phrase}`, hint });
        if (bound === 'after') intent.dates.push({ from: p.to, to: null, month: null, phrase: `after ${p.phrase}`, hint });
        if (bound === 'since') intent.dates.push({ from: p.from, to: null, month: null, phrase: `since ${p.phrase}`, hint });
        if (bound === 'until') intent.dates.push({ from: null, to: p.to, month: null, phrase: `up to ${p.phrase}`, hint });
        items.use(i, 1 + p.length);
        continue;
      }
    }
    const lead = ['in', 'during', 'for', 'on', 'of', 'within'].includes(word) ? 1 : 0;
    const p = readPeriod(items, i + lead);
    if (!p) continue;
    // Without a preposition only an ISO date, a month with its year, or a year that starts a phrase ("2023 invoices", "what about 2022") is a period.
    if (lead === 0 && items.at(i)!.tokens[0]!.kind !== 'isodate') {
      if (p.month !== null) continue;
      const bareYear = p.phrase.length === 4;
      if (bareYear && !(i === 0 || ['only', 'just', 'about', 'and', 'now', 'year'].includes(items.text(i - 1)) || items.at(i + 1)?.tables.length)) continue;
    }
    const hint = dateHint(items, i);
    if (p.month !== null) intent.dates.push({ from: null, to: null, month: p.month, phrase: `in ${p.phrase}`, hint });
    else intent.dates.push({ from: p.from, to: p.to, month: null, phrase: p.phrase.length === 10 ? `on ${p.phrase}` : `in ${p.phrase}`, hint });
    items.use(i, lead + p.length);
  }
}

/** Reads what an aggregate applies to, from `i`: a column or table item, possibly qualified ("length of tracks"). */
function readTarget(items: Items, i: number): { item: Item | null; concept: Concept | null; length: number } {
  let j = items.skipFiller(i);
  // "the maximum number of final tables made": a numeric column said as a number of things.
  if (items.match(j, ['number', 'of']) && items.at(items.skipFiller(j + 2))?.fields.some((f) => f.field.numeric) && !items.at(items.skipFiller(j + 2))?.tables.length) j = items.skipFiller(j + 2);
  const item = items.at(j);
  if (!item || item.used) return { item: null, concept: null, length: 0 };
  if (item.fields.length > 0 || item.tables.length > 0) {
    let length = j - i + 1;
    // "unit price of tracks": the table after "of" says whose column it is.
    const k = items.text(j + 1) === 'of' ? items.skipFiller(j + 1) : -1;
    const owner = items.at(k);
    if (item.tables.length === 0 && owner && !owner.used && owner.tables.length > 0) {
      const owned = item.fields.filter((f) => owner.tables.some((t) => t.table === f.field.table));
      length = k - i + 1;
      owner.used = true;
      return { item: owned.length > 0 ? { ...item, fields: owned } : item, concept: null, length };
    }
    return { item, concept: null, length };
  }
  const adjective = ADJECTIVES[item.text];
  if (adjective) return { item: null, concept: adjective.concept, length: j - i + 1 };
  for (; j < Math.min(items.length, i + 3); j++) {
    const word = items.text(j);
    if (['revenue', 'sales', 'income', 'turnover', 'earnings', 'spend', 'spending', 'spent'].includes(word)) return { item: null, concept: 'revenue', length: j - i + 1 };
    if (['population'].includes(word)) return { item: null, concept: 'population', length: j - i + 1 };
    if (['price', 'cost'].includes(word)) return { item: null, concept: 'price', length: j - i + 1 };
    if (['length', 'duration'].includes(word)) return { item: null, concept: 'length', length: j - i + 1 };
    if (['quantity'].includes(word)) return { item: null, concept: 'quantity', length: j - i + 1 };
  }
  return { item: null, concept: null, length: 0 };
}

/** "in minutes", "in seconds" after an aggregate of a duration. */
function readDisplayUnit(items: Items, i: number): { unit: string; length: number } | null {
  if (items.text(i) !== 'in') return null;
  const word = items.at(i + 1)?.tokens[0]?.stem ?? '';
  const unit = UNITS[word];
  if (unit && unit.concept === 'length') return { unit: unit.unit, length: 2 };
  return null;
}

function extractAggregates(items: Items, intent: Intent): void {
  const pendingFns: AggregateFn[] = [];
  for (let i = 0; i < items.length; i++) {
    if (!items.free(i)) continue;
    // count
    let counted = 0;
    for (const cue of COUNT_CUES) {
      counted = items.match(i, cue);
      if (counted > 0) break;
    }
    if (counted > 0) {
      // "how many different nationalities": distinct values of the column named.
      const distinctAt = items.skipFiller(i + counted);
      const saysDistinct = DISTINCT_WORDS.has(items.text(distinctAt)) && items.free(distinctAt);
      if (saysDistinct) {
        items.use(distinctAt, 1);
        counted = distinctAt - i + 1;
      }
      const target = readTarget(items, i + counted);
      // "a number of staff below the average" names num_of_staff, a column, not a count.
      const named = items.at(items.skipFiller(i + counted));
      const namesNumberColumn = items.text(i) === 'number' && named !== undefined && named.tables.length === 0 && named.fields.some((f) => f.field.numeric && f.field.stems.some((st) => NUMBER_STEMS.has(st)));
      if (namesNumberColumn) {
        items.use(i, counted);
        continue;
      }
      // "how many active customers": the adjective-like column qualifies the table after it.
      const next = items.at(items.skipFiller(i + counted) + 1);
      if (target.item && target.item.tables.length === 0 && next && !next.used && next.tables.length > 0 && target.item.fields.some((f) => f.field.boolean)) {
        next.used = true;
        intent.aggregates.push({ fn: 'count', target: next, concept: null, divideBy: null, unitWord: null });
        items.use(i, counted);
        continue;
      }
      // "how many" with nothing countable after it may still count the subject ("how many are from Brazil").
      intent.aggregates.push({ fn: 'count', target: target.item, concept: null, divideBy: null, unitWord: null });
      items.use(i, counted);
      if (target.item) target.item.used = true;
      if (target.item?.tables.length === 0 && target.item.fields.length > 0) intent.aggregates[intent.aggregates.length - 1]!.fn = 'count_distinct';
      continue;
    }
    const cue = items.firstMatch(i, AGG_CUES);
    if (!cue) continue;
    // "total" followed by a comparison names the column, not a sum ("invoices with total over 10").
    const after = items.text(i + cue.length);
    if (cue.value === 'sum' && ['over', 'above', 'under', 'below', 'greater', 'less', 'more', 'between', 'of'].includes(after) && items.text(i) === 'total' && after !== 'of') continue;
    // "the average and maximum age", "maximum, minimum and average price": one column, several aggregates.
    const joiner = items.text(i + cue.length) === ',' ? 1 : 0;
    if (['and', ','].includes(items.text(i + cue.length + joiner)) || joiner) {
      const k = i + cue.length + (items.text(i + cue.length) === ',' && items.text(i + cue.length + 1) === 'and' ? 2 : 1);
      if (items.firstMatch(k, AGG_CUES)) {
        pendingFns.push(cue.value);
        items.use(i, k - i);
        continue;
      }
    }
    const target = readTarget(items, i + cue.length);
    if (target.length === 0) {
      // "total" alone can be the column itself; handled as a plain mention.
      continue;
    }
    for (const fn of pendingFns.splice(0)) intent.aggregates.push({ fn, target: target.item, concept: target.concept, divideBy: null, unitWord: null });
    let divideBy: number | null = null;
    let unitWord: string | null = null;
    const display = readDisplayUnit(items, i + cue.length + target.length);
    if (display) {
      unitWord = display.unit;
      items.use(i + cue.length + target.length, display.length);
    }
    if (divideBy === null && unitWord === null) divideBy = null;
    intent.aggregates.push({ fn: cue.value, target: target.item, concept: target.concept, divideBy, unitWord });
    items.use(i, cue.length + target.length);
  }
}

/** Superlatives that pick the row holding the extreme value when said as "with the …". */
const ARGMAX_WORDS: Record<string, Direction> = {
  highest: 'desc',
  largest: 'desc',
  biggest: 'desc',
  greatest: 'desc',
  maximum: 'desc',
  max: 'desc',
  most: 'desc',
  top: 'desc',
  lowest: 'asc',
  smallest: 'asc',
  least: 'asc',
  minimum: 'asc',
  min: 'asc',
  fewest: 'asc',
};
const ARGMAX_LEADS = new Set(['with', 'has', 'have', 'had', 'having', 'of', 'by', 'in']);

function extractRank(items: Items, intent: Intent): void {
  for (let i = 0; i < items.length; i++) {
    if (!items.free(i)) continue;
    const word = items.text(i);
    // top 5 / bottom 3 / first 10
    if (['top', 'bottom', 'best', 'worst'].includes(word) || (word === 'first' && items.number(i + 1) !== null)) {
      const n = items.number(i + 1);
      const direction: Direction = word === 'bottom' || word === 'worst' ? 'asc' : 'desc';
      intent.rank = { n, direction, by: null, concept: null, byItem: null };
      items.use(i, n === null ? 1 : 2);
      readRankBy(items, i + (n === null ? 1 : 2), intent);
      continue;
    }
    // 10 cheapest tracks / the 5 longest songs / the most expensive track
    const n = items.number(i);
    const j = n !== null ? i + 1 : i;
    let k = j;
    let superlativeMost = false;
    if (['most', 'least'].includes(items.text(k)) && ADJECTIVES[items.text(k + 1)]) {
      superlativeMost = true;
      k++;
    }
    const adjective = ADJECTIVES[items.text(k)];
    // "the largest invoice total" is a maximum of that column, not a ranking by size.
    const namesColumn = adjective?.concept === 'size' && items.at(k + 1)?.fields.length && !items.at(k + 1)?.tables.length;
    if (adjective && !namesColumn && items.free(k) && (n !== null || superlativeMost || /(est)$/.test(items.text(k)))) {
      const direction = superlativeMost && items.text(j) === 'least' ? flip(adjective.direction) : adjective.direction;
      if (n !== null && !Number.isInteger(n)) continue;
      intent.rank = { n, direction, by: null, concept: adjective.concept, byItem: null };
      items.use(i, k - i + 1);
      // "the 5 largest orders by amount": the column after "by" says what "largest" means.
      readRankBy(items, k + 1, intent);
      continue;
    }
    // the 3 artists with the most albums / which genre has the most tracks / most common countries
    if (['most', 'least', 'fewest'].includes(word) && items.free(i)) {
      const direction: Direction = word === 'most' ? 'desc' : 'asc';
      // "which 5 artists have the most albums": the number sits before the entity.
      let n: number | null = intent.rank?.n ?? null;
      for (let k = i - 1; k >= Math.max(0, i - 5) && n === null; k--) {
        if (items.free(k) && items.number(k) !== null && ['which', 'what', 'the', 'top', 'list', 'show'].includes(items.text(k - 1))) {
          n = items.number(k);
          items.use(k, 1);
        }
      }
      if (COMMON_WORDS.has(items.text(i + 1))) {
        intent.rank = { n, direction, by: { fn: 'count', target: null, concept: null, divideBy: null, unitWord: null }, concept: null, byItem: null };
        items.use(i, 2);
        continue;
      }
      const target = readTarget(items, i + 1);
      if (target.item?.tables.length) {
        target.item.used = true;
        intent.rank = { n, direction, by: { fn: 'count', target: target.item, concept: null, divideBy: null, unitWord: null }, concept: null, byItem: null };
        items.use(i, 1 + target.length);
        continue;
      }
      if (target.item || target.concept) {
        if (target.item) target.item.used = true;
        intent.rank = { n, direction, by: null, concept: target.concept, byItem: target.item };
        items.use(i, 1 + target.length);
      }
    }
    // "the singer with the largest net worth", "the player who has the greatest earnings": the row, not the maximum.
    const superlative = ARGMAX_WORDS[word];
    if (superlative && items.text(i - 1) === 'the' && intent.rank === null && ARGMAX_LEADS.has(items.text(i - 2))) {
      const target = readTarget(items, i + 1);
      if (target.item && target.item.fields.length > 0) {
        target.item.used = true;
        intent.rank = { n: null, direction: superlative, by: null, concept: null, byItem: target.item };
        items.use(i - 2, 3 + target.length);
      }
    }
  }
}

/** "… by number of tracks", "… by revenue", "… by length". */
function readRankBy(items: Items, from: number, intent: Intent): void {
  for (let i = from; i < items.length; i++) {
    if (items.text(i) !== 'by' || !items.free(i)) continue;
    const rank = intent.rank!;
    let counted = 0;
    for (const cue of COUNT_CUES) {
      counted = items.match(i + 1, cue);
      if (counted > 0) break;
    }
    if (counted > 0) {
      const target = readTarget(items, i + 1 + counted);
      if (target.item) target.item.used = true;
      rank.by = { fn: target.item?.tables.length ? 'count' : 'count_distinct', target: target.item, concept: null, divideBy: null, unitWord: null };
      items.use(i, 1 + counted + target.length);
      return;
    }
    const cue = items.firstMatch(i + 1, AGG_CUES);
    const start = i + 1 + (cue?.length ?? 0);
    const target = readTarget(items, start);
    if (target.length === 0) return;
    if (target.item) target.item.used = true;
    if (cue || target.concept === 'revenue' || isRevenueItem(target.item)) {
      rank.by = { fn: cue?.value ?? 'sum', target: target.item, concept: target.concept, divideBy: null, unitWord: null };
    } else {
      rank.byItem = target.item;
      rank.concept = target.concept;
    }
    items.use(i, start - i + target.length);
    return;
  }
}

function flip(d: Direction): Direction {
  return d === 'asc' ? 'desc' : 'asc';
}

const NEGATED_COMPARE: Record<CompareOp, CompareOp> = { gt: 'lte', gte: 'lt', lt: 'gte', lte: 'gt', eq: 'neq', neq: 'eq' };
const TRAILING_COMPARE: Record<string, CompareOp> = { more: 'gte', greater: 'gte', higher: 'gte', above: 'gte', over: 'gte', less: 'lte', fewer: 'lte', lower: 'lte', below: 'lte', under: 'lte' };

/** Words between a column and the number it equals: "grade 10", "age is 32", "birth year either 1948 or 1949". */
const EQUALS_LINKS = new Set(['is', 'are', 'was', 'were', 'of', 'either', 'equal', 'to', '=', 'exactly']);

/** "in grade 10", "aged either 32 or 33", "whose level is 1": a numeric column equal to one or several numbers. */
function readNumericEquality(items: Items, i: number, intent: Intent): number {
  const item = items.at(i)!;
  if (item.used || item.fields.length === 0 || !item.fields.some((f) => f.field.numeric) || (item.tables.length > 0 && item.tables[0]!.score >= item.fields[0]!.score)) return 0;
  let j = i + 1;
  while (EQUALS_LINKS.has(items.text(j)) && items.free(j) && j < i + 4) j++;
  if (items.firstMatch(j, COMPARE_CUES) || !items.free(j)) return 0;
  const values: number[] = [];
  let end = j;
  for (;;) {
    const n = items.number(end);
    if (n === null || !items.free(end) || items.at(end)!.tokens[0]!.kind !== 'number') break;
    // "grade 10 students" is fine; "10 minutes" is a unit, read by the comparisons.
    if (UNITS[items.at(end + 1)?.tokens[0]?.stem ?? '']) return 0;
    values.push(n);
    end++;
    if (!['or', 'and', ','].includes(items.text(end)) || items.number(end + 1) === null) break;
    end++;
  }
  if (values.length === 0) return 0;
  const phrase = items.list.slice(i, end).map((it) => it.raw).join(' ');
  intent.compares.push({ target: item, concept: null, op: values.length > 1 ? 'in' : 'eq', value: values[0]!, values, average: false, high: null, unit: null, countOf: null, phrase });
  items.use(i, end - i);
  return end - i;
}

function extractCompares(items: Items, intent: Intent): void {
  for (let i = 0; i < items.length; i++) {
    if (!items.free(i)) continue;
    const equality = readNumericEquality(items, i, intent);
    if (equality > 0) {
      i += equality - 1;
      continue;
    }
    // "two or more people", "3 or fewer sections": the comparison follows the number.
    const trailing = items.number(i) !== null && items.text(i + 1) === 'or' && items.free(i + 1) ? TRAILING_COMPARE[items.text(i + 2)] : undefined;
    let cue = trailing ? { length: 0, value: trailing } : items.firstMatch(i, COMPARE_CUES);
    let concept: Concept | null = null;
    // comparative adjective: "longer than", "more expensive than", "cheaper than"
    if (!cue) {
      const more = items.text(i) === 'more' || items.text(i) === 'less' ? 1 : 0;
      const adjective = ADJECTIVES[items.text(i + more)];
      if (adjective && items.text(i + more + 1) === 'than') {
        const direction = more && items.text(i) === 'less' ? flip(adjective.direction) : adjective.direction;
        cue = { length: more + 2, value: direction === 'desc' ? 'gt' : 'lt' };
        concept = adjective.concept;
      }
    }
    let op: CompareOp | 'between' | null = cue?.value ?? null;
    // "not higher than 4" is at most 4.
    if (op && !trailing && items.text(i - 1) === 'not' && items.free(i - 1)) {
      op = NEGATED_COMPARE[op];
      items.use(i - 1, 1);
    }
    let length = cue?.length ?? 0;
    if (!cue && items.text(i) === 'between') {
      op = 'between';
      length = 1;
    }
    if (op === null) continue;
    let j = i + length;
    if (items.text(j) === '$' || items.text(j) === '\u20ac' || items.text(j) === '\u00a3') j++;
    // "below age 30": the column sits between the cue and the number.
    let named: Item | null = null;
    const between = items.at(j);
    if (between && !between.used && between.fields.some((f) => f.field.numeric) && items.number(j + 1) !== null) {
      named = between;
      j++;
    }
    // "an age below the average", "cost less than the average": the column against its own average.
    const avgAt = items.text(j) === 'the' ? j + 1 : j;
    if (op !== 'between' && ['average', 'mean'].includes(items.text(avgAt)) && items.free(avgAt)) {
      let target: Item | null = null;
      for (let k = i - 1; k >= Math.max(0, i - 4) && !target; k--) {
        const item = items.at(k)!;
        if (item.fields.some((f) => f.field.numeric) && !item.used) target = item;
        else if (item.used || !['is', 'are', 'was', 'were', 'of', 'with', 'whose', 'an', 'a', 'the', 'that', 'has', 'have', 'had', 'costs', 'cost'].includes(item.text)) break;
      }
      // "below the average age": the column is named after the word.
      const after = items.at(avgAt + 1);
      let end = avgAt + 1;
      if (!target && after && !after.used && after.fields.some((f) => f.field.numeric)) {
        target = after;
        end++;
      }
      if (target) {
        target.used = true;
        intent.compares.push({ target, concept: null, op, value: 0, values: [], average: true, high: null, unit: null, countOf: null, phrase: items.list.slice(i, end).map((it) => it.raw).join(' ') });
        items.use(i, end - i);
        continue;
      }
    }
    const value = items.number(j);
    if (value === null) {
      // "active equal to 'Y'", "status = A": a text value for the column named before.
      const text = items.at(j);
      const before = items.at(i - 1);
      if ((op === 'eq' || op === 'neq') && text && !text.used && before && !before.used && before.fields.length > 0 && (text.tokens[0]!.kind === 'quoted' || text.tokens[0]!.kind === 'word')) {
        intent.texts.push({ target: before, op: op === 'eq' ? 'equals' : 'not_equals', value: text.tokens[0]!.kind === 'quoted' ? text.tokens[0]!.raw : text.raw });
        items.use(i - 1, j - i + 2);
      }
      continue;
    }
    let end = j + 1 + (trailing ? 2 : 0);
    let high: number | null = null;
    if (op === 'between') {
      if (items.text(end) !== 'and') continue;
      if (items.text(end + 1) === '$') end++;
      high = items.number(end + 1);
      if (high === null) continue;
      end += 2;
    }
    // A unit after the number ("10 minutes", "2 MB", "5 dollars").
    let unit: (typeof UNITS)[string] | null = null;
    const unitToken = items.at(end)?.tokens[0];
    const money = items.text(i + length) === '$' || items.text(i + length) === '\u20ac' || items.text(i + length) === '\u00a3';
    if (unitToken && items.free(end) && UNITS[unitToken.stem]) {
      unit = UNITS[unitToken.stem]!;
      end++;
    } else if (money) unit = UNITS.$!;
    if (unitToken && items.text(end) === '%') end++;
    // "more than 10 albums": a count of another table's rows.
    let countOf: Item | null = null;
    const next = items.at(end);
    if (!unit && next && !next.used && next.tables.length > 0 && (next.fields.length === 0 || next.tables[0]!.score >= next.fields[0]!.score)) {
      countOf = next;
      next.used = true;
      end++;
    }
    // The column compared: named just before the cue ("total over 10", "whose unit price is below 1").
    let target: Item | null = named;
    if (named) named.used = true;
    for (let k = i - 1; k >= Math.max(0, i - 3) && !countOf && !target; k--) {
      const item = items.at(k)!;
      if (item.used && item.fields.length === 0) break;
      if (item.fields.length > 0 && (item.fields.some((f) => f.field.numeric) || item.tables.length === 0)) {
        target = item;
        item.used = true;
        break;
      }
      if (!['is', 'are', 'was', 'were', 'of', 'with', 'whose', 'where', 'a', 'an', 'the', 'that', 'which', 'has', 'have', 'had', 'cost', 'costs', 'costing', 'lasting', 'last', 'lasts', 'priced', 'at'].includes(item.text)) break;
    }
    const phraseWords = items.list.slice(i, end).map((it) => it.tokens.map((t) => t.raw).join(' '));
    intent.compares.push({ target, concept: concept ?? unit?.concept ?? null, op, value, values: [value], average: false, high, unit, countOf, phrase: phraseWords.join(' ') });
    items.use(i, end - i);
  }
}

function extractTexts(items: Items, intent: Intent, tokensRaw: string): void {
  for (let i = 0; i < items.length; i++) {
    if (!items.free(i)) continue;
    const cue = items.firstMatch(i, TEXT_CUES);
    // "with 'love' in the name" / "that have 'love' in their title"
    const quotedItem = items.at(i);
    if (!cue && quotedItem?.tokens[0]?.kind === 'quoted' && items.text(i + 1) === 'in') {
      const k = items.skipFiller(i + 2);
      const field = items.at(k);
      if (field && field.fields.length > 0) {
        intent.texts.push({ target: field, op: 'contains', value: quotedItem.tokens[0].raw });
        items.use(i, k - i + 1);
        continue;
      }
    }
    if (!cue) continue;
    let j = i + cue.length;
    // "contains the substring 'West'", "starting with the letter A", "containing the word 'love'".
    if (items.text(j) === 'the' && TEXT_NOUNS.has(items.text(j + 1))) j += 2;
    else if (TEXT_NOUNS.has(items.text(j))) j++;
    const item = items.at(j);
    if (!item) continue;
    const token = item.tokens[0]!;
    let value: string;
    let length = 1;
    if (token.kind === 'quoted') value = token.raw;
    else if (item.values.length > 0 && cue.value !== 'contains') value = item.values[0]!.value;
    else if (token.kind === 'word' || token.kind === 'number') {
      // Take the run of capitalised words as typed ("named Jane Smith"), else one word.
      const raws = [rawSpan(item, tokensRaw)];
      let k = j + 1;
      while (token.capitalised && items.at(k)?.tokens[0]?.capitalised && items.at(k)!.tokens[0]!.kind === 'word') {
        raws.push(rawSpan(items.at(k)!, tokensRaw));
        k++;
      }
      value = raws.join(' ');
      length = k - j;
    } else continue;
    if (cue.value === 'equals' && token.kind !== 'quoted' && !token.capitalised && item.values.length === 0) continue;
    // The column: named just before the cue ("last name starts with S", "whose title contains 'Love'").
    let target: Item | null = null;
    for (let k = i - 1; k >= Math.max(0, i - 3); k--) {
      const before = items.at(k)!;
      if (before.fields.length > 0 && before.fields.some((f) => f.field.text || f.field.array)) {
        target = before;
        before.used = true;
        break;
      }
      if (!['is', 'are', 'whose', 'where', 'that', 'which', 'with', 'a', 'the', 'its', 'their'].includes(before.text)) break;
    }
    // … or after it: "containing 'rock' in the name"
    const after = j + length;
    if (!target && items.text(after) === 'in') {
      const k = items.skipFiller(after + 1);
      if (items.at(k)?.fields.length) {
        target = items.at(k)!;
        items.use(after, k - after + 1);
      }
    }
    intent.texts.push({ target, op: cue.value, value });
    items.use(i, j + length - i);
  }
}

function rawSpan(item: Item, _question: string): string {
  const raws = [...new Set(item.tokens.map((t) => t.raw))];
  return raws.join(' ');
}

function extractGroups(items: Items, intent: Intent): void {
  for (let i = 0; i < items.length; i++) {
    if (!items.free(i)) continue;
    // daily / monthly / yearly
    const word = items.text(i);
    if (['daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'annually', 'annual'].includes(word)) {
      intent.groups.push({ item: null, bucket: BUCKET_WORDS[word]! });
      items.use(i, 1);
      continue;
    }
    let cueLength = 0;
    for (const cue of GROUP_CUES) {
      cueLength = items.match(i, cue);
      if (cueLength > 0) break;
    }
    if (cueLength === 0) continue;
    const j = items.skipFiller(i + cueLength);
    const item = items.at(j);
    if (!item || item.used) continue;
    const bucketWord = item.tokens.length === 1 ? BUCKET_WORDS[item.tokens[0]!.stem] ?? BUCKET_WORDS[item.text] : undefined;
    if (bucketWord && item.tables.length === 0) {
      // "by invoice date" stays a column; "by month" / "per year" is a time bucket.
      intent.groups.push({ item: null, bucket: bucketWord });
      items.use(i, j - i + 1);
      continue;
    }
    // "albums by AC/DC": a stored value after "by" is a filter, not a grouping.
    if (item.values.length > 0 && item.tables.length === 0 && item.fields.length === 0) continue;
    if (item.tables.length > 0 || item.fields.length > 0) {
      intent.groups.push({ item, bucket: null });
      items.use(i, j - i + 1);
      // "by genre and media type"
      if (items.text(j + 1) === 'and' && items.free(j + 2) && (items.at(j + 2)!.tables.length > 0 || items.at(j + 2)!.fields.length > 0)) {
        intent.groups.push({ item: items.at(j + 2)!, bucket: null });
        items.use(j + 1, 2);
      }
    }
  }
}

const SORT_CUES = [['sorted', 'by'], ['sort', 'by'], ['ordered', 'by'], ['order', 'by'], ['sorted'], ['sort'], ['ordered']];

const FREQUENCY_WORDS = new Set(['count', 'counts', 'frequency', 'frequencies', 'popularity', 'occurrences', 'occurrence']);

/** "… by their frequency", "… of count": sorted by how many rows share each value. */
function readFrequency(items: Items, at: number, intent: Intent, direction: Direction | null): boolean {
  let j = items.skipFiller(at);
  if (['their', 'its'].includes(items.text(j))) j++;
  if (!FREQUENCY_WORDS.has(items.text(j)) || !items.free(j)) return false;
  items.use(at, j - at + 1);
  intent.orderByCount = true;
  intent.aggregates.push({ fn: 'count', target: null, concept: null, divideBy: null, unitWord: null });
  intent.order = { target: null, concept: null, direction: direction ?? 'asc' };
  return true;
}

const ALPHABETICAL = new Set(['alphabetically', 'alphabetical', 'lexicographical', 'lexicographic', 'lexicographically']);

function directionOf(word: string): Direction | null {
  if (['ascending', 'asc', 'increasing', 'alphabetically', 'alphabetical', 'lexicographical', 'lexicographic', 'lexicographically'].includes(word)) return 'asc';
  if (['descending', 'desc', 'decreasing', 'reverse', 'reversed'].includes(word)) return 'desc';
  return null;
}

function extractOrder(items: Items, intent: Intent): void {
  for (let i = 0; i < items.length; i++) {
    if (!items.free(i)) continue;
    const word = items.text(i);
    const sortCue = SORT_CUES.reduce((found, cue) => found || items.match(i, cue), 0);
    if (sortCue) {
      // "sorted descending by age", "ordered by ascending age", "sorted by the year in descending order".
      let j = i + sortCue;
      let direction = intent.order?.direction ?? null;
      const before = directionOf(items.text(j));
      if (before && items.free(j)) {
        direction = before;
        j++;
        if (items.text(j) === 'by' || items.text(j) === 'of') j++;
      }
      if (readFrequency(items, j, intent, direction)) {
        items.use(i, j - i);
        continue;
      }
      const target = readTarget(items, j);
      intent.order = { target: target.item, concept: target.concept, direction };
      if (target.item) target.item.used = true;
      items.use(i, j - i + target.length);
      continue;
    }
    let direction = directionOf(word);
    if (direction) {
      // "reverse alphabetical order", "descending lexicographical order": one direction, said in two words.
      const next = items.text(i + 1);
      const alphabetical = ALPHABETICAL.has(word) || ALPHABETICAL.has(next);
      if (directionOf(next) && items.free(i + 1)) {
        if (direction === 'desc' || directionOf(next) === 'desc') direction = 'desc';
        items.use(i + 1, 1);
        i++;
      }
      if (alphabetical) intent.alphabetical = true;
      // "in ascending order of age", "in descending order by the number of years".
      const orderOf = items.match(i + 1, ['order', 'of']) || items.match(i + 1, ['order', 'by']) || items.match(i + 1, ['order', 'for']);
      if (orderOf && readFrequency(items, i + 1 + orderOf, intent, direction)) {
        items.use(i, 1 + orderOf);
        continue;
      }
      if (orderOf && !intent.order?.target) {
        const target = readTarget(items, i + 1 + orderOf);
        if (target.item || target.concept) {
          intent.order = { target: target.item, concept: target.concept, direction };
          if (target.item) target.item.used = true;
          items.use(i, 1 + orderOf + target.length);
          continue;
        }
      }
      intent.order = { target: intent.order?.target ?? null, concept: intent.order?.concept ?? null, direction };
      items.use(i, 1 + (items.text(i + 1) === 'order' ? 1 : 0));
      if (word.startsWith('alphabetic') && !intent.order.target) intent.order.concept = null;
      continue;
    }
    // highest first / newest first / from lowest to highest
    if (items.text(i + 1) === 'first' && ['highest', 'largest', 'biggest', 'most', 'lowest', 'smallest', 'least', 'newest', 'latest', 'oldest', 'earliest', 'cheapest', 'longest', 'shortest'].includes(word)) {
      const adjective = ADJECTIVES[word];
      const dir: Direction = ['lowest', 'smallest', 'least', 'oldest', 'earliest', 'cheapest', 'shortest'].includes(word) ? 'asc' : 'desc';
      intent.order = { target: intent.order?.target ?? null, concept: adjective && adjective.concept !== 'size' ? adjective.concept : intent.order?.concept ?? null, direction: adjective?.concept === 'age' ? flip(dir) : dir };
      items.use(i, 2);
    }
  }
}

function extractValues(items: Items, intent: Intent): void {
  for (let i = 0; i < items.length; i++) {
    const item = items.at(i)!;
    if (item.used || item.values.length === 0) continue;
    // A word that is both a table and a stored value ("playlist Music" vs "music") reads as the table when it is the only meaning typed in lower case.
    if ((item.tables.length > 0 || item.fields.length > 0) && !item.tokens.every((t) => t.capitalised) && item.tokens.length === 1) continue;
    let negate = false;
    for (const n of NEGATIONS) {
      const len = n.length;
      if (items.match(i - len, n) === len) {
        negate = true;
        items.use(i - len, len);
        break;
      }
    }
    // "whose title is Sales Support Agent", "genre Rock": the column named before the value settles which one.
    let k = i - 1;
    while (k > 0 && (VALUE_LINKS.has(items.text(k)) || NEGATION_WORDS.has(items.text(k))) && (items.free(k) || NEGATION_WORDS.has(items.text(k)))) {
      // "do not have the nationality 'USA'": a negation before the column negates the value.
      if (NEGATION_WORDS.has(items.text(k)) && !negate) {
        negate = true;
        items.use(k, 1);
      }
      k--;
    }
    const named = items.at(k);
    if (named && named.fields.length > 0 && !negate) {
      for (let m = k - 1; m >= Math.max(0, k - 4) && (VALUE_LINKS.has(items.text(m)) || NEGATION_WORDS.has(items.text(m))); m--) {
        if (NEGATION_WORDS.has(items.text(m))) {
          negate = true;
          items.use(m, 1);
          break;
        }
      }
    }
    if (named && !named.used && k < i) {
      const fields = new Set([...named.fields.map((f) => f.field), ...named.tables.flatMap((t) => t.table.display)]);
      const narrowed = item.values.filter((v) => fields.has(v.field));
      if (narrowed.length > 0) {
        item.values = narrowed;
        if (named.fields.length > 0 && named.tables.length === 0) named.used = true;
      } else if (named.fields.some((f) => f.field.text) && named.tables.length === 0) {
        // "composed by AC/DC": the column was named; the value was seen elsewhere. Trust the column.
        intent.texts.push({ target: named, op: 'equals', value: item.raw });
        named.used = true;
        item.used = true;
        continue;
      }
    }
    intent.values.push({ item, negate, prep: items.text(i - 1) });
    item.used = true;
    // "from Brazil or Canada", "in Rock and Jazz": more values of the same kind.
    let j = i + 1;
    while (['or', 'and', ','].includes(items.text(j)) && items.at(j + 1)?.values.length && !items.at(j + 1)!.used) {
      intent.values.push({ item: items.at(j + 1)!, negate, prep: items.text(i - 1) });
      items.use(j, 2);
      j += 2;
    }
  }
}

function extractBooleans(items: Items, intent: Intent): void {
  for (let i = 0; i < items.length; i++) {
    const item = items.at(i)!;
    if (item.used || item.tokens.length !== 1) continue;
    const word = item.text;
    const positive = item.fields.find((f) => f.field.boolean && f.score >= 0.8);
    if (positive) {
      const negate = ['not', 'non'].includes(items.text(i - 1));
      if (negate) items.use(i - 1, 1);
      intent.booleans.push({ item, value: !negate });
      item.used = true;
      continue;
    }
    // "inactive" / "unpaid": the boolean column with the prefix removed
    const m = /^(in|un|non)(.{4,})$/.exec(word);
    if (m && item.fields.length === 0 && item.tables.length === 0) intent.booleans.push({ item: { ...item, text: m[2]! }, value: false });
  }
}

function extractGuessedValues(items: Items, intent: Intent, question: string): void {
  const nameLike = (i: number): boolean => {
    const item = items.at(i);
    if (!item || item.used || items.linked(i)) return false;
    const token = item.tokens[0]!;
    if (token.kind === 'quoted') return true;
    return token.kind === 'word' && token.capitalised && i > 0 && !FUNCTIONAL.has(item.text) && !STOPWORDS.has(item.text) && !MONTHS[item.text];
  };
  for (let i = 0; i < items.length; i++) {
    if (!nameLike(i)) continue;
    let j = i;
    // A run of capitalised words is one name ("Iron Maiden"); a quoted text stands alone.
    if (items.at(i)!.tokens[0]!.kind !== 'quoted') while (nameLike(j + 1) && items.at(j + 1)!.tokens[0]!.kind !== 'quoted') j++;
    const first = items.at(i)!.tokens[0]!;
    const last = items.at(j)!.tokens[items.at(j)!.tokens.length - 1]!;
    const raw = question.slice(first.start, last.end);
    const before = items.at(i - 1);
    const owner = before && !before.used && before.tables.length > 0 ? before : null;
    if (owner) owner.used = true;
    let negate = false;
    const prepAt = owner ? i - 2 : i - 1;
    for (const n of NEGATIONS) if (items.match(prepAt - n.length + 1, n) === n.length) negate = true;
    // "whose nationality is not 'USA'", "with the type 'Brig'": the column named just before holds the value.
    const column = namedColumnBefore(items, i);
    if (column && !owner) {
      column.used = true;
      intent.texts.push({ target: column, op: negate ? 'not_equals' : 'equals', value: raw });
      items.use(i, j - i + 1);
      i = j;
      continue;
    }
    intent.guessed.push({ raw, prep: items.text(prepAt), owner, negate });
    items.use(i, j - i + 1);
    i = j;
  }
}

/** Words between a column and its value: "nationality is 'USA'", "have the type 'Brig'". */
const VALUE_LINKS = new Set(['is', 'are', 'was', 'were', 'equals', '=', 'of', 'the', 'by', 'a', 'an', 'have', 'has', 'had', 'do', 'does', 'did', 'with']);
const NEGATION_WORDS = new Set(['not', "n't", 'never', 'no', '!=', '<>']);

const LINKING_WORDS = new Set(['is', 'are', 'was', 'were', 'be', 'not', 'of', 'the', 'a', 'an', 'equal', 'equals', 'to', 'as', 'does', 'do', "isn't", "aren't", '=', '!=', '<>']);

/** A text column named right before position `i`, across linking words ("state is not", "type of the"). */
function namedColumnBefore(items: Items, i: number): Item | null {
  for (let k = i - 1; k >= Math.max(0, i - 4); k--) {
    const item = items.at(k)!;
    if (item.fields.length > 0 && item.fields.some((f) => f.field.text) && !item.used) return item.tables.length > 0 && item.tables[0]!.score > item.fields[0]!.score ? null : item;
    if (!LINKING_WORDS.has(item.text)) return null;
  }
  return null;
}

function extractPresence(items: Items, intent: Intent): void {
  for (let i = 0; i < items.length; i++) {
    const word = items.text(i);
    const negative = ['without', 'lacking', 'missing'].includes(word) || (['has', 'have', 'with'].includes(word) && items.text(i + 1) === 'no');
    if (!negative && !['has', 'have', 'with'].includes(word)) continue;
    let j = i + 1 + (items.text(i + 1) === 'no' ? 1 : 0);
    if (['a', 'an', 'any', 'some', 'the'].includes(items.text(j))) j++;
    const item = items.at(j);
    if (!item || item.used || !items.free(i) || item.fields.length === 0 || item.tables.length > 0) continue;
    intent.presence.push({ item, present: !negative });
    items.use(i, j - i + 1);
  }
}

/**
 * Reads the question's items into intents: aggregates, groupings, filters,
 * ranking and order. Each rule marks the items it consumed; what is left are
 * plain mentions of tables and columns (the subject and listed columns).
 */
export function readIntent(list: Item[], question: string): Intent {
  const items = new Items(list);
  const intent: Intent = {
    aggregates: [],
    groups: [],
    dates: [],
    compares: [],
    texts: [],
    values: [],
    guessed: [],
    booleans: [],
    presence: [],
    rank: null,
    order: null,
    distinct: null,
    alphabetical: false,
    orderByCount: false,
    listing: false,
    tables: [],
    related: [],
    fields: [],
    alongside: [],
    unknown: [],
    unknownVerbs: 0,
    contentWords: 0,
    unreadLogic: 0,
    problems: [],
  };
  const first = items.text(0);
  intent.listing = ['list', 'show', 'display', 'give', 'get', 'find', 'which', 'what', 'who', 'return'].includes(first);
  extractDates(items, intent);
  extractTexts(items, intent, question);
  extractRank(items, intent);
  extractCompares(items, intent);
  extractAggregates(items, intent);
  extractOrder(items, intent);
  extractGroups(items, intent);
  extractValues(items, intent);
  extractBooleans(items, intent);
  extractGuessedValues(items, intent, question);
  extractPresence(items, intent);

  // "which countries …", "distinct cities", "list the different genres": distinct values of a column.
  for (let i = 0; i < items.length; i++) {
    const item = items.at(i)!;
    if (item.used || item.fields.length === 0) continue;
    const before = items.text(i - 1);
    const plural = item.tokens[item.tokens.length - 1]!.raw.toLowerCase().endsWith('s');
    const distinctCue = ['distinct', 'unique', 'different'].includes(before);
    // "list the countries" is distinct values; "list the names and emails" is columns.
    const naming = item.fields.some((f) => NAMING.has(f.field.stems[f.field.stems.length - 1]!)) || items.text(i + 1) === 'and';
    // "which countries …" asks for the distinct values; "list the grades of students" lists every row's, as asked.
    const whichCue = ['which', 'what'].includes(before) && plural && !naming;
    const noTable = item.tables.length === 0 || (item.tables[0]!.score < item.fields[0]!.score);
    if ((distinctCue || whichCue) && noTable && intent.aggregates.length === 0 && intent.rank === null) {
      intent.distinct = item;
      item.used = true;
      if (distinctCue) items.use(i - 1, 1);
      break;
    }
  }

  intent.contentWords = items.list.filter((item) => items.linked(items.list.indexOf(item)) || (item.tokens[0]!.kind === 'word' && !STOPWORDS.has(item.text) && !FUNCTIONAL.has(item.text))).length;
  extractRelated(items, intent);
  intent.unreadLogic = items.list.filter((item) => !item.used && LOGIC_WORDS.has(item.text)).length;
  intent.unknownVerbs = items.list.filter((item) => !item.used && !items.linked(items.list.indexOf(item)) && item.tokens[0]!.kind === 'word' && looksLikeVerb(item.text) && !STOPWORDS.has(item.text) && !FUNCTIONAL.has(item.text)).length;
  for (const item of items.list) {
    if (item.used) continue;
    // "the states of all votes": a column named better than any table is a column.
    const columnFirst = item.fields.length > 0 && item.tables.length > 0 && item.fields[0]!.score > item.tables[0]!.score;
    if (item.tables.length > 0 && !columnFirst) {
      intent.tables.push(item);
      // "the names of conductors and the orchestras they conducted": a table listed after "and" is shown by its name.
      const at = items.list.indexOf(item);
      let before = at - 1;
      while (['the', 'their', 'its', 'corresponding', 'respective', 'all'].includes(items.text(before))) before--;
      if (items.text(before) === 'and' && intent.tables.length > 1) intent.alongside.push(item);
    } else if (item.fields.length > 0) {
      intent.fields.push(item);
      const at = items.list.indexOf(item);
      if (joinedByAnd(items, at)) intent.alongside.push(item);
    }
    else if (item.tokens[0]!.kind === 'word' && !STOPWORDS.has(item.text) && !FUNCTIONAL.has(item.text)) intent.unknown.push(item.tokens[0]!.raw);
    else if (item.tokens[0]!.kind === 'quoted' || item.tokens[0]!.kind === 'number') intent.unknown.push(item.tokens[0]!.raw);
  }
  return intent;
}

const RELATIVE_WORDS = new Set(['who', 'that', 'which', 'with', 'have', 'has', 'had', 'did', 'does', 'do', 'whose', 'without']);
const QUANTIFIERS = new Set(['any', 'some', 'a', 'an', 'no']);
const NEGATING = new Set(['not', "n't", 'never', 'no', 'without', 'none']);

/**
 * "dogs that went through any treatment", "professionals who did not perform any treatment":
 * a table named after a relative clause, with a quantifier (or a negation), qualifies the
 * subject's rows by the existence of its rows instead of joining them in.
 */
function extractRelated(items: Items, intent: Intent): void {
  let subjectSeen = false;
  for (let i = 0; i < items.length; i++) {
    const item = items.at(i)!;
    if (item.tables.length === 0 || (item.fields.length > 0 && item.fields[0]!.score > item.tables[0]!.score)) continue;
    if (!subjectSeen) {
      subjectSeen = true;
      continue;
    }
    if (item.used) continue;
    const window = items.list.slice(Math.max(0, i - 7), i).map((it) => it.text);
    const relative = window.some((w) => RELATIVE_WORDS.has(w));
    const negated = window.some((w) => NEGATING.has(w));
    const quantified = QUANTIFIERS.has(items.text(i - 1)) || (items.text(i - 1) === 'through' && QUANTIFIERS.has(items.text(i - 2)));
    if (!relative || !(quantified || negated)) continue;
    // A comparison or count in between ("with more than 2 treatments") is a count, read elsewhere.
    if (window.some((w) => ['than', 'least', 'most', 'more', 'fewer'].includes(w))) continue;
    intent.related.push({ item, present: !negated });
    item.used = true;
    for (let k = Math.max(0, i - 7); k < i; k++) if (NEGATING.has(items.text(k))) items.use(k, 1);
  }
}

/** "X and the number of …", "… and X": a column listed beside something else. */
function joinedByAnd(items: Items, at: number): boolean {
  let after = at + 1;
  while (['of', 'the', 'their', 'its', 'each', 'all'].includes(items.text(after)) || items.at(after)?.tables.length) after++;
  let before = at - 1;
  while (['the', 'their', 'its', 'corresponding', 'respective'].includes(items.text(before))) before--;
  return items.text(after) === 'and' || items.text(after) === ',' || items.text(before) === 'and' || items.text(before) === ',';
}

/** A rough part-of-speech test: English verb forms ("living", "performed", "lives", "went"). */
function looksLikeVerb(word: string): boolean {
  return /(?:ed|ing)$/.test(word) || COMMON_VERBS.has(word);
}
const COMMON_VERBS = new Set(['go', 'goes', 'went', 'gone', 'live', 'lives', 'own', 'owns', 'teach', 'teaches', 'taught', 'take', 'takes', 'took', 'give', 'gives', 'gave', 'get', 'gets', 'got', 'make', 'makes', 'play', 'plays', 'work', 'works', 'stand', 'stands', 'belong', 'belongs', 'offer', 'offers', 'win', 'won', 'lose', 'lost', 'buy', 'bought', 'sell', 'sold', 'operate', 'operates', 'perform', 'performs', 'treat', 'treats', 'visit', 'visits', 'attend', 'attends', 'enroll', 'enrolls', 'hold', 'holds', 'held', 'run', 'runs', 'ran', 'serve', 'serves', 'cause', 'causes', 'happen', 'happens', 'tell']);

const LOGIC_WORDS = new Set(['not', 'no', 'never', 'without', 'both', 'but', 'except', 'than', 'each', 'every', 'per', 'any', 'same', 'also', 'or', 'neither', 'nor', 'only', 'least', 'most', 'more', 'less', 'fewer', 'all', 'either', 'none', 'another', 'other', 'those', 'who', 'whose', 'which', 'that', 'have', 'has', 'had']);

const NAMING = new Set(['name', 'titl', 'email', 'phone', 'address', 'usernam', 'descript']);

/** Words that steer the reading without naming anything (never "unknown"). */
const FUNCTIONAL = new Set(
  (
    'many much number count total sum average avg mean maximum max minimum min highest lowest largest smallest biggest ' +
    'greatest most least top bottom first per by each every sort sorted order ordered ascending descending alphabetically ' +
    'grouped group broken break down split only just now instead also same but except excluding named called titled ' +
    'containing contains contain starting starts start beginning begins ending ends end like equal equals exactly come ' +
    'comes came live lives located based whole entire overall altogether everything again one are is were was there ' +
    'have has had do does did be been made make makes exist exists existing available registered stored recorded sold ' +
    'bought purchased issued placed created belong belongs belonging listed included contained appear appears ' +
    'records rows entries items results values data table database dataset want need know substring'
  ).split(' '),
);
