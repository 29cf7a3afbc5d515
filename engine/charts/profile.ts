import type { NormalizedType, ResultColumn } from '../contract/index';

/**
 * What a column can be on a chart:
 * - `time`: dates and timestamps (and ISO date strings), drawn on a time axis;
 * - `ordinal`: an ordered label that is not a date (a year as an integer, month or weekday names, quarters);
 * - `measure`: a number worth drawing;
 * - `key`: a number that names something (an id, a code): a label, never a measure;
 * - `category`: a short label;
 * - `text`: free text (long, mostly unique);
 * - `empty`: every value is null;
 * - `other`: documents, arrays, binary, intervals: not drawn.
 */
export type ColumnRole = 'time' | 'ordinal' | 'measure' | 'key' | 'category' | 'text' | 'empty' | 'other';

export type Order = 'asc' | 'desc' | null;

export interface ColumnProfile {
  index: number;
  name: string;
  type: NormalizedType;
  role: ColumnRole;
  nonNull: number;
  nulls: number;
  /** Distinct non-null values, counted up to DISTINCT_CAP (then DISTINCT_CAP + 1). */
  distinct: number;
  /** Numbers: the values; time: epoch ms; ordinal: the rank. Null when there is none. */
  min: number | null;
  max: number | null;
  negatives: boolean;
  /** The sum of a measure's values (to tell whether parts make a whole). */
  sum: number;
  /** The order the non-null values come in, on the axis they would be drawn on. */
  order: Order;
  /** Labels: the longest and the mean length in characters. */
  longestLabel: number;
  meanLabel: number;
  /** For a grouping key named for nothing (a Mongo `_id`): the name it is read and described by ("birthdate", "year", "group"). */
  readAs?: string;
}

/** What the query plan knows about the output columns, when the offline planner wrote the query. */
export interface ChartHints {
  /** Output columns the query groups by. */
  dimensions?: readonly string[];
  /** Output columns that are aggregates (counts, sums, averages). */
  measures?: readonly string[];
  /** Groupings shown by several columns (an entity's first and last name), with the word for what they name ("customer"). */
  groups?: ReadonlyArray<{ columns: readonly string[]; label: string }>;
  /** Grouping columns bucketed by time (month, year, …). */
  timeBuckets?: Readonly<Record<string, string>>;
  /**
   * Grouping keys whose own name says nothing about what they hold (a MongoDB
   * `$group`'s `_id`): the field they group by (its name is read instead of
   * theirs), or null when they group by an expression that is not a field.
   */
  groupKeys?: Readonly<Record<string, string | null>>;
}

export const DISTINCT_CAP = 10_000;

const NUMERIC_TYPES: ReadonlySet<NormalizedType> = new Set(['integer', 'decimal', 'float']);
const TIME_TYPES: ReadonlySet<NormalizedType> = new Set(['date', 'timestamp', 'timestamptz']);
const LABEL_TYPES: ReadonlySet<NormalizedType> = new Set(['string', 'boolean', 'time', 'uuid', 'objectId']);
const UNDRAWN_TYPES: ReadonlySet<NormalizedType> = new Set(['json', 'binary', 'array', 'object', 'interval']);

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?)?$/;

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** Month and weekday names (full or three letters), quarters ("Q3", "2013-Q3", "2013 Q3"): their position in the year or week. */
export function ordinalRank(text: string): number | null {
  const t = text.trim().toLowerCase();
  const month = MONTHS.findIndex((m) => m === t || (t.length === 3 && m.startsWith(t)) || (t === 'sept' && m === 'september'));
  if (month >= 0) return month + 1;
  const day = WEEKDAYS.findIndex((d) => d === t || (t.length === 3 && d.startsWith(t)));
  if (day >= 0) return day + 1;
  const quarter = /^(?:(\d{4})[\s-]?)?q([1-4])$/.exec(t);
  if (quarter) return (quarter[1] ? Number(quarter[1]) * 10 : 0) + Number(quarter[2]);
  return null;
}

