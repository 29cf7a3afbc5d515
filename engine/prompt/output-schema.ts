import { z } from 'zod';
import { Dialect } from '../contract/query.contract';
import type { JsonSchema } from '../llm/types';

/** What the model answers with, for every store. */
export const QueryAnswer = z
  .object({
    query: z.string().min(1).max(100_000).describe('The one read-only query: SQL text, or for MongoDB the JSON query document as text.'),
    dialect: Dialect,
    explanation: z.string().max(2_000).describe('One or two plain sentences for the user about what the query returns.'),
    confidence: z.number().min(0).max(1).describe('0 to 1: how sure the model is that the query answers the question as asked.'),
    assumptions: z.array(z.string().max(500)).max(10).optional().describe('How ambiguous parts of the question were read.'),
  })
  .meta({ title: 'query_answer', description: 'One read-only query that answers the question.' });
export type QueryAnswer = z.infer<typeof QueryAnswer>;

let answerSchema: JsonSchema | null = null;

/**
 * The answer's JSON Schema. The input form leaves additionalProperties open:
 * a model that adds a field of its own is not rejected for it (zod strips it),
 * while OpenAI's strict mode closes the schema itself. Built on first use, not
 * at import: every engine start (each CLI command) would pay about 25 ms for it.
 */
export function queryAnswerJsonSchema(): JsonSchema {
  answerSchema ??= z.toJSONSchema(QueryAnswer, { io: 'input' }) as JsonSchema;
  return answerSchema;
}

/** The schema for one store: `dialect` can only be that store's. */
export function queryAnswerSchemaFor(dialect: Dialect): JsonSchema {
  const base = queryAnswerJsonSchema() as { properties: Record<string, JsonSchema> };
  return { ...base, properties: { ...base.properties, dialect: { type: 'string', enum: [dialect] } } };
}
