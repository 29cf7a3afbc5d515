/**
 * Execution match: does a result answer like the gold result? The rule of
 * nl2sql/spider-dev11's README, as a pure function:
 *
 * - rows are a multiset; column order does not matter (columns are matched by
 *   permutation); row order counts only when `ordered`;
 * - numbers are rounded to 2 decimals, so an integer and a float (or a driver's
 *   numeric or bigint text) are equal when their rounded values are; strings are
 *   trimmed; timestamps compare as `YYYY-MM-DD HH:MM:SS`; NULL equals NULL;
 * - a result whose extra columns surround the gold columns is a `superset`,
 *   reported apart from an `exact` match.
 *
 * Ordered results may order tied rows differently: the ORDER BY key is not
 * known here, so when no single column explains the gold order strictly, a
 * result sorted the same way on a column the gold is sorted on (with ties) is
 * accepted. Picking a different row among ties under a LIMIT cannot be told
 * from a wrong row and stays a mismatch.
 */

export type MatchOutcome = 'exact' | 'superset' | 'mismatch';

export interface MatchResult {
  outcome: MatchOutcome;
  /** In plain words: what matched, or the first difference found. */
  why: string;
}

export interface MatchInput {
  gold: readonly (readonly unknown[])[];
  actual: readonly (readonly unknown[])[];
  ordered: boolean;
}

const DECIMALS = 2;
/** Assignments tried before giving up on a column permutation (only pathological results get near it). */
const SEARCH_BUDGET = 20_000;
const NULL_KEY = 'z';
const NUMERIC_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const INTEGER_TEXT = /^[+-]?\d+$/;
const TIMESTAMP_TEXT = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

const pad2 = (n: number) => String(n).padStart(2, '0');

function numberKey(value: number): string {
  if (!Number.isFinite(value)) return `n:${value}`;
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) return `n:${BigInt(value)}`;
  const rounded = Number(value.toFixed(DECIMALS));
  return `n:${Object.is(rounded, -0) ? 0 : rounded}`;
}

/** Local wall-clock fields, as node-postgres builds a Date from a timestamp without time zone. */
function dateKey(value: Date): string {
  if (Number.isNaN(value.getTime())) return 's:Invalid Date';
  const date = `${value.getFullYear()}-${pad2(value.getMonth() + 1)}-${pad2(value.getDate())}`;
  return `t:${date} ${pad2(value.getHours())}:${pad2(value.getMinutes())}:${pad2(value.getSeconds())}`;
}

function textKey(value: string): string {
  const text = value.trim();
  if (INTEGER_TEXT.test(text)) {
    const big = BigInt(text);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? numberKey(Number(big)) : `n:${big}`;
  }
  if (NUMERIC_TEXT.test(text)) return numberKey(Number(text));
  const timestamp = TIMESTAMP_TEXT.exec(text);
  if (timestamp) return `t:${timestamp[1]} ${timestamp[2]}`;
  return `s:${text}`;
}

/** One cell as a comparable key: equal keys are equal values under the matching rule. */
export function cellKey(value: unknown): string {
  if (value === null || value === undefined) return NULL_KEY;
  if (typeof value === 'number') return numberKey(value);
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? numberKey(Number(value)) : `n:${value}`;
  if (typeof value === 'boolean') return numberKey(value ? 1 : 0);
  if (typeof value === 'string') return textKey(value);
  if (value instanceof Date) return dateKey(value);
  return `j:${JSON.stringify(value)}`;
}

/** Cells as keys, by column: `columns[c][r]`. */
type Columns = string[][];

function toColumns(rows: readonly (readonly unknown[])[], width: number): Columns {
  const columns: Columns = Array.from({ length: width }, () => new Array<string>(rows.length));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    for (let c = 0; c < width; c++) columns[c]![r] = cellKey(row[c]);
  }
  return columns;
}

const SEPARATOR = '\u0000';