/** A number from a cell: numbers as they are, exact decimals and big integers from their text. */
export function numberOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && NUMBER_TEXT.test(value.trim())) return Number(value);
  return null;
}

/** Epoch milliseconds from a date cell (ISO text), or null. "2013-05" is read as the first of May. */
export function timeOf(value: unknown): number | null {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return null;
  const text = value.length === 7 ? `${value}-01` : value;
  // A bare date is a calendar day, not an instant: read it as UTC so the axis does not shift by the time zone.
  const ms = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : null;
}

/** "invoice_year", "InvoiceYear", "year": named like a year. */
const YEAR_NAME = /(^|[_\s.-]|[a-z])(year|yr)s?$/i;
/** Counters of the calendar whose integer values are positions, not amounts. */
const CALENDAR_NAMES: ReadonlyArray<{ name: RegExp; min: number; max: number }> = [
  { name: /(^|[_\s.-]|[a-z])month$/i, min: 1, max: 12 },
  { name: /(^|[_\s.-]|[a-z])quarter$/i, min: 1, max: 4 },
  { name: /(^|[_\s.-]|[a-z])(week|iso_?week)$/i, min: 0, max: 53 },
  { name: /(^|[_\s.-]|[a-z])(day|day_?of_?month)$/i, min: 1, max: 31 },
  { name: /(^|[_\s.-]|[a-z])(hour)$/i, min: 0, max: 23 },
  { name: /(^|[_\s.-]|[a-z])(weekday|dow|day_?of_?week)$/i, min: 0, max: 7 },
];
/** Numbers that name things: ids, keys, codes, phone and postal numbers. */
const KEY_NAME = /(^_?id$)|(_id$)|([a-z0-9]Id$)|(ID$)|(^|_)(key|code|zip|zipcode|postal_?code|phone|fax|isbn|ean|sku)$/;
/**
 * A few distinct small whole numbers are codes (a passenger class 1-3, a flag
 * 0/1): labels to draw bars for, not an axis. Not when the name gives them a
 * unit, a time or an order (minutes, a bucket, a rank), says they are an
 * amount (qty, score) or reads as a count (a plural: "tracks", "films").
 */
export const SMALL_CODES = { maxDistinct: 12, maxValue: 20 } as const;
const QUANTITY_NAME = /(second|minute|hour|day|week|month|year|ms|millis|duration|age|length|size|bucket|bin|rank|position|pos|order|step|level|index|idx|number|no|nr|qty|quantity|amount|total|price|cost|score|weight|value|[^su]s)$/i;
/** Aggregates are measures even when they name an id: count_customer_id, total_invoice_id. */
const AGGREGATE_NAME = /^(count|sum|avg|mean|total|min|max|num|number_of|n)(_|[A-Z]|$)|(count|total|sum|avg|average)$/i;

function isYearRange(min: number | null, max: number | null): boolean {
  return min !== null && max !== null && min >= 1000 && max <= 9999;
}

interface Scan {
  nonNull: number;
  distinct: Set<unknown>;
  distinctOverflow: boolean;
  numbers: number;
  times: number;
  ranks: number;
  /** Ranks that are four-digit years written as text ("2013"): ordinal only in a column named like a year. */
  yearTexts: number;
  integral: boolean;
  min: number;
  max: number;
  sum: number;
  negatives: boolean;
  asc: boolean;
  desc: boolean;
  previous: number | null;
  labelChars: number;
  longestLabel: number;
}

function newScan(): Scan {
  return { nonNull: 0, distinct: new Set(), distinctOverflow: false, numbers: 0, times: 0, ranks: 0, yearTexts: 0, integral: true, min: Infinity, max: -Infinity, sum: 0, negatives: false, asc: true, desc: true, previous: null, labelChars: 0, longestLabel: 0 };
}

