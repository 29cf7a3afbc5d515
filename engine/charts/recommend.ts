import type { ChartRecommendation, ChartSpec, ResultColumn } from '../contract/index';
import { profileColumns, type ChartHints, type ColumnProfile } from './profile';

/** The thresholds the rules use, in one place. */
export const CHART_LIMITS = {
  /** Lines or bar groups that colours can still tell apart. */
  maxSeries: 12,
  /** More series than this stack instead of standing side by side. */
  groupedSeries: 5,
  /** Labels longer than this (characters) lay bars on their side. */
  horizontalLabelChars: 12,
  /** More categories than this lay bars on their side. */
  horizontalCategories: 12,
  /** Beyond this many categories only the top N are drawn (and "Other"). */
  topN: 30,
  /** Beyond this many categories bars are no longer the recommendation, only an alternative. */
  maxBarCategories: 1_000,
  /** A pie of more parts than this cannot be read. */
  pieParts: 7,
  /** A histogram needs enough values to have a shape. */
  histogramMinRows: 20,
  /** Measures drawn together. */
  maxMeasures: 4,
  /** Measures drawn on one axis differ by at most this factor. */
  comparableScale: 50,
  /** Time series longer than this are not offered as bars. */
  maxBarsOverTime: 200,
  /** Values of one KPI card row. */
  maxSingleValues: 6,
  /** Larger results are profiled on an even sample of this many rows (first and last included): the shape shows in a sample. */
  profileSample: 20_000,
} as const;

export interface ResultShape {
  columns: readonly ResultColumn[];
  rows: readonly (readonly unknown[])[];
  /**
   * Set when `rows` is already the even sample (`sampleIndexes`) of a larger result, read from its columns
   * without making every row: how many rows the result has.
   */
  total?: number;
}

/** One way to draw the result and the sentence that explains it. */
interface Choice {
  spec: ChartSpec;
  reason: string;
}

/**
 * A column as a label: a category named by several columns (first and last
 * name) carries them in `label` (the first is the column itself) and the word
 * for what they name.
 */
type Axis = ColumnProfile & { label?: ColumnProfile[]; words?: string };

/** The columns of a result sorted by what they can be on a chart. */
interface Shape {
  /** The rows the rules look at: all of them, or an even sample of a large result. */
  rows: readonly (readonly unknown[])[];
  /** How many rows the result has. */
  total: number;
  profiles: ColumnProfile[];
  /** Dates and ordered labels (years, months), in column order. */
  time: ColumnProfile[];
  measures: ColumnProfile[];
  categories: Axis[];
  keys: ColumnProfile[];
  hints: ChartHints;
}

const TABLE: ChartSpec = { type: 'table', x: null, y: [] };

/** "invoice_month" → "invoice month", "address.city" → "address city", "unitPrice" → "unit price". */
export function columnWords(name: string): string {
  return (
    name
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/[_\-.\s]+/g, ' ')
      .trim()
      .toLowerCase() || name
  );
}

const count = new Intl.NumberFormat('en-US');
const list = (names: readonly string[]) => {
  const words = names.map(columnWords);
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
};
const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

// ---- facts about columns ----

const wordsOf = (name: string) => new Set(columnWords(name).split(' '));
const hasWord = (name: string, words: ReadonlySet<string>) => [...wordsOf(name)].some((w) => words.has(w));
/** Averages, extremes, rates and prices do not add up to a whole; counts and sums do. */
const NOT_ADDITIVE = new Set(['avg', 'average', 'mean', 'median', 'min', 'minimum', 'max', 'maximum', 'rate', 'ratio', 'price', 'per', 'percentile', 'stddev', 'variance']);
const SHARE = new Set(['share', 'percent', 'percentage', 'pct', 'proportion', 'fraction']);
const CUMULATIVE = new Set(['cumulative', 'running', 'cum', 'ytd']);

function isAdditive(m: ColumnProfile): boolean {
  return !m.negatives && !hasWord(m.name, NOT_ADDITIVE);
}

/** A share whose parts make a whole: they sum to 1 or to 100. */
function isShare(m: ColumnProfile): boolean {
  return hasWord(m.name, SHARE) && !m.negatives && (Math.abs(m.sum - 100) <= 2 || Math.abs(m.sum - 1) <= 0.02);
}

const distinctCache = new WeakMap<readonly unknown[], Map<string, number>>();

