import type { ContextBlock, JsonSchema, LlmRequest } from './types';

/**
 * The system text every adapter sends: the instructions, then each context
 * block in its own tag so a schema dump cannot be mistaken for instructions,
 * then (when the API cannot enforce a schema) the shape of the answer.
 */
export function renderSystem(request: Pick<LlmRequest, 'system' | 'contextBlocks' | 'outputSchema'>, describeSchema: boolean): string {
  const parts = [request.system.trim()];
  for (const block of request.contextBlocks) parts.push(renderBlock(block));
  if (describeSchema && request.outputSchema) parts.push(describeOutput(request.outputSchema));
  return parts.filter(Boolean).join('\n\n');
}

function renderBlock(block: ContextBlock): string {
  const title = block.title.replace(/["<>\n]/g, ' ').trim();
  return `<context title="${title}">\n${block.text.trim()}\n</context>`;
}

function describeOutput(schema: JsonSchema): string {
  return `Answer with exactly one JSON object that matches this JSON Schema, and nothing else (no prose, no code fences):\n${JSON.stringify(stripMeta(schema))}`;
}

/** A name the APIs accept for a schema or tool (^[a-zA-Z0-9_-]{1,64}$). */
export function schemaName(schema: JsonSchema | null): string {
  const title = typeof schema?.title === 'string' ? schema.title : '';
  const name = title.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 64);
  return name || 'answer';
}

export function schemaDescription(schema: JsonSchema | null): string {
  return typeof schema?.description === 'string' ? schema.description : 'Return the answer in this shape.';
}

/** Drops `$schema`, which some runtimes reject inside a request. */
export function stripMeta(schema: JsonSchema): JsonSchema {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}
