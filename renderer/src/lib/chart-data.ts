import type { ChartConfiguration, ChartDataset, TooltipItem } from 'chart.js';
import type { ChartSpec, ResultColumn } from '../../../engine/contract/index';
import type { Cells, CellsOrRows } from '../../../engine/contract/result-columns';
import { columnTitle, formatNumber, formatTime, numberOf, timeOf } from './result-format';

/**
 * A chart recommendation plus the rows in memory become a chart.js
 * configuration. Pure (no DOM, no chart.js runtime), so switching between
 * alternatives is only this function again over the same rows.
 */

export interface ChartTheme {
  /** Series colours, in order. */
  colors: string[];
  text: string;
  muted: string;
  grid: string;
  surface: string;
  font: string;
}

export interface BuiltChart {
  config: ChartConfiguration;
  /** What the chart shows, in words, for its aria-label. */
  summary: string;
  /** Points (or bars, slices) drawn before decimation. */
  points: number;
  /** The height (px) the chart needs to stay legible, when more than the default (one row per bar on its side). */
  minHeight?: number;
}

/** Room per bar laid on its side, so every label can be read. */
const HORIZONTAL_BAR_PX = 18;

/** Lines longer than this are thinned with LTTB, which keeps their shape. */
export const DECIMATE_ABOVE = 1_000;
const DECIMATED_SAMPLES = 800;

type Rows = readonly (readonly unknown[])[];
type Point = { x: number; y: number | null };

interface Ctx {
  spec: ChartSpec;
  columns: readonly ResultColumn[];
  /** The rows the spec draws; read from the columns on first use (a cached line needs none). */
  readonly rows: Rows;
  /** The result the rows come from: what a chart's worked-out data is kept under. */
  source: CellsOrRows;
  theme: ChartTheme;
  order: CategoryOrder;
}

/**
 * How a bar or pie chart orders its categories: as the query returned them, by size (the total across
 * series) or by name. The user's choice, kept with the chart (its exports draw it the same way).
 */
export type CategoryOrder = 'returned' | 'largest' | 'smallest' | 'name';

export const CATEGORY_ORDERS: ReadonlyArray<{ value: CategoryOrder; label: string }> = [
  { value: 'returned', label: 'As returned' },
  { value: 'largest', label: 'Largest first' },
  { value: 'smallest', label: 'Smallest first' },
  { value: 'name', label: 'A to Z' },
];

/** Whether a spec draws categories a user can reorder. */
export function hasCategoryOrder(spec: ChartSpec): boolean {
  return spec.type === 'bar' || spec.type === 'pie' || spec.type === 'doughnut';
}

/**
 * What a chart worked out from a result (parsed and sorted points, an axis's kind), kept with the result
 * for as long as the result is in memory: a chart switch reads it instead of every row again. Results
 * are immutable once they arrive, so nothing kept goes stale.
 */
const keptByResult = new WeakMap<object, Map<string, unknown>>();

function kept<T>(source: CellsOrRows, key: string, make: () => T): T {
  let map = keptByResult.get(source);
  if (!map) keptByResult.set(source, (map = new Map()));
  if (map.has(key)) return map.get(key) as T;
  const made = make();
  map.set(key, made);
  return made;
}

// ---- columns and values ----

