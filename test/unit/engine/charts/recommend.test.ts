import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { recommendChart, CHART_LIMITS } from '../../../../engine/charts/recommend';
import { mongoChartHints } from '../../../../engine/connectors/mongodb/chart-hints';
import type { ChartRecommendation, NormalizedType } from '../../../../engine/contract/index';

type Col = [name: string, type: NormalizedType];

function chart(columns: Col[], rows: unknown[][], hints = {}): ChartRecommendation {
  return recommendChart({ columns: columns.map(([name, type]) => ({ name, type, nativeType: type })), rows }, hints);
}

const types = (r: ChartRecommendation) => [r.recommended.type, ...r.alternatives.map((a) => a.type)];
const countries = ['USA', 'Canada', 'Brazil', 'France', 'Germany', 'United Kingdom', 'Portugal', 'Czech Republic', 'India', 'Chile', 'Ireland', 'Hungary', 'Austria', 'Finland'];
const months = ['2009-01-01', '2009-02-01', '2009-03-01', '2009-04-01', '2009-05-01', '2009-06-01'];

// ---- the matrix ----

test('a date and a measure: a line over time, with area and bars as alternatives and the table last', () => {
  const r = chart([['invoice_month', 'date'], ['total', 'decimal']], months.map((m, i) => [m, `${30 + i}.62`]));
  assert.equal(r.recommended, { type: 'line', x: 'invoice_month', y: ['total'] });
  assert.equal(types(r), ['line', 'area', 'bar', 'table']);
  assert.match(r.reason, /date/);
  assert.match(r.reason, /over time/);
});

test('timestamps with a time zone are dates too', () => {
  const r = chart([['day', 'timestamptz'], ['n', 'integer']], [['2024-01-01T00:00:00.000Z', 3], ['2024-01-02T00:00:00.000Z', 5], ['2024-01-03T00:00:00.000Z', 4]]);
  assert.is(r.recommended.type, 'line');
});

test('a category and a measure: bars, in the order the query ranked them', () => {
  const r = chart([['country', 'string'], ['customers', 'integer']], [['USA', 13], ['Canada', 8], ['Brazil', 5], ['France', 5]]);
  assert.equal(r.recommended, { type: 'bar', x: 'country', y: ['customers'] });
  assert.match(r.reason, /ranked/);
  // Four parts of a whole (a count): a pie and a doughnut are offered, never recommended.
  assert.ok(types(r).includes('pie') && types(r).includes('doughnut'));
});

test('long labels or more than a dozen categories lay the bars on their side', () => {
  const long = chart([['album', 'string'], ['tracks', 'integer']], [['Greatest Hits of the Seventies', 20], ['Live', 10]]);
  assert.is(long.recommended.horizontal, true);
  assert.match(long.reason, /long labels/);
  const many = chart([['country', 'string'], ['n', 'integer']], countries.map((c, i) => [c.slice(0, 8), 20 - i]));
  assert.is(many.recommended.horizontal, true);
  const few = chart([['code', 'string'], ['n', 'integer']], [['A', 1], ['B', 2]]);
  assert.is(few.recommended.horizontal, undefined);
});

test('more than 30 categories: the top 30, the rest summed as Other; more than 1,000: the table, bars as the alternative', () => {
  const forty = Array.from({ length: 40 }, (_, i) => [`artist ${i}`, 100 - i]);
  const r = chart([['artist', 'string'], ['tracks', 'integer']], forty);
  assert.is(r.recommended.type, 'bar');
  assert.is(r.recommended.topN, CHART_LIMITS.topN);
  assert.match(r.reason, /top 30 of 40, the rest summed as Other/);
  const many = Array.from({ length: 1_200 }, (_, i) => [`track ${i}`, i]);
  const t = chart([['track', 'string'], ['plays', 'integer']], many);
  assert.is(t.recommended.type, 'table');
  assert.equal(t.alternatives[0], { type: 'bar', x: 'track', y: ['plays'], horizontal: true, topN: 30, other: true });
  assert.is(chart([['artist', 'string'], ['avg_price', 'decimal']], forty).recommended.other, undefined, 'averages are not summed');
});

