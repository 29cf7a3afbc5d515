/**
 * Which columns get sample values in metadata, for every SQL store alike.
 * Sampling reads data, so it is bounded by rules rather than by table count:
 *
 * - only tables (and materialized views) of at most `maxTableBytes` on disk,
 *   which the login may read, are sampled: a scan of one stays cheap;
 * - in each, the first `maxColumnsPerTable` short text columns (text, enums,
 *   varchar/char of at most `maxDeclaredLength` characters), in column order;
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

/** The columns to sample, following SAMPLE_RULES, as [table index, column] pairs. */
export function pickSampleColumns<C>(tables: SampleCandidateTable<C>[], isShortText: (column: C) => boolean): Array<[number, C]> {
  const picked: Array<[number, C]> = [];
  tables.forEach((table, index) => {
    if (!table.readable || table.sizeBytes === null || table.sizeBytes > SAMPLE_RULES.maxTableBytes) return;
    let inTable = 0;
    for (const column of table.columns) {
      if (picked.length >= SAMPLE_RULES.maxColumns || inTable >= SAMPLE_RULES.maxColumnsPerTable) return;
      if (!isShortText(column)) continue;
      picked.push([index, column]);
      inTable++;
    }
  });
  return picked;
}