/** Records one value's position on its axis (a number, a time or a rank): range and order. */
function place(scan: Scan, position: number): void {
  if (position < scan.min) scan.min = position;
  if (position > scan.max) scan.max = position;
  if (scan.previous !== null) {
    if (position < scan.previous) scan.asc = false;
    if (position > scan.previous) scan.desc = false;
  }
  scan.previous = position;
}

/** How a column's cells are read: as numbers, times or labels, decided by the type the store reported. */
type Reading = 'number' | 'time' | 'label' | 'undrawn';

function readingOf(type: NormalizedType): Reading {
  if (NUMERIC_TYPES.has(type)) return 'number';
  if (TIME_TYPES.has(type)) return 'time';
  if (UNDRAWN_TYPES.has(type)) return 'undrawn';
  if (LABEL_TYPES.has(type)) return 'label';
  // 'unknown' and 'null' (schemaless stores): the values decide, below.
  return 'label';
}

function scanColumn(rows: readonly (readonly unknown[])[], index: number, reading: Reading): Scan {
  const scan = newScan();
  for (const row of rows) {
    const value = row[index];
    if (value === null || value === undefined) continue;
    scan.nonNull++;
    if (!scan.distinctOverflow) {
      const key = typeof value === 'object' ? JSON.stringify(value) : value;
      scan.distinct.add(key);
      if (scan.distinct.size > DISTINCT_CAP) scan.distinctOverflow = true;
    }
    if (reading === 'undrawn') continue;
    const n = reading === 'time' ? null : numberOf(typeof value === 'string' && reading === 'label' ? null : value);
    if (n !== null) {
      scan.numbers++;
      scan.sum += n;
      if (n < 0) scan.negatives = true;
      if (!Number.isInteger(n)) scan.integral = false;
      place(scan, n);
      continue;
    }
    if (typeof value === 'string') {
      scan.labelChars += value.length;
      if (value.length > scan.longestLabel) scan.longestLabel = value.length;
      const t = timeOf(value);
      if (t !== null) {
        scan.times++;
        place(scan, t);
        continue;
      }
      const year = /^\d{4}$/.test(value) ? Number(value) : null;
      if (year !== null) scan.yearTexts++;
      const rank = year ?? ordinalRank(value);
      if (rank !== null) {
        scan.ranks++;
        place(scan, rank);
      }
    } else if (typeof value === 'boolean') {
      scan.labelChars += String(value).length;
      scan.longestLabel = Math.max(scan.longestLabel, String(value).length);
    }
  }
  return scan;
}

function isSmallCode(leaf: string, scan: Scan, min: number | null, max: number | null): boolean {
  if (!scan.integral || min === null || max === null || min < 0 || max > SMALL_CODES.maxValue) return false;
  if (scan.distinctOverflow || scan.distinct.size > SMALL_CODES.maxDistinct || scan.nonNull < 2) return false;
  return !QUANTITY_NAME.test(leaf) && !AGGREGATE_NAME.test(leaf);
}

