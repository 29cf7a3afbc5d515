import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CONFIDENT_AT } from '../../../../engine/planner/confidence';
import { answer, includesAll, sql } from './helpers';

test('count: "how many customers"', () => {
  const result = answer('How many customers are there?');
  assert.is(result.query.replace(/\s+/g, ' '), 'SELECT COUNT(*) AS "customer_count" FROM "public"."customer" AS c');
  assert.is(result.plan.shape, 'count');
  assert.is(result.explanation, 'Counts customers.');
  assert.ok(result.confidence >= CONFIDENT_AT, `shown as confident (${result.confidence})`);
});

test('count with a filter explains it in plain words', () => {
  const result = answer('How many customers are from Brazil?');
  assert.is(result.explanation, 'Counts customers where country is Brazil.');
});

test('filters: greater, less, at least, between, with units converted to the column’s own', () => {
  includesAll(sql('how many invoices with total greater than 10'), ['WHERE i."total" > 10']);
  includesAll(sql('how many tracks cost less than 1 dollar'), ['WHERE t."unit_price" < 1']);
  includesAll(sql('invoices with total of at least 5'), ['i."total" >= 5']);
  includesAll(sql('how many invoices with total between 5 and 10'), ['i."total" BETWEEN 5 AND 10']);
  includesAll(sql('how many tracks are longer than 5 minutes'), ['t."milliseconds" > 300000']);
  includesAll(sql('how many tracks are shorter than 90 seconds'), ['t."milliseconds" < 90000']);
  includesAll(sql('tracks bigger than 2 MB'), ['t."bytes" > 2097152']);
});

test('filters: contains, starts with, ends with, named', () => {
  includesAll(sql(`tracks containing 'love'`), [`t."name" ILIKE '%love%' ESCAPE '!'`]);
  includesAll(sql(`customers whose last name starts with 'Mc'`), [`c."last_name" ILIKE 'Mc%' ESCAPE '!'`]);
  includesAll(sql(`artists whose name ends with 'band'`), [`a."name" ILIKE '%band' ESCAPE '!'`]);
  includesAll(sql(`albums titled "Let There Be Rock"`), [`lower(a."title") = lower('Let There Be Rock')`]);
});

test('dates: in a year, in a month of a year, a bare month, before, after, since, between, on a day', () => {
  includesAll(sql('invoices in 2023'), [`i."invoice_date" >= DATE '2023-01-01' AND i."invoice_date" < DATE '2024-01-01'`]);
  includesAll(sql('how many invoices in March 2022'), [`>= DATE '2022-03-01'`, `< DATE '2022-04-01'`]);
  includesAll(sql('how many invoices in December'), [`CAST(EXTRACT(MONTH FROM i."invoice_date") AS integer) = 12`]);
  includesAll(sql('how many invoices before 2022'), [`i."invoice_date" < DATE '2022-01-01'`]);
  includesAll(sql('how many invoices after 2023'), [`i."invoice_date" >= DATE '2024-01-01'`]);
  includesAll(sql('how many invoices since March 2023'), [`i."invoice_date" >= DATE '2023-03-01'`]);
  includesAll(sql('how many invoices between 2021 and 2022'), [`>= DATE '2021-01-01'`, `< DATE '2023-01-01'`]);
  includesAll(sql('how many invoices on 2023-02-28'), [`>= DATE '2023-02-28'`, `< DATE '2023-03-01'`]);
  includesAll(sql('how many invoices in Q2 2023'), [`>= DATE '2023-04-01'`, `< DATE '2023-07-01'`]);
});

test('the date column is the one the question names: hired, born', () => {
  includesAll(sql('employees hired in 2003'), ['e."hire_date" >= DATE \'2003-01-01\'']);
  includesAll(sql('how many employees were born before 1970'), ['e."birth_date" < DATE \'1970-01-01\'']);
});

test('listing: display columns, a stable order and a LIMIT no larger than the row limit', () => {
  const q = sql('list all customers', { rowLimit: 250 });
  includesAll(q, ['SELECT c."first_name", c."last_name" FROM "public"."customer" AS c', 'ORDER BY c."customer_id" ASC', 'LIMIT 250']);
  includesAll(sql('show the 5000 longest tracks', { rowLimit: 100 }), ['LIMIT 100']);
  includesAll(sql('list the names and emails of customers'), ['c."email"']);
});