function indexOf(ctx: Ctx, name: string | null | undefined): number {
  if (!name) return -1;
  return ctx.columns.findIndex((c) => c.name === name);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Month and weekday names and quarters sort in calendar order, not alphabetically. */
function ordinalRank(text: string): number | null {
  const t = text.trim().toLowerCase();
  const head = t.slice(0, 3);
  if (t.length >= 3 && MONTHS.includes(head) && /^[a-z]+$/.test(t)) return MONTHS.indexOf(head) + 1;
  if (t.length >= 3 && WEEKDAYS.includes(head) && /^[a-z]+$/.test(t)) return WEEKDAYS.indexOf(head) + 1;
  const q = /^(?:(\d{4})[\s-]?)?q([1-4])$/.exec(t);
  if (q) return (q[1] ? Number(q[1]) * 10 : 0) + Number(q[2]);
  return null;
}

type XKind = 'time' | 'number' | 'category';

/** How the x column is laid out: on a time axis, a number line, or as categories. */
/** How an x column reads (times, numbers or categories), worked out once per result and column. */
function xKindOf(ctx: Ctx, index: number): XKind {
  return kept(ctx.source, JSON.stringify(['x', index]), () => readXKind(ctx.columns[index]!, ctx.rows, index));
}

function readXKind(column: ResultColumn, rows: Rows, index: number): XKind {
  let times = 0;
  let numbers = 0;
  let values = 0;
  for (const row of rows) {
    const v = row[index];
    if (v === null || v === undefined) continue;
    values++;
    if (timeOf(v) !== null) times++;
    else if (numberOf(v) !== null && column.type !== 'string') numbers++;
  }
  if (values > 0 && times === values) return 'time';
  if (values > 0 && numbers === values) return 'number';
  return 'category';
}

/** Four-digit integers on an axis are years (or codes): no thousands separator. */
function looksLikeYears(values: readonly number[]): boolean {
  return values.length > 0 && values.every((v) => Number.isInteger(v) && v >= 1000 && v <= 9999);
}

function categoryText(value: unknown, column: ResultColumn | undefined): string {
  if (value === null || value === undefined) return '(empty)';
  const ms = column && (column.type === 'date' || column.type === 'timestamp' || column.type === 'timestamptz') ? timeOf(value) : null;
  if (ms !== null) return formatTime(ms, column!.type);
  if (typeof value === 'number') return formatNumber(value, { grouping: !looksLikeYears([value]) });
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The label of a row: the x value, or several label columns joined (first and last name). */
function labelOf(ctx: Ctx, row: readonly unknown[]): string {
  const names = ctx.spec.label && ctx.spec.label.length > 0 ? ctx.spec.label : [ctx.spec.x];
  return names
    .map((n) => {
      const i = indexOf(ctx, n);
      return i < 0 ? '' : categoryText(row[i], ctx.columns[i]);
    })
    .join(' ')
    .trim();
}

function color(ctx: Ctx, i: number): string {
  return ctx.theme.colors[i % ctx.theme.colors.length] ?? ctx.theme.text;
}

/** "#4f46e5" → "rgba(79, 70, 229, 0.2)"; other colour syntaxes pass unchanged. */
export function withAlpha(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (!m) return hex;
  return `rgba(${parseInt(m[1]!, 16)}, ${parseInt(m[2]!, 16)}, ${parseInt(m[3]!, 16)}, ${alpha})`;
}

// ---- shared options ----

function axisTitle(ctx: Ctx, text: string) {
  return { display: text.length > 0, text, color: ctx.theme.muted, font: { family: ctx.theme.font, size: 12, weight: 600 as const } };
}

function baseOptions(ctx: Ctx, legend: boolean) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false as const,
    color: ctx.theme.text,
    font: { family: ctx.theme.font },
    plugins: {
      legend: { display: legend, position: 'bottom' as const, labels: { color: ctx.theme.text, boxWidth: 12, boxHeight: 12, font: { family: ctx.theme.font } } },
      tooltip: {
        backgroundColor: ctx.theme.surface,
        titleColor: ctx.theme.text,
        bodyColor: ctx.theme.text,
        borderColor: ctx.theme.grid,
        borderWidth: 1,
      },
    },
  };
}

function valueTicks(ctx: Ctx) {
  return { color: ctx.theme.muted, font: { family: ctx.theme.font }, callback: (v: number | string) => (typeof v === 'number' ? formatNumber(v, { compact: true }) : v) };
}

function yTitle(spec: ChartSpec): string {
  return spec.y.length === 1 ? columnTitle(spec.y[0]!) : '';
}

const numberLabel = (item: TooltipItem<'line' | 'bar' | 'scatter' | 'bubble' | 'pie' | 'doughnut'>, value: number | null) =>
  `${item.dataset.label ? `${item.dataset.label}: ` : ''}${value === null ? 'null' : formatNumber(value)}`;

// ---- lines and areas ----

const MAX_DATA_TICKS = 60;
const yearOnly = new Intl.DateTimeFormat(undefined, { year: 'numeric', timeZone: 'UTC' });
const monthYear = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' });

/** Dates formatted at the granularity the data has: years, months ("Jan 2021"), days, or times. */
export function timeFormatter(xs: readonly number[], type: ResultColumn['type']): (ms: number) => string {
  const days = xs.every((v) => v % 86_400_000 === 0);
  if (days && xs.every((v) => new Date(v).getUTCMonth() === 0 && new Date(v).getUTCDate() === 1)) return (v) => yearOnly.format(v);
  if (days && xs.every((v) => new Date(v).getUTCDate() === 1)) return (v) => monthYear.format(v);
  return (v) => formatTime(v, type);
}

