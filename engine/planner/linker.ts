import { LONGEST_PLACE_WORDS, placesNamed } from './gazetteer';
import { BUILT_IN, STOPWORDS, conceptsOf, type Lexicon } from './lexicon';
import { isGeneric, type IndexedField, type IndexedTable, type SchemaIndex, type ValueEntry } from './schema-index';
import { stem, type Token } from './text';
import { lemmasOf, synonymsOf } from './wordnet';

export interface TableLink {
  table: IndexedTable;
  score: number;
}
export interface FieldLink {
  field: IndexedField;
  score: number;
}
export interface ValueLink extends ValueEntry {
  score: number;
  /** Spellings the column may hold when the value was recognised rather than seen ("USA" / "United States"). */
  spellings: string[] | null;
}

/**
 * One step of the question: a run of tokens that names tables, columns or
 * stored values (possibly several at once: resolved later with context), or
 * a single token that links to nothing.
 */
export interface Item {
  tokens: Token[];
  /** The span as typed ("AC/DC", "São Paulo"). */
  raw: string;
  /** Lower-case words of the span. */
  text: string;
  tables: TableLink[];
  fields: FieldLink[];
  values: ValueLink[];
  /** Consumed by some rule of the interpreter. */
  used: boolean;
}

const MAX_NAME_WORDS = 4;
/** Words run together to match a name ("high schoolers"): nearly as sure as the name itself. */
const JOINED_WORDS_FACTOR = 0.95;
/** Words inside a name that say nothing ("level_of_membership"). */
const NAME_FILLERS = new Set(['of', 'the', 'a', 'an', 'for', 'in', 'on', 'by', 'to']);
/** Words a column name adds to say what kind of value it holds ("email_address", "role_code", "cell_number"). */
const KIND_STEMS = new Set(['address', 'number', 'numb', 'code', 'type', 'name', 'date', 'time', 'id', 'flag', 'yn', 'statu', 'amount', 'count', 'text', 'descript', 'detail']);
/** Words a column name adds to say its unit or scale ("net_worth_millions", "share_pct"). */
const UNIT_STEMS = new Set(['million', 'millions', 'thousand', 'billion', 'pct', 'percent', 'percentag', 'usd', 'eur', 'gbp', 'kg', 'km', 'cm', 'mm', 'lb', 'ms', 'sec', 'min', 'hr', 'num', 'no', 'amt', 'val', 'valu']);
/** A quoted value found among a column's samples: typed on purpose, and seen there. */
const QUOTED_VALUE_SCORE = 0.97;
const DATE_HEADS = new Set(['date', 'time', 'timestamp', 'dt', 'on', 'at', 'year']);

/** Scores how well question words (stems) name something whose name is `stems` (with `core` the part after the table name). */
function nameScore(phrase: string[], stems: string[], core: string[] | null, lexicon: Lexicon): number {
  const synonymous = (a: string, b: string) => lexicon.synonymous(a, b);
  if (equal(phrase, stems)) return 1;
  if (core && core.length > 0 && equal(phrase, core)) return 0.95;
  if (phrase.length === stems.length && phrase.every((p, i) => synonymous(p, stems[i]!))) return 0.85;
  if (core && core.length > 0 && phrase.length === core.length && phrase.every((p, i) => synonymous(p, core[i]!))) return 0.82;
  // Joined words: "zipcode" for zip_code, "billingcountry".
  if (phrase.length === 1 && stems.length > 1 && phrase[0] === stems.join('')) return 0.9;
  if (phrase.length === 1 && stems.length > 1) {
    const head = stems[stems.length - 1]!;
    const rest = stems.slice(0, -1);
    // "hired" → hire_date, "born" → birth_date, "modified" → lastModified: the date is implied.
    if (DATE_HEADS.has(head) && rest.length === 1 && synonymous(phrase[0]!, rest[0]!)) return 0.78;
    // "country" → billing_country, "airlines" → air_airlines, "price" → unit_price.
    if (!isGeneric(head) && synonymous(phrase[0]!, head)) return phrase[0] === head ? 0.8 : 0.65;
    // "media" → media_type: the rest of the name says nothing.
    if (stems.slice(1).every(isGeneric) && synonymous(phrase[0]!, stems[0]!)) return phrase[0] === stems[0] ? 0.72 : 0.62;
    if (rest.every(isGeneric) && synonymous(phrase[0]!, head)) return 0.7;
  }
  // "years" for year_of_founded, "date" for date_of_treatment: the time word of a longer name.
  if (phrase.length === 1 && stems.length > 1 && DATE_HEADS.has(phrase[0]!) && phrase[0] !== 'on' && phrase[0] !== 'at' && stems.includes(phrase[0]!)) return 0.7;
  // "arrival date" for date_arrived: the same words in another order.
  const content = stems.filter((s) => !NAME_FILLERS.has(s));
  if (phrase.length > 1 && phrase.length === content.length && [...phrase].sort().join(' ') === [...content].sort().join(' ')) return 0.88;
  // "net worth" for net_worth_millions, "share" for share_pct: the rest of the name is a unit or a qualifier.
  if (phrase.length < stems.length && stems.slice(0, phrase.length).every((s, i) => s === phrase[i]) && stems.slice(phrase.length).every((s) => UNIT_STEMS.has(s) || isGeneric(s))) return 0.84;
  // "email" for email_address, "role" for role_code: the rest of the name says what kind of value it is.
  if (phrase.length < stems.length && stems.slice(0, phrase.length).every((s, i) => s === phrase[i]) && stems.slice(phrase.length).every((s) => KIND_STEMS.has(s))) return 0.8;
  // "invoice date" for invoice.invoice_date when said with the table's name.
  if (phrase.length >= 2 && stems.length >= 2 && phrase.length < stems.length) {
    const tail = stems.slice(stems.length - phrase.length);
    if (phrase.every((p, i) => synonymous(p, tail[i]!)) && !isGeneric(tail[tail.length - 1]!)) return 0.75;
  }
  return 0;
}