/** How many different values (or combinations of values) these columns have (remembered per rows and columns). */
function distinctRows(rows: readonly (readonly unknown[])[], axes: readonly Axis[]): number {
  const columns = axes.flatMap((a) => a.label ?? [a]);
  const cacheKey = columns.map((c) => c.index).join(',');
  let cache = distinctCache.get(rows);
  if (!cache) distinctCache.set(rows, (cache = new Map()));
  const known = cache.get(cacheKey);
  if (known !== undefined) return known;
  const seen = new Set<unknown>();
  if (columns.length === 1) {
    const i = columns[0]!.index;
    for (const row of rows) seen.add(row[i] ?? null);
  } else {
    for (const row of rows) seen.add(columns.map((c) => cellKey(row[c.index])).join('\u0000'));
  }
  cache.set(cacheKey, seen.size);
  return seen.size;
}

function cellKey(value: unknown): string {
  return value === null || value === undefined ? '\u0001' : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Which rows of `total` the rules look at: all of them, or an even sample of a large result, the first and last included. */
export function sampleIndexes(total: number, size: number = CHART_LIMITS.profileSample): number[] {
  if (total <= size) return Array.from({ length: total }, (_, i) => i);
  const step = (total - 1) / (size - 1);
  return Array.from({ length: size }, (_, i) => Math.round(i * step));
}

/** An even sample of a large result's rows, the first and last included. */
function sampleRows(rows: readonly (readonly unknown[])[], size: number): readonly (readonly unknown[])[] {
  if (rows.length <= size) return rows;
  return sampleIndexes(rows.length, size).map((i) => rows[i]!);
}

/** Every row has its own value (or combination of values) in these columns. */
function uniqueRows(rows: readonly (readonly unknown[])[], axes: readonly Axis[]): boolean {
  return distinctRows(rows, axes) === rows.length;
}

const wordsFor = (axis: Axis) => axis.words ?? columnWords(axis.readAs ?? axis.name);
const labelOf = (axis: Axis): Partial<ChartSpec> => (axis.label ? { label: axis.label.map((c) => c.name) } : {});

/** "first_name" and "last_name", "FirstName" and "LastName": two halves of one name. */
const NAME_PART = /(^|_|[a-z])(first|given|last|family|sur|middle)_?name$/i;

/**
 * Categories that together name one thing become one axis: a plan's grouping
 * shown by several columns, or adjacent first/last name columns.
 */
function joinLabels(categories: ColumnProfile[], rows: readonly (readonly unknown[])[], hints: ChartHints): Axis[] {
  const byName = new Map(categories.map((c) => [c.name, c]));
  const groups: Array<{ columns: ColumnProfile[]; words: string }> = [];
  for (const g of hints.groups ?? []) {
    const columns = g.columns.map((n) => byName.get(n)).filter((c): c is ColumnProfile => c !== undefined);
    if (columns.length > 1) groups.push({ columns, words: columnWords(g.label) });
  }
  const names = categories.filter((c) => NAME_PART.test(c.name) && !groups.some((g) => g.columns.includes(c)));
  for (let i = 0; i + 1 < names.length; i++) {
    if (names[i + 1]!.index === names[i]!.index + 1) {
      groups.push({ columns: [names[i]!, names[i + 1]!], words: 'name' });
      i++;
    }
  }
  const joined = new Set(groups.flatMap((g) => g.columns.slice(1)));
  return categories
    .filter((c) => !joined.has(c))
    .map((c) => {
      const group = groups.find((g) => g.columns[0] === c);
      if (!group) return c;
      const axis: Axis = { ...c, label: group.columns, words: group.words, longestLabel: group.columns.reduce((n, col) => n + col.longestLabel + 1, -1) };
      return { ...axis, distinct: distinctRows(rows, [axis]) };
    });
}

/**
 * The measures to draw: the one the rows are ordered by (a ranking) or the
 * first, then the others on a comparable scale, so no bar is a sliver.
 */
function pickMeasures(measures: readonly ColumnProfile[]): ColumnProfile[] {
  if (measures.length === 0) return [];
  const primary = measures.find((m) => m.order === 'desc' && m.distinct > 1) ?? measures[0]!;
  const scale = (m: ColumnProfile) => Math.max(Math.abs(m.min ?? 0), Math.abs(m.max ?? 0)) || 1;
  const comparable = (m: ColumnProfile) => {
    const ratio = scale(m) / scale(primary);
    return ratio <= CHART_LIMITS.comparableScale && ratio >= 1 / CHART_LIMITS.comparableScale;
  };
  return measures.filter((m) => m === primary || comparable(m)).slice(0, CHART_LIMITS.maxMeasures);
}

const names = (profiles: readonly ColumnProfile[]) => profiles.map((p) => p.name);

// ---- the shapes a result can have ----

function oneRow(shape: Shape): Choice[] {
  const drawn = shape.profiles.filter((p) => p.role !== 'empty' && p.role !== 'other');
  if (shape.profiles.length === 1 && drawn.length === 1) {
    return [{ spec: { type: 'single', x: null, y: [drawn[0]!.name] }, reason: 'One value: it reads best as a number on its own.' }];
  }
  if (shape.measures.length === 0 || shape.measures.length > CHART_LIMITS.maxSingleValues) {
    return [{ spec: TABLE, reason: 'One row: there is nothing to compare it with, so the table shows it as it is.' }];
  }
  const label: Axis | null = shape.categories[0] ?? shape.time[0] ?? shape.keys[0] ?? null;
  const y = names(shape.measures);
  const what = label ? ` for this ${wordsFor(label)}` : '';
  return [{ spec: { type: 'single', x: label?.name ?? null, ...(label ? labelOf(label) : {}), y }, reason: `One row: ${list(y)}${what} ${y.length === 1 ? 'reads' : 'read'} best as numbers on their own.` }];
}

/**
 * The column that splits one measure into several lines or bars: needed only
 * when the x values repeat, and then the one that makes each (x, series) pair
 * unique with few enough values to colour.
 */
function seriesFor(shape: Shape, x: Axis): { series: Axis | null; tooMany: Axis | null } {
  if (uniqueRows(shape.rows, [x])) return { series: null, tooMany: null };
  const candidates: Axis[] = [...shape.categories, ...shape.time, ...shape.keys].filter((c) => c !== x && c.distinct >= 2 && uniqueRows(shape.rows, [x, c]));
  const series = candidates.find((c) => c.distinct <= CHART_LIMITS.maxSeries) ?? null;
  return { series, tooMany: series ? null : (candidates[0] ?? null) };
}

function overTime(shape: Shape): Choice[] | null {
  const ordered = shape.time.filter((t) => t.distinct >= 2);
  if (ordered.length === 0 || shape.measures.length === 0) return null;
  // Two ordered columns (year and month): the finer one runs along the axis, the coarser one makes the lines.
  const x = ordered.length >= 2 && ordered[0]!.role === 'ordinal' && ordered[1]!.distinct > ordered[0]!.distinct ? ordered[1]! : ordered[0]!;
  const measures = pickMeasures(shape.measures);
  const primary = measures[0]!;
  const { series, tooMany } = seriesFor(shape, x);
  const y = series ? [primary.name] : names(measures);
  const xWords = wordsFor(x);

  if (tooMany) {
    return [
      {
        spec: TABLE,
        reason: `${capital(wordsFor(tooMany))} has ${count.format(tooMany.distinct)} values: too many lines to tell apart, so the table is clearer.`,
      },
      { spec: { type: 'line', x: x.name, y: [primary.name], series: tooMany.name }, reason: '' },
    ];
  }
  if (!series && !uniqueRows(shape.rows, [x])) {
    return [
      {
        spec: { type: 'scatter', x: x.name, y: [primary.name] },
        reason: `Several rows share the same ${xWords}, so each row is a point over time rather than one line.`,
      },
      { spec: { type: 'line', x: x.name, y }, reason: '' },
    ];
  }

  const cumulative = measures.some((m) => hasWord(m.name, CUMULATIVE));
  const share = series !== null && isShare(primary);
  const main: ChartSpec = { type: cumulative || share ? 'area' : 'line', x: x.name, y, ...(series ? { series: series.name } : {}), ...(share ? { stacked: true } : {}) };
  const because = cumulative
    ? `${capital(list(y))} adds up over ${xWords}, so an area shows the running total.`
    : share
      ? `${capital(list(y))} is a share per ${xWords}, so stacked areas show how the whole divides over time.`
      : `${capital(xWords)} is ${x.role === 'time' ? 'a date' : 'ordered'}, so a line shows how ${list(y)} changes ${x.role === 'time' ? 'over time' : `from one ${xWords} to the next`}${series ? `, one line per ${wordsFor(series)}` : ''}.`;
  const choices: Choice[] = [{ spec: main, reason: because }];
  choices.push({ spec: { ...main, type: main.type === 'line' ? 'area' : 'line', stacked: main.type === 'line' && series !== null && isAdditive(primary) ? true : undefined }, reason: '' });
  if (x.distinct <= CHART_LIMITS.maxBarsOverTime) {
    choices.push({ spec: { type: 'bar', x: x.name, y, ...(series ? { series: series.name, stacked: isAdditive(primary) } : {}) }, reason: '' });
  }
  return choices;
}

/** The label column bars are drawn along: a hinted grouping, else the first category, else an id. */
function labelColumn(shape: Shape): Axis | null {
  const labels: Axis[] = [...shape.categories, ...shape.time, ...shape.keys].sort((a, b) => a.index - b.index);
  const hinted = labels.find((l) => shape.hints.dimensions?.includes(l.name));
  return hinted ?? shape.categories[0] ?? shape.time[0] ?? shape.keys[0] ?? labels[0] ?? null;
}

function barSpec(x: Axis, measures: ColumnProfile[], extra: Partial<ChartSpec> = {}): ChartSpec {
  const y = names(measures);
  const horizontal = x.longestLabel > CHART_LIMITS.horizontalLabelChars || x.distinct > CHART_LIMITS.horizontalCategories;
  return {
    type: 'bar',
    x: x.name,
    ...labelOf(x),
    y,
    ...(horizontal ? { horizontal: true } : {}),
    ...(x.distinct > CHART_LIMITS.topN ? { topN: CHART_LIMITS.topN, ...(measures.every(isAdditive) ? { other: true } : {}) } : {}),
    ...extra,
  };
}

function byTwoLabels(first: Axis, second: Axis, measure: ColumnProfile): Choice[] {
  // The one with fewer values colours the bars; the other runs along the axis.
  const [x, series] = second.distinct <= first.distinct || first.distinct > CHART_LIMITS.maxSeries ? [first, second] : [second, first];
  if (series.distinct > CHART_LIMITS.maxSeries) {
    return [
      {
        spec: TABLE,
        reason: `${capital(wordsFor(first))} and ${wordsFor(second)} both have many values (${count.format(first.distinct)} and ${count.format(second.distinct)}): too many bars to compare, so the table is clearer.`,
      },
      { spec: barSpec(x, [measure], { series: series.name, stacked: true }), reason: '' },
    ];
  }
  const stacked = series.distinct > CHART_LIMITS.groupedSeries && isAdditive(measure);
  const main = barSpec(x, [measure], { series: series.name, ...(stacked ? { stacked: true } : {}) });
  const choices: Choice[] = [
    {
      spec: main,
      reason: `Two groupings: ${columnWords(measure.name)} per ${wordsFor(x)}, ${stacked ? 'stacked' : 'side by side'} by ${wordsFor(series)}.`,
    },
  ];
  if (isAdditive(measure)) choices.push({ spec: { ...main, stacked: !stacked }, reason: '' });
  if (x.distinct <= CHART_LIMITS.maxSeries && !x.label && !series.label) {
    choices.push({ spec: barSpec(series, [measure], { series: x.name, ...(x.distinct > CHART_LIMITS.groupedSeries && isAdditive(measure) ? { stacked: true } : {}) }), reason: '' });
  }
  return choices;
}

function byCategory(shape: Shape): Choice[] | null {
  if (shape.measures.length === 0) return null;
  const x = labelColumn(shape);
  if (!x) return null;
  const measures = pickMeasures(shape.measures);
  const primary = measures[0]!;
  const xWords = wordsFor(x);
  if (!uniqueRows(shape.rows, [x])) {
    const second = [...shape.categories, ...shape.time, ...shape.keys].find((c) => c !== x && c.distinct >= 2 && c.role !== 'key' && uniqueRows(shape.rows, [x, c]));
    if (second) return byTwoLabels(x, second, primary);
    return [
      { spec: TABLE, reason: `${capital(xWords)} repeats across rows, so the rows are not one per ${xWords}; the table shows them as they are.` },
      { spec: barSpec(x, [primary]), reason: '' },
    ];
  }
  const y = names(measures);
  if (x.distinct > CHART_LIMITS.maxBarCategories) {
    return [
      { spec: TABLE, reason: `${count.format(x.distinct)} values of ${xWords} are too many bars to read; the bar chart alternative shows the top ${CHART_LIMITS.topN}.` },
      { spec: barSpec(x, [primary]), reason: '' },
    ];
  }
  const choices: Choice[] = [];
  const parts = x.distinct <= CHART_LIMITS.pieParts && isAdditive(primary) && primary.sum > 0;
  const pie = (type: 'pie' | 'doughnut'): ChartSpec => ({ type, x: x.name, ...labelOf(x), y: [primary.name] });
  if (parts && isShare(primary)) {
    choices.push({ spec: pie('pie'), reason: `${capital(columnWords(primary.name))} is a share of a whole across ${x.distinct} values of ${xWords}, so a pie shows the parts.` });
  }
  const bar = barSpec(x, measures);
  const ranked = primary.order === 'desc';
  const notes = [
    bar.horizontal ? (x.longestLabel > CHART_LIMITS.horizontalLabelChars ? 'on their side for the long labels' : 'on their side for the many categories') : null,
    bar.topN ? `the top ${bar.topN} of ${count.format(x.distinct)}${isAdditive(primary) ? ', the rest summed as Other' : ''}` : null,
  ].filter(Boolean);
  choices.push({
    spec: bar,
    reason: `${capital(list(y))} per ${xWords}: one bar per ${xWords} (${count.format(x.distinct)})${ranked ? ', in ranked order' : ''}${notes.length ? `, ${notes.join('; ')}` : ''}.`,
  });
  if (parts) choices.push({ spec: pie('doughnut'), reason: '' }, { spec: pie('pie'), reason: '' });
  if (x.role === 'ordinal' && x.distinct >= 2) choices.push({ spec: { type: 'line', x: x.name, y }, reason: '' });
  if (shape.measures.length >= 2) choices.push({ spec: { type: 'scatter', x: shape.measures[0]!.name, y: [shape.measures[1]!.name] }, reason: '' });
  return choices;
}

function numbersOnly(shape: Shape): Choice[] | null {
  const m = shape.measures;
  if (m.length === 0) return null;
  const rows = shape.total;
  if (m.length === 1) {
    if (rows < CHART_LIMITS.histogramMinRows) {
      return [{ spec: TABLE, reason: `Only ${count.format(rows)} values of ${columnWords(m[0]!.name)} and nothing to label them: the table shows them best.` }];
    }
    const bins = Math.min(40, Math.max(5, Math.ceil(Math.sqrt(Math.min(m[0]!.distinct, rows)))));
    return [{ spec: { type: 'histogram', x: m[0]!.name, y: [], bins }, reason: `One numeric column over ${count.format(rows)} rows: a histogram shows how ${columnWords(m[0]!.name)} is distributed.` }];
  }
  const [a, b, c] = m as [ColumnProfile, ColumnProfile, ColumnProfile | undefined];
  // An ordered numeric x (each value once, ascending) is a sequence: a line follows it.
  if (a.order === 'asc' && a.distinct === a.nonNull && a.nulls === 0 && rows >= 3) {
    return [
      { spec: { type: 'line', x: a.name, y: names(pickMeasures(m.slice(1))) }, reason: `${capital(columnWords(a.name))} rises row by row, so a line follows ${columnWords(b.name)} along it.` },
      { spec: { type: 'scatter', x: a.name, y: [b.name] }, reason: '' },
      { spec: { type: 'histogram', x: b.name, y: [], bins: Math.min(40, Math.max(5, Math.ceil(Math.sqrt(rows)))) }, reason: '' },
    ];
  }
  const size = c && !c.negatives ? c : undefined;
  const choices: Choice[] = [
    {
      spec: { type: 'scatter', x: a.name, y: [b.name], ...(size ? { size: size.name } : {}) },
      reason: `Two numeric columns: a scatter plot shows how ${columnWords(b.name)} relates to ${columnWords(a.name)}${size ? `, with ${columnWords(size.name)} as the size of each point` : ''}.`,
    },
  ];
  if (size) choices.push({ spec: { type: 'scatter', x: a.name, y: [b.name] }, reason: '' });
  if (rows >= CHART_LIMITS.histogramMinRows) choices.push({ spec: { type: 'histogram', x: a.name, y: [], bins: Math.min(40, Math.max(5, Math.ceil(Math.sqrt(rows)))) }, reason: '' });
  return choices;
}

function nothingToDraw(shape: Shape): Choice[] {
  const text = shape.profiles.filter((p) => p.role === 'text');
  const empty = shape.profiles.filter((p) => p.role === 'empty');
  if (shape.profiles.length > 0 && empty.length === shape.profiles.length) return [{ spec: TABLE, reason: 'Every value is empty (null): there is nothing to draw.' }];
  if (text.length > 0 && shape.measures.length === 0) return [{ spec: TABLE, reason: `${capital(list(names(text)))} is free text: it reads best in the table.` }];
  const ids = shape.keys.length > 0 ? ' (ids and codes name things rather than measure them)' : '';
  return [{ spec: TABLE, reason: `No column holds numbers to draw${ids}, so the table shows the rows as they are.` }];
}

/** What the reason adds about columns left out: ids that are not measures, empty columns. */
function leftOut(shape: Shape, chosen: ChartSpec): string {
  if (chosen.type === 'table') return '';
  const used = new Set([chosen.x, ...chosen.y, ...(chosen.label ?? []), chosen.series, chosen.size].filter((n): n is string => typeof n === 'string'));
  const notes: string[] = [];
  const ids = shape.keys.filter((k) => !used.has(k.name));
  if (ids.length) notes.push(`${capital(list(names(ids)))} ${ids.length === 1 ? 'is an id' : 'are ids'}, not ${ids.length === 1 ? 'a measure' : 'measures'}.`);
  const empty = shape.profiles.filter((p) => p.role === 'empty');
  if (empty.length) notes.push(`${capital(list(names(empty)))} ${empty.length === 1 ? 'is' : 'are'} empty.`);
  return notes.length ? ` ${notes.join(' ')}` : '';
}

function specKey(spec: ChartSpec): string {
  return JSON.stringify([spec.type, spec.x, spec.y, spec.series ?? null, spec.stacked ?? false, spec.size ?? null, spec.horizontal ?? false]);
}

/**
 * The chart a result is best shown with, ranked alternatives drawn from the
 * same rows, and why. Pure: reads only the columns, the rows and what the plan
 * says (groupings, measures, time buckets); linear in the number of cells.
 */
export function recommendChart(result: ResultShape, hints: ChartHints = {}): ChartRecommendation {
  const rows = result.total === undefined ? sampleRows(result.rows, CHART_LIMITS.profileSample) : result.rows;
  const total = result.total ?? result.rows.length;
  const profiles = profileColumns(result.columns, rows, hints);
  const shape: Shape = {
    rows,
    total,
    profiles,
    time: profiles.filter((p) => p.role === 'time' || p.role === 'ordinal'),
    measures: profiles.filter((p) => p.role === 'measure'),
    categories: joinLabels(profiles.filter((p) => p.role === 'category'), rows, hints),
    keys: profiles.filter((p) => p.role === 'key'),
    hints,
  };
  const choices: Choice[] =
    total === 0
      ? [{ spec: TABLE, reason: 'No rows: there is nothing to draw.' }]
      : total === 1
        ? oneRow(shape)
        : (overTime(shape) ?? (shape.categories.length + shape.keys.length + shape.time.length > 0 ? byCategory(shape) : null) ?? numbersOnly(shape) ?? nothingToDraw(shape));

  const first = choices[0]!;
  const seen = new Set<string>();
  const alternatives: ChartSpec[] = [];
  for (const { spec } of [...choices.slice(1), { spec: TABLE }]) {
    const key = specKey(spec);
    if (key === specKey(first.spec) || seen.has(key)) continue;
    seen.add(key);
    alternatives.push(stripUndefined(spec));
  }
  return { recommended: stripUndefined(first.spec), alternatives, reason: first.reason + leftOut(shape, first.spec) };
}

/** Optional fields are left out rather than set to undefined, so the JSON is the same however it was built. */
function stripUndefined(spec: ChartSpec): ChartSpec {
  return Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)) as ChartSpec;
}

/** A run with the chart its rows suggest (for runs outside a conversation, which have no plan: only what the query text says). */
export function withChart<R extends { result: ResultShape }>(run: R, hints: ChartHints = {}): R & { chart: ChartRecommendation } {
  return { ...run, chart: recommendChart(run.result, hints) };
}
