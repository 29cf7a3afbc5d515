import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateDuckdbQuery } from '../../../../engine/connectors/files/guardrail';
import { validateMongoQuery } from '../../../../engine/connectors/mongodb/guardrail';
import { validateMysqlQuery } from '../../../../engine/connectors/mysql/guardrail';
import { validatePostgresQuery } from '../../../../engine/connectors/postgres/guardrail';
import type { MetadataDocument } from '../../../../engine/contract/metadata.contract';
import { planQuestion } from '../../../../engine/planner/planner';
import type { PlannerDialect } from '../../../../engine/planner/types';
import { ordersMetadata, shopMetadata } from '../../../fixtures/planner/metadata';
import { fixturePolicy, metadataRelations } from '../../../support/pg-catalog';
import { answer, shop } from './helpers';

const decline = (question: string, metadata: MetadataDocument = shop) => {
  const result = planQuestion({ question, metadata, dialect: 'postgres', rowLimit: 100 });
  assert.is(result.ok, false, `answered "${question}"`);
  return result.ok ? { reason: '', suggestions: [] } : result;
};

test('declines with the reason, a rephrasing and the way to a model; suggestions are questions it can answer', () => {
  const result = decline('why did sales drop?');
  assert.match(result.reason, /^I can't answer that offline: .+\. Try rephrasing as ".+", or configure a model in Settings\.$/);
  assert.ok(result.suggestions.length >= 2);
  for (const suggestion of result.suggestions) assert.ok(planQuestion({ question: suggestion, metadata: shop, dialect: 'postgres', rowLimit: 100 }).ok, `suggestion "${suggestion}" is not answerable`);
});

test('declines what it cannot do deterministically or safely: relative dates, writes, nonsense, empty input', () => {
  assert.match(decline('how many invoices last month').reason, /relative to today/);
  assert.match(decline('delete all customers from Brazil').reason, /more than a lookup/);
  decline('what is the meaning of life');
  decline('   ');
  decline('x'.repeat(600));
  decline('how many customers', { ...shop, databases: [] });
});

test('the same question gives the same answer every time', () => {
  const a = planQuestion({ question: 'top 5 genres by revenue in 2023', metadata: shop, dialect: 'postgres', rowLimit: 100 });
  const b = planQuestion({ question: 'top 5 genres by revenue in 2023', metadata: shopMetadata(), dialect: 'postgres', rowLimit: 100 });
  assert.equal(a, b);
});

test('confidence reflects guessing: exact names score higher than synonyms, guesses and unknown words', () => {
  const exact = answer('how many customers are from Brazil').confidence;
  const synonym = answer('how many clients are from Brazil').confidence;
  const guessed = answer('list the albums by Iron Maiden').confidence;
  const vague = answer('how many customers are from Brazil with fancy hats').confidence;
  assert.ok(exact > synonym, `${exact} > ${synonym}`);
  assert.ok(exact > guessed, `${exact} > ${guessed}`);
  assert.ok(exact > vague, `${exact} > ${vague}`);
  for (const c of [exact, synonym, guessed, vague]) assert.ok(c > 0 && c <= 1);
});

const QUESTIONS = [
  'how many customers are there',
  'list customers from Canada',
  'how many invoices in 2023',
  'how many invoices in March 2022',
  'how many invoices in June',
  'total sales per country',
  'average track length by genre',
  'revenue per month in 2021',
  'invoices per week',
  'quarterly sales',
  'number of invoices per day in 2023',
  'top 5 artists by number of tracks',
  '10 cheapest tracks',
  'which countries do customers come from',
  'how many rock tracks are there',
  'how many customers bought Jazz tracks',
  `tracks containing '50%_off' or 'it''s'`,
  `customers whose last name starts with "O'Brien"`,
  'artists with more than 10 albums',
  'average track length in minutes',
  'list the albums by Iron Maiden',
  'how many invoices with total between 5 and 10',
  'employees hired in 2003',
  'how many customers are from the US',
];

const SQL_GUARDS: Array<[PlannerDialect, MetadataDocument, (q: string) => Promise<{ allowed: boolean; reasons: Array<{ message: string }> }> | { allowed: boolean; reasons: Array<{ message: string }> }]> = [
  // The PostgreSQL guardrail judges against a catalog: the stored one, with the shop's tables in it.
  ['postgres', shop, (q) => validatePostgresQuery(q, fixturePolicy({ relations: metadataRelations(shop) }))],
  // The MySQL guardrail allows the source's own database (the planner qualifies tables with it).
  ['mysql', shopMetadata({ style: 'pascal' }), (q) => validateMysqlQuery(q, { database: shopMetadata({ style: 'pascal' }).databases[0]!.name })],
  // The files guardrail allows the source's own tables: the shop's.
  ['duckdb', shopMetadata({ sourceType: 'file' }), (q) => validateDuckdbQuery(q, { tables: shopMetadata({ sourceType: 'file' }).databases.flatMap((d) => d.schemas.flatMap((s) => s.objects.map((o) => o.name))), database: null })],
];

test('every generated SQL query passes the real guardrail of its dialect', async () => {
  for (const [dialect, metadata, validate] of SQL_GUARDS) {
    for (const question of QUESTIONS) {
      const result = planQuestion({ question, metadata, dialect, rowLimit: 200 });
      assert.ok(result.ok, `${dialect} declined "${question}"`);
      if (!result.ok) continue;
      const verdict = await validate(result.query);
      assert.ok(verdict.allowed, `${dialect} guardrail refused "${question}": ${verdict.reasons.map((r) => r.message).join('; ')}\n${result.query}`);
    }
  }
});

test('every generated MongoDB query passes the MongoDB guardrail', () => {
  for (const question of ['how many orders', 'how many shipped orders in 2023', 'total amount per status', 'number of orders per tag', 'orders per month', 'the 5 largest orders by amount', 'which statuses do orders have', 'how many paid orders', `orders whose order number contains '$where'`]) {
    const result = planQuestion({ question, metadata: ordersMetadata(), dialect: 'mongodb', rowLimit: 200 });
    assert.ok(result.ok, `declined "${question}"`);
    if (!result.ok) continue;
    const verdict = validateMongoQuery(result.query, { database: 'shop' });
    assert.ok(verdict.allowed, `refused "${question}": ${verdict.reasons.map((r) => r.message).join('; ')}\n${result.query}`);
  }
});

test.run();
