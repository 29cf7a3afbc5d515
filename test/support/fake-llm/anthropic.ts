/**
 * A local server speaking the Anthropic Messages wire format
 * (POST {base}/v1/messages → message objects, errors as
 * {type: 'error', error: {type, message}}), scriptable per test.
 */
import { fakeId, type RecordedRequest, type Reply, type Responder, roughTokens, type ScriptedServer, startScriptedServer } from './server';

import type { SchemaView } from './openai';

/** The parts of a Messages request body tests assert on. */
export interface MessagesRequest {
  model: string;
  max_tokens: number;
  system?: string;
  temperature?: number;
  messages: Array<{ role: string; content: string }>;
  tools?: Array<{ name: string; description?: string; input_schema: SchemaView }>;
  tool_choice?: { type: string; name?: string };
}

export interface MessageOptions {
  delayMs?: number;
  stopReason?: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';
  model?: string;
  usage?: { input_tokens: number; output_tokens: number };
}

export interface AnthropicErrorOptions {
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface FakeAnthropic extends ScriptedServer {
  /** The base URL a provider config uses: http://127.0.0.1:PORT */
  readonly baseUrl: string;
  /** A tool_use block with this input; the name defaults to the one tool_choice forced. */
  replyToolUse(input: unknown, options?: MessageOptions & { name?: string; preamble?: string }): void;
  replyText(text: string, options?: MessageOptions): void;
  replyError(status: number, type: string, message: string, options?: AnthropicErrorOptions): void;
  lastBody(): MessagesRequest;
}

export interface FakeAnthropicOptions {
  /** When set, a missing or different x-api-key gets a 401 authentication_error. */
  apiKey?: string;
  models?: string[];
}

const errorBody = (type: string, message: string) => ({ type: 'error', error: { type, message } });

export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const server = await startScriptedServer({
    precheck(request) {
      if (request.path !== '/v1/messages' || request.method !== 'POST') {
        return { status: 404, body: errorBody('not_found_error', 'Not Found') };
      }
      if (!request.headers['anthropic-version']) {
        return { status: 400, body: errorBody('invalid_request_error', 'anthropic-version: header is required') };
      }
      if (options.apiKey !== undefined && request.headers['x-api-key'] !== options.apiKey) {
        return { status: 401, body: errorBody('authentication_error', 'invalid x-api-key') };
      }
      const body = request.body as { model?: unknown; max_tokens?: unknown } | undefined;
      if (typeof body?.max_tokens !== 'number') {
        return { status: 400, body: errorBody('invalid_request_error', 'max_tokens: Field required') };
      }
      if (options.models && !options.models.includes(String(body.model))) {
        return { status: 404, body: errorBody('not_found_error', `model: ${String(body.model)}`) };
      }
      return null;
    },
    whenEmpty: () => ({ status: 500, body: errorBody('api_error', 'fake-llm: no scripted response left') }),
  });

  const message = (request: RecordedRequest, content: Array<Record<string, unknown>>, stop: string, o: MessageOptions): Reply => {
    const usage = o.usage ?? { input_tokens: roughTokens(request.bodyText), output_tokens: roughTokens(JSON.stringify(content)) };
    return {
      status: 200,
      headers: { 'request-id': fakeId('req_') },
      ...(o.delayMs ? { delayMs: o.delayMs } : {}),
      body: {
        id: fakeId('msg_'),
        type: 'message',
        role: 'assistant',
        model: o.model ?? String((request.body as { model?: unknown }).model),
        content,
        stop_reason: o.stopReason ?? stop,
        stop_sequence: null,
        usage,
      },
    };
  };
  const queue = (responder: Responder) => server.enqueue(responder);

  return Object.assign(server, {
    baseUrl: server.origin,
    replyToolUse: (input: unknown, o: MessageOptions & { name?: string; preamble?: string } = {}) =>
      queue((r) => {
        const forced = (r.body as { tool_choice?: { name?: string } }).tool_choice?.name;
        const blocks: Array<Record<string, unknown>> = [];
        if (o.preamble) blocks.push({ type: 'text', text: o.preamble });
        blocks.push({ type: 'tool_use', id: fakeId('toolu_'), name: o.name ?? forced ?? 'answer', input });
        return message(r, blocks, 'tool_use', o);
      }),
    replyText: (text: string, o: MessageOptions = {}) => queue((r) => message(r, [{ type: 'text', text }], 'end_turn', o)),
    replyError: (status: number, type: string, text: string, o: AnthropicErrorOptions = {}) =>
      server.enqueue({
        status,
        body: errorBody(type, text),
        headers: { 'request-id': fakeId('req_'), ...o.headers },
        ...(o.delayMs ? { delayMs: o.delayMs } : {}),
      }),
    lastBody: () => server.requests.at(-1)?.body as MessagesRequest,
  });
}
