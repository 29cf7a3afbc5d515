import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { splitName, tokenize } from '../../../../engine/planner/text';
import { shopMetadata } from '../../../fixtures/planner/metadata';
import { answer, includesAll, sql } from './helpers';

const pascal = shopMetadata({ style: 'pascal' });

test('identifiers split on case, underscores, dots and digits', () => {
  assert.equal(splitName('InvoiceLine'), ['invoice', 'line']);
  assert.equal(splitName('invoice_line'), ['invoice', 'line']);
  assert.equal(splitName('billingCountry'), ['billing', 'country']);
  assert.equal(splitName('HTTPStatusCode'), ['http', 'status', 'code']);
  assert.equal(splitName('location.address.zipcode'), ['location', 'address', 'zipcode']);
  assert.equal(splitName('address2'), ['address', '2']);
});

test('questions tokenize into words, numbers, quoted text, ISO dates and symbols', () => {
  const tokens = tokenize(`Tracks over $1,000.50 named "Let It Be" since 2023-03 by AC/DC >= 5`);
  assert.equal(tokens.map((t) => t.kind), ['word', 'word', 'symbol', 'number', 'word', 'quoted', 'word', 'isodate', 'word', 'word', 'word', 'symbol', 'number']);
  assert.is(tokens[3]!.value, 1000.5);
  assert.is(tokens[5]!.raw, 'Let It Be');
});

test('a table is found by singular or plural, snake_case or PascalCase', () => {
  includesAll(sql('how many invoice lines are there'), ['FROM "public"."invoice_line"']);
  includesAll(sql('how many invoice lines are there', { metadata: pascal, dialect: 'mysql' }), ['FROM `shop`.`InvoiceLine`']);
  includesAll(sql('count the genre'), ['FROM "public"."genre"']);
  includesAll(sql('How many media types?'), ['FROM "public"."media_type"']);
});

test('synonyms link words that are not the table name: clients, songs, staff', () => {
  includesAll(sql('how many clients do we have'), ['FROM "public"."customer"']);
  includesAll(sql('how many songs'), ['FROM "public"."track"']);
  includesAll(sql('how many staff are there'), ['FROM "public"."employee"']);
});

test('columns link by stem and synonym: nation is country, length is milliseconds', () => {
  includesAll(sql('number of customers per nation'), ['c."country" AS "country"', 'GROUP BY c."country"']);
  includesAll(sql('average length of tracks'), ['AVG(t."milliseconds")']);
  includesAll(sql('number of customers by BillingCountry', { metadata: pascal, dialect: 'mysql' }), ['GROUP BY `i`.`BillingCountry`'.replace(/`i`/, 'i')]);
});

test('a sampled value becomes a filter on its column; the subject’s own column of that kind is preferred', () => {
  includesAll(sql('how many invoices from Brazil'), [`WHERE i."billing_country" = 'Brazil'`]);
  const customers = sql('how many customers are from Brazil');
  includesAll(customers, [`WHERE c."country" = 'Brazil'`]);
  assert.not.ok(customers.includes('JOIN'), customers);
});

test('a value can sit on another table: "rock tracks" joins genre; the longest matching value wins', () => {
  includesAll(sql('how many rock tracks are there'), ['JOIN "public"."genre" AS g ON t."genre_id" = g."genre_id"', `g."name" = 'Rock'`]);
  includesAll(sql('how many rock and roll tracks are there'), [`g."name" = 'Rock And Roll'`]);
});

test('values match without accents or case: "sao paulo" finds São Paulo', () => {
  includesAll(sql('customers in sao paulo'), [`c."city" = 'São Paulo'`]);
});

test('countries never sampled are still recognised, with the spellings a column may hold', () => {
  includesAll(sql('list customers from Spain'), [`c."country" = 'Spain'`]);
  includesAll(sql('how many customers are from the US'), [`c."country" IN ('USA', 'United States', 'US', 'United States of America')`]);
  includesAll(sql('invoices from the USA'), [`i."billing_country" = 'USA'`]);
});

test('a name that is not among the samples is matched case-insensitively on the likeliest column, and says it guessed', () => {
  const result = answer('list the albums by Iron Maiden');
  includesAll(result.query.replace(/\s+/g, ' '), ['JOIN "public"."artist"', `lower(a2."name") = lower('Iron Maiden')`]);
  assert.match(result.explanation, /Guessed: .*Iron Maiden/);
  assert.ok(result.confidence < answer('how many albums does AC/DC have').confidence);
});

test('a column named before a value settles which column it is', () => {
  includesAll(sql('employees whose title is Sales Support Agent'), [`e."title" = 'Sales Support Agent'`]);
});

test.run();
