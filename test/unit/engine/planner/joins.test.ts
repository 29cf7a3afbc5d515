import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planQuestion } from '../../../../engine/planner/planner';
import { ordersMetadata, shopMetadata } from '../../../fixtures/planner/metadata';
import { answer, includesAll, sql } from './helpers';

test('tables two joins apart are joined along the foreign keys, with the right columns and unique aliases', () => {
  const q = sql('top 3 artists by number of tracks');
  includesAll(q, [
    'FROM "public"."track" AS t',
    'JOIN "public"."album" AS a ON t."album_id" = a."album_id"',
    'JOIN "public"."artist" AS a2 ON a."artist_id" = a2."artist_id"',
    'GROUP BY a2."artist_id", a2."name"',
    'LIMIT 3',
  ]);
});

test('the shortest path is taken: customers to employees through support_rep_id, not through invoices', () => {
  const q = sql('how many customers does each employee support');
  includesAll(q, ['JOIN "public"."employee" AS e ON c."support_rep_id" = e."employee_id"']);
  assert.not.ok(q.includes('invoice'), q);
});

test('counting rows that a join repeats counts distinct keys; a listing becomes DISTINCT', () => {
  includesAll(sql('how many customers bought Jazz tracks'), ['COUNT(DISTINCT c."customer_id")', `g."name" = 'Jazz'`]);
  includesAll(sql('list customers who bought Jazz tracks'), ['SELECT DISTINCT c."first_name", c."last_name"']);
});

test('sums never cross a one-to-many join: revenue per genre comes from invoice lines, not invoice totals', () => {
  const q = sql('total revenue per genre');
  includesAll(q, ['SUM(il."unit_price" * il."quantity")', 'FROM "public"."invoice_line" AS il']);
  assert.not.ok(q.includes('"total"'), q);
  includesAll(sql('total sales per country'), ['SUM(i."total")', 'GROUP BY i."billing_country"']);
});

test('without declared keys, …_id columns are joined by name, with lower confidence', () => {
  const undeclared = shopMetadata({ keys: false });
  const guessed = answer('how many rock tracks are there', { metadata: undeclared });
  includesAll(guessed.query.replace(/\s+/g, ' '), ['JOIN "public"."genre" AS g ON t."genre_id" = g."genre_id"']);
  assert.ok(guessed.confidence < answer('how many rock tracks are there').confidence);
});

test('tables no key connects cannot be combined: the planner declines instead of a cross join', () => {
  const result = planQuestion({ question: 'how many orders per product title', metadata: ordersMetadata(), dialect: 'mongodb', rowLimit: 100 });
  assert.is(result.ok, false);
  if (!result.ok) {
    assert.match(result.reason, /^I can't answer that offline: /);
    assert.match(result.reason, /configure a model in Settings/);
    assert.ok(result.suggestions.length > 0);
  }
});

test.run();
