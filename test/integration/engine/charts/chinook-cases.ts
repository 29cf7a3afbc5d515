/**
 * The chart a person would draw for each of 20 real questions on Chinook, as the
 * offline planner asks them: PostgreSQL answers all of them (chinook-charts.test.ts),
 * MariaDB a subset (chinook-charts-mariadb.test.ts), and both must agree.
 */
import type { ChartExpectation } from '../../../support/chart-expectations';

export const CHINOOK_CASES: Array<[question: string, expected: ChartExpectation]> = [
  ['How many customers are there?', { recommended: { type: 'single', y: ['customer_count'] } }],
  ['Total sales per country', { recommended: { type: 'bar', x: 'billing_country', y: ['total'], horizontal: true }, never: ['pie'], reason: /ranked/ }],
  ['Revenue per month in 2021', { recommended: { type: 'line', x: 'month', y: ['total'] }, offers: ['bar', 'area'], reason: /over time/ }],
  ['Number of invoices per year', { recommended: { type: 'line', x: 'year', y: ['invoice_count'] }, offers: ['bar'] }],
  ['Top 5 customers by total spent', { recommended: { type: 'bar', x: 'first_name', label: ['first_name', 'last_name'], y: ['total'] }, reason: /per customer/ }],
  ['How many tracks per genre?', { recommended: { type: 'bar', x: 'genre', y: ['track_count'], horizontal: true }, never: ['pie'] }],
  ['Number of tracks per media type', { recommended: { type: 'bar', x: 'media_type', y: ['track_count'] }, offers: ['pie', 'doughnut'] }],
  ['List the 10 longest tracks', { recommended: { type: 'bar', x: 'name', y: ['milliseconds'], horizontal: true } }],
  ['Which countries do customers come from?', { recommended: { type: 'table' }, reason: /No column holds numbers/ }],
  ['List the customers from Canada', { recommended: { type: 'table' } }],
  ['Average track length by genre', { recommended: { type: 'bar', x: 'genre', y: ['avg_milliseconds'] }, never: ['pie', 'doughnut'] }],
  ['How many invoices per month in 2022?', { recommended: { type: 'line', x: 'month', y: ['invoice_count'] } }],
  ['How many albums does each artist have?', { recommended: { type: 'bar', x: 'artist', topN: 30, horizontal: true }, reason: /top 30 of 204, the rest summed as Other/ }],
  ['How many customers does each employee support?', { recommended: { type: 'bar', label: ['first_name', 'last_name'], y: ['customer_count'] }, offers: ['pie'], reason: /per employee/ }],
  ['Top 5 genres by revenue', { recommended: { type: 'bar', x: 'genre', y: ['total_amount'] }, offers: ['doughnut'] }],
  ['Highest invoice total per country', { recommended: { type: 'bar', x: 'billing_country', y: ['max_total'] }, never: ['pie'] }],
  ['What is the average track length in minutes?', { recommended: { type: 'single' } }],
  ['Total revenue per year', { recommended: { type: 'line', x: 'year', y: ['total'] } }],
  ['What is the total invoice amount for each customer?', { recommended: { type: 'bar', label: ['first_name', 'last_name'], topN: 30 } }],
  ['Show invoices with a total greater than 20', { recommended: { type: 'line', x: 'invoice_date', y: ['total'] }, reason: /over time/ }],
];
