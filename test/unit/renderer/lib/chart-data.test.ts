import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChartSpec, NormalizedType, ResultColumn } from '../../../../engine/contract/index';
import { ColumnReader, encodeColumns } from '../../../../engine/contract/result-columns';
import { buildChart, chartLabel, DECIMATE_ABOVE, hasCategoryOrder, histogramBins, orderCategories, topCategories, withAlpha } from '../../../../renderer/src/lib/chart-data';

const theme = { colors: ['#111111', '#222222', '#333333'], text: '#000', muted: '#666', grid: '#eee', surface: '#fff', font: 'sans-serif' };
const cols = (...c: Array<[string, NormalizedType]>): ResultColumn[] => c.map(([name, type]) => ({ name, type, nativeType: type }));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
const build = (spec: ChartSpec, columns: ResultColumn[], rows: unknown[][]) => {
  const built = buildChart(spec, columns, rows, theme);
  assert.ok(built, 'a chart was built');
  // The app draws from the result's columns (result-columns.ts): the same chart as from its rows.
  const fromColumns = buildChart(spec, columns, new ColumnReader(encodeColumns(rows, columns.length)), theme);
  assert.equal(fromColumns?.config.data, built.config.data, 'the same data drawn from columns');
  assert.is(fromColumns?.summary, built.summary);
  return built as { config: Loose; summary: string; points: number };
};

test('a line over dates: points on a number line in time order, humanized axis titles, a summary for screen readers', () => {
  const built = build({ type: 'line', x: 'invoice_month', y: ['total'] }, cols(['invoice_month', 'date'], ['total', 'decimal']), [
    ['2021-03-01', '30.5'],
    ['2021-01-01', '10.25'],
    ['2021-02-01', '20'],
  ]);
  const data = built.config.data.datasets[0].data as Array<{ x: number; y: number }>;
  assert.equal(data.map((p) => p.y), [10.25, 20, 30.5]);
  assert.is(built.config.options.scales.x.type, 'linear');
  assert.is(built.config.options.scales.x.title.text, 'Invoice month');
  assert.is(built.config.options.scales.y.title.text, 'Total');
  assert.is(built.config.options.plugins.decimation.enabled, false);
  // The highest and lowest points are named by their x, formatted as the axis formats it (months here).
  const month = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' });
  assert.is(built.summary, `Line chart of total by invoice month: 3 points; highest ${month.format(Date.UTC(2021, 2, 1))} (30.5), lowest ${month.format(Date.UTC(2021, 0, 1))} (10.25).`);
});

test('long series are decimated with LTTB (data stays whole; chart.js thins what it draws)', () => {
  const rows = Array.from({ length: 100_000 }, (_, i) => [new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString(), Math.sin(i / 500)]);
  const built = build({ type: 'line', x: 'at', y: ['v'] }, cols(['at', 'timestamptz'], ['v', 'float']), rows);
  assert.ok(built.points > DECIMATE_ABOVE);
  assert.is(built.points, 100_000);
  assert.equal(built.config.options.plugins.decimation, { enabled: true, algorithm: 'lttb', samples: 800 });
  assert.is(built.config.options.parsing, false);
});

test('switching a long line to an area and back reads the result once: the same points, from what the first chart worked out', () => {
  const columns = cols(['at', 'timestamptz'], ['v', 'float'], ['w', 'float']);
  const rows = Array.from({ length: 10_000 }, (_, i) => [new Date(Date.UTC(2020, 0, 1) + (9_999 - i) * 3_600_000).toISOString(), i % 7, 100 + i]);
  const reader = new ColumnReader(encodeColumns(rows, columns.length));
  let reads = 0;
  const cells = { rowCount: reader.rowCount, get: (r: number, c: number) => (reads++, reader.get(r, c)) };
  const line = buildChart({ type: 'line', x: 'at', y: ['v'] }, columns, cells, theme) as Loose;
  assert.ok(reads >= 20_000, 'the first chart reads both columns of every row');
  reads = 0;
  const area = buildChart({ type: 'area', x: 'at', y: ['v'] }, columns, cells, theme) as Loose;
  const again = buildChart({ type: 'line', x: 'at', y: ['v'] }, columns, cells, theme) as Loose;
  assert.is(reads, 0, 'the switches read no row');
  assert.equal(area.config.data.datasets[0].data, line.config.data.datasets[0].data);
  assert.equal(again.config.data, line.config.data);
  assert.is.not(again.config.data.datasets[0].data, line.config.data.datasets[0].data, 'each chart gets its own point objects (chart.js keeps state on them)');
  assert.is(area.config.data.datasets[0].fill, 'origin');
  assert.is(line.config.data.datasets[0].data[0].x, Date.UTC(2020, 0, 1), 'in time order');
  // Another measure of the same result is its own line, not the cached one.
  const other = buildChart({ type: 'line', x: 'at', y: ['w'] }, columns, cells, theme) as Loose;
  assert.is(other.config.data.datasets[0].data[0].y, 100 + 9_999, 'the other measure at the earliest time');
  assert.ok(reads >= 20_000, 'a new measure is read from the rows');
});

