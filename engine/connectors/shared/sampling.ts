/**
 * Which columns get sample values in metadata, for every SQL store alike.
 * Sampling reads data, so it is bounded by rules rather than by table count:
 *
 * - only tables (and materialized views) of at most `maxTableBytes` on disk,
 *   which the login may read, are sampled: a scan of one stays cheap;
 * - in each, up to `maxColumnsPerTable` short text columns (text, enums,
 *   varchar/char of at most `maxDeclaredLength` characters), the ones whose
 *   names say they hold categories first (country, status, genre…) and ones
 *   that hold one-off or personal values (email, phone, address…) last, so
 *   value linking ("customers from Brazil") finds what people filter on;
 * - at most `maxColumns` columns per document, in schema and table order;
 * - each gives up to `maxValues` distinct non-null values of at most
 *   `maxValueLength` characters, in sorted order;
 * - all of it runs as one statement with a `timeoutMs` limit: if that runs
 *   out, the document simply has no samples.
 */
export const SAMPLE_RULES = {
  maxTableBytes: 2 * 1024 * 1024,
  maxColumnsPerTable: 5,
  maxColumns: 100,
  maxValues: 20,
  maxValueLength: 100,
  maxDeclaredLength: 256,
  timeoutMs: 2_000,
} as const;

export interface SampleCandidateTable<C> {
  /** Size on disk; null when unknown (then the table is not sampled). */
  sizeBytes: number | null;
  readable: boolean;
  columns: C[];
}

const CATEGORICAL = /(^|_|[a-z])(country|state|province|region|city|status|state|type|kind|category|genre|gender|department|role|title|tier|level|segment|channel|currency|language|format|media|class|group|brand)s?($|_|[A-Z])/i;
const ONE_OFF = /(e_?mail|phone|fax|address|postal|zip|street|url|website|description|comment|note|password|hash|token|first_?name|last_?name|company)/i;

/** Higher first: category-like names, then the rest, then one-off or personal values. */
export function sampleRank(name: string): number {
  if (ONE_OFF.test(name)) return 0;
  return CATEGORICAL.test(name) ? 2 : 1;
}

/** The columns to sample, following SAMPLE_RULES, as [table index, column] pairs. */
export function pickSampleColumns<C extends { name: string }>(tables: SampleCandidateTable<C>[], isShortText: (column: C) => boolean): Array<[number, C]> {
  const picked: Array<[number, C]> = [];
  tables.forEach((table, index) => {
    if (!table.readable || table.sizeBytes === null || table.sizeBytes > SAMPLE_RULES.maxTableBytes) return;
    // Stable sort: within a rank, column order decides.
    const candidates = table.columns.filter(isShortText).sort((a, b) => sampleRank(b.name) - sampleRank(a.name));
    for (const column of candidates.slice(0, SAMPLE_RULES.maxColumnsPerTable)) {
      if (picked.length >= SAMPLE_RULES.maxColumns) return;
      picked.push([index, column]);
    }
  });
  return picked;
}