function groupBySeries(ctx: Ctx): Array<{ label: string; rows: Rows }> {
  const s = indexOf(ctx, ctx.spec.series);
  if (s < 0) return [{ label: '', rows: ctx.rows }];
  const groups = new Map<string, unknown[][]>();
  for (const row of ctx.rows) {
    const key = categoryText(row[s], ctx.columns[s]);
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(row as unknown[]);
  }
  return [...groups].map(([label, rows]) => ({ label, rows }));
}

/** Each (series, measure) pair is one line: its label and its rows. */
function lineSeries(ctx: Ctx): Array<{ label: string; rows: Rows; y: number }> {
  const groups = groupBySeries(ctx);
  const out: Array<{ label: string; rows: Rows; y: number }> = [];
  for (const g of groups) {
    for (const name of ctx.spec.y) {
      const y = indexOf(ctx, name);
      if (y < 0) continue;
      const label = ctx.spec.series ? (ctx.spec.y.length > 1 ? `${g.label} · ${columnTitle(name)}` : g.label) : columnTitle(name);
      out.push({ label, rows: g.rows, y });
    }
  }
  return out;
}

interface NumericLines {
  /** Each line's points in x order. */
  lines: Array<{ label: string; xs: Float64Array; ys: Array<number | null> }>;
  /** Four-digit integers: years, shown without a thousands separator. */
  years: boolean;
  formatX: (v: number) => string;
  /** The distinct x values, ascending. */
  distinctX: number[];
}

/**
 * Lines over a time or number axis, worked out once per result and axis: switching a 10,000-point line to an
 * area (or back) reuses the parsed, sorted points instead of reading and parsing every row again.
 */
function numericLines(ctx: Ctx, x: number, kind: 'time' | 'number'): NumericLines {
  return kept(ctx.source, JSON.stringify(['lines', x, kind, ctx.spec.y, ctx.spec.series ?? null]), () => readNumericLines(ctx, x, kind));
}

function readNumericLines(ctx: Ctx, x: number, kind: 'time' | 'number'): NumericLines {
  const read = kind === 'time' ? timeOf : numberOf;
  const lines = lineSeries(ctx).map((s) => {
    const data: Point[] = [];
    for (const row of s.rows) {
      const px = read(row[x]);
      if (px !== null) data.push({ x: px, y: numberOf(row[s.y]) });
    }
    data.sort((a, b) => a.x - b.x);
    return { label: s.label, xs: Float64Array.from(data, (p) => p.x), ys: data.map((p) => p.y) };
  });
  const xs: number[] = [];
  for (const line of lines) for (const v of line.xs) xs.push(v);
  const years = kind === 'number' && looksLikeYears(xs);
  const formatX = kind === 'time' ? timeFormatter(xs, ctx.columns[x]!.type) : (v: number) => formatNumber(v, { grouping: !years });
  return { lines, years, formatX, distinctX: [...new Set(xs)].sort((a, b) => a - b) };
}