test('dense lines are straight segments; a few points are drawn as monotone curves', () => {
  const columns = cols(['at', 'date'], ['v', 'float']);
  const day = (i: number) => new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10);
  const few = build({ type: 'line', x: 'at', y: ['v'] }, columns, Array.from({ length: 12 }, (_, i) => [day(i), i]));
  assert.is(few.config.data.datasets[0].cubicInterpolationMode, 'monotone');
  assert.is(few.config.data.datasets[0].pointRadius, 3);
  const many = build({ type: 'line', x: 'at', y: ['v'] }, columns, Array.from({ length: 500 }, (_, i) => [day(i), i % 9]));
  assert.is(many.config.data.datasets[0].tension, 0);
  assert.is(many.config.data.datasets[0].cubicInterpolationMode, undefined);
  assert.is(many.config.data.datasets[0].pointRadius, 0);
});

test('years on a line read without thousands separators; month names sort in calendar order', () => {
  const years = build({ type: 'line', x: 'year', y: ['n'] }, cols(['year', 'integer'], ['n', 'integer']), [[2009, 1], [2010, 2]]);
  assert.is(years.config.options.scales.x.ticks.callback(2009), '2009');
  const months = build({ type: 'line', x: 'month', y: ['n'] }, cols(['month', 'string'], ['n', 'integer']), [['March', 3], ['January', 1], ['February', 2]]);
  assert.equal(months.config.data.labels, ['January', 'February', 'March']);
  assert.equal(months.config.data.datasets[0].data, [1, 2, 3]);
});

test('a series column makes one line per value', () => {
  const rows = [['2021-01-01', 'Rock', 1], ['2021-01-01', 'Jazz', 2], ['2021-02-01', 'Rock', 3], ['2021-02-01', 'Jazz', 4]];
  const built = build({ type: 'line', x: 'm', y: ['n'], series: 'g' }, cols(['m', 'date'], ['g', 'string'], ['n', 'integer']), rows);
  assert.equal(built.config.data.datasets.map((d: { label: string }) => d.label), ['Rock', 'Jazz']);
  assert.is(built.config.options.plugins.legend.display, true);
});

test('bars: horizontal, top N with Other summed, and first and last name joined as one label', () => {
  const rows = Array.from({ length: 40 }, (_, i) => [`First${i}`, `Last${i}`, 40 - i]);
  const built = build({ type: 'bar', x: 'first_name', label: ['first_name', 'last_name'], y: ['total'], horizontal: true, topN: 30, other: true }, cols(['first_name', 'string'], ['last_name', 'string'], ['total', 'integer']), rows);
  assert.is(built.config.options.indexAxis, 'y');
  assert.is(built.config.data.labels.length, 31);
  assert.is(built.config.data.labels[0], 'First0 Last0');
  assert.is(built.config.data.labels[30], 'Other (10)');
  assert.is(built.config.data.datasets[0].data[30], 55, 'the ten smallest (10+9+…+1) summed');
});

test('bars and pies reorder their categories as the user picks: by total, smallest first, by name (numbers in number order); Other stays last', () => {
  const columns = cols(['country', 'string'], ['total', 'decimal']);
  const rows = [['Norway', '10'], ['Brazil', '30'], ['Item 10', '20'], ['Item 9', '5']];
  const labels = (order?: Parameters<typeof buildChart>[4]) => (buildChart({ type: 'bar', x: 'country', y: ['total'] }, columns, rows, theme, order) as Loose).config.data.labels;
  assert.equal(labels(), ['Norway', 'Brazil', 'Item 10', 'Item 9'], 'as returned by default');
  assert.equal(labels('largest'), ['Brazil', 'Item 10', 'Norway', 'Item 9']);
  assert.equal(labels('smallest'), ['Item 9', 'Norway', 'Item 10', 'Brazil']);
  assert.equal(labels('name'), ['Brazil', 'Item 9', 'Item 10', 'Norway']);
  const values = (buildChart({ type: 'bar', x: 'country', y: ['total'] }, columns, rows, theme, 'name') as Loose).config.data.datasets[0].data;
  assert.equal(values, [30, 5, 20, 10], 'each value moves with its label');
  const pie = buildChart({ type: 'pie', x: 'country', y: ['total'] }, columns, rows, theme, 'smallest') as Loose;
  assert.equal(pie.config.data.labels, ['Item 9', 'Norway', 'Item 10', 'Brazil']);
  assert.equal(pie.config.data.datasets[0].data, [5, 10, 20, 30]);

  const withOther = { labels: ['b', 'a', 'c', 'Other (4)'], datasets: [{ label: 't', values: [5, 9, 1, 50] }] };
  assert.equal(orderCategories(withOther, 'name', true).labels, ['a', 'b', 'c', 'Other (4)']);
  assert.equal(orderCategories(withOther, 'smallest', true).labels, ['c', 'b', 'a', 'Other (4)'], 'Other is last even when it is the largest');
  const grouped = { labels: ['x', 'y'], datasets: [{ label: 'Rock', values: [1, 4] }, { label: 'Jazz', values: [6, null] }] };
  assert.equal(orderCategories(grouped, 'largest', false), { labels: ['x', 'y'], datasets: [{ label: 'Rock', values: [1, 4] }, { label: 'Jazz', values: [6, null] }] }, 'grouped bars order by their total across series (7 against 4)');
  assert.ok(hasCategoryOrder({ type: 'bar', x: 'a', y: ['b'] }) && hasCategoryOrder({ type: 'doughnut', x: 'a', y: ['b'] }));
  assert.not.ok(hasCategoryOrder({ type: 'line', x: 'a', y: ['b'] }));
});

