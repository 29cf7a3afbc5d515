/**
 * Regression cases from real questions on the other stores: Pagila
 * (PostgreSQL), the MongoDB samples (through the test mongo-wire server) and
 * files (DuckDB). Each query is prepared, approved and run through the
 * engine's router as the CLI does (query.prepare, query.run), so the chart is
 * recommended from the result each store's connector really produced (its
 * normalized types, flattened Mongo documents, DuckDB's detected types), not
 * from rows written by hand. Chinook, asked in plain words through the
 * offline planner, is covered by chinook-charts.test.ts.
 */
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChartRecommendation } from '../../../../engine/contract/index';
import { assertChart, type ChartExpectation } from '../../../support/chart-expectations';
import { createPgDatabase, type TestDatabase } from '../../../support/databases';
import { openTestEngine, type TestEngine } from '../../../support/engine';
import { loadSampleData } from '../../../support/mongo-wire/fixtures';
import { startMongoWireServer, type MongoWireServer } from '../../../support/mongo-wire/server';
import { testdataDir } from '../../../support/tmp';

let db: TestDatabase;
let mongo: MongoWireServer;
let te: TestEngine;
const sourceIds: Record<Store, string> = { pagila: '', zips: '', analytics: '', samples: '', files: '' };

type Store = 'pagila' | 'zips' | 'analytics' | 'samples' | 'files';

test.before(async () => {
  db = createPgDatabase('pagila');
  mongo = await startMongoWireServer();
  loadSampleData(mongo);
  te = await openTestEngine({ unlocked: true });
  const mongoSource = (name: string, database: string) =>
    te.ok('sources.create', { name, type: 'mongodb', connection: { hosts: [{ host: '127.0.0.1', port: mongo.port }], srv: false, database, tls: { mode: 'off' } } });
  const created: Record<Store, { id: string }> = {
    pagila: await te.ok('sources.create', { name: 'Pagila', type: 'postgres', url: `${db.url}?sslmode=disable` }),
    zips: await mongoSource('Zips', 'sample_training'),
    analytics: await mongoSource('Analytics', 'sample_analytics'),
    samples: await mongoSource('Samples', 'samples'),
    files: await te.ok('sources.create', {
      name: 'Files',
      type: 'file',
      connection: { paths: ['titanic.csv', 'weather.csv'].map((f) => path.join(testdataDir, 'files/duckdb-csv', f)) },
    }),
  };
  for (const [store, { id }] of Object.entries(created) as Array<[Store, { id: string }]>) {
    sourceIds[store] = id;
    await te.ok('sources.test', { id });
    await te.ok('sources.confirmRisks', { id });
  }
});
test.after(async () => {
  await te?.close();
  await mongo?.close();
  db?.drop();
});

/** Prepares, approves and runs `query`; returns the run's chart and its columns (for the failure message). */
async function chartFor(store: Store, query: string): Promise<{ chart: ChartRecommendation; columns: string[] }> {
  const prepared = await te.ok('query.prepare', { sourceId: sourceIds[store], query });
  assert.ok(prepared.approval, `no approval for ${query}: ${JSON.stringify(prepared.verdict)} ${prepared.explainError ?? ''}`);
  const run = await te.ok('query.run', { token: prepared.approval!.token });
  assert.ok(run.chart, 'query.run carries a chart');
  return { chart: run.chart!, columns: run.result.columns.map((c) => `${c.name}:${c.type}`) };
}

const mongoQuery = (collection: string, pipeline: object[]) => JSON.stringify({ collection, operation: 'aggregate', pipeline });

