import path from 'node:path';

/** Extensions that say what a file holds rather than what it is about; they do not belong in a table name. */
const DATA_EXTENSIONS = /\.(csv|tsv|txt|tab|dat|json|ndjson|jsonl|geojson|parquet|pq|encrypted|gz|gzip|zst)$/i;

/**
 * A table name from a file name: lower case, letters, digits and underscores
 * only (letters of any script survive), so a model can write it unquoted.
 * `titanic.csv` -> `titanic`, `alltypes_plain.snappy.parquet` -> `alltypes_plain_snappy`.
 */
export function baseTableName(filePath: string): string {
  let name = path.basename(filePath);
  for (let i = 0; i < 4 && DATA_EXTENSIONS.test(name); i++) name = name.replace(DATA_EXTENSIONS, '');
  const clean = name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_]+/gu, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '')
    .slice(0, 60)
    .replace(/_$/, '');
  if (!clean) return 'file';
  return /^\p{N}/u.test(clean) ? `t_${clean}` : clean;
}

/**
 * Unique names for a list of files, in order: the first `example.csv` gets
 * `example`, the next `example_2`. Reserved SQL keywords get a `_file` suffix
 * so `select.csv` does not become a table every query must quote.
 */
export function assignTableNames(filePaths: readonly string[], reserved: ReadonlySet<string>): string[] {
  const taken = new Set<string>();
  return filePaths.map((filePath) => {
    let base = baseTableName(filePath);
    if (reserved.has(base)) base = `${base}_file`;
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
    taken.add(name);
    return name;
  });
}

/** A quoted DuckDB identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A DuckDB string literal. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
