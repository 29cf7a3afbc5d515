/**
 * The Chinook chart regressions on MariaDB: the offline planner's MySQL query for
 * each question runs on Chinook there, and the stored result's chart must be the
 * one PostgreSQL's answer gets (the same expectations, chinook-cases.ts). MariaDB
 * answers SUM and AVG as DECIMAL (the measure of six of these questions), which
 * must chart as a number, not be taken for a label.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChartRecommendation, ChartSpec } from '../../../../engine/contract/index';
import { assertChart } from '../../../support/chart-expectations';
import { createMysqlDatabase, type TestDatabase } from '../../../support/databases';
import { openTestEngine, type TestEngine } from '../../../support/engine';
import { CHINOOK_CASES } from './chinook-cases';

/** A line, bars (vertical, horizontal, per-customer), single values and a table, with DECIMAL measures among them. */
const QUESTIONS = [
  'How many customers are there?',
  'Total sales per country',
  'Revenue per month in 2021',
  'Number of invoices per year',
  'How many tracks per genre?',
  'Average track length by genre',
  'Top 5 customers by total spent',
  'Which countries do customers come from?',
  'What is the average track length in minutes?',
  'Total revenue per year',
];

/** Questions whose measure MariaDB answers as DECIMAL (SUM of a DECIMAL column, AVG of anything). */
const DECIMAL_MEASURES = new Set(['Total sales per country', 'Revenue per month in 2021', 'Average track length by genre', 'Top 5 customers by total spent', 'What is the average track length in minutes?', 'Total revenue per year']);

let db: TestDatabase;
let te: TestEngine;
let sourceId = '';
let sessionId: string | undefined;

test.before(async () => {
  db = createMysqlDatabase('chinook');
  te = await openTestEngine({ unlocked: true });
  sourceId = (await te.ok('sources.create', { name: 'Chinook', type: 'mysql', url: db.url })).id;
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

/**
 * Chinook's MySQL schema names its columns in PascalCase (BillingCountry) where the PostgreSQL one
 * says billing_country: the same column, so the chart's fields are compared in PostgreSQL's spelling.
 * The planner's own aliases (total, track_count) are the same on both.
 */
const snake = (name: string) => name.replace(/(?<=[a-z0-9])([A-Z])/g, '_$1').toLowerCase();
function inPgSpelling(chart: ChartRecommendation): ChartRecommendation {
  const spell = (spec: ChartSpec): ChartSpec => ({
    ...spec,
    x: spec.x === null ? null : snake(spec.x),
    y: spec.y.map(snake),
    ...(spec.label ? { label: spec.label.map(snake) } : {}),
    ...(spec.series ? { series: snake(spec.series) } : {}),
    ...(spec.size ? { size: snake(spec.size) } : {}),
  });
  return { ...chart, recommended: spell(chart.recommended), alternatives: chart.alternatives.map(spell) };
}

const expected = new Map(CHINOOK_CASES);
for (const question of QUESTIONS) {
  test(`"${question}" on MariaDB gets PostgreSQL's chart`, async () => {
    const { chart, columns } = await chartFor(question);
    assertChart(inPgSpelling(chart), expected.get(question)!, columns);
    if (DECIMAL_MEASURES.has(question)) assert.ok(columns.some((c) => c.endsWith(':decimal')), `the measure is DECIMAL here: ${columns.join(', ')}`);
  });
}

test.run();
