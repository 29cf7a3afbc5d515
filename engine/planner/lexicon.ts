import { z } from 'zod';
import builtInSynonyms from './data/synonyms.json' with { type: 'json' };
import { stem } from './text';

/**
 * Groups of words that mean the same thing in a schema ("customer", "client",
 * "buyer"). Each group's first word is its name; a question word and a table
 * or column word link when they share a group. Matching by synonym scores
 * below an exact (stemmed) match.
 */
export const SynonymGroupsSchema = z.array(z.array(z.string().trim().min(1)).min(2));
export type SynonymGroups = z.infer<typeof SynonymGroupsSchema>;

/** The built-in groups (engine/planner/data/synonyms.json), checked when first read. */
const SynonymFileSchema = z.object({ $comment: z.string().optional(), groups: SynonymGroupsSchema });

/** Extra words a source brings to the planner: its own synonym groups, merged over the built-in ones. */
export interface LexiconExtension {
  synonyms: SynonymGroups;
}

/** stem → names of the groups it belongs to. */
function groupsByStem(groups: SynonymGroups): Map<string, string[]> {
  const byStem = new Map<string, string[]>();
  for (const group of groups) {
    const name = stem(group[0]!.toLowerCase());
    for (const word of group) {
      const s = stem(word.toLowerCase());
      const list = byStem.get(s) ?? [];
      if (!list.includes(name)) list.push(name);
      byStem.set(s, list);
    }
  }
  return byStem;
}

/**
 * Which words mean the same thing: the built-in groups, plus a source's own.
 * A source's group links words through the schema index built from the
 * built-in groups alone: a question word reaches every table or column named
 * by a word of its groups.
 */
export class Lexicon {
  private readonly groups: Map<string, string[]>;
  /** stem → stems of the words sharing a group with it, from the source's groups only. */
  private readonly extraMembers: Map<string, string[]>;

  constructor(builtIn: SynonymGroups, extra: SynonymGroups = []) {
    this.groups = groupsByStem([...builtIn, ...extra]);
    this.extraMembers = new Map();
    for (const group of extra) {
      const stems = group.map((w) => stem(w.toLowerCase()));
      for (const s of stems) this.extraMembers.set(s, [...new Set([...(this.extraMembers.get(s) ?? []), ...stems])]);
    }
  }

  /** The synonym groups a stemmed word belongs to (its own stem when none). */
  conceptsOf(wordStem: string): string[] {
    return this.groups.get(wordStem) ?? [wordStem];
  }

  /** Keys of the schema index (built from the built-in groups) under which names meaning `wordStem` are filed. */
  indexKeysOf(wordStem: string): string[] {
    const members = this.extraMembers.get(wordStem);
    if (!members) return this.conceptsOf(wordStem);
    return [...new Set([wordStem, ...members].flatMap((s) => BUILT_IN.conceptsOf(s)))];
  }

  /** Whether two stemmed words mean the same thing (equal, or in a shared synonym group). */
  synonymous(a: string, b: string): boolean {
    if (a === b) return true;
    const ga = this.groups.get(a);
    const gb = this.groups.get(b);
    return ga !== undefined && gb !== undefined && ga.some((g) => gb.includes(g));
  }

  /** This lexicon with a source's groups added (itself when there are none); null when a group is not two words or more. */
  extendedWith(extension: LexiconExtension | undefined): Lexicon | null {
    if (!extension || extension.synonyms.length === 0) return this;
    const cached = extended.get(extension);
    if (cached) return cached;
    const groups = SynonymGroupsSchema.safeParse(extension.synonyms);
    if (!groups.success) return null;
    const lexicon = new Lexicon(builtInGroups, groups.data);
    extended.set(extension, lexicon);
    return lexicon;
  }
}

const builtInGroups = SynonymFileSchema.parse(builtInSynonyms).groups;
const extended = new WeakMap<LexiconExtension, Lexicon>();

/** The planner's built-in lexicon (engine/planner/data/synonyms.json). */
export const BUILT_IN = new Lexicon(builtInGroups);

/** The built-in synonym groups a stemmed word belongs to (its own stem when none). */
export function conceptsOf(wordStem: string): string[] {
  return BUILT_IN.conceptsOf(wordStem);
}

