import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { MetadataDocument } from '../../../../engine/contract/metadata.contract';
import { planQuestion } from '../../../../engine/planner/planner';
import { indexSchema } from '../../../../engine/planner/schema-index';
import { helpfulDecline, suggestRephrasings, wordsNotUnderstood } from '../../../../engine/planner/suggestions';
import { shopMetadata } from '../../../fixtures/planner/metadata';
import { assertHelpfulSuggestions, declineOf, tableMentioned } from '../../../support/planner-suggestions';

const shop = shopMetadata();
const planner = (metadata: MetadataDocument) => (question: string) => planQuestion({ question, metadata, dialect: 'postgres', rowLimit: 100 });

const DECLINED = ['what is the meaning of life', 'why did sales drop?', 'how many zorbles per flurp', 'the best songs by vibe', '   ', 'how many alltypes tiny pages are there'];

test('every suggestion for a declined question plans, names a real table, and reads as words (Chinook-shaped shop)', () => {
  for (const question of DECLINED) assertHelpfulSuggestions(declineOf(question, shop).suggestions, shop);
});

test('PascalCase names become words too (the shop as MySQL spells it)', () => {
  const pascal = shopMetadata({ style: 'pascal' });
  for (const question of DECLINED.slice(0, 3)) assertHelpfulSuggestions(declineOf(question, pascal, 'mysql').suggestions, pascal, 'mysql');
});

test('suggestions start from the tables the question is about', () => {
  assert.is(tableMentioned(declineOf('the best songs by vibe', shop).suggestions[0]!, shop), 'track', 'songs are tracks');
  assert.is(tableMentioned(declineOf('why did sales drop?', shop).suggestions[0]!, shop), 'invoice', 'sales are invoices');
  const countries = declineOf('forecast invoices by billing country', shop).suggestions;
  assert.match(countries[0]!, /billing country/, 'a column the question names is used');
});

test('the decline names the words it did not understand', () => {
  const { reason } = declineOf('how many zorbles per flurp', shop);
  assert.match(reason, /I did not understand "zorbles", "flurp"/);
  assert.match(reason, /^I can't answer that offline: .+\. Try rephrasing as ".+", or configure a model in Settings\.$/);
  assert.equal(wordsNotUnderstood(indexSchema(shop), 'how many customers from Berlin like jazz songs in March'), [], 'schema names, values, synonyms and planner words are understood');
});

test('words the planner reports as not understood replace the guess', () => {
  const declined = helpfulDecline({ why: 'it is not clear what to rank', question: 'rank the tracks', index: indexSchema(shop), unmatched: ['grooviness'], plan: planner(shop) });
  assert.match(declined.reason, /it is not clear what to rank \(I did not understand "grooviness"\)\./);
});

test('join tables, tables without rows and unreadable names are never suggested', () => {
  const metadata = shopMetadata();
  const objects = metadata.databases[0]!.schemas[0]!.objects;
  for (const object of objects) if (object.name !== 'track' && object.name !== 'genre') object.rowEstimate = 0;
  objects.find((o) => o.name === 'genre')!.rowEstimate = 5;
  const suggestions = suggestRephrasings(indexSchema(metadata), 'how many playlist tracks', planner(metadata));
  assert.ok(suggestions.length >= 2, JSON.stringify(suggestions));
  for (const s of suggestions) assert.ok(['track', 'genre'].includes(tableMentioned(s, metadata) ?? ''), s);
  assert.not.ok(suggestions.some((s) => /playlist/i.test(s)), 'playlist_track only joins: never a suggestion');
});

test('stored tables come before views, which mostly repeat them', () => {
  const metadata = shopMetadata();
  const objects = metadata.databases[0]!.schemas[0]!.objects;
  const customer = objects.find((o) => o.name === 'customer')!;
  objects.unshift({ ...customer, name: 'aaa_customer_list', kind: 'view', rowEstimate: 10_000 });
  const suggestions = declineOf('what is the meaning of life', metadata).suggestions;
  assert.not.ok(suggestions.some((s) => /customer list/.test(s)), JSON.stringify(suggestions));
});

test('a schema with nothing to ask about gives no suggestions, and says how to ask instead', () => {
  const metadata = shopMetadata();
  for (const object of metadata.databases[0]!.schemas[0]!.objects) object.rowEstimate = 0;
  const { reason, suggestions } = declineOf('how many zorbles', metadata);
  assert.equal(suggestions, []);
  assert.match(reason, /Try naming a table and what to count, list or total, or configure a model in Settings\.$/);
});

test.run();
