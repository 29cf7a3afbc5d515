import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { normalizeQuestion, questionTokens } from '../../../../engine/verified/normalize';
import { matchQuestions, SIMILAR_THRESHOLD, similarity } from '../../../../engine/verified/similarity';

const match = (asked: string, verified: string) => matchQuestions(questionTokens(asked), questionTokens(verified));

test('normalising drops case, punctuation, spacing and function words, and brings plurals to their singular', () => {
  assert.is(normalizeQuestion('How many albums are there?'), 'count album');
  assert.is(normalizeQuestion('  number   of ALBUMS  '), 'count album');
  assert.is(normalizeQuestion('Show me the number of album.'), 'count album');
  assert.is(normalizeQuestion('List all countries'), 'countri');
  assert.is(normalizeQuestion('country'), 'countri');
  assert.is(normalizeQuestion('statuses of the buses'), normalizeQuestion('status of the bus'));
  assert.is(normalizeQuestion('people'), normalizeQuestion('person'));
  assert.is(normalizeQuestion("customers who don't have invoices"), 'custom not invoic');
  assert.is(normalizeQuestion('customers without any invoices'), 'custom not invoic');
  assert.is(normalizeQuestion('Show me all'), '', 'nothing left that says what to find');
});

test('words that change the answer are kept: negation, comparison, order and numbers', () => {
  assert.match(normalizeQuestion('albums with more than 5 tracks'), /gt 5/);
  assert.match(normalizeQuestion('flights from Denver to Boston'), /from denver to boston/);
  assert.match(normalizeQuestion('customers not in Brazil'), /not/);
  assert.match(normalizeQuestion('first 10 invoices'), /first 10/);
});

test('paraphrases of a verified question match it', () => {
  const paraphrases: Array<[string, string]> = [
    ['How many albums are there?', 'number of albums'],
    ['how many albums', 'What is the count of albums?'],
    ['Which customers live in Brazil?', 'list the customers that live in brazil'],
    ['Top 5 customers by total spending', 'Who are the top 5 customers by total spending?'],
    ['average track length per genre', 'Mean track length for each genre'],
    ['customers without invoices', "customers who don't have any invoices"],
    ['Highest invoice total', 'largest invoice total'],
    ['total revenue per billing country', 'revenue per billing country'],
  ];
  for (const [asked, verified] of paraphrases) {
    const found = match(asked, verified);
    assert.ok(found, `"${asked}" should match "${verified}"`);
    assert.ok(found.score >= SIMILAR_THRESHOLD);
  }
  assert.equal(match('How many albums are there?', 'number of albums'), { kind: 'exact', score: 1 });
  assert.is(match('total revenue per billing country', 'revenue per billing country')?.kind, 'similar');
});

test('near misses do not match: another thing, another value, another grouping, another direction', () => {
  const nearMisses: Array<[string, string]> = [
    ['how many albums', 'how many artists'],
    ['customers in Brazil', 'customers in Canada'],
    ['top 5 customers by spending', 'top 10 customers by spending'],
    ['revenue per billing country per year', 'revenue per billing country'],
    ['invoices in 2023', 'invoices in 2024'],
    ['flights from Denver to Boston', 'flights from Boston to Denver'],
    ['customers with invoices', 'customers without invoices'],
    ['tracks longer than 5 minutes', 'tracks shorter than 5 minutes'],
    ['average track length per genre', 'average track length per album'],
    ['highest invoice total', 'lowest invoice total'],
    ['how many albums', 'list albums'],
    ['how many rock tracks are in the long playlist of the first customer from canada', 'how many rock tracks are in the long playlist of the first customer from brazil'],
  ];
  for (const [asked, verified] of nearMisses) assert.is(match(asked, verified), null, `"${asked}" must not match "${verified}"`);
});

test('the score ranks closeness even where nothing matches, and is symmetric', () => {
  const q = questionTokens('how many albums per artist');
  const close = similarity(q, questionTokens('how many albums'));
  const far = similarity(q, questionTokens('employees hired before 2010'));
  assert.ok(close > far, `${close} > ${far}`);
  assert.is(far, 0);
  assert.is(similarity(questionTokens('a b c'), questionTokens('c b a')), similarity(questionTokens('c b a'), questionTokens('a b c')));
  assert.is(match('', 'how many albums'), null);
});

test.run();