/** Whether two stemmed words mean the same thing in the built-in lexicon. */
export function synonymous(a: string, b: string): boolean {
  return BUILT_IN.synonymous(a, b);
}

/** Words that never name a table, a column or a value on their own. */
export const STOPWORDS = new Set(
  (
    'a an the of for in on at by with to from and or is are was were be been being do does did done have has had ' +
    'what which who whom whose where when how many much there their them they it its this that these those ' +
    'me my i we our you your us please show list give get find display tell return see view ' +
    'all each every any some per than then as into about over under not no only just also ' +
    'can could would should will shall may might must let lets let\'s now so such same other ' +
    'sum average avg mean most least more less top bottom ' +
    'between since before after during until within up down out off across among via ' +
    'exist exists existing available different distinct unique'
  ).split(' '),
);

/** Words that carry meaning for the planner even when they do not link to the schema. */
export const FUNCTION_WORDS = new Set(
  (
    'how many much number count total sum average avg mean maximum max minimum min highest lowest largest smallest ' +
    'biggest greatest most least top bottom first per by each every for in of from with where whose which what who ' +
    'is are was were do does did have has the a an and or than greater more less fewer over under above below ' +
    'between after before since until during list show give display find get tell me all there sort sorted order ' +
    'ordered ascending descending asc desc alphabetically grouped group broken break down split it them only just ' +
    'now what about how instead also same but not except excluding other named called titled containing contains ' +
    'contain starting starts start beginning begins ending ends end like equal equals exactly at least most ' +
    'distinct unique different come live located based their its this that these those to please can you i we our ' +
    'my be been being on again whole entire overall altogether everything in a be also each one'
  ).split(' '),
);

export type Direction = 'asc' | 'desc';

/**
 * Adjectives that point at a kind of column and a direction: "10 cheapest
 * tracks", "the longest song", "tracks longer than 5 minutes".
 */
export const ADJECTIVES: Record<string, { concept: Concept; direction: Direction }> = {
  expensive: { concept: 'price', direction: 'desc' },
  pricey: { concept: 'price', direction: 'desc' },
  pricier: { concept: 'price', direction: 'desc' },
  priciest: { concept: 'price', direction: 'desc' },
  costly: { concept: 'price', direction: 'desc' },
  cheap: { concept: 'price', direction: 'asc' },
  cheaper: { concept: 'price', direction: 'asc' },
  cheapest: { concept: 'price', direction: 'asc' },
  inexpensive: { concept: 'price', direction: 'asc' },
  long: { concept: 'length', direction: 'desc' },
  longer: { concept: 'length', direction: 'desc' },
  longest: { concept: 'length', direction: 'desc' },
  lengthy: { concept: 'length', direction: 'desc' },
  short: { concept: 'length', direction: 'asc' },
  shorter: { concept: 'length', direction: 'asc' },
  shortest: { concept: 'length', direction: 'asc' },
  big: { concept: 'size', direction: 'desc' },
  bigger: { concept: 'size', direction: 'desc' },
  biggest: { concept: 'size', direction: 'desc' },
  large: { concept: 'size', direction: 'desc' },
  larger: { concept: 'size', direction: 'desc' },
  largest: { concept: 'size', direction: 'desc' },
  heavy: { concept: 'size', direction: 'desc' },
  heaviest: { concept: 'size', direction: 'desc' },
  small: { concept: 'size', direction: 'asc' },
  smaller: { concept: 'size', direction: 'asc' },
  smallest: { concept: 'size', direction: 'asc' },
  newest: { concept: 'recency', direction: 'desc' },
  newer: { concept: 'recency', direction: 'desc' },
  latest: { concept: 'recency', direction: 'desc' },
  recent: { concept: 'recency', direction: 'desc' },
  earliest: { concept: 'recency', direction: 'asc' },
  oldest: { concept: 'age', direction: 'desc' },
  older: { concept: 'age', direction: 'desc' },
  youngest: { concept: 'age', direction: 'asc' },
  younger: { concept: 'age', direction: 'asc' },
  populous: { concept: 'population', direction: 'desc' },
};

/** Kinds of column an adjective or a unit points at. */
export type Concept = 'price' | 'length' | 'size' | 'recency' | 'age' | 'revenue' | 'quantity' | 'population';