function countKeys(keys: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

/** Each row's key extended by one more column's cell. */
function extendRows(prefix: readonly string[], cells: readonly string[]): string[] {
  return prefix.map((key, r) => `${key}${SEPARATOR}${cells[r]}`);
}

function sameMultiset(a: readonly string[], b: readonly string[]): boolean {
  const counts = countKeys(a);
  for (const key of b) {
    const n = counts.get(key);
    if (!n) return false;
    counts.set(key, n - 1);
  }
  return true;
}

/**
 * Columns with identical cells are one class: any of them gives the same
 * projection, so the search chooses among classes, not columns, and a wide
 * result full of repeated columns costs nothing extra.
 */
interface ColumnClass {
  members: number[];
  /** Cells joined in row order. */
  cells: string;
  /** Sorted cells joined: equal for columns holding the same values in any order. */
  values: string;
}

function columnClasses(columns: Columns): ColumnClass[] {
  const byCells = new Map<string, ColumnClass>();
  columns.forEach((cells, index) => {
    const exact = cells.join(SEPARATOR);
    const known = byCells.get(exact);
    if (known) known.members.push(index);
    else byCells.set(exact, { members: [index], cells: exact, values: [...cells].sort().join(SEPARATOR) });
  });
  return [...byCells.values()];
}

type Search = { mapping: number[] } | { failure: string };

/**
 * An injective choice of a result column for every gold column such that the
 * chosen columns hold the gold rows as a multiset. Depth-first over gold
 * classes with the fewest candidates first; every partial choice must already
 * hold the gold rows' projection, which prunes wrong branches at once.
 */
function findColumnMapping(gold: Columns, actual: Columns, rowCount: number): Search {
  const goldClasses = columnClasses(gold);
  const actualClasses = columnClasses(actual);
  const candidates = goldClasses.map((g) => actualClasses.filter((a) => a.values === g.values && a.members.length >= g.members.length));
  const missing = candidates.findIndex((c) => c.length === 0);
  if (missing >= 0) {
    const column = goldClasses[missing]!.members[0]!;
    return { failure: `no column holds the values of gold column ${column + 1} (${describeKey(gold[column]![0])}, …)` };
  }
  const order = goldClasses.map((_, i) => i).sort((a, b) => candidates[a]!.length - candidates[b]!.length);
  const used = new Map<ColumnClass, number>();
  const mapping = new Array<number>(gold.length);
  let budget = SEARCH_BUDGET;

  // The prefixes hold, per row, the cells of the columns chosen so far.
  const visit = (depth: number, goldPrefix: string[], actualPrefix: string[]): boolean | 'exhausted' => {
    if (depth === order.length) return true;
    const goldClass = goldClasses[order[depth]!]!;
    const goldRows = extendRows(goldPrefix, gold[goldClass.members[0]!]!);
    for (const option of candidates[order[depth]!]!) {
      const taken = used.get(option) ?? 0;
      if (option.members.length - taken < goldClass.members.length) continue;
      if (--budget < 0) return 'exhausted';
      const chosen = option.members.slice(taken, taken + goldClass.members.length);
      const actualRows = extendRows(actualPrefix, actual[chosen[0]!]!);
      if (!sameMultiset(goldRows, actualRows)) continue;
      used.set(option, taken + chosen.length);
      goldClass.members.forEach((g, i) => (mapping[g] = chosen[i]!));
      const found = visit(depth + 1, goldRows, actualRows);
      if (found) return found;
      used.set(option, taken);
    }
    return false;
  };
  const empty = new Array<string>(rowCount).fill('');
  const found = visit(0, empty, empty);
  if (found === true) return { mapping };
  if (found === 'exhausted') return { failure: `gave up after trying ${SEARCH_BUDGET} column assignments` };
  return { failure: 'every gold column has a matching column, but no choice of them holds the gold rows' };
}

function describeKey(key: string | undefined): string {
  if (key === undefined) return 'no rows';
  if (key === NULL_KEY) return 'NULL';
  return JSON.stringify(key.slice(2)).slice(0, 60);
}

/** -1, 0 or 1: numbers by value, everything else as text (NULL first). */
function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  if (a.startsWith('n:') && b.startsWith('n:')) return Math.sign(Number(a.slice(2)) - Number(b.slice(2)));
  return a < b ? -1 : 1;
}