function buildLine(ctx: Ctx): BuiltChart | null {
  const x = indexOf(ctx, ctx.spec.x);
  if (x < 0) return null;
  const column = ctx.columns[x]!;
  const kind = xKindOf(ctx, x);
  const area = ctx.spec.type === 'area';
  const stacked = area && ctx.spec.stacked === true;
  let points = 0;
  const style = (i: number, n: number) => ({
    borderColor: color(ctx, i),
    backgroundColor: area ? withAlpha(color(ctx, i), stacked ? 0.55 : 0.2) : color(ctx, i),
    borderWidth: 2,
    pointRadius: n > 60 ? 0 : 3,
    pointHoverRadius: 4,
    // Monotone curves never overshoot the data (a plain tension bulges past equal neighbours). A dense line
    // (no point marks) is drawn in straight segments: at that density they look the same, and the canvas
    // fills a path of hundreds of curves several times slower.
    ...(n > 60 ? { tension: 0 } : { cubicInterpolationMode: 'monotone' as const }),
    fill: area ? (stacked && i > 0 ? '-1' : 'origin') : false,
  });

  if (kind === 'category') {
    // Ordered labels (months, quarters) in calendar order; others as the rows come.
    const labels: string[] = [];
    const seen = new Set<string>();
    for (const row of ctx.rows) {
      const t = categoryText(row[x], column);
      if (seen.has(t)) continue;
      seen.add(t);
      labels.push(t);
    }
    const ranks = labels.map(ordinalRank);
    if (ranks.every((r) => r !== null)) labels.sort((a, b) => ordinalRank(a)! - ordinalRank(b)!);
    const datasets = lineSeries(ctx).map((s, i) => {
      const byLabel = new Map(s.rows.map((row) => [categoryText(row[x], column), numberOf(row[s.y])]));
      points += labels.length;
      return { type: 'line' as const, label: s.label, data: labels.map((l) => byLabel.get(l) ?? null), ...style(i, labels.length) };
    });
    const config = {
      type: 'line' as const,
      data: { labels, datasets },
      options: {
        ...baseOptions(ctx, datasets.length > 1),
        scales: {
          x: { type: 'category' as const, title: axisTitle(ctx, columnTitle(column.name)), ticks: { color: ctx.theme.muted }, grid: { color: ctx.theme.grid } },
          y: { stacked, title: axisTitle(ctx, yTitle(ctx.spec)), ticks: valueTicks(ctx), grid: { color: ctx.theme.grid } },
        },
      },
    };
    return { config: config as unknown as ChartConfiguration, summary: summarizeSeries(ctx, labels, datasets.map((d) => d.data)), points };
  }

  const { lines, years, formatX, distinctX } = numericLines(ctx, x, kind);
  const datasets = lines.map((line, i) => {
    // New point objects for each chart: chart.js keeps its own state on the data it draws.
    const data = new Array<Point>(line.xs.length);
    for (let j = 0; j < data.length; j++) data[j] = { x: line.xs[j]!, y: line.ys[j]! };
    points += data.length;
    return { type: 'line' as const, label: line.label, data, ...style(i, data.length) };
  });
  const onData = distinctX.length <= MAX_DATA_TICKS && (kind === 'time' || years);
  const decimate = points > DECIMATE_ABOVE;
  const config = {
    type: 'line' as const,
    data: { datasets },
    options: {
      ...baseOptions(ctx, datasets.length > 1),
      parsing: false as const,
      normalized: true,
      spanGaps: decimate,
      interaction: { mode: 'nearest' as const, axis: 'x' as const, intersect: false },
      plugins: {
        ...baseOptions(ctx, datasets.length > 1).plugins,
        decimation: { enabled: decimate, algorithm: 'lttb' as const, samples: DECIMATED_SAMPLES },
        tooltip: {
          ...baseOptions(ctx, false).plugins.tooltip,
          callbacks: {
            title: (items: TooltipItem<'line'>[]) => (items[0] ? formatX(items[0].parsed.x ?? 0) : ''),
            label: (item: TooltipItem<'line'>) => numberLabel(item, item.parsed.y),
          },
        },
      },
      scales: {
        x: {
          type: 'linear' as const,
          title: axisTitle(ctx, columnTitle(column.name)),
          ticks: { color: ctx.theme.muted, maxRotation: 0, autoSkipPadding: 16, callback: (v: number | string) => formatX(Number(v)) },
          grid: { color: ctx.theme.grid },
          ...(onData ? { afterBuildTicks: (scale: { ticks: Array<{ value: number }> }) => (scale.ticks = distinctX.map((value) => ({ value }))) } : {}),
        },
        y: { stacked, title: axisTitle(ctx, yTitle(ctx.spec)), ticks: valueTicks(ctx), grid: { color: ctx.theme.grid } },
      },
    },
  };
  const first = datasets[0]?.data ?? [];
  const labels = { count: first.length, at: (i: number) => formatX(first[i]!.x) };
  return { config: config as unknown as ChartConfiguration, summary: summarizeSeries(ctx, labels, datasets.map((d) => d.data.map((p) => p.y))), points };
}

// ---- bars ----

interface Categories {
  labels: string[];
  /** One row of values per dataset, aligned with labels. */
  datasets: Array<{ label: string; values: Array<number | null> }>;
}

