/**
 * Regression cases from real questions: the offline planner's query for each
 * question runs on Chinook (PostgreSQL), and the stored result's chart is the
 * one a person would draw. Also proves the plan's hints reach the rules.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChartRecommendation } from '../../../../engine/contract/index';
import { assertChart } from '../../../support/chart-expectations';
import { createPgDatabase, type TestDatabase } from '../../../support/databases';
import { openTestEngine, type TestEngine } from '../../../support/engine';
import { CHINOOK_CASES } from './chinook-cases';

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


for (const [question, expected] of CHINOOK_CASES) {
  test(`"${question}"`, async () => {
    const { chart, columns } = await chartFor(question);
    assertChart(chart, expected, columns);
  });
}

test.run();
