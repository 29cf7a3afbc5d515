import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseStoredPlan } from '../../../../engine/planner/plan-schema';
import { planQuestion } from '../../../../engine/planner/planner';
import { shop } from './helpers';
import { answer, converse, includesAll } from './helpers';

const flat = (q: string) => q.replace(/\s+/g, ' ');

test('"now only for 2023" adds a period, and a new period replaces the old one', () => {
  const first = converse(['total sales per country', 'now only for 2023']);
  includesAll(flat(first.query), ['GROUP BY i."billing_country"', `i."invoice_date" >= DATE '2023-01-01' AND i."invoice_date" < DATE '2024-01-01'`]);
  const second = converse(['how many invoices in 2022', 'and in 2024?']);
  includesAll(flat(second.query), [`DATE '2024-01-01'`]);
  assert.not.ok(second.query.includes('2022'), second.query);
});

test('"break it down by country" groups the previous count; "by genre" joins what it needs', () => {
  const byCountry = converse(['how many invoices in 2023', 'break it down by country']);
  includesAll(flat(byCountry.query), ['i."billing_country" AS "billing_country"', 'COUNT(*) AS "invoice_count"', 'GROUP BY i."billing_country"', `DATE '2023-01-01'`]);
  const byGenre = converse(['average track length in minutes', 'and per genre?']);
  includesAll(flat(byGenre.query), ['JOIN "public"."genre"', 'GROUP BY g."genre_id", g."name"', '/ 60000']);
});

test('"only the top 3" limits a grouping to its three largest groups', () => {
  const result = converse(['total sales per country', 'only the top 3']);
  includesAll(flat(result.query), ['ORDER BY "total" DESC', 'LIMIT 3']);
  assert.is(result.plan.limit, 3);
});

test('"sort ascending" flips the order; "sort by name" changes what a listing is sorted by', () => {
  includesAll(flat(converse(['number of tracks per genre', 'sort ascending']).query), ['ORDER BY "track_count" ASC']);
  includesAll(flat(converse(['list the 10 longest tracks', 'sort them ascending']).query), ['ORDER BY t."milliseconds" ASC', 'LIMIT 10']);
  includesAll(flat(converse(['list customers from Brazil', 'sort by last name']).query), ['ORDER BY c."last_name" ASC']);
});

test('"what about Canada" swaps the value of the same column; "also Canada" widens it', () => {
  const swapped = converse(['how many customers are from Brazil', 'what about Canada?']);
  includesAll(flat(swapped.query), [`c."country" = 'Canada'`]);
  assert.not.ok(swapped.query.includes('Brazil'));
  const widened = converse(['how many invoices from Brazil', 'also Canada']);
  includesAll(flat(widened.query), [`i."billing_country" IN ('Brazil', 'Canada')`]);
});

test('"show the average instead" changes the measure, keeping groups and filters', () => {
  const result = converse(['total sales per country in 2023', 'show the average instead']);
  includesAll(flat(result.query), ['AVG(i."total")', 'GROUP BY i."billing_country"', `DATE '2023-01-01'`]);
});

test('a question with its own subject is not a follow-up, even with history', () => {
  const result = converse(['how many customers are from Brazil', 'top 5 artists by number of tracks']);
  includesAll(flat(result.query), ['FROM "public"."track"', 'LIMIT 5']);
  assert.not.ok(result.query.includes('Brazil'));
});

test('the plan survives a JSON round trip, as it does between turns in the app', () => {
  const first = answer('total sales per country');
  const stored = parseStoredPlan(JSON.parse(JSON.stringify(first.plan)));
  if (!stored.ok) return assert.unreachable(stored.error.message);
  const next = planQuestion({ question: 'only the top 3', metadata: shop, dialect: 'mysql', rowLimit: 100, history: [{ question: 'total sales per country', plan: stored.plan }] });
  assert.ok(next.ok);
  if (next.ok) includesAll(flat(next.query), ['LIMIT 3', '`billing_country`']);
  assert.equal(first.plan, answer('total sales per country').plan, 'the earlier plan is not modified');
});

test('a follow-up it cannot apply is declined, not answered wrongly', () => {
  const first = answer('how many customers are there');
  const result = planQuestion({ question: 'and the weather tomorrow?', metadata: shop, dialect: 'postgres', rowLimit: 100, history: [{ question: 'how many customers are there', plan: first.plan }] });
  assert.is(result.ok, false);
});

test.run();