const CASES: Array<[store: Store, question: string, query: string, expected: ChartExpectation]> = [
  // Pagila (PostgreSQL): dates, an enum (rating), numeric money, partitioned payments.
  ['pagila', 'Rentals per month', `SELECT date_trunc('month', rental_date)::date AS month, count(*) AS rentals FROM rental GROUP BY 1 ORDER BY 1`,
    { recommended: { type: 'line', x: 'month', y: ['rentals'] }, offers: ['bar', 'area'], reason: /over time/ }],
  ['pagila', 'Films per rating', `SELECT rating, count(*) AS film_count FROM film GROUP BY rating ORDER BY film_count DESC`,
    { recommended: { type: 'bar', x: 'rating', y: ['film_count'] }, offers: ['pie', 'doughnut'], reason: /per rating/ }],
  ['pagila', 'Revenue per film category', `SELECT c.name AS category, sum(p.amount) AS revenue FROM payment p JOIN rental r USING (rental_id) JOIN inventory i USING (inventory_id) JOIN film_category fc USING (film_id) JOIN category c USING (category_id) GROUP BY c.name ORDER BY revenue DESC`,
    { recommended: { type: 'bar', x: 'category', y: ['revenue'], horizontal: true }, never: ['pie', 'doughnut'] }],
  ['pagila', 'Top 10 customers by amount paid', `SELECT c.first_name, c.last_name, sum(p.amount) AS total_paid FROM payment p JOIN customer c USING (customer_id) GROUP BY c.customer_id, c.first_name, c.last_name ORDER BY total_paid DESC LIMIT 10`,
    { recommended: { type: 'bar', label: ['first_name', 'last_name'], y: ['total_paid'] }, never: ['pie'] }],
  ['pagila', 'Film length against replacement cost', `SELECT length, replacement_cost FROM film`,
    { recommended: { type: 'scatter', x: 'length', y: ['replacement_cost'] }, reason: /relates/ }],
  ['pagila', 'Payment amounts', `SELECT amount FROM payment`, { recommended: { type: 'histogram', x: 'amount' }, reason: /distributed/ }],
  ['pagila', 'How many rentals are there?', `SELECT count(*) AS rentals FROM rental`, { recommended: { type: 'single', y: ['rentals'] } }],
  ['pagila', 'Rentals per month and store', `SELECT date_trunc('month', r.rental_date)::date AS month, s.store_id, count(*) AS rentals FROM rental r JOIN staff s USING (staff_id) GROUP BY 1, 2 ORDER BY 1, 2`,
    { recommended: { type: 'line', x: 'month', y: ['rentals'], series: 'store_id' }, reason: /one line per store/ }],
  ['pagila', 'Films per category and rating', `SELECT c.name AS category, f.rating, count(*) AS films FROM film f JOIN film_category fc USING (film_id) JOIN category c USING (category_id) GROUP BY 1, 2 ORDER BY 1, 2`,
    { recommended: { type: 'bar', x: 'category', y: ['films'], series: 'rating' }, never: ['pie', 'line'] }],
  // MongoDB samples: $group keys arrive as _id; nested documents arrive as dotted columns.
  ['zips', 'Population of the 10 largest states', mongoQuery('zips', [{ $group: { _id: '$state', population: { $sum: '$pop' } } }, { $sort: { population: -1 } }, { $limit: 10 }]),
    { recommended: { type: 'bar', x: '_id', y: ['population'] }, never: ['pie', 'line'] }],
  ['zips', 'Zip codes per state', mongoQuery('zips', [{ $group: { _id: '$state', zips: { $sum: 1 } } }, { $sort: { zips: -1 } }]),
    { recommended: { type: 'bar', x: '_id', horizontal: true, topN: 30, other: true }, reason: /top 30 of 51/ }],
  ['zips', 'City populations', mongoQuery('zips', [{ $project: { _id: 0, city: 1, pop: 1 } }, { $limit: 5000 }]),
    { recommended: { type: 'table' }, reason: /repeats/ }],
  ['analytics', 'Customers born per year', mongoQuery('customers', [{ $group: { _id: { $year: '$birthdate' }, customers: { $sum: 1 } } }, { $sort: { _id: 1 } }, { $project: { _id: 0, year: '$_id', customers: 1 } }]),
    { recommended: { type: 'line', x: 'year', y: ['customers'] }, offers: ['bar'] }],
  // Regression: a $group's _id holding a year read as an id (top 30 bars + Other), not as the years it groups by.
  ['analytics', 'Customers born per year, keyed by _id', mongoQuery('customers', [{ $group: { _id: { $year: '$birthdate' }, customers: { $sum: 1 } } }, { $sort: { _id: 1 } }]),
    { recommended: { type: 'line', x: '_id', y: ['customers'] }, offers: ['bar'], never: ['pie'] }],
  ['analytics', 'Accounts per year and month opened, a compound _id', mongoQuery('customers', [{ $group: { _id: { year: { $year: '$birthdate' }, month: { $month: '$birthdate' } }, customers: { $sum: 1 } } }, { $match: { '_id.year': { $gte: 1990 } } }, { $sort: { '_id.year': 1, '_id.month': 1 } }]),
    { recommended: { type: 'line', x: '_id.month', y: ['customers'], series: '_id.year' } }],
  ['analytics', 'Account limits', mongoQuery('accounts', [{ $project: { _id: 0, limit: 1 } }]), { recommended: { type: 'histogram', x: 'limit' } }],
  // Regression: nested documents were one JSON cell, so a size only charted when the query projected its fields to the top level.
  ['samples', 'Item heights against widths, as a nested document', mongoQuery('inventory', [{ $match: { 'size.h': { $type: 'number' }, 'size.w': { $type: 'number' } } }, { $project: { _id: 0, size: { h: 1, w: 1 } } }, { $limit: 500 }]),
    { recommended: { type: 'scatter', x: 'size.h', y: ['size.w'] }, reason: /size w relates to size h/ }],
  ['samples', 'Item sizes in cm (a find: its projection returns size as a document)', JSON.stringify({ collection: 'inventory', operation: 'find', filter: { 'size.uom': 'cm', 'size.h': { $type: 'number' }, 'size.w': { $type: 'number' } }, projection: { _id: 0, 'size.h': 1, 'size.w': 1 }, limit: 300 }),
    { recommended: { type: 'scatter', x: 'size.h', y: ['size.w'] } }],
  ['samples', 'Item heights against widths', mongoQuery('inventory', [{ $match: { 'size.h': { $type: 'number' }, 'size.w': { $type: 'number' } } }, { $project: { _id: 0, height: '$size.h', width: '$size.w' } }, { $limit: 500 }]),
    { recommended: { type: 'scatter', x: 'height', y: ['width'] } }],
  ['samples', 'Items per status', mongoQuery('inventory', [{ $group: { _id: '$status', items: { $sum: 1 } } }, { $sort: { items: -1 } }]),
    { recommended: { type: 'bar', x: '_id', y: ['items'] }, offers: ['pie', 'doughnut'] }],
  // Files through DuckDB: types as DuckDB detected them (a day-month-year date included).
  ['files', 'Survivors per port of embarkation', `SELECT Embarked, sum(Survived) AS survivors FROM titanic GROUP BY Embarked ORDER BY survivors DESC`,
    { recommended: { type: 'bar', x: 'Embarked', y: ['survivors'] }, offers: ['pie'] }],
  // Regression: a passenger class (1-3) read as a continuous axis: a line, and no bars offered.
  ['files', 'Passengers per class', `SELECT Pclass, count(*) AS passengers FROM titanic GROUP BY Pclass ORDER BY Pclass`,
    { recommended: { type: 'bar', x: 'Pclass', y: ['passengers'] }, offers: ['pie'], never: ['line'] }],
  ['files', 'Average fare per class', `SELECT Pclass, avg(Fare) AS avg_fare FROM titanic GROUP BY Pclass ORDER BY Pclass`,
    { recommended: { type: 'bar', x: 'Pclass', y: ['avg_fare'] }, never: ['line', 'pie'] }],
  ['files', 'Age against fare', `SELECT Age, Fare FROM titanic WHERE Age IS NOT NULL`, { recommended: { type: 'scatter', x: 'Age', y: ['Fare'] } }],
  ['files', 'Passenger ages', `SELECT Age FROM titanic`, { recommended: { type: 'histogram', x: 'Age' } }],
  ['files', 'Daily maximum temperature', `SELECT date, maximum_temperature FROM weather ORDER BY date`,
    { recommended: { type: 'line', x: 'date', y: ['maximum_temperature'] }, reason: /over time/ }],
];

for (const [store, question, query, expected] of CASES) {
  test(`${store}: "${question}"`, async () => {
    const { chart, columns } = await chartFor(store, query);
    assertChart(chart, expected, columns);
  });
}

test.run();