test('pies only for at most 7 parts of a whole: not for averages, negatives or 8 parts', () => {
  const parts = (n: number, measure = 'total', sign = 1) => chart([['genre', 'string'], [measure, 'integer']], Array.from({ length: n }, (_, i) => [`g${i}`, sign * (i + 1)]));
  assert.ok(types(parts(7)).includes('pie'));
  assert.not.ok(types(parts(8)).includes('pie'));
  assert.not.ok(types(parts(5, 'avg_price')).includes('pie'));
  assert.not.ok(types(parts(5, 'total', -1)).includes('pie'));
  assert.not.ok(types(parts(5, 'MaxPrice')).includes('pie'));
  // Words, not letters: a sum of minutes adds up.
  assert.ok(types(parts(5, 'total_minutes')).includes('pie'));
});

test('a share that makes a whole is recommended as a pie', () => {
  const r = chart([['media_type', 'string'], ['share_percent', 'float']], [['MPEG audio', 87.1], ['AAC', 8.2], ['Protected AAC', 4.7]]);
  assert.is(r.recommended.type, 'pie');
  assert.match(r.reason, /share/);
});

test('two categories and a measure: grouped bars for few series, stacked for more, with the swap as an alternative', () => {
  const rows: unknown[][] = [];
  for (const c of ['USA', 'Canada', 'France']) for (const g of ['Rock', 'Jazz']) rows.push([c, g, c.length + g.length]);
  const grouped = chart([['country', 'string'], ['genre', 'string'], ['tracks', 'integer']], rows);
  assert.equal(grouped.recommended, { type: 'bar', x: 'country', y: ['tracks'], series: 'genre' });
  assert.match(grouped.reason, /side by side by genre/);
  assert.ok(grouped.alternatives.some((a) => a.type === 'bar' && a.stacked === true));

  const stackedRows: unknown[][] = [];
  for (const c of ['USA', 'Canada', 'France', 'Brazil', 'India', 'Chile', 'Germany', 'Italy']) for (const g of ['Rock', 'Jazz', 'Metal', 'Pop', 'Blues', 'Latin', 'Soul']) stackedRows.push([c, g, 1]);
  const stacked = chart([['country', 'string'], ['genre', 'string'], ['tracks', 'integer']], stackedRows);
  assert.is(stacked.recommended.stacked, true);
  assert.is(stacked.recommended.series, 'genre');
});

test('two many-valued categories: the table, because no colours tell that many series apart', () => {
  const rows: unknown[][] = [];
  for (let a = 0; a < 20; a++) for (let b = 0; b < 20; b++) rows.push([`a${a}`, `b${b}`, a * b]);
  const r = chart([['customer', 'string'], ['track', 'string'], ['plays', 'integer']], rows);
  assert.is(r.recommended.type, 'table');
  assert.match(r.reason, /many values/);
});

test('time and a category: one line per category', () => {
  const rows: unknown[][] = [];
  for (const m of months) for (const g of ['Rock', 'Jazz', 'Metal']) rows.push([m, g, 5]);
  const r = chart([['month', 'date'], ['genre', 'string'], ['tracks', 'integer']], rows);
  assert.equal(r.recommended, { type: 'line', x: 'month', y: ['tracks'], series: 'genre' });
  assert.ok(r.alternatives.some((a) => a.type === 'bar' && a.series === 'genre' && a.stacked === true));
});

test('a running total over time is an area', () => {
  const r = chart([['month', 'date'], ['cumulative_total', 'decimal']], months.map((m, i) => [m, String((i + 1) * 10)]));
  assert.is(r.recommended.type, 'area');
  assert.match(r.reason, /running total/);
});