/** 1 ascending, -1 descending (both non-strict), 0 neither; `strict` when no two neighbours are equal. */
function sortDirection(cells: readonly string[]): { direction: 1 | -1 | 0; strict: boolean } {
  let up = true;
  let down = true;
  let strict = true;
  for (let r = 1; r < cells.length; r++) {
    const c = compareKeys(cells[r - 1]!, cells[r]!);
    if (c > 0) up = false;
    if (c < 0) down = false;
    if (c === 0) strict = false;
  }
  return { direction: up ? 1 : down ? -1 : 0, strict };
}

/**
 * Rows in a different order than gold's, accepted when the order differs
 * only among ties: no column orders gold's rows strictly (else that column
 * is the key and the order must be the same), and some column with at least
 * two values orders both results the same way.
 */
function tieColumn(gold: Columns, actual: Columns, mapping: readonly number[]): number | null {
  const directions = gold.map((cells) => sortDirection(cells));
  if (directions.some((d) => d.direction !== 0 && d.strict)) return null;
  for (let c = 0; c < gold.length; c++) {
    const { direction } = directions[c]!;
    if (direction === 0 || new Set(gold[c]).size < 2) continue;
    if (sortDirection(actual[mapping[c]!]!).direction === direction) return c;
  }
  return null;
}

/** A mapping where every gold column has a result column with the same cells in the same order: the rows are in gold's order. */
function findOrderedMapping(gold: Columns, actual: Columns): number[] | null {
  const available = new Map(columnClasses(actual).map((c) => [c.cells, [...c.members]]));
  const mapping = new Array<number>(gold.length);
  for (const goldClass of columnClasses(gold)) {
    const members = available.get(goldClass.cells);
    if (!members || members.length < goldClass.members.length) return null;
    for (const g of goldClass.members) mapping[g] = members.shift()!;
  }
  return mapping;
}

function widthOf(rows: readonly (readonly unknown[])[]): number | null {
  const width = rows[0]?.length ?? 0;
  return rows.every((row) => row.length === width) ? width : null;
}

/** Whether `actual` answers like `gold`, and why (see the module comment for the rule). */
export function matchResult({ gold, actual, ordered }: MatchInput): MatchResult {
  if (gold.length !== actual.length) return { outcome: 'mismatch', why: `${actual.length} row${actual.length === 1 ? '' : 's'}, gold has ${gold.length}` };
  if (gold.length === 0) return { outcome: 'exact', why: 'both results are empty' };
  const goldWidth = widthOf(gold);
  const actualWidth = widthOf(actual);
  if (goldWidth === null || actualWidth === null) return { outcome: 'mismatch', why: 'rows of different lengths' };
  if (actualWidth < goldWidth) return { outcome: 'mismatch', why: `${actualWidth} column${actualWidth === 1 ? '' : 's'}, gold has ${goldWidth}` };
  const goldColumns = toColumns(gold, goldWidth);
  const actualColumns = toColumns(actual, actualWidth);
  const extra = actualWidth - goldWidth;
  const outcome: MatchOutcome = extra === 0 ? 'exact' : 'superset';
  const columns = extra === 0 ? 'same columns' : `gold columns found among ${actualWidth} (${extra} extra)`;
  if (ordered && findOrderedMapping(goldColumns, actualColumns)) return { outcome, why: `${columns}; same rows in the same order` };
  const search = findColumnMapping(goldColumns, actualColumns, gold.length);
  if ('failure' in search) return { outcome: 'mismatch', why: search.failure };
  if (!ordered) return { outcome, why: `${columns}; same rows` };
  const tie = tieColumn(goldColumns, actualColumns, search.mapping);
  if (tie !== null) return { outcome, why: `${columns}; same rows, ordered alike by gold column ${tie + 1} (differing only among ties)` };
  return { outcome: 'mismatch', why: 'same rows in a different order' };
}
