import type { EngineError } from '../../../../engine/errors';
import type { JsonSchema, LlmRequest } from '../../../../engine/llm/index';

/** The shape the adapters are tested with: a required string, a bounded number, an optional list. */
export const ANSWER_SCHEMA: JsonSchema = {
  title: 'query_answer',
  description: 'One read-only query answering the question.',
  type: 'object',
  properties: {
    query: { type: 'string' },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    assumptions: { type: 'array', items: { type: 'string' } },
  },
  required: ['query', 'confidence'],
  additionalProperties: false,
};

export const GOOD_ANSWER = { query: 'SELECT count(*) FROM album', confidence: 0.9 };

export function request(overrides: Partial<LlmRequest> = {}): LlmRequest {
  return {
    system: 'You turn questions into one read-only SQL query.',
    messages: [{ role: 'user', content: 'How many albums are there?' }],
    contextBlocks: [{ title: 'Schema', text: 'CREATE TABLE album (album_id int PRIMARY KEY, title text);' }],
    outputSchema: ANSWER_SCHEMA,
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** Runs `fn` and returns what it threw; fails when it did not throw. */
export async function rejection(fn: () => Promise<unknown>): Promise<EngineError> {
  try {
    await fn();
  } catch (error) {
    return error as EngineError;
  }
  throw new Error('expected a rejection, but the call succeeded');
}