test('two numeric columns: a scatter; a third sizes the points', () => {
  const rows = Array.from({ length: 30 }, (_, i) => [((i * 7919) % 97) + 0.5, (i * 31) % 17, i + 1]);
  const two = chart([['milliseconds', 'integer'], ['bytes', 'integer']], rows.map((r) => r.slice(0, 2)));
  assert.equal(two.recommended, { type: 'scatter', x: 'milliseconds', y: ['bytes'] });
  const three = chart([['milliseconds', 'integer'], ['bytes', 'integer'], ['unit_price', 'decimal']], rows);
  assert.equal(three.recommended, { type: 'scatter', x: 'milliseconds', y: ['bytes'], size: 'unit_price' });
});

test('an ordered numeric x (each value once, ascending) is followed by a line', () => {
  const r = chart([['minutes', 'integer'], ['tracks', 'integer']], [[1, 30], [2, 120], [3, 400], [4, 800], [5, 600]]);
  assert.equal(r.recommended, { type: 'line', x: 'minutes', y: ['tracks'] });
});

test('one numeric column of many rows: a histogram', () => {
  const rows = Array.from({ length: 500 }, (_, i) => [(i * 7919) % 1000]);
  const r = chart([['milliseconds', 'integer']], rows);
  assert.is(r.recommended.type, 'histogram');
  assert.is(r.recommended.x, 'milliseconds');
  assert.ok(r.recommended.bins! >= 5 && r.recommended.bins! <= 40);
  // A handful of unlabelled numbers is better read than drawn.
  assert.is(chart([['n', 'integer']], [[1], [2], [3]]).recommended.type, 'table');
});

test('one cell: the single value card; one row of measures: several values', () => {
  assert.equal(chart([['count', 'integer']], [[59]]).recommended, { type: 'single', x: null, y: ['count'] });
  assert.equal(chart([['name', 'string']], [['AC/DC']]).recommended, { type: 'single', x: null, y: ['name'] });
  const row = chart([['min_ms', 'integer'], ['avg_ms', 'float'], ['max_ms', 'integer']], [[1071, 393599.2, 5286953]]);
  assert.equal(row.recommended, { type: 'single', x: null, y: ['min_ms', 'avg_ms', 'max_ms'] });
  const top = chart([['artist', 'string'], ['albums', 'integer']], [['Iron Maiden', 21]]);
  assert.equal(top.recommended, { type: 'single', x: 'artist', y: ['albums'] });
});

test('free text and nothing else numeric: the table', () => {
  const rows = Array.from({ length: 10 }, (_, i) => [`A long comment number ${i} about how the order went and what came of it`]);
  const r = chart([['comment', 'string']], rows);
  assert.is(r.recommended.type, 'table');
  assert.match(r.reason, /free text/);
  assert.equal(r.alternatives, []);
});

test('no rows: the table, and it says why', () => {
  const r = chart([['country', 'string'], ['n', 'integer']], []);
  assert.is(r.recommended.type, 'table');
  assert.match(r.reason, /No rows/);
});

// ---- ambiguous shapes ----

test('a year as an integer is an ordered axis, not a measure', () => {
  const r = chart([['year', 'integer'], ['total', 'decimal']], [[2009, '449.46'], [2010, '481.45'], [2011, '469.58'], [2012, '477.53'], [2013, '450.58']]);
  assert.equal(r.recommended, { type: 'line', x: 'year', y: ['total'] });
  const camel = chart([['InvoiceYear', 'integer'], ['Invoices', 'integer']], [[2009, 83], [2010, 83], [2011, 83]]);
  assert.equal(camel.recommended, { type: 'line', x: 'InvoiceYear', y: ['Invoices'] });
  // A year written as text (strftime) too, but a four-digit code is not a year.
  assert.is(chart([['year', 'string'], ['n', 'integer']], [['2009', 1], ['2010', 2], ['2011', 3]]).recommended.type, 'line');
  assert.is(chart([['postal_code', 'string'], ['n', 'integer']], [['0171', 1], ['1010', 2], ['2010', 3]]).recommended.type, 'bar');
  // Not named like a year: integers in that range are measures.
  assert.is(chart([['amount', 'integer'], ['qty', 'integer']], [[2009, 1], [2010, 2], [2011, 3]]).recommended.x, 'amount');
});