function categories(ctx: Ctx): Categories {
  const labels: string[] = [];
  const position = new Map<string, number>();
  const at = (label: string) => {
    let i = position.get(label);
    if (i === undefined) position.set(label, (i = labels.push(label) - 1));
    return i;
  };
  const s = indexOf(ctx, ctx.spec.series);
  const sets = new Map<string, Array<number | null>>();
  const set = (label: string) => {
    let values = sets.get(label);
    if (!values) sets.set(label, (values = []));
    return values;
  };
  const ys = ctx.spec.y.map((n) => ({ name: n, i: indexOf(ctx, n) })).filter((y) => y.i >= 0);
  for (const row of ctx.rows) {
    const i = at(labelOf(ctx, row));
    for (const y of ys) {
      const key = s >= 0 ? (ys.length > 1 ? `${categoryText(row[s], ctx.columns[s])} · ${columnTitle(y.name)}` : categoryText(row[s], ctx.columns[s])) : columnTitle(y.name);
      const values = set(key);
      const v = numberOf(row[y.i]);
      values[i] = v === null ? (values[i] ?? null) : (values[i] ?? 0) + v;
    }
  }
  return { labels, datasets: [...sets].map(([label, values]) => ({ label, values: labels.map((_, i) => values[i] ?? null) })) };
}

/** The N largest categories (by their total across datasets), in that order, and the rest as Other when they add up. */
export function topCategories(data: Categories, n: number, other: boolean): Categories {
  if (data.labels.length <= n) return data;
  const totals = data.labels.map((_, i) => data.datasets.reduce((sum, d) => sum + (d.values[i] ?? 0), 0));
  const order = totals.map((_, i) => i).sort((a, b) => totals[b]! - totals[a]! || a - b);
  const keep = order.slice(0, n);
  const rest = order.slice(n);
  return {
    labels: [...keep.map((i) => data.labels[i]!), ...(other ? [`Other (${rest.length})`] : [])],
    datasets: data.datasets.map((d) => ({
      label: d.label,
      values: [...keep.map((i) => d.values[i] ?? null), ...(other ? [rest.reduce((sum, i) => sum + (d.values[i] ?? 0), 0)] : [])],
    })),
  };
}

const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** The categories in `order`; an "Other" bucket made by topCategories stays last, whatever the order. */
export function orderCategories(data: Categories, order: CategoryOrder, otherLast: boolean): Categories {
  if (order === 'returned') return data;
  const n = data.labels.length - (otherLast ? 1 : 0);
  const totals = data.labels.map((_, i) => data.datasets.reduce((sum, d) => sum + (d.values[i] ?? 0), 0));
  const idx = Array.from({ length: n }, (_, i) => i);
  if (order === 'name') idx.sort((a, b) => byName.compare(data.labels[a]!, data.labels[b]!) || a - b);
  else idx.sort((a, b) => (order === 'largest' ? totals[b]! - totals[a]! : totals[a]! - totals[b]!) || a - b);
  if (otherLast) idx.push(n);
  return { labels: idx.map((i) => data.labels[i]!), datasets: data.datasets.map((d) => ({ label: d.label, values: idx.map((i) => d.values[i] ?? null) })) };
}

function buildBar(ctx: Ctx): BuiltChart | null {
  if (indexOf(ctx, ctx.spec.x) < 0) return null;
  const all = categories(ctx);
  const other = ctx.spec.other === true && !!ctx.spec.topN && all.labels.length > ctx.spec.topN;
  const data = orderCategories(ctx.spec.topN ? topCategories(all, ctx.spec.topN, ctx.spec.other === true) : all, ctx.order, other);
  const horizontal = ctx.spec.horizontal === true;
  const stacked = ctx.spec.stacked === true;
  const datasets: ChartDataset<'bar'>[] = data.datasets.map((d, i) => ({
    label: d.label,
    data: d.values,
    backgroundColor: color(ctx, i),
    borderRadius: 3,
    maxBarThickness: 48,
  }));
  const categoryAxis = {
    type: 'category' as const,
    stacked,
    title: axisTitle(ctx, ctx.spec.label ? '' : columnTitle(ctx.spec.x ?? '')),
    ticks: { color: ctx.theme.muted, autoSkip: !horizontal, callback: undefined as unknown },
    grid: { display: false },
  };
  // Category ticks get their text from the label list; long ones are shortened on the axis (the tooltip has them whole).
  categoryAxis.ticks.callback = function (this: { getLabelForValue(v: number): string }, v: number | string) {
    const text = this.getLabelForValue(Number(v));
    return text.length > 28 ? `${text.slice(0, 27)}…` : text;
  };
  const valueAxis = { type: 'linear' as const, stacked, beginAtZero: true, title: axisTitle(ctx, yTitle(ctx.spec)), ticks: valueTicks(ctx), grid: { color: ctx.theme.grid } };
  const config = {
    type: 'bar' as const,
    data: { labels: data.labels, datasets },
    options: {
      ...baseOptions(ctx, datasets.length > 1),
      indexAxis: horizontal ? ('y' as const) : ('x' as const),
      plugins: {
        ...baseOptions(ctx, datasets.length > 1).plugins,
        tooltip: { ...baseOptions(ctx, false).plugins.tooltip, callbacks: { label: (item: TooltipItem<'bar'>) => numberLabel(item, horizontal ? item.parsed.x : item.parsed.y) } },
      },
      scales: horizontal ? { y: categoryAxis, x: valueAxis } : { x: categoryAxis, y: valueAxis },
    },
  };
  return {
    config: config as unknown as ChartConfiguration,
    summary: summarizeSeries(ctx, data.labels, data.datasets.map((d) => d.values)),
    points: data.labels.length * Math.max(1, datasets.length),
    ...(horizontal ? { minHeight: data.labels.length * HORIZONTAL_BAR_PX * (stacked ? 1 : Math.max(1, Math.min(datasets.length, 3))) + 90 } : {}),
  };
}