test('top N without Other for measures that do not add up (averages)', () => {
  const data = { labels: ['a', 'b', 'c'], datasets: [{ label: 'avg', values: [1, 3, 2] }] };
  assert.equal(topCategories(data, 2, false), { labels: ['b', 'c'], datasets: [{ label: 'avg', values: [3, 2] }] });
});

test('grouped and stacked bars pivot the series into datasets', () => {
  const rows = [['USA', 'Rock', 5], ['USA', 'Jazz', 2], ['Canada', 'Rock', 3]];
  const built = build({ type: 'bar', x: 'country', y: ['n'], series: 'genre', stacked: true }, cols(['country', 'string'], ['genre', 'string'], ['n', 'integer']), rows);
  assert.equal(built.config.data.labels, ['USA', 'Canada']);
  assert.equal(built.config.data.datasets.map((d: { label: string; data: unknown[] }) => [d.label, d.data]), [['Rock', [5, 3]], ['Jazz', [2, null]]]);
  assert.is(built.config.options.scales.x.stacked, true);
});

test('pie and doughnut: one slice per category, each its own colour', () => {
  const built = build({ type: 'doughnut', x: 'media', y: ['n'] }, cols(['media', 'string'], ['n', 'integer']), [['MPEG', 3034], ['AAC', 237], ['Protected', 214]]);
  assert.is(built.config.type, 'doughnut');
  assert.equal(built.config.data.datasets[0].backgroundColor, ['#111111', '#222222', '#333333']);
});

test('scatter, and bubbles sized by a third column', () => {
  const rows = [[1, 2, 10], [2, 3, 20], [3, 1, 40]];
  const scatter = build({ type: 'scatter', x: 'a', y: ['b'] }, cols(['a', 'integer'], ['b', 'integer'], ['c', 'integer']), rows);
  assert.is(scatter.config.type, 'scatter');
  assert.equal(scatter.config.data.datasets[0].data, [{ x: 1, y: 2 }, { x: 2, y: 3 }, { x: 3, y: 1 }]);
  const bubble = build({ type: 'scatter', x: 'a', y: ['b'], size: 'c' }, cols(['a', 'integer'], ['b', 'integer'], ['c', 'integer']), rows);
  assert.is(bubble.config.type, 'bubble');
  const radii = bubble.config.data.datasets[0].data.map((p: { r: number }) => p.r);
  assert.ok(radii[0] < radii[1] && radii[1] < radii[2]);
});

test('histogram bins cover min to max, every value counted once', () => {
  const values = Array.from({ length: 1000 }, (_, i) => i);
  const bins = histogramBins(values, 10);
  assert.is(bins.length, 10);
  assert.is(bins.reduce((n, b) => n + b.count, 0), 1000);
  assert.is(bins[0]!.from, 0);
  assert.is(bins[9]!.to, 999);
  assert.equal(histogramBins([5, 5, 5], 10), [{ from: 5, to: 5, count: 3 }]);
  const built = build({ type: 'histogram', x: 'ms', y: [], bins: 10 }, cols(['ms', 'integer']), values.map((v) => [v]));
  assert.is(built.config.data.datasets[0].data.length, 10);
  assert.match(built.summary, /Histogram of ms: 1,000 values in 10 bins/);
});

test('single values and tables are not drawn by chart.js; a spec naming a missing column draws nothing', () => {
  assert.is(buildChart({ type: 'single', x: null, y: ['n'] }, cols(['n', 'integer']), [[1]], theme), null);
  assert.is(buildChart({ type: 'table', x: null, y: [] }, cols(['n', 'integer']), [[1]], theme), null);
  assert.is(buildChart({ type: 'bar', x: 'gone', y: ['n'] }, cols(['n', 'integer']), [[1]], theme), null);
});

test('switcher names', () => {
  assert.is(chartLabel({ type: 'bar', x: 'a', y: ['b'], series: 'c', stacked: true }), 'Stacked bar');
  assert.is(chartLabel({ type: 'bar', x: 'a', y: ['b'], series: 'c' }), 'Grouped bar');
  assert.is(chartLabel({ type: 'scatter', x: 'a', y: ['b'], size: 'c' }), 'Bubble');
  assert.is(chartLabel({ type: 'line', x: 'a', y: ['b'] }), 'Line');
  assert.is(withAlpha('#4f46e5', 0.2), 'rgba(79, 70, 229, 0.2)');
});

test.run();