test('month names and quarters are ordered labels: a line, even when the query sorted them alphabetically', () => {
  const r = chart([['month', 'string'], ['invoices', 'integer']], [['April', 30], ['February', 28], ['January', 31], ['March', 33]]);
  assert.equal(r.recommended, { type: 'line', x: 'month', y: ['invoices'] });
  const q = chart([['quarter', 'string'], ['sales', 'decimal']], [['2013-Q1', '10.5'], ['2013-Q2', '12.5'], ['2013-Q3', '9.0']]);
  assert.is(q.recommended.type, 'line');
  // A month number named month is a position in the year.
  assert.is(chart([['month', 'integer'], ['invoices', 'integer']], [[1, 30], [2, 28], [3, 31]]).recommended.type, 'line');
});

test('year and month as two columns: months along the axis, one line per year', () => {
  const rows: unknown[][] = [];
  for (const y of [2009, 2010, 2011]) for (let m = 1; m <= 12; m++) rows.push([y, m, y - 2000 + m]);
  const r = chart([['year', 'integer'], ['month', 'integer'], ['total', 'decimal']], rows);
  assert.equal(r.recommended, { type: 'line', x: 'month', y: ['total'], series: 'year' });
});

test('numeric ids are labels, never measures', () => {
  const r = chart([['customer_id', 'integer'], ['total', 'decimal']], [[1, '39.62'], [2, '37.62'], [3, '39.62']]);
  assert.equal(r.recommended.x, 'customer_id');
  assert.equal(r.recommended.y, ['total']);
  // With a name to label them, the id is left out and the reason says why.
  const named = chart([['artist_id', 'integer'], ['name', 'string'], ['albums', 'integer']], [[90, 'Iron Maiden', 21], [22, 'Led Zeppelin', 14], [58, 'Deep Purple', 11]]);
  assert.equal(named.recommended, { type: 'bar', x: 'name', y: ['albums'] });
  assert.match(named.reason, /Artist id is an id, not a measure/);
  // Ids and nothing else: nothing to measure.
  const ids = chart([['InvoiceId', 'integer'], ['CustomerId', 'integer']], [[1, 2], [2, 4], [3, 8]]);
  assert.is(ids.recommended.type, 'table');
  assert.match(ids.reason, /ids and codes/);
  // An aggregate named after an id is a measure.
  assert.equal(chart([['country', 'string'], ['count_customer_id', 'integer']], [['USA', 13], ['Canada', 8]]).recommended.y, ['count_customer_id']);
});

test('first and last name are one label, not two groupings', () => {
  const rows = [['Helena', 'Holý', '49.62'], ['Richard', 'Cunningham', '47.62'], ['Luis', 'Rojas', '46.62'], ['Ladislav', 'Kovács', '45.62']];
  const r = chart([['first_name', 'string'], ['last_name', 'string'], ['total', 'decimal']], rows);
  assert.equal(r.recommended, { type: 'bar', x: 'first_name', label: ['first_name', 'last_name'], y: ['total'], horizontal: true });
  assert.match(r.reason, /per name/);
  // Two people with the same first name are still two bars.
  const same = chart([['FirstName', 'string'], ['LastName', 'string'], ['n', 'integer']], [['Frank', 'Harris', 3], ['Frank', 'Ralston', 2], ['Mark', 'Philips', 1]]);
  assert.equal(same.recommended.label, ['FirstName', 'LastName']);
  // The plan names what they are.
  const hinted = chart([['first_name', 'string'], ['last_name', 'string'], ['customers', 'integer']], [['Jane', 'Peacock', 21], ['Margaret', 'Park', 20], ['Steve', 'Johnson', 18]], {
    dimensions: ['first_name', 'last_name'],
    measures: ['customers'],
    groups: [{ columns: ['first_name', 'last_name'], label: 'employee' }],
  });
  assert.equal(hinted.recommended.label, ['first_name', 'last_name']);
  assert.match(hinted.reason, /Customers per employee/);
});

