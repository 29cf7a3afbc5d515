import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateJson } from '../../../../engine/llm/json-schema';
import { buildPrompt, type ConversationTurn, QueryAnswer } from '../../../../engine/prompt/index';
import { chinookPostgres, filesDuckdb, mflixMongo, sakilaMysql } from './fixtures';
import { describePrompt, matchSnapshot } from './snapshot';

const TODAY = '2025-03-14';

test('PostgreSQL, local model: the whole schema with sample values', () => {
  const prompt = buildPrompt({
    question: 'Which countries spent the most on Rock tracks?',
    metadata: chinookPostgres(),
    settings: { rowLimit: 1000, allowSampleValues: false },
    providerHosted: false,
    sourceName: 'Chinook (staging)',
    today: TODAY,
  });
  matchSnapshot('postgres-chinook-local', describePrompt(prompt));
  assert.is(prompt.dialect, 'postgres');
  assert.is(prompt.tables.length, 11);
  assert.is(prompt.schemaTruncated, false);
  assert.is(prompt.sampleValuesIncluded, true);
  assert.match(prompt.contextBlocks[0]!.text, /name varchar\(120\) {2}-- e\.g\. 'Rock', 'Jazz', 'Metal'/);
  assert.match(prompt.system, /end with LIMIT 1000/);
  assert.match(prompt.system, /Today's date is 2025-03-14\./);
  assert.equal(prompt.messages, [{ role: 'user', content: 'Which countries spent the most on Rock tracks?' }]);
});

test('MySQL, hosted model without permission: no sample values, backtick quoting, MySQL date functions', () => {
  const prompt = buildPrompt({
    question: 'Top 10 films by number of rentals',
    metadata: sakilaMysql(),
    settings: { rowLimit: 500, allowSampleValues: false },
    providerHosted: true,
    today: TODAY,
  });
  matchSnapshot('mysql-sakila-hosted', describePrompt(prompt));
  const schema = prompt.contextBlocks[0]!.text;
  assert.is(prompt.sampleValuesIncluded, false);
  assert.not.match(schema, /e\.g\./);
  assert.not.match(schema, /ACADEMY DINOSAUR|PENELOPE/);
  assert.match(schema, /Sample values are withheld\./);
  assert.match(schema, /CREATE TABLE `order` \(/);
  assert.match(schema, /`key` varchar\(10\)/);
  assert.match(prompt.system, /DATE_SUB\(CURDATE\(\), INTERVAL 30 DAY\)/);
  assert.match(prompt.system, /LIMIT 500/);
});

test('MySQL, hosted model with permission: sample values are included', () => {
  const prompt = buildPrompt({ question: 'films rated PG', metadata: sakilaMysql(), settings: { rowLimit: 500, allowSampleValues: true }, providerHosted: true, today: TODAY });
  assert.is(prompt.sampleValuesIncluded, true);
  assert.match(prompt.contextBlocks[0]!.text, /rating enum\('G','PG','PG-13','R','NC-17'\), {2}-- e\.g\. 'PG', 'G', 'NC-17'/);
});

test('DuckDB over files: quoted headers and the no-file-functions rule', () => {
  const prompt = buildPrompt({
    question: 'Revenue per region in Q1',
    metadata: filesDuckdb(),
    settings: { rowLimit: 10_000, allowSampleValues: true },
    providerHosted: false,
    sourceNotes: 'Revenue is in euros. Fiscal Q1 is January to March.',
    today: TODAY,
  });
  matchSnapshot('duckdb-files-local', describePrompt(prompt));
  assert.match(prompt.contextBlocks[0]!.text, /"Revenue \(EUR\)" DOUBLE/);
  assert.match(prompt.system, /no read_csv\(\), read_parquet\(\)/);
  assert.equal(prompt.contextBlocks[1], { title: 'Notes about this source from the user', text: 'Revenue is in euros. Fiscal Q1 is January to March.' });
});

test('MongoDB with a conversation: the query document format, Extended JSON and earlier turns', () => {
  const history: ConversationTurn[] = [
    {
      question: 'How many movies were released each year since 2010?',
      query: '{"collection":"movies","operation":"aggregate","pipeline":[{"$match":{"year":{"$gte":2010}}},{"$group":{"_id":"$year","n":{"$sum":1}}},{"$sort":{"_id":1}},{"$limit":200}]}',
      columns: ['_id', 'n'],
      resultSummary: '6 rows; 2010: 970, 2011: 1040, 2015: 484',
    },
  ];
  const prompt = buildPrompt({
    question: 'Only dramas, please',
    metadata: mflixMongo(),
    settings: { rowLimit: 200, allowSampleValues: true },
    providerHosted: true,
    history,
    today: TODAY,
  });
  matchSnapshot('mongodb-mflix-followup', describePrompt(prompt));
  assert.match(prompt.system, /\{"collection": "c", "operation": "find"/);
  assert.match(prompt.system, /\{"\$date": "2024-01-31T00:00:00Z"\}/);
  assert.match(prompt.contextBlocks[0]!.text, /imdb\.rating: double \| string {2}-- in 97% of documents/);
  assert.not.match(prompt.contextBlocks[0]!.text, /\$2b\$12\$/, 'password hashes are never sample values');
  assert.is(prompt.historyTurns, 1);
  assert.equal(prompt.messages.map((m) => m.role), ['user', 'assistant', 'user']);
  assert.match(prompt.messages[2]!.content, /^Result of that query: columns _id, n; 6 rows; 2010: 970.*\n\nNext question: Only dramas, please$/s);
});

test('the output schema pins the dialect and validates a real answer', () => {
  const prompt = buildPrompt({ question: 'x', metadata: chinookPostgres(), settings: { rowLimit: 10, allowSampleValues: false }, providerHosted: true, today: TODAY });
  const good = { query: 'SELECT 1', dialect: 'postgres', explanation: 'One.', confidence: 0.9 };
  assert.equal(validateJson(good, prompt.outputSchema), []);
  assert.equal(validateJson({ ...good, dialect: 'mysql' }, prompt.outputSchema), ['$.dialect: must be one of "postgres"']);
  assert.equal(validateJson({ ...good, confidence: 1.5 }, prompt.outputSchema), ['$.confidence: greater than 1']);
  assert.ok(validateJson({ query: 'SELECT 1' }, prompt.outputSchema).length > 0);
  assert.is(prompt.outputSchema.title, 'query_answer');
  assert.equal(QueryAnswer.parse({ ...good, extra: 1 }), good, 'a field the model adds is dropped, not an error');
});

test('estimatedTokens grows with what is included', () => {
  const base = { metadata: chinookPostgres(), settings: { rowLimit: 10, allowSampleValues: true }, today: TODAY } as const;
  const local = buildPrompt({ ...base, question: 'albums', providerHosted: false });
  const hosted = buildPrompt({ ...base, question: 'albums', providerHosted: true, settings: { rowLimit: 10, allowSampleValues: false } });
  assert.ok(local.estimatedTokens > hosted.estimatedTokens, 'sample values cost tokens');
  const text = [local.system, ...local.contextBlocks.map((b) => b.text), ...local.messages.map((m) => m.content)].join('');
  assert.ok(local.estimatedTokens > text.length / 6 && local.estimatedTokens < text.length / 2, `${local.estimatedTokens} for ${text.length} chars`);
});

test.run();