// ---- pies ----

function buildPie(ctx: Ctx): BuiltChart | null {
  if (indexOf(ctx, ctx.spec.x) < 0) return null;
  const all = categories(ctx);
  const other = !!ctx.spec.topN && all.labels.length > ctx.spec.topN;
  const data = orderCategories(ctx.spec.topN ? topCategories(all, ctx.spec.topN, true) : all, ctx.order, other);
  const values = (data.datasets[0]?.values ?? []).map((v) => (v === null || v < 0 ? 0 : v));
  const total = values.reduce((a, b) => a + b, 0);
  const config = {
    type: ctx.spec.type === 'doughnut' ? ('doughnut' as const) : ('pie' as const),
    data: {
      labels: data.labels,
      datasets: [{ label: columnTitle(ctx.spec.y[0] ?? ''), data: values, backgroundColor: data.labels.map((_, i) => color(ctx, i)), borderColor: ctx.theme.surface, borderWidth: 2 }],
    },
    options: {
      ...baseOptions(ctx, true),
      plugins: {
        ...baseOptions(ctx, true).plugins,
        legend: { ...baseOptions(ctx, true).plugins.legend, position: 'right' as const },
        tooltip: {
          ...baseOptions(ctx, false).plugins.tooltip,
          callbacks: { label: (item: TooltipItem<'pie'>) => `${item.label}: ${formatNumber(item.parsed)} (${total ? formatNumber((item.parsed / total) * 100) : 0}%)` },
        },
      },
    },
  };
  return { config: config as unknown as ChartConfiguration, summary: summarizeSeries(ctx, data.labels, [values]), points: values.length };
}

// ---- scatter and bubbles ----

function buildScatter(ctx: Ctx): BuiltChart | null {
  const x = indexOf(ctx, ctx.spec.x);
  const y = indexOf(ctx, ctx.spec.y[0]);
  if (x < 0 || y < 0) return null;
  const size = indexOf(ctx, ctx.spec.size);
  const xKind = xKindOf(ctx, x);
  const readX = xKind === 'time' ? timeOf : numberOf;
  const sizes = size >= 0 ? ctx.rows.map((r) => numberOf(r[size])).filter((v): v is number => v !== null) : [];
  const [lo, hi] = sizes.length ? [Math.min(...sizes.slice(0, 100_000)), Math.max(...sizes.slice(0, 100_000))] : [0, 0];
  const radius = (v: number | null) => (v === null ? 3 : 3 + 17 * Math.sqrt(hi > lo ? (v - lo) / (hi - lo) : 0.5));
  const groups = groupBySeries(ctx);
  let points = 0;
  const datasets = groups.map((g, i) => {
    const data: Array<{ x: number; y: number; r?: number }> = [];
    for (const row of g.rows) {
      const px = readX(row[x]);
      const py = numberOf(row[y]);
      if (px === null || py === null) continue;
      data.push(size >= 0 ? { x: px, y: py, r: radius(numberOf(row[size])) } : { x: px, y: py });
    }
    points += data.length;
    return { label: g.label || columnTitle(ctx.spec.y[0]!), data, backgroundColor: withAlpha(color(ctx, i), 0.55), borderColor: color(ctx, i), pointRadius: data.length > 2_000 ? 1.5 : 3 };
  });
  const formatX = (v: number) => (xKind === 'time' ? formatTime(v, ctx.columns[x]!.type) : formatNumber(v, { compact: true }));
  const config = {
    type: size >= 0 ? ('bubble' as const) : ('scatter' as const),
    data: { datasets },
    options: {
      ...baseOptions(ctx, datasets.length > 1),
      parsing: false as const,
      plugins: {
        ...baseOptions(ctx, datasets.length > 1).plugins,
        tooltip: {
          ...baseOptions(ctx, false).plugins.tooltip,
          callbacks: { label: (item: TooltipItem<'scatter'>) => `${columnTitle(ctx.spec.x!)} ${formatX(item.parsed.x ?? 0)}, ${columnTitle(ctx.spec.y[0]!)} ${formatNumber(item.parsed.y ?? 0)}` },
        },
      },
      scales: {
        x: { type: 'linear' as const, title: axisTitle(ctx, columnTitle(ctx.spec.x!)), ticks: { color: ctx.theme.muted, callback: (v: number | string) => formatX(Number(v)) }, grid: { color: ctx.theme.grid } },
        y: { type: 'linear' as const, title: axisTitle(ctx, columnTitle(ctx.spec.y[0]!)), ticks: valueTicks(ctx), grid: { color: ctx.theme.grid } },
      },
    },
  };
  return { config: config as unknown as ChartConfiguration, summary: `Scatter plot of ${columnTitle(ctx.spec.y[0]!).toLowerCase()} against ${columnTitle(ctx.spec.x!).toLowerCase()}: ${formatNumber(points)} points.`, points };
}