test('a list with a date and unique other labels: a line over the dates, not one line per row', () => {
  const r = chart(
    [['invoice_id', 'integer'], ['invoice_date', 'timestamp'], ['total', 'decimal'], ['billing_city', 'string']],
    [[1, '2021-01-01 00:00:00', '21.86', 'Prague'], [2, '2022-02-01 00:00:00', '23.86', 'Oslo'], [3, '2023-03-01 00:00:00', '25.86', 'Paris']],
  );
  assert.equal(r.recommended, { type: 'line', x: 'invoice_date', y: ['total'] });
});

test('negative values: bars and lines, never a pie', () => {
  const r = chart([['genre', 'string'], ['change', 'decimal']], [['Rock', '-12.5'], ['Jazz', '3.0'], ['Metal', '7.25']]);
  assert.is(r.recommended.type, 'bar');
  assert.not.ok(types(r).includes('pie'));
  const line = chart([['day', 'date'], ['balance', 'float']], [['2024-01-01', -5], ['2024-01-02', 3], ['2024-01-03', -1]]);
  assert.is(line.recommended.type, 'line');
});

test('all-null columns are left out (and said so); an all-null measure leaves nothing to draw', () => {
  const r = chart([['country', 'string'], ['fax', 'string'], ['customers', 'integer']], [['USA', null, 13], ['Canada', null, 8]]);
  assert.equal(r.recommended, { type: 'bar', x: 'country', y: ['customers'] });
  assert.match(r.reason, /Fax is empty/);
  const none = chart([['country', 'string'], ['total', 'decimal']], [['USA', null], ['Canada', null]]);
  assert.is(none.recommended.type, 'table');
  const allNull = chart([['a', 'string'], ['b', 'integer']], [[null, null], [null, null]]);
  assert.match(allNull.reason, /empty/);
});

test('one row with a date and a measure: a single value, not a one-point line', () => {
  const r = chart([['month', 'date'], ['total', 'decimal']], [['2013-12-01', '38.62']]);
  assert.equal(r.recommended, { type: 'single', x: 'month', y: ['total'] });
});

test('50,000 rows: a decimatable line over time, computed in well under a second', () => {
  const start = Date.UTC(2020, 0, 1);
  const rows = Array.from({ length: 50_000 }, (_, i) => [new Date(start + i * 60_000).toISOString(), Math.sin(i / 100) * 100]);
  const began = performance.now();
  const r = chart([['at', 'timestamptz'], ['value', 'float']], rows);
  const elapsed = performance.now() - began;
  assert.equal(r.recommended, { type: 'line', x: 'at', y: ['value'] });
  assert.not.ok(types(r).includes('bar'), 'no 50,000 bars');
  // Not a timed assertion of speed, a bound on the kind of work: linear, not quadratic (which would take minutes).
  assert.ok(elapsed < 20_000, `took ${elapsed} ms`);
  const hist = chart([['milliseconds', 'integer']], rows.map((r) => [Math.round((r[1] as number) * 1000)]));
  assert.is(hist.recommended.type, 'histogram');
  assert.is(hist.recommended.bins, 40);
});

