import { stemmer } from 'stemmer';

export type TokenKind = 'word' | 'number' | 'quoted' | 'symbol' | 'isodate';

export interface Token {
  /** As typed. */
  raw: string;
  /** Lower case, accents removed: what value linking compares. */
  norm: string;
  stem: string;
  kind: TokenKind;
  /** Numbers (and years). */
  value: number | null;
  /** Typed with a capital letter (a hint that it names a value). */
  capitalised: boolean;
  /** Where it is in the question (quotes excluded for quoted text). */
  start: number;
  end: number;
}

/** Lower case, no accents, only letters and digits separated by single spaces. */
export function normalise(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const stemCache = new Map<string, string>();

/** Porter stem, cached (the planner stems the same few hundred words over and over). */
export function stem(word: string): string {
  let hit = stemCache.get(word);
  if (hit === undefined) {
    // Porter stems "status" to "statu" but "statuses" to "status": stem the singular so both agree.
    hit = stemmer(singular(word));
    if (stemCache.size < 50_000) stemCache.set(word, hit);
  }
  return hit;
}

/** English singular of a plural word, good enough for names ("breeds" → "breed", "countries" → "country"). */
export function singular(word: string): string {
  if (word.length <= 3) return word;
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (/(sses|uses|xes|ches|shes|zzes)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s') && !/(ss|us|is)$/.test(word)) return word.slice(0, -1);
  return word;
}

/**
 * Splits an identifier into lower-case words: InvoiceLine, invoice_line,
 * billingCountry, "location.address.zipcode", HTTPStatus.
 */
export function splitName(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([a-zA-Z])([0-9])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

const TOKEN_PATTERN = new RegExp(
  [
    String.raw`"([^"]*)"`,
    String.raw`\u201c([^\u201d]*)\u201d`,
    // A quote only after a space or at the start, so "customer's" stays a word.
    String.raw`(?:^|(?<=\s))'([^']*)'(?=\s|$|[.,;:?!)])`,
    String.raw`\u2018([^\u2019]*)\u2019`,
    String.raw`(\d{4}-\d{1,2}-\d{1,2}|\d{4}-\d{1,2}(?![\d-]))`,
    String.raw`(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\p{L}\d])`,
    String.raw`(>=|<=|!=|<>|[<>=$%\u20ac\u00a3])`,
    String.raw`([\p{L}\d]+(?:['\u2019][\p{L}]+)*)`,
  ].join('|'),
  'gu',
);

/** Splits a question into words, numbers, quoted strings, ISO dates and comparison symbols. */
export function tokenize(question: string): Token[] {
  const tokens: Token[] = [];
  // ``TeX-style quotes'' become plain double quotes of the same length, so positions still point into the question.
  const text = question.replace(/``/g, ' "').replace(/''(?=\s|$|[.,;:?!)])/g, '" ');
  for (const m of text.matchAll(TOKEN_PATTERN)) {
    const start = m.index;
    const end = start + m[0].length;
    const quoted = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (quoted !== undefined) {
      // Blanks inside the quotes are not part of the value; an empty quote is no value at all.
      const value = quoted.trim();
      if (value === '') continue;
      const lead = quoted.length - quoted.trimStart().length;
      tokens.push({ raw: value, norm: normalise(value), stem: '', kind: 'quoted', value: null, capitalised: true, start: start + 1 + lead, end: start + 1 + lead + value.length });
    } else if (m[5] !== undefined) {
      tokens.push({ raw: m[5], norm: m[5], stem: m[5], kind: 'isodate', value: null, capitalised: false, start, end });
    } else if (m[6] !== undefined) {
      const value = Number(m[6].replace(/,/g, ''));
      tokens.push({ raw: m[6], norm: String(value), stem: String(value), kind: 'number', value, capitalised: false, start, end });
    } else if (m[7] !== undefined) {
      tokens.push({ raw: m[7], norm: m[7], stem: m[7], kind: 'symbol', value: null, capitalised: false, start, end });
    } else if (m[8] !== undefined) {
      const raw = m[8];
      // A typed identifier ("BillingCountry") reads as its words.
      const camel = /\p{Ll}\p{Lu}/u.test(raw) && !/['\u2019]/.test(raw) ? splitName(raw).join(' ') : raw;
      const norm = normalise(camel.replace(/['\u2019]s$/i, ''));
      if (norm === '') continue;
      // Letters glued to a number ("5th", "10x") stay words; a bare run of digits was matched above.
      for (const part of norm.split(' ')) {
        tokens.push({ raw, norm: part, stem: stem(part), kind: 'word', value: null, capitalised: /^\p{Lu}/u.test(raw), start, end });
      }
    }
  }
  return tokens;
}

/** English plural of a label word, good enough for explanations ("country" → "countries"). */
export function plural(word: string): string {
  if (/[^s]s$/.test(word)) return word;
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}

/** Turns identifier words into a snake_case output label. */
export function labelOf(words: string[]): string {
  const label = words
    .join('_')
    .replace(/[^a-z0-9_]+/gi, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '')
    .toLowerCase();
  return label === '' ? 'value' : label;
}