test('top and bottom N by a column or an adjective: 10 cheapest, the longest, 3 newest', () => {
  includesAll(sql('10 cheapest tracks'), ['ORDER BY t."unit_price" ASC', 'LIMIT 10', 't."name", t."unit_price"']);
  includesAll(sql('what is the longest track'), ['ORDER BY t."milliseconds" DESC', 'LIMIT 1']);
  includesAll(sql('the 3 most recent invoices'), ['ORDER BY i."invoice_date" DESC', 'LIMIT 3']);
  includesAll(sql('who is the oldest employee'), ['ORDER BY e."birth_date" ASC', 'LIMIT 1']);
});

test('top N entities by an aggregate: number of tracks, revenue, bottom N', () => {
  includesAll(sql('top 5 artists by number of tracks'), ['COUNT(*) AS "track_count"', 'ORDER BY "track_count" DESC', 'LIMIT 5']);
  includesAll(sql('bottom 3 genres by number of tracks'), ['ORDER BY "track_count" ASC', 'LIMIT 3']);
  includesAll(sql('which genre has the most tracks'), ['ORDER BY "track_count" DESC', 'LIMIT 1']);
  includesAll(sql('top 5 customers by total spent'), ['SUM(i."total")', 'GROUP BY c."customer_id", c."first_name", c."last_name"', 'LIMIT 5']);
});

test('sum, average, min and max, overall and per group', () => {
  includesAll(sql('total revenue'), ['SELECT SUM(i."total") AS "total" FROM "public"."invoice" AS i']);
  includesAll(sql('average invoice total'), ['AVG(i."total")']);
  includesAll(sql('what is the lowest unit price of tracks'), ['MIN(t."unit_price")']);
  includesAll(sql('maximum invoice total per country'), ['MAX(i."total")', 'GROUP BY i."billing_country"']);
  includesAll(sql('average track length by genre'), ['AVG(t."milliseconds")', 'GROUP BY g."genre_id", g."name"']);
  includesAll(sql('average track length in minutes'), ['CAST(AVG(t."milliseconds") AS numeric) / 60000']);
  assert.not.ok(sql('total revenue').includes('LIMIT'), 'a single-row answer needs no LIMIT');
});

test('per time bucket: day, week, month, quarter, year, ordered by time', () => {
  includesAll(sql('revenue per month in 2021'), [`CAST(date_trunc('month', i."invoice_date") AS date) AS "month"`, 'ORDER BY "month" ASC', `DATE '2021-01-01'`]);
  includesAll(sql('number of invoices per year'), ['CAST(EXTRACT(YEAR FROM i."invoice_date") AS integer) AS "year"']);
  includesAll(sql('daily revenue'), [`date_trunc('day'`]);
  includesAll(sql('invoices per week'), [`date_trunc('week'`]);
  includesAll(sql('quarterly sales'), [`date_trunc('quarter'`]);
});

test('distinct values: which countries do customers come from', () => {
  const result = answer('which countries do customers come from?');
  assert.is(result.plan.shape, 'distinct');
  includesAll(result.query.replace(/\s+/g, ' '), ['SELECT DISTINCT c."country" FROM "public"."customer" AS c', 'ORDER BY c."country" ASC', 'LIMIT 500']);
});

test('how many X per Y, for each Y, and conditions on the count', () => {
  includesAll(sql('how many tracks per genre'), ['COUNT(*) AS "track_count"', 'GROUP BY g."genre_id", g."name"']);
  includesAll(sql('number of albums for each artist'), ['COUNT(*) AS "album_count"', 'GROUP BY a2."artist_id", a2."name"']);
  includesAll(sql('how many customers per country'), ['GROUP BY c."country"']);
  includesAll(sql('artists with more than 10 albums'), ['HAVING COUNT(*) > 10']);
});

test('negation and several values: not from Brazil, from Brazil or Canada', () => {
  includesAll(sql('how many invoices not from Brazil'), [`i."billing_country" <> 'Brazil'`]);
  includesAll(sql('how many invoices from Brazil or Canada'), [`i."billing_country" IN ('Brazil', 'Canada')`]);
});

test('a column that is (not) filled in: "with an email", "without an email"', () => {
  includesAll(sql('how many customers have an email'), ['WHERE c."email" IS NOT NULL']);
  includesAll(sql('how many customers without an email'), ['WHERE c."email" IS NULL']);
});

test('a plural of a stored value still matches it: "sales support agents"', () => {
  includesAll(sql('which employees are sales support agents'), [`e."title" = 'Sales Support Agent'`]);
});

test.run();