test('MongoDB: nested fields flattened to dotted names are profiled like any column; documents are not drawn', () => {
  const r = chart(
    [['_id', 'string'], ['address.country', 'string'], ['stats.orders', 'integer'], ['tags', 'array'], ['meta', 'object']],
    [
      ['a1', 'USA', 12, ['x'], { a: 1 }],
      ['a2', 'Canada', 7, [], { a: 2 }],
      ['a3', 'France', 3, ['y'], { a: 3 }],
    ],
  );
  assert.is(r.recommended.type, 'bar');
  assert.equal(r.recommended.y, ['stats.orders']);
  assert.match(r.reason, /stats orders/i);
  // A $group result: _id is the grouping key, a label.
  const grouped = chart([['_id', 'string'], ['count', 'integer']], [['Rock', 1297], ['Latin', 579], ['Metal', 374]]);
  assert.equal(grouped.recommended, { type: 'bar', x: '_id', y: ['count'] });
  // Object ids name documents; they are never measured.
  const oid = chart([['_id', 'objectId'], ['total', 'float']], [['65a1', 1.5], ['65a2', 2.5], ['65a3', 0.5]]);
  assert.equal(oid.recommended.x, '_id');
  // Fields typed 'unknown' whose values are all numbers are numbers.
  const mixed = chart([['city', 'string'], ['population', 'unknown']], [['Oslo', 709_000], ['Bergen', 286_000]]);
  assert.equal(mixed.recommended.y, ['population']);
});

test('MongoDB: a $group keyed by year reads _id as the years it holds, a find\'s numeric _id stays an id (regression)', () => {
  const years = [[1990, 12], [1991, 15], [1992, 9], [1993, 20], [1994, 14]];
  const query = (pipeline: object[]) => JSON.stringify({ collection: 'customers', operation: 'aggregate', pipeline });
  const byYear = chart([['_id', 'integer'], ['customers', 'integer']], years, mongoChartHints(query([{ $group: { _id: { $year: '$birthdate' }, customers: { $sum: 1 } } }, { $sort: { _id: 1 } }])));
  assert.equal(byYear.recommended, { type: 'line', x: '_id', y: ['customers'] });
  assert.match(byYear.reason, /from one year to the next/);
  // Grouped by a field named like a year: read by that name.
  const byField = chart([['_id', 'integer'], ['customers', 'integer']], years, mongoChartHints(query([{ $group: { _id: '$year', customers: { $sum: 1 } } }])));
  assert.is(byField.recommended.type, 'line');
  // The same numbers as ids (grouped by customer_id, or a find's own _id) are labels, never years.
  const byId = chart([['_id', 'integer'], ['orders', 'integer']], years, mongoChartHints(query([{ $group: { _id: '$customer_id', orders: { $sum: 1 } } }])));
  assert.equal(byId.recommended, { type: 'bar', x: '_id', y: ['orders'] });
  assert.not.ok(types(byId).includes('line'));
  const found = chart([['_id', 'integer'], ['orders', 'integer']], years, mongoChartHints(JSON.stringify({ collection: 'customers', operation: 'find' })));
  assert.not.ok(types(found).includes('line'));
  // A stage after the grouping that rewrites _id drops the hint: the values alone decide.
  assert.equal(mongoChartHints(query([{ $group: { _id: { $year: '$birthdate' } } }, { $set: { _id: '$other' } }])), {});
});

