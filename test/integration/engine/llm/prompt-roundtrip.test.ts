import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createProvider, type LlmProvider } from '../../../../engine/llm/index';
import { buildPrompt, QueryAnswer } from '../../../../engine/prompt/index';
import { startFakeAnthropic, startFakeOpenAi } from '../../../support/fake-llm/index';
import { chinookPostgres } from '../../../unit/engine/prompt/fixtures';

const ANSWER = {
  query: "SELECT c.country, sum(il.unit_price * il.quantity) AS spent FROM invoice_line il JOIN track t ON t.track_id = il.track_id JOIN genre g ON g.genre_id = t.genre_id JOIN invoice i ON i.invoice_id = il.invoice_id JOIN customer c ON c.customer_id = i.customer_id WHERE g.name = 'Rock' GROUP BY c.country ORDER BY spent DESC LIMIT 1000",
  dialect: 'postgres',
  explanation: 'Total spent on Rock tracks per customer country, highest first.',
  confidence: 0.86,
};

const prompt = (provider: LlmProvider) =>
  buildPrompt({
    question: 'Which countries spent the most on Rock tracks?',
    metadata: chinookPostgres(),
    settings: { rowLimit: 1000, allowSampleValues: false },
    providerHosted: provider.hosted,
    today: '2025-03-14',
  });

test('one built prompt goes through every adapter and comes back as a valid QueryAnswer', async () => {
  const openai = await startFakeOpenAi();
  const anthropic = await startFakeAnthropic();
  try {
    const providers = [
      createProvider({ kind: 'openai', baseUrl: openai.baseUrl, model: 'gpt-4o' }, 'k1'),
      createProvider({ kind: 'openai-compatible', preset: 'ollama', baseUrl: openai.baseUrl, model: 'qwen2.5-coder' }, null),
      createProvider({ kind: 'openai-compatible', preset: 'llamacpp', baseUrl: openai.baseUrl, model: 'local' }, null),
      createProvider({ kind: 'anthropic', baseUrl: anthropic.baseUrl, model: 'claude-sonnet-4-5' }, 'k2'),
    ];
    // Strict OpenAI answers every optional field, with null; local models wrap JSON in prose; Anthropic uses the tool.
    openai.replyJson({ ...ANSWER, assumptions: null });
    openai.replyText(`Here is the query:\n\`\`\`json\n${JSON.stringify(ANSWER, null, 2)}\n\`\`\``);
    openai.replyText(JSON.stringify({ ...ANSWER, assumptions: ['"spent" means invoice line totals'] }));
    anthropic.replyToolUse(ANSWER);

    for (const provider of providers) {
      const built = prompt(provider);
      const response = await provider.complete({ ...built, signal: new AbortController().signal });
      const answer = QueryAnswer.parse(response.structured);
      assert.is(answer.dialect, 'postgres', provider.id);
      assert.match(answer.query, /GROUP BY c\.country/, provider.id);
      assert.match(response.requestText, /CREATE TABLE invoice_line/, `${provider.id}: the schema was sent`);
      assert.match(response.requestText, /Which countries spent the most on Rock tracks\?/, provider.id);
    }
    const strict = openai.body(0).response_format!.json_schema!;
    assert.is(strict.strict, true);
    assert.equal(strict.schema.properties!.dialect, { type: 'string', enum: ['postgres'] });
    assert.is(anthropic.lastBody().tools![0]!.name, 'query_answer');
  } finally {
    await openai.close();
    await anthropic.close();
  }
});

test('a local model with a hosted fallback counts as hosted, so sample values stay home', async () => {
  const local = createProvider({ kind: 'openai-compatible', preset: 'ollama', model: 'llama3.1' }, null);
  const withFallback = createProvider({ kind: 'openai-compatible', preset: 'ollama', model: 'llama3.1', fallback: { kind: 'openai', model: 'gpt-4o-mini' } }, null, { fallbackApiKey: 'k' });
  assert.is(local.hosted, false);
  assert.is(withFallback.hosted, true);
  assert.is(prompt(local).sampleValuesIncluded, true);
  assert.match(prompt(local).contextBlocks[0]!.text, /'Rock', 'Jazz', 'Metal'/);
  assert.is(prompt(withFallback).sampleValuesIncluded, false);
  assert.not.match(prompt(withFallback).contextBlocks[0]!.text, /'Rock'/);
});

test.run();