// ---- histogram ----

export function histogramBins(values: readonly number[], bins: number): Array<{ from: number; to: number; count: number }> {
  if (values.length === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const n = hi > lo ? Math.max(1, bins) : 1;
  const width = hi > lo ? (hi - lo) / n : 1;
  const out = Array.from({ length: n }, (_, i) => ({ from: lo + i * width, to: i === n - 1 ? hi : lo + (i + 1) * width, count: 0 }));
  for (const v of values) out[Math.min(n - 1, Math.floor((v - lo) / width))]!.count++;
  return out;
}

function buildHistogram(ctx: Ctx): BuiltChart | null {
  const x = indexOf(ctx, ctx.spec.x);
  if (x < 0) return null;
  const values: number[] = [];
  for (const row of ctx.rows) {
    const v = numberOf(row[x]);
    if (v !== null) values.push(v);
  }
  const bins = histogramBins(values, ctx.spec.bins ?? 20);
  const labels = bins.map((b) => `${formatNumber(b.from, { compact: true })} – ${formatNumber(b.to, { compact: true })}`);
  const config = {
    type: 'bar' as const,
    data: { labels, datasets: [{ label: 'Rows', data: bins.map((b) => b.count), backgroundColor: color(ctx, 0), barPercentage: 1, categoryPercentage: 1, borderColor: ctx.theme.surface, borderWidth: 1 }] },
    options: {
      ...baseOptions(ctx, false),
      scales: {
        x: { type: 'category' as const, title: axisTitle(ctx, columnTitle(ctx.spec.x!)), ticks: { color: ctx.theme.muted, maxRotation: 0, autoSkipPadding: 12 }, grid: { display: false } },
        y: { type: 'linear' as const, beginAtZero: true, title: axisTitle(ctx, 'Rows'), ticks: valueTicks(ctx), grid: { color: ctx.theme.grid } },
      },
    },
  };
  const top = bins.reduce((best, b) => (b.count > best.count ? b : best), bins[0] ?? { from: 0, to: 0, count: 0 });
  return {
    config: config as unknown as ChartConfiguration,
    summary: `Histogram of ${columnTitle(ctx.spec.x!).toLowerCase()}: ${formatNumber(values.length)} values in ${bins.length} bins; most between ${formatNumber(top.from)} and ${formatNumber(top.to)}.`,
    points: bins.length,
  };
}

// ---- summary ----

const TYPE_WORDS: Record<ChartSpec['type'], string> = {
  line: 'Line chart',
  area: 'Area chart',
  bar: 'Bar chart',
  scatter: 'Scatter plot',
  pie: 'Pie chart',
  doughnut: 'Doughnut chart',
  histogram: 'Histogram',
  single: 'Value',
  table: 'Table',
};

const isLabelList = (labels: readonly string[] | { count: number }): labels is readonly string[] => Array.isArray(labels);

/**
 * "Bar chart of total by billing country: 24 bars; highest USA (523.06), lowest Argentina (37.62)."
 * `labels` is the points' labels, or how many points there are and how to name one: a 10,000-point line
 * names only its highest and lowest point, so formatting every x value (a date each) would be waste.
 */
function summarizeSeries(
  ctx: Ctx,
  labels: readonly string[] | { count: number; at: (i: number) => string },
  series: ReadonlyArray<ReadonlyArray<number | null>>,
): string {
  const what = `${TYPE_WORDS[ctx.spec.type]} of ${ctx.spec.y.map((y) => columnTitle(y).toLowerCase()).join(', ')} by ${columnTitle(ctx.spec.x ?? '').toLowerCase()}`;
  const unit = ctx.spec.type === 'bar' ? 'bars' : ctx.spec.type === 'pie' || ctx.spec.type === 'doughnut' ? 'parts' : 'points';
  const named = isLabelList(labels) ? { count: labels.length, at: (i: number) => labels[i] ?? '' } : labels;
  const first = series[0] ?? [];
  let hi = -1;
  let lo = -1;
  for (let i = 0; i < first.length; i++) {
    const v = first[i];
    if (v === null || v === undefined) continue;
    if (hi < 0 || v > first[hi]!) hi = i;
    if (lo < 0 || v < first[lo]!) lo = i;
  }
  const extremes = hi >= 0 ? `; highest ${named.at(hi)} (${formatNumber(first[hi]!)}), lowest ${named.at(lo)} (${formatNumber(first[lo]!)})` : '';
  const lines = series.length > 1 ? `, ${series.length} series` : '';
  return `${what}: ${formatNumber(named.count)} ${unit}${lines}${extremes}.`;
}

/**
 * The rows the spec draws, read from a result's columns: only the columns the
 * spec names are read (x, y, series, size, labels), the others are left out
 * of each row, so a chart of 100,000 rows reads two or three columns, not ten.
 */
function rowsFor(spec: ChartSpec, columns: readonly ResultColumn[], source: CellsOrRows): Rows {
  if (Array.isArray(source)) return source as Rows;
  const cells = source as Cells;
  const names = [spec.x, ...spec.y, spec.series, spec.size, ...(spec.label ?? [])];
  const used = [...new Set(names.map((n) => (n ? columns.findIndex((c) => c.name === n) : -1)).filter((i) => i >= 0))];
  const rows = new Array<unknown[]>(cells.rowCount);
  for (let r = 0; r < cells.rowCount; r++) {
    const row = new Array<unknown>(columns.length);
    for (const c of used) row[c] = cells.get(r, c);
    rows[r] = row;
  }
  return rows;
}

/** Builds the chart.js configuration for a chart spec; null for `single` and `table` (not drawn by chart.js) or a spec naming missing columns. */
export function buildChart(
  spec: ChartSpec,
  columns: readonly ResultColumn[],
  source: CellsOrRows,
  theme: ChartTheme,
  order: CategoryOrder = 'returned',
): BuiltChart | null {
  if (spec.type === 'single' || spec.type === 'table') return null;
  let rows: Rows | null = null;
  const ctx: Ctx = {
    spec,
    columns,
    get rows() {
      return (rows ??= rowsFor(spec, columns, source));
    },
    source,
    theme,
    order,
  };
  switch (spec.type) {
    case 'line':
    case 'area':
      return buildLine(ctx);
    case 'bar':
      return buildBar(ctx);
    case 'pie':
    case 'doughnut':
      return buildPie(ctx);
    case 'scatter':
      return buildScatter(ctx);
    case 'histogram':
      return buildHistogram(ctx);
    default: {
      const never: never = spec.type;
      throw new Error(`Unknown chart type ${String(never)}`);
    }
  }
}

/** The switcher's name for a spec: "Line", "Stacked bar", "Horizontal bar", "Bubble", … */
export function chartLabel(spec: ChartSpec): string {
  switch (spec.type) {
    case 'bar':
      if (spec.series) return spec.stacked ? 'Stacked bar' : 'Grouped bar';
      return spec.horizontal ? 'Bar' : 'Column';
    case 'area':
      return spec.stacked ? 'Stacked area' : 'Area';
    case 'scatter':
      return spec.size ? 'Bubble' : 'Scatter';
    case 'single':
      return 'Value';
    default:
      return spec.type.charAt(0).toUpperCase() + spec.type.slice(1);
  }
}
