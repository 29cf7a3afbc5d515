import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildPrompt, type ConversationTurn, historyMessages, selectTurns } from '../../../../engine/prompt/index';
import { chinookPostgres } from './fixtures';

const turn = (n: number, extra: Partial<ConversationTurn> = {}): ConversationTurn => ({
  question: `question ${n}`,
  query: `SELECT ${n}`,
  columns: ['n'],
  resultSummary: `1 row: ${n}`,
  ...extra,
});

test('the most recent turns are kept, up to the configured depth, oldest first', () => {
  const turns = Array.from({ length: 10 }, (_, i) => turn(i + 1));
  assert.equal(selectTurns(turns, { maxTurns: 3, tokenBudget: 10_000 }).map((t) => t.question), ['question 8', 'question 9', 'question 10']);
  assert.equal(selectTurns(turns, { maxTurns: 0, tokenBudget: 10_000 }), []);
});

test('the token budget cuts older turns first; a huge turn ends the walk back', () => {
  const long = 'a result summary with plenty of words in it '.repeat(8);
  const turns = Array.from({ length: 8 }, (_, i) => turn(i + 1, { resultSummary: long }));
  const kept = selectTurns(turns, { maxTurns: 8, tokenBudget: 250 });
  assert.ok(kept.length >= 1 && kept.length < 8, `${kept.length} turns`);
  assert.is(kept.at(-1)!.question, 'question 8');
  const withHuge = [turn(1), turn(2, { query: `SELECT ${'x, '.repeat(3000)}1` }), turn(3)];
  assert.equal(selectTurns(withHuge, { maxTurns: 5, tokenBudget: 500 }).map((t) => t.question), ['question 3']);
});

test('messages alternate user/assistant and end with the new question after the last result', () => {
  const messages = historyMessages([turn(1), turn(2, { query: null, columns: [], resultSummary: null })], 'question 3');
  assert.equal(messages, [
    { role: 'user', content: 'question 1' },
    { role: 'assistant', content: '{"query":"SELECT 1"}' },
    { role: 'user', content: 'Result of that query: columns n; 1 row: 1\n\nNext question: question 2' },
    { role: 'assistant', content: 'No query was produced for this question.' },
    { role: 'user', content: 'question 3' },
  ]);
});

test('long summaries and column lists are trimmed', () => {
  const [kept] = selectTurns([turn(1, { columns: Array.from({ length: 100 }, (_, i) => `c${i}`), resultSummary: 'x'.repeat(2_000) })], { maxTurns: 1, tokenBudget: 10_000 });
  assert.is(kept!.columns!.length, 30);
  assert.ok(kept!.resultSummary!.length <= 401);
});

test('buildPrompt applies the app settings for depth and budget', () => {
  const history = Array.from({ length: 6 }, (_, i) => turn(i + 1));
  const prompt = buildPrompt({
    question: 'and per genre?',
    metadata: chinookPostgres(),
    settings: { rowLimit: 10, allowSampleValues: false },
    providerHosted: true,
    history,
    conversation: { chatContextTurns: 2, chatContextTokenBudget: 4_000 },
  });
  assert.is(prompt.historyTurns, 2);
  assert.is(prompt.messages.length, 5);
  assert.is(prompt.messages[0]!.content, 'question 5');
  assert.match(prompt.messages[4]!.content, /1 row: 6\n\nNext question: and per genre\?$/);
});

test.run();
