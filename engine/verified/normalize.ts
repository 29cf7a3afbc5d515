import { stemmer } from 'stemmer';

/**
 * Turning a question into the words that say what it asks, so two wordings
 * of one question compare equal: "How many albums are there?" and "number of
 * albums" both become `count album`. General English only (function words,
 * a few phrases with one meaning, plural and singular through the Porter
 * stemmer); nothing here names a table, a column or a value of any database.
 */

/** What a token is, for the similarity score: numbers must agree, "soft" words may differ. */
export type TokenClass = 'value' | 'soft' | 'content';

/** Phrases with one meaning, rewritten to one word before splitting (longest first where they overlap). */
const PHRASES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(?:how many|total number of|number of|count of|amount of)\b/g, ' count '],
  [/\b(?:how much|sum of|sum total of|total of)\b/g, ' total '],
  [/\b(?:for each|for every|grouped by|group by|broken down by|split by|per)\b/g, ' per '],
  [/\b(?:more than|greater than|larger than|bigger than|higher than|above|exceeding|over)\b/g, ' gt '],
  [/\b(?:less than|fewer than|smaller than|lower than|below|under)\b/g, ' lt '],
  [/\b(?:at least|no less than|no fewer than)\b/g, ' gte '],
  [/\b(?:at most|no more than|up to)\b/g, ' lte '],
  [/\bin total\b/g, ' total '],
];

/** Single words with one meaning here, mapped after lower-casing and before stemming. */
const SYNONYMS: Readonly<Record<string, string>> = {
  by: 'per',
  each: 'per',
  avg: 'average',
  mean: 'average',
  best: 'top',
  highest: 'top',
  largest: 'top',
  biggest: 'top',
  greatest: 'top',
  max: 'top',
  maximum: 'top',
  lowest: 'bottom',
  smallest: 'bottom',
  least: 'bottom',
  fewest: 'bottom',
  min: 'bottom',
  minimum: 'bottom',
  no: 'not',
  none: 'not',
  never: 'not',
  without: 'not',
  sum: 'total',
  overall: 'total',
};

/** English plurals the Porter stemmer does not bring back to their singular. */
const IRREGULAR_PLURALS: Readonly<Record<string, string>> = {
  people: 'person',
  children: 'child',
  men: 'man',
  women: 'woman',
  mice: 'mouse',
  geese: 'goose',
  feet: 'foot',
  teeth: 'tooth',
  indices: 'index',
  matrices: 'matrix',
  analyses: 'analysis',
  criteria: 'criterion',
  phenomena: 'phenomenon',
};

/**
 * Function words that do not change what is asked. Negation, comparison,
 * order and set words (not, only, before, after, than, or, both, first,
 * last, from, to, between) are deliberately absent: they change the answer.
 */
const STOP_WORDS: ReadonlySet<string> = new Set(
  `a an the this that these those there here it its it's they them their theirs i me my we us our you your he him his she her
   is are was were be been being am do does did doing have has had having can could would should will shall may might must
   what which who whom whose where when how why
   show list give display find get tell return retrieve fetch see view print provide name names please kindly want need know like
   of in on at for with into onto about as and all any every some also just really currently now today
   s t`
    .split(/\s+/)
    .filter(Boolean),
);

/** Words whose presence rarely changes the result ("total revenue" is "revenue"); a difference in them lowers the score a little. */
const SOFT_WORDS: ReadonlySet<string> = new Set(['total', 'entire', 'whole', 'full', 'complete', 'altogether', 'exact', 'exactly', 'actual', 'actually']);

const NUMBER = /^\p{N}+(?:\.\p{N}+)?$/u;
const WORD = /\p{N}+(?:\.\p{N}+)?|\p{L}[\p{L}\p{N}]*/gu;

export interface QuestionToken {
  stem: string;
  kind: TokenClass;
}

/** "statuses" -> "status", "buses" -> "bus": the stemmer would otherwise keep their "e". */
function singularOf(word: string): string {
  const irregular = IRREGULAR_PLURALS[word];
  if (irregular) return irregular;
  return /(?:ss|us)es$/.test(word) ? word.slice(0, -2) : word;
}

function classify(word: string): TokenClass {
  if (NUMBER.test(word)) return 'value';
  return SOFT_WORDS.has(word) ? 'soft' : 'content';
}

/**
 * The question's meaningful words, in order, stemmed, each once (a repeated
 * word adds nothing to what is asked).
 */
export function questionTokens(question: string): QuestionToken[] {
  let text = question
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/\b(?:can['’]t|cannot)\b/g, 'can not')
    .replace(/\bwon['’]t\b/g, 'will not')
    .replace(/n['’]t\b/g, ' not')
    .replace(/['’]s\b/g, ' ');
  for (const [pattern, replacement] of PHRASES) text = text.replace(pattern, replacement);
  const seen = new Set<string>();
  const tokens: QuestionToken[] = [];
  for (const raw of text.match(WORD) ?? []) {
    const word = SYNONYMS[raw] ?? raw;
    if (STOP_WORDS.has(word)) continue;
    const kind = classify(word);
    const stem = kind === 'value' ? word : stemmer(singularOf(word));
    if (seen.has(stem)) continue;
    seen.add(stem);
    tokens.push({ stem, kind });
  }
  return tokens;
}

/** The normalised question: its stems in order, joined by one space ('' when no word is left). */
export function normalizeQuestion(question: string): string {
  return questionTokens(question)
    .map((t) => t.stem)
    .join(' ');
}
