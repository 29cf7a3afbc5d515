import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildPrompt } from '../../../../engine/prompt/index';
import { chinookPostgres } from './fixtures';

const base = { metadata: chinookPostgres(), settings: { rowLimit: 1000, allowSampleValues: true }, providerHosted: true, today: '2025-03-14' };

test('verified pairs become one context block of examples, after the schema, in the order given', () => {
  const prompt = buildPrompt({
    ...base,
    question: 'revenue per billing city',
    examples: [
      { question: 'revenue per billing country', query: 'SELECT billing_country, sum(total) FROM invoice GROUP BY 1' },
      { question: 'how  many\ntracks', query: 'SELECT count(*) FROM track' },
    ],
  });
  const block = prompt.contextBlocks.find((b) => b.title.startsWith('Verified answers for this source'));
  assert.ok(block);
  assert.is(prompt.contextBlocks[0]!.title, 'Schema');
  assert.is(block.text, 'Question: revenue per billing country\nQuery:\nSELECT billing_country, sum(total) FROM invoice GROUP BY 1\n\nQuestion: how many tracks\nQuery:\nSELECT count(*) FROM track');
  assert.ok(prompt.estimatedTokens > buildPrompt({ ...base, question: 'revenue per billing city' }).estimatedTokens);
});

test('no examples, no block; an example is scrubbed of credentials and a long query is cut', () => {
  assert.not.ok(buildPrompt({ ...base, question: 'x' }).contextBlocks.some((b) => b.title.startsWith('Verified')));
  const key = 'AKIA' + 'ABCDEFGHIJKLMNOP';
  const prompt = buildPrompt({ ...base, question: 'x', examples: [{ question: `albums ${key}`, query: `SELECT '${key}', ${'1, '.repeat(2_000)}1` }] });
  const text = prompt.contextBlocks.at(-1)!.text;
  assert.not.match(text, new RegExp(key));
  assert.match(text, /\[redacted\]/);
  assert.ok(text.length < 2_200, `${text.length}`);
  assert.match(text, /…$/);
});

test.run();