/** Column-name stems that carry each concept, best first. */
export const CONCEPT_STEMS: Record<Concept, string[]> = {
  price: ['price', 'cost', 'fee', 'rate', 'amount', 'total'],
  length: ['millisecond', 'ms', 'durat', 'length', 'runtim', 'second', 'minut', 'second'],
  size: ['byte', 'size', 'weight', 'volum'],
  recency: ['date', 'time', 'timestamp', 'creat', 'modifi', 'updat', 'hire', 'last'],
  age: ['birth', 'birthdat', 'dob', 'born'],
  revenue: ['revenu', 'sale', 'total', 'amount', 'incom', 'payment', 'price'],
  quantity: ['quantiti', 'qty', 'unit', 'count'],
  population: ['popul', 'pop'],
};

/** Units after a number: the concept they imply and the factor to the column's own unit. */
export const UNITS: Record<string, { concept: Concept; unit: 'ms' | 's' | 'min' | 'h' | 'money' | 'byte'; factor: number }> = {
  ms: { concept: 'length', unit: 'ms', factor: 1 },
  millisecond: { concept: 'length', unit: 'ms', factor: 1 },
  second: { concept: 'length', unit: 's', factor: 1 },
  sec: { concept: 'length', unit: 's', factor: 1 },
  s: { concept: 'length', unit: 's', factor: 1 },
  minut: { concept: 'length', unit: 'min', factor: 1 },
  min: { concept: 'length', unit: 'min', factor: 1 },
  hour: { concept: 'length', unit: 'h', factor: 1 },
  dollar: { concept: 'price', unit: 'money', factor: 1 },
  usd: { concept: 'price', unit: 'money', factor: 1 },
  euro: { concept: 'price', unit: 'money', factor: 1 },
  eur: { concept: 'price', unit: 'money', factor: 1 },
  cent: { concept: 'price', unit: 'money', factor: 0.01 },
  $: { concept: 'price', unit: 'money', factor: 1 },
  '\u20ac': { concept: 'price', unit: 'money', factor: 1 },
  '\u00a3': { concept: 'price', unit: 'money', factor: 1 },
  byte: { concept: 'size', unit: 'byte', factor: 1 },
  kb: { concept: 'size', unit: 'byte', factor: 1024 },
  mb: { concept: 'size', unit: 'byte', factor: 1024 * 1024 },
  gb: { concept: 'size', unit: 'byte', factor: 1024 * 1024 * 1024 },
  megabyt: { concept: 'size', unit: 'byte', factor: 1024 * 1024 },
  kilobyt: { concept: 'size', unit: 'byte', factor: 1024 },
};

/** Milliseconds per unit, to convert "5 minutes" into a milliseconds or seconds column. */
export const DURATION_MS: Record<'ms' | 's' | 'min' | 'h', number> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000 };

export const MONTHS: Record<string, number> = {
  january: 1, jan: 1, february: 2, feb: 2, march: 3, mar: 3, april: 4, apr: 4, may: 5, june: 6, jun: 6,
  july: 7, jul: 7, august: 8, aug: 8, september: 9, sep: 9, sept: 9, october: 10, oct: 10, november: 11,
  nov: 11, december: 12, dec: 12,
};

export const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export const NUMBER_WORDS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11,
  twelve: 12, fifteen: 15, twenty: 20, fifty: 50, hundred: 100, dozen: 12,
};

export const BUCKET_WORDS: Record<string, 'day' | 'week' | 'month' | 'quarter' | 'year'> = {
  day: 'day', daily: 'day', date: 'day', week: 'week', weekly: 'week', month: 'month', monthly: 'month',
  quarter: 'quarter', quarterly: 'quarter', year: 'year', yearly: 'year', annual: 'year', annually: 'year',
};

/** Phrases about time relative to today: not answerable deterministically offline. */
export const RELATIVE_TIME = /\b(today|yesterday|tomorrow|(last|this|next|past|previous|current)\s+(\d+\s+)?(day|week|month|quarter|year|decade)s?|recently|ago)\b/i;

/** Questions that are not lookups at all. */
export const OUT_OF_SCOPE = /\b(why|predict|forecast|should i|recommend|explain why|correlat|regression|insert|update|delete|drop|create|alter|truncate|grant)\b/i;
