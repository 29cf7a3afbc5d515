import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { displayQuery, highlightQuery, languageFor, queryToSave } from '../../../../renderer/src/lib/highlight';

test('SQL stores are highlighted as SQL, MongoDB as JSON', () => {
  assert.is(languageFor('postgres'), 'sql');
  assert.is(languageFor('mysql'), 'sql');
  assert.is(languageFor('duckdb'), 'sql');
  assert.is(languageFor('mongodb'), 'json');
});

test('SQL keywords and strings get their own spans', () => {
  const html = highlightQuery("SELECT COUNT(*) FROM customer WHERE country = 'Brazil'", 'postgres');
  assert.match(html, /<span class="hljs-keyword">SELECT<\/span>/);
  assert.match(html, /<span class="hljs-string">&#x27;Brazil&#x27;<\/span>/);
});

test('query text cannot inject markup into the page', () => {
  const html = highlightQuery("SELECT '<img src=x onerror=alert(1)>' AS x", 'postgres');
  assert.not.match(html, /<img/);
  assert.match(html, /&lt;img/);
  assert.not.match(highlightQuery('{"a": "</span><script>"}', 'mongodb'), /<script>/);
});

test('compact MongoDB documents are pretty-printed; broken JSON is shown as written', () => {
  assert.is(displayQuery('{"collection":"users","operation":"count","filter":{}}', 'mongodb'), '{\n  "collection": "users",\n  "operation": "count",\n  "filter": {}\n}');
  assert.is(displayQuery('{"collection":', 'mongodb'), '{"collection":');
  assert.is(displayQuery('SELECT 1', 'postgres'), 'SELECT 1');
  assert.match(highlightQuery('{"limit": 5}', 'mongodb'), /hljs-number">5</);
});

test('saving an unchanged pretty-printed document sends the original text back', () => {
  const original = '{"collection":"users","operation":"count"}';
  assert.is(queryToSave(displayQuery(original, 'mongodb'), original, 'mongodb'), original);
  assert.is(queryToSave('{"collection":"orders"}', original, 'mongodb'), '{"collection":"orders"}');
  assert.is(queryToSave('SELECT 2', 'SELECT 1', 'postgres'), 'SELECT 2');
});

test.run();
