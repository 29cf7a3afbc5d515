import type { SingleProviderConfig, StructuredOutputMode } from './config';
import { at, createHttpProvider, tokenCount, type HttpProviderOptions, type WireAnswer, type WireFormat, WireShapeError } from './http-provider';
import { renderSystem, schemaDescription, schemaName, stripMeta } from './render';
import type { LlmProvider, LlmRequest } from './types';

type AnthropicConfig = Extract<SingleProviderConfig, { kind: 'anthropic' }>;

/**
 * Anthropic Messages (POST {base}/v1/messages). Structured output is a
 * forced tool call: the tool's input_schema is the output schema and
 * tool_choice names it, so the answer arrives as the tool_use block's input.
 */
export function anthropicWireFormat(config: AnthropicConfig): WireFormat {
  return {
    url: `${config.baseUrl}/v1/messages`,
    modes: ['tool', 'prompt'],

    headers(apiKey) {
      return {
        'content-type': 'application/json',
        accept: 'application/json',
        'anthropic-version': config.anthropicVersion,
        ...(apiKey ? { 'x-api-key': apiKey } : {}),
      };
    },

    body(request: LlmRequest, mode: StructuredOutputMode) {
      const schema = request.outputSchema ? stripMeta(request.outputSchema) : null;
      // input_schema must describe an object; anything else is asked for in the prompt.
      const asTool = schema !== null && mode === 'tool' && schema.type === 'object';
      const body: Record<string, unknown> = {
        model: config.model,
        max_tokens: request.maxTokens ?? config.maxTokens,
        system: renderSystem(request, schema !== null && !asTool),
        messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      };
      if (request.temperature !== undefined) body.temperature = request.temperature;
      if (asTool) {
        const name = schemaName(schema);
        body.tools = [{ name, description: schemaDescription(schema), input_schema: schema }];
        body.tool_choice = { type: 'tool', name };
      }
      return body;
    },

    read(json, request): WireAnswer {
      const content = at(json, 'content');
      if (!Array.isArray(content)) throw new WireShapeError('no content array');
      const name = request.outputSchema ? schemaName(request.outputSchema) : null;
      const toolUse = content.find((block) => at(block, 'type') === 'tool_use' && (name === null || at(block, 'name') === name));
      const text = content
        .filter((block) => at(block, 'type') === 'text')
        .map((block) => String(at(block, 'text') ?? ''))
        .join('');
      const input = toolUse === undefined ? undefined : at(toolUse, 'input');
      const stop = at(json, 'stop_reason');
      const id = at(json, 'id');
      return {
        text: input !== undefined ? JSON.stringify(input) : text,
        ...(input !== undefined ? { toolInput: input } : {}),
        refusal: stop === 'refusal' ? text || 'the model stopped for safety reasons' : null,
        truncated: stop === 'max_tokens',
        usage: { inputTokens: tokenCount(at(json, 'usage', 'input_tokens')), outputTokens: tokenCount(at(json, 'usage', 'output_tokens')) },
        model: typeof at(json, 'model') === 'string' ? (at(json, 'model') as string) : config.model,
        ...(typeof id === 'string' ? { id } : {}),
      };
    },

    errorInfo(json) {
      // {type: 'error', error: {type, message}}
      const message = at(json, 'error', 'message') ?? at(json, 'message');
      const code = at(json, 'error', 'type');
      return { message: typeof message === 'string' ? message : null, code: typeof code === 'string' ? code : null };
    },
  };
}

export function createAnthropicProvider(config: AnthropicConfig, apiKey: string | null, options?: HttpProviderOptions): LlmProvider {
  return createHttpProvider(config, anthropicWireFormat(config), apiKey, options);
}