test('a few small integer codes (a passenger class 1-3, a 0/1 flag) are categories drawn as bars, not a continuous axis (regression)', () => {
  const perClass = chart([['Pclass', 'integer'], ['passengers', 'integer']], [[1, 216], [2, 184], [3, 491]]);
  assert.equal(perClass.recommended, { type: 'bar', x: 'Pclass', y: ['passengers'] });
  assert.not.ok(types(perClass).includes('line'));
  const rows: unknown[][] = [];
  for (const c of [1, 2, 3]) for (const s of [0, 1]) rows.push([c, s, 50 + c * 10 + s]);
  const twoCodes = chart([['Pclass', 'integer'], ['Survived', 'integer'], ['passengers', 'integer']], rows);
  assert.equal(twoCodes.recommended, { type: 'bar', x: 'Pclass', y: ['passengers'], series: 'Survived' });
  // Small counts are still measures: nothing else is left to measure, or the name is a count or a unit.
  assert.equal(chart([['album', 'string'], ['tracks', 'integer']], [['A', 8], ['B', 12], ['C', 15]]).recommended.y, ['tracks']);
  assert.equal(chart([['country', 'string'], ['invoices', 'integer'], ['customers', 'integer']], [['USA', 91, 13], ['Canada', 56, 8], ['Brazil', 35, 5]]).recommended.y, ['invoices', 'customers']);
  assert.is(chart([['minutes', 'integer'], ['tracks', 'integer']], [[1, 30], [2, 120], [3, 400], [4, 800]]).recommended.type, 'line');
});

test('decimals and big integers arrive as exact text and are measured as numbers', () => {
  const r = chart([['artist', 'string'], ['revenue', 'decimal'], ['plays', 'integer']], [['A', '138.60', '9007199254740993'], ['B', '105.93', '1'], ['C', '90.09', '2']]);
  assert.equal(r.recommended.x, 'artist');
  assert.ok(r.recommended.y.includes('revenue'));
});

test('measures on very different scales are not drawn on one axis', () => {
  const r = chart([['country', 'string'], ['invoices', 'integer'], ['revenue_cents', 'integer']], [['USA', 91, 52_376], ['Canada', 56, 30_507], ['Brazil', 35, 19_006]]);
  assert.equal(r.recommended.y, ['invoices']);
  const close = chart([['country', 'string'], ['invoices', 'integer'], ['customers', 'integer']], [['USA', 91, 13], ['Canada', 56, 8], ['Brazil', 35, 5]]);
  assert.equal(close.recommended.y, ['invoices', 'customers']);
});

test('repeated labels (rows not grouped): the table, the bars as an alternative', () => {
  const r = chart([['billing_country', 'string'], ['total', 'decimal']], [['USA', '1.98'], ['USA', '3.96'], ['Canada', '5.94']]);
  assert.is(r.recommended.type, 'table');
  assert.match(r.reason, /repeats/);
});

test('the plan\'s hints decide what the data cannot: a grouping by a number is a label, a bucket is time', () => {
  const rows = [[3, 13], [5, 8], [7, 5]];
  assert.is(chart([['milliseconds_bucket', 'integer'], ['tracks', 'integer']], rows).recommended.type, 'line');
  const hinted = chart([['support_rep', 'integer'], ['customers', 'integer']], rows, { dimensions: ['support_rep'], measures: ['customers'] });
  assert.equal(hinted.recommended, { type: 'bar', x: 'support_rep', y: ['customers'] });
  const bucket = chart([['period', 'integer'], ['customers', 'integer']], [[2009, 1], [2010, 2]], { dimensions: ['period'], measures: ['customers'], timeBuckets: { period: 'year' } });
  assert.is(bucket.recommended.type, 'line');
});

test('every alternative is distinct, none repeats the recommendation, and the table is always the last way out', () => {
  const cases = [
    chart([['invoice_month', 'date'], ['total', 'decimal']], months.map((m) => [m, '1'])),
    chart([['country', 'string'], ['customers', 'integer']], [['USA', 13], ['Canada', 8]]),
    chart([['a', 'float'], ['b', 'float']], Array.from({ length: 30 }, (_, i) => [i % 7, i % 5])),
  ];
  for (const r of cases) {
    const keys = [r.recommended, ...r.alternatives].map((s) => JSON.stringify(s));
    assert.is(new Set(keys).size, keys.length);
    assert.is(r.alternatives.at(-1)?.type, 'table');
    assert.ok(r.reason.length > 20 && !r.reason.includes('undefined'), r.reason);
  }
});

test.run();
