/**
 * Regression cases from real questions: the offline planner's query for each
 * question runs on Chinook (PostgreSQL), and the stored result's chart is the
 * one a person would draw. Also proves the plan's hints reach the rules.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChartRecommendation } from '../../../../engine/contract/index';
import { assertChart, type ChartExpectation } from '../../../support/chart-expectations';
import { createPgDatabase, type TestDatabase } from '../../../support/databases';
import { openTestEngine, type TestEngine } from '../../../support/engine';

let db: TestDatabase;
let te: TestEngine;
let sourceId = '';
let sessionId: string | undefined;

test.before(async () => {
  db = createPgDatabase('chinook');
  te = await openTestEngine({ unlocked: true });
  sourceId = (await te.ok('sources.create', { name: 'Chinook', type: 'postgres', url: `${db.url}?sslmode=disable` })).id;
  await te.ok('sources.test', { id: sourceId });
  await te.ok('sources.confirmRisks', { id: sourceId });
});
test.after(async () => {
  await te?.close();
  db?.drop();
});

/** Asks, approves, and returns the stored result's chart (and the columns, for the failure message). */
async function chartFor(question: string): Promise<{ chart: ChartRecommendation; columns: string[] }> {
  const asked = await te.ok('chat.ask', { sourceId, question, ...(sessionId ? { sessionId } : {}) });
  sessionId = asked.sessionId;
  assert.ok(asked.approval, `no approval for "${question}": ${asked.declined?.reason ?? ''}`);
  const { message } = await te.ok('chat.approve', { sessionId, messageId: asked.messageId, token: asked.approval!.token });
  if (message.payload.kind !== 'result') throw new Error(`"${question}" did not produce a result: ${JSON.stringify(message.payload)}`);
  const stored = await te.ok('chat.result', { resultId: message.payload.resultId });
  assert.ok(stored.chart, 'chat.result carries a chart');
  return { chart: stored.chart!, columns: stored.columns.map((c) => `${c.name}:${c.type}`) };
}

const CASES: Array<[question: string, expected: ChartExpectation]> = [
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

for (const [question, expected] of CASES) {
  test(`"${question}"`, async () => {
    const { chart, columns } = await chartFor(question);
    assertChart(chart, expected, columns);
  });
}

test.run();