function roleOf(column: ResultColumn, reading: Reading, scan: Scan, hints: ChartHints): ColumnRole | 'code' {
  if (scan.nonNull === 0) return 'empty';
  if (reading === 'undrawn') return 'other';
  const name = column.name;
  // A grouping key named for nothing (a Mongo `_id`) is read by the field it groups by: never an id by its own name.
  const groupKey = hints.groupKeys?.[name];
  const held = groupKey === undefined ? name : (groupKey ?? '');
  const leaf = held.split('.').pop() ?? held;
  const hintedMeasure = hints.measures?.includes(name) ?? false;
  const hintedDimension = hints.dimensions?.includes(name) ?? false;
  const bucket = hints.timeBuckets?.[name];
  const min = Number.isFinite(scan.min) ? scan.min : null;
  const max = Number.isFinite(scan.max) ? scan.max : null;

  if (scan.times === scan.nonNull) return 'time';
  if (scan.numbers === scan.nonNull) {
    if (hintedMeasure) return 'measure';
    if (scan.integral && (bucket === 'year' || (YEAR_NAME.test(leaf) && isYearRange(min, max)))) return 'ordinal';
    if (scan.integral && CALENDAR_NAMES.some((c) => c.name.test(leaf) && min !== null && max !== null && min >= c.min && max <= c.max)) return 'ordinal';
    if (bucket) return 'ordinal';
    if (hintedDimension) return 'key';
    if (KEY_NAME.test(leaf) && !AGGREGATE_NAME.test(leaf)) return 'key';
    // Only a label when another column is left to measure (decided in profileColumns).
    if (isSmallCode(leaf, scan, min, max)) return 'code';
    return 'measure';
  }
  if (scan.ranks === scan.nonNull && (scan.yearTexts === 0 || YEAR_NAME.test(leaf) || bucket === 'year')) return 'ordinal';
  if (column.type === 'uuid' || column.type === 'objectId') return 'key';
  // Free text: long on average, and almost every value its own.
  const meanLabel = scan.labelChars / scan.nonNull;
  const distinct = scan.distinctOverflow ? DISTINCT_CAP + 1 : scan.distinct.size;
  if (meanLabel > 40 || (meanLabel > 24 && distinct >= 0.9 * scan.nonNull && scan.nonNull > 3)) return 'text';
  return 'category';
}

function readAsOf(name: string, hints: ChartHints): { readAs?: string } {
  const groupKey = hints.groupKeys?.[name];
  if (groupKey === undefined) return {};
  return { readAs: groupKey ?? hints.timeBuckets?.[name] ?? 'group' };
}

/** One pass over each column: its role on a chart and the statistics the rules need. */
export function profileColumns(columns: readonly ResultColumn[], rows: readonly (readonly unknown[])[], hints: ChartHints = {}): ColumnProfile[] {
  const profiles = columns.map((column, index): ColumnProfile & { code: boolean } => {
    let reading = readingOf(column.type);
    let scan = scanColumn(rows, index, reading);
    // Schemaless stores report 'unknown' for mixed or untyped fields: numbers read as numbers if every value is one.
    if (reading === 'label' && (column.type === 'unknown' || column.type === 'null') && scan.nonNull > 0) {
      const allNumbers = rows.every((row) => row[index] === null || row[index] === undefined || typeof row[index] === 'number');
      if (allNumbers) {
        reading = 'number';
        scan = scanColumn(rows, index, reading);
      }
    }
    const found = roleOf(column, reading, scan, hints);
    const role: ColumnRole = found === 'code' ? 'measure' : found;
    const drawnOnAxis = role === 'time' || role === 'ordinal' || role === 'measure' || role === 'key';
    return {
      index,
      name: column.name,
      type: column.type,
      role,
      nonNull: scan.nonNull,
      nulls: rows.length - scan.nonNull,
      distinct: scan.distinctOverflow ? DISTINCT_CAP + 1 : scan.distinct.size,
      min: drawnOnAxis && Number.isFinite(scan.min) ? scan.min : null,
      max: drawnOnAxis && Number.isFinite(scan.max) ? scan.max : null,
      negatives: scan.negatives,
      sum: scan.sum,
      order: drawnOnAxis && scan.nonNull > 1 ? (scan.asc ? 'asc' : scan.desc ? 'desc' : null) : null,
      longestLabel: scan.longestLabel,
      meanLabel: scan.nonNull ? scan.labelChars / scan.nonNull : 0,
      ...readAsOf(column.name, hints),
      code: found === 'code',
    };
  });
  // Small codes are categories when something else is left to measure; alone, they are the numbers there are.
  const measured = profiles.some((p) => p.role === 'measure' && !p.code);
  return profiles.map(({ code, ...p }): ColumnProfile => (code && measured ? { ...p, role: 'category' as const, min: null, max: null, order: null } : p));
}
