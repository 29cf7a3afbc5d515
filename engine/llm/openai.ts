import { OPENAI_COMPATIBLE_PRESETS, type SingleProviderConfig, type StructuredOutputMode } from './config';
import { at, createHttpProvider, tokenCount, type HttpProviderOptions, type WireAnswer, type WireFormat, WireShapeError } from './http-provider';
import { toStrictSchema } from './json-schema';
import { renderSystem, schemaDescription, schemaName, stripMeta } from './render';
import type { LlmProvider, LlmRequest } from './types';

type OpenAiConfig = Extract<SingleProviderConfig, { kind: 'openai' | 'openai-compatible' }>;

/** Steps down from a mode the runtime rejected (see OPENAI_COMPATIBLE_PRESETS). */
const DOWNGRADES: Record<StructuredOutputMode, StructuredOutputMode[]> = {
  json_schema: ['json_schema', 'json_object', 'prompt'],
  json_object: ['json_object', 'prompt'],
  tool: ['tool', 'prompt'],
  prompt: ['prompt'],
};

/** OpenAI Chat Completions (POST {base}/chat/completions), hosted or any compatible runtime. */
export function openAiWireFormat(config: OpenAiConfig): WireFormat {
  const hostedOpenAi = config.kind === 'openai';
  const mode: StructuredOutputMode = config.kind === 'openai' ? 'json_schema' : (config.structuredOutput ?? 'json_object');
  const schemaInJsonObject = config.kind === 'openai-compatible' && OPENAI_COMPATIBLE_PRESETS[config.preset].schemaInJsonObject;

  return {
    url: `${config.baseUrl}/chat/completions`,
    modes: DOWNGRADES[mode],

    headers(apiKey) {
      return {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
      };
    },

    body(request: LlmRequest, mode: StructuredOutputMode) {
      const schema = request.outputSchema ? stripMeta(request.outputSchema) : null;
      const describe = schema !== null && (mode === 'json_object' || mode === 'prompt');
      const body: Record<string, unknown> = {
        model: config.model,
        messages: [{ role: 'system', content: renderSystem(request, describe) }, ...request.messages.map((m) => ({ role: m.role, content: m.content }))],
      };
      // Hosted OpenAI deprecated max_tokens (reasoning models reject it); local runtimes know only max_tokens.
      body[hostedOpenAi ? 'max_completion_tokens' : 'max_tokens'] = request.maxTokens ?? config.maxTokens;
      if (request.temperature !== undefined) body.temperature = request.temperature;
      if (schema) {
        const name = schemaName(schema);
        if (mode === 'json_schema') {
          body.response_format = {
            type: 'json_schema',
            json_schema: hostedOpenAi ? { name, schema: toStrictSchema(schema), strict: true } : { name, schema },
          };
        } else if (mode === 'json_object') {
          body.response_format = schemaInJsonObject ? { type: 'json_object', schema } : { type: 'json_object' };
        } else if (mode === 'tool') {
          body.tools = [{ type: 'function', function: { name, description: schemaDescription(schema), parameters: schema } }];
          body.tool_choice = { type: 'function', function: { name } };
        }
      }
      body.stream = false;
      return body;
    },

    read(json): WireAnswer {
      const choice = at(json, 'choices', 0);
      const message = at(choice, 'message');
      if (message === undefined) throw new WireShapeError('no choices[0].message');
      const content = at(message, 'content');
      const text =
        typeof content === 'string'
          ? content
          : Array.isArray(content)
            ? content.map((part) => (typeof at(part, 'text') === 'string' ? (at(part, 'text') as string) : '')).join('')
            : '';
      const args = at(message, 'tool_calls', 0, 'function', 'arguments');
      const refusal = at(message, 'refusal');
      const finish = at(choice, 'finish_reason');
      const id = at(json, 'id');
      return {
        text: text || (typeof args === 'string' ? args : ''),
        ...(typeof args === 'string' || (typeof args === 'object' && args !== null) ? { toolInput: args } : {}),
        refusal: typeof refusal === 'string' ? refusal : null,
        truncated: finish === 'length',
        usage: { inputTokens: tokenCount(at(json, 'usage', 'prompt_tokens')), outputTokens: tokenCount(at(json, 'usage', 'completion_tokens')) },
        model: typeof at(json, 'model') === 'string' ? (at(json, 'model') as string) : config.model,
        ...(typeof id === 'string' ? { id } : {}),
      };
    },

    errorInfo(json) {
      // OpenAI: {error: {message, type, code}}; Ollama and some servers: {error: "text"}; others: {message} or {detail}.
      const error = at(json, 'error');
      const message = typeof error === 'string' ? error : (at(error, 'message') ?? at(json, 'message') ?? at(json, 'detail'));
      const code = at(error, 'code') ?? at(error, 'type');
      return {
        message: typeof message === 'string' ? message : null,
        code: typeof code === 'string' ? code : typeof code === 'number' ? String(code) : null,
      };
    },
  };
}

export function createOpenAiProvider(config: OpenAiConfig, apiKey: string | null, options?: HttpProviderOptions): LlmProvider {
  return createHttpProvider(config, openAiWireFormat(config), apiKey, options);
}