function equal(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** Tables and fields sharing a (synonym) word with the phrase: the only ones that can score. */
function candidates(index: SchemaIndex, phrase: string[], lexicon: Lexicon): { tables: Set<IndexedTable>; fields: Set<IndexedField> } {
  const tables = new Set<IndexedTable>();
  const fields = new Set<IndexedField>();
  for (const word of phrase) {
    for (const c of lexicon.indexKeysOf(word)) {
      const hit = index.byConcept.get(c);
      if (!hit) continue;
      for (const t of hit.tables) tables.add(t);
      for (const f of hit.fields) fields.add(f);
    }
  }
  return { tables, fields };
}

function linkTables(index: SchemaIndex, phrase: string[], lexicon: Lexicon): TableLink[] {
  const out: TableLink[] = [];
  for (const table of candidates(index, phrase, lexicon).tables) {
    const score = nameScore(phrase, table.stems, null, lexicon);
    if (score > 0) out.push({ table, score });
  }
  return out.sort((a, b) => b.score - a.score);
}

function linkFields(index: SchemaIndex, phrase: string[], tokens: Token[], lexicon: Lexicon): FieldLink[] {
  const out: FieldLink[] = [];
  const saysId = phrase.includes('id');
  const { fields: likely } = candidates(index, phrase, lexicon);
  const byTable = new Map<IndexedTable, IndexedField[]>();
  for (const f of likely) byTable.set(f.table, [...(byTable.get(f.table) ?? []), f]);
  for (const [table, fields] of byTable) {
    // "invoice total", "track length": the table's name as a modifier (singular), then the column's.
    // "tracks cost …" is a subject and a verb, not one column.
    const n = table.stems.length;
    const modifier = tokens[n - 1]?.raw.toLowerCase() ?? '';
    const singular = !modifier.endsWith('s') || modifier.endsWith('ss');
    // "inventory items" counts rows; "track length" names a column.
    const lastRaw = tokens[tokens.length - 1]?.raw.toLowerCase() ?? '';
    const headSingular = !lastRaw.endsWith('s') || lastRaw.endsWith('ss');
    const qualified = singular && headSingular && phrase.length > n && phrase.slice(0, n).every((p, i) => lexicon.synonymous(p, table.stems[i]!)) ? phrase.slice(n) : null;
    for (const field of fields) {
      if (field.key && !saysId) continue;
      let score = nameScore(phrase, field.stems, field.core, lexicon);
      if (qualified) score = Math.max(score, nameScore(qualified, field.stems, field.core, lexicon) * 0.98);
      if (score > 0) out.push({ field, score });
    }
  }
  return out.sort((a, b) => b.score - a.score);
}

/** Shared leading letters that make two words one root ("describ"/"descript", "depart"/"departur"). */
const ROOT_LENGTH = 6;
const ROOT_SCORE = 0.6;

/** Columns with a word of the same root as `wordStem`, when nothing links by name. */
function linkByRoot(index: SchemaIndex, wordStem: string): FieldLink[] {
  if (wordStem.length < ROOT_LENGTH) return [];
  const root = wordStem.slice(0, ROOT_LENGTH);
  const out: FieldLink[] = [];
  for (const table of index.tables) {
    for (const field of table.fields) {
      if (field.key) continue;
      if (field.stems.some((s) => s.length >= ROOT_LENGTH && s.startsWith(root) && !isGeneric(s))) out.push({ field, score: ROOT_SCORE });
    }
  }
  return out;
}

/** A base form ("taught" for teach, "living" for live): the same word, nearly as sure as its name. */
const BASE_FORM_FACTOR = 0.95;
/**
 * A general English synonym from WordNet ("pupil" for student): below every
 * name and every hand-made synonym group (0.62 and up), since a word's
 * WordNet senses are not always the schema's.
 */
const WORDNET_SYNONYM_FACTOR = 0.6;

function scaled<T extends { score: number }>(links: T[], factor: number): T[] {
  return links.map((l) => ({ ...l, score: l.score * factor }));
}

/** The best links of any of `stems` (one-word phrases), each link once at its best score. */
function linkAnyOf(index: SchemaIndex, stems: string[], token: Token, lexicon: Lexicon): { tables: TableLink[]; fields: FieldLink[] } {
  const tables = new Map<IndexedTable, number>();
  const fields = new Map<IndexedField, number>();
  for (const s of stems) {
    for (const l of linkTables(index, [s], lexicon)) tables.set(l.table, Math.max(l.score, tables.get(l.table) ?? 0));
    for (const l of linkFields(index, [s], [token], lexicon)) fields.set(l.field, Math.max(l.score, fields.get(l.field) ?? 0));
  }
  const byScore = (a: { score: number }, b: { score: number }) => b.score - a.score;
  return {
    tables: [...tables].map(([table, score]) => ({ table, score })).sort(byScore),
    fields: [...fields].map(([field, score]) => ({ field, score })).sort(byScore),
  };
}

/**
 * A single word that names nothing as typed: its base form ("taught" →
 * teach), then a column of the same root ("described" → description), then
 * a WordNet synonym of it ("pupils" → student), each weaker than the last.
 */
function linkUnnamedWord(index: SchemaIndex, token: Token, lexicon: Lexicon): { tables: TableLink[]; fields: FieldLink[] } {
  const bases = [...new Set(lemmasOf(token.norm).map((w) => stem(w)))].filter((s) => s !== token.stem);
  const byBase = linkAnyOf(index, bases, token, lexicon);
  if (byBase.tables.length + byBase.fields.length > 0) return { tables: scaled(byBase.tables, BASE_FORM_FACTOR), fields: scaled(byBase.fields, BASE_FORM_FACTOR) };
  const byRoot = linkByRoot(index, token.stem);
  if (byRoot.length > 0) return { tables: [], fields: byRoot };
  const synonyms = [...new Set(synonymsOf(token.norm, 'noun').map((w) => stem(w)))].filter((s) => s !== token.stem);
  const bySynonym = linkAnyOf(index, synonyms, token, lexicon);
  return { tables: scaled(bySynonym.tables, WORDNET_SYNONYM_FACTOR), fields: scaled(bySynonym.fields, WORDNET_SYNONYM_FACTOR) };
}

/** Columns whose values name single rows: a value of one says nothing about another (a genre named Rock, a track named Rock). */
const NAMING_HEADS = new Set(['name', 'titl', 'label', 'descript', 'comment', 'note', 'email', 'phone', 'address', 'username', 'code']);

function linkValues(index: SchemaIndex, tokens: Token[], raw: string): ValueLink[] {
  const key = tokens.map((t) => t.norm).join(' ');
  const out: ValueLink[] = [];
  // A stored value typed as is (capitals, several words) is surely meant; a lone lower-case word less so.
  const typedAsStored = tokens.every((t) => t.capitalised) || tokens.length > 1;
  for (const e of index.values.get(key) ?? []) out.push({ ...e, score: typedAsStored ? 0.95 : 0.8, spellings: null });
  // "sales support agents" for the stored "Sales Support Agent".
  if (out.length === 0) for (const e of index.stemmedValues.get(tokens.map((t) => t.stem).join(' ')) ?? []) out.push({ ...e, score: 0.85, spellings: null });
  // The same kind of column elsewhere, unsampled: "Brazil" seen in invoice.billing_country is also a customer.country.
  for (const seen of [...out]) {
    const head = seen.field.stems[seen.field.stems.length - 1];
    for (const table of index.tables) {
      for (const field of table.fields) {
        if (field === seen.field || !field.text || field.key || field.samples.length > 0 || field.stems[field.stems.length - 1] !== head || NAMING_HEADS.has(head!)) continue;
        if (!out.some((o) => o.field === field)) out.push({ field, value: seen.value, score: seen.score * 0.9, spellings: null });
      }
    }
  }
  // Countries and states by name, in whichever column holds places of that kind.
  for (const place of placesNamed(key, raw)) {
    const heads = place.kind === 'country' ? ['countri', 'nation'] : ['state', 'provinc', 'region'];
    for (const table of index.tables) {
      for (const field of table.fields) {
        if (!field.text || field.key || !heads.includes(field.stems[field.stems.length - 1]!) || out.some((o) => o.field === field)) continue;
        const stored = field.samples.find((v) => typeof v === 'string' && place.spellings.some((s) => s.toLowerCase() === v.toLowerCase()));
        if (stored !== undefined) out.push({ field, value: String(stored), score: 0.9, spellings: null });
        else out.push({ field, value: place.spellings[0]!, score: field.samples.length > 0 ? 0.5 : 0.75, spellings: place.spellings.length > 1 ? place.spellings : null });
      }
    }
  }
  return out;
}

/** A function word; but "US", "IT" or a lone "A" mid-question typed in capitals are names. */
function isStop(token: Token, first = false): boolean {
  // "US", "IT" typed in capitals are names, not words.
  return token.kind === 'word' && STOPWORDS.has(token.norm) && !(token.raw === token.raw.toUpperCase() && (token.raw.length > 1 || !first));
}

/**
 * Cuts the question into items, longest match first: a span links when it
 * names a table, a column or a stored value. Quoted text, numbers and dates
 * are always their own items.
 */
export function link(index: SchemaIndex, tokens: Token[], question: string, lexicon: Lexicon = BUILT_IN): Item[] {
  const items: Item[] = [];
  const maxSpan = Math.max(MAX_NAME_WORDS, index.maxValueWords, LONGEST_PLACE_WORDS);
  const rawOf = (span: Token[]) => question.slice(span[0]!.start, span[span.length - 1]!.end);
  let i = 0;
  while (i < tokens.length) {
    const first = tokens[i]!;
    let best: Item | null = null;
    if (first.kind === 'word' && !isStop(first, i === 0)) {
      for (let n = Math.min(maxSpan, tokens.length - i); n >= 1 && best === null; n--) {
        const span = tokens.slice(i, i + n);
        if (span.some((t) => t.kind !== 'word')) continue;
        if (isStop(span[span.length - 1]!)) continue;
        const phrase = span.map((t) => t.stem);
        const values = linkValues(index, span, rawOf(span));
        let tables = n <= MAX_NAME_WORDS ? linkTables(index, phrase, lexicon) : [];
        let fields = n <= MAX_NAME_WORDS ? linkFields(index, phrase, span, lexicon) : [];
        if (n === 1 && tables.length + fields.length === 0 && values.length === 0 && !STOPWORDS.has(span[0]!.norm)) ({ tables, fields } = linkUnnamedWord(index, span[0]!, lexicon));
        // "high schoolers" for Highschooler, "home town" for hometown: words the schema writes as one.
        if (n > 1 && n <= 3 && tables.length + fields.length === 0) {
          const joined = [stem(span.map((t) => t.norm).join(''))];
          tables = linkTables(index, joined, lexicon).map((t) => ({ ...t, score: t.score * JOINED_WORDS_FACTOR }));
          fields = linkFields(index, joined, span.slice(-1), lexicon).map((f) => ({ ...f, score: f.score * JOINED_WORDS_FACTOR }));
        }
        if (values.length + tables.length + fields.length === 0) continue;
        best = { tokens: span, raw: rawOf(span), text: span.map((t) => t.norm).join(' '), tables, fields, values, used: false };
      }
    }
    // Quoted text is one value as typed: it links to the columns whose sampled values hold it.
    if (best === null && first.kind === 'quoted') {
      const values = (index.values.get(first.norm) ?? []).map((e) => ({ ...e, score: QUOTED_VALUE_SCORE, spellings: null }));
      best = { tokens: [first], raw: first.raw, text: first.norm, tables: [], fields: [], values, used: false };
    }
    if (best === null) best = { tokens: [first], raw: rawOf([first]), text: first.norm, tables: [], fields: [], values: [], used: false };
    items.push(best);
    i += best.tokens.length;
  }
  return items;
}

/** Synonym concepts of the words of an item (for cue matching on linked words too). */
export function itemConcepts(item: Item): string[] {
  return item.tokens.flatMap((t) => conceptsOf(t.stem));
}

const REVENUE_STEMS = new Set(['revenu', 'sale', 'incom', 'turnov', 'earn', 'spend', 'spent', 'money', 'payment', 'amount']);

/** Words that mean money coming in ("revenue", "sales", "spent"): summed, and computed from line items where needed. */
export function isRevenueItem(item: Item | null): boolean {
  return item !== null && item.tokens.some((t) => REVENUE_STEMS.has(t.stem));
}
