import { stemmer } from 'stemmer';

/** Words that say nothing about which table a question is about. */
const STOP_WORDS = new Set(
  `a about above after again all also am an and any are as at be because been before being below between both but by can could
  did do does doing down during each few for from further get give had has have having he her here hers how i if in into is it its
  just let list me more most much my no nor not now of off on once only or other our out over own per please same she should show so
  some such than that the their them then there these they this those through to too under until up very was we were what when where
  which while who whom why will with would you your find tell many give display return rows row data table tables column columns`
    .split(/\s+/)
    .filter(Boolean),
);

/**
 * Splits an identifier or a sentence into lower-case stemmed terms:
 * "InvoiceLine_items2024" -> invoic, line, item; "customers from Brazil" ->
 * custom, brazil. Stop words and bare numbers are dropped.
 */
export function terms(text: string): string[] {
  // Schemas repeat the same column names thousands of times (id, name, created_at).
  const cached = text.length <= 64 ? memo.get(text) : undefined;
  if (cached) return cached;
  const out = split(text);
  if (text.length <= 64) {
    if (memo.size > 100_000) memo.clear();
    memo.set(text, out);
  }
  return out;
}

const memo = new Map<string, string[]>();

function split(text: string): string[] {
  const out: string[] = [];
  const words = text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9\u00c0-\uffff]+|(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])/);
  for (const word of words) {
    if (word.length < 2 || /^\d+$/.test(word) || STOP_WORDS.has(word)) continue;
    out.push(stem(word));
  }
  return out;
}

const cache = new Map<string, string>();

function stem(word: string): string {
  let s = cache.get(word);
  if (s === undefined) {
    s = stemmer(word);
    if (cache.size > 50_000) cache.clear();
    cache.set(word, s);
  }
  return s;
}
