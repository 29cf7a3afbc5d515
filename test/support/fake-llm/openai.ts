/**
 * A local server speaking the OpenAI Chat Completions wire format
 * (POST {base}/chat/completions → chat.completion objects, errors as
 * {error: {message, type, param, code}}), scriptable per test. With
 * `flavor: 'ollama'` errors look like Ollama's OpenAI-compatible endpoint.
 */
import { fakeId, type RecordedRequest, type Reply, type Responder, roughTokens, type ScriptedServer, startScriptedServer } from './server';

/** A JSON Schema as the tests look into it. */
export interface SchemaView {
  type?: string | string[];
  required?: string[];
  additionalProperties?: unknown;
  properties?: Record<string, SchemaView>;
  items?: SchemaView;
  [keyword: string]: unknown;
}

/** The parts of a Chat Completions request body tests assert on. */
export interface ChatCompletionRequest {
  model: string;
  messages: Array<{ role: string; content: string }>;
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  stream?: boolean;
  response_format?: { type: string; schema?: SchemaView; json_schema?: { name: string; strict?: boolean; schema: SchemaView } };
  tools?: Array<{ type: string; function: { name: string; description?: string; parameters: SchemaView } }>;
  tool_choice?: { type: string; function: { name: string } };
}

export interface ChatOptions {
  delayMs?: number;
  finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  /** The model the response claims; defaults to the requested one. */
  model?: string;
  usage?: { prompt_tokens: number; completion_tokens: number };
}

export interface OpenAiErrorOptions {
  type?: string;
  code?: string | null;
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface FakeOpenAi extends ScriptedServer {
  /** The base URL a provider config uses: http://127.0.0.1:PORT/v1 */
  readonly baseUrl: string;
  /** The assistant message's content, verbatim. */
  replyText(content: string, options?: ChatOptions): void;
  /** Content = JSON.stringify(value). */
  replyJson(value: unknown, options?: ChatOptions): void;
  /** A tool call; `args` is sent as the JSON string OpenAI uses unless it already is a string. */
  replyToolCall(args: unknown, options?: ChatOptions & { name?: string }): void;
  replyRefusal(refusal: string, options?: ChatOptions): void;
  replyError(status: number, message: string, options?: OpenAiErrorOptions): void;
  /** The last request's parsed body. */
  lastBody(): ChatCompletionRequest;
  /** Request `i`'s parsed body. */
  body(i: number): ChatCompletionRequest;
}

export interface FakeOpenAiOptions {
  /** When set, requests without `Authorization: Bearer <apiKey>` get a 401 that (like OpenAI's) quotes the key. */
  apiKey?: string;
  /** When set, other model ids get a 404 model_not_found. */
  models?: string[];
  flavor?: 'openai' | 'ollama';
}

export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const flavor = options.flavor ?? 'openai';
  const errorBody = (message: string, type: string, code: string | null) =>
    flavor === 'ollama' ? { error: { message, type: 'api_error', param: null, code: null } } : { error: { message, type, param: null, code } };

  const server = await startScriptedServer({
    precheck(request) {
      if (!request.path.endsWith('/v1/chat/completions') || request.method !== 'POST') {
        return { status: 404, rawBody: '404 page not found', headers: { 'content-type': 'text/plain' } };
      }
      if (options.apiKey !== undefined) {
        const auth = request.headers.authorization;
        if (auth !== `Bearer ${options.apiKey}`) {
          const given = auth?.replace(/^Bearer /, '') ?? '';
          return { status: 401, body: errorBody(`Incorrect API key provided: ${given}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key') };
        }
      }
      const model = String((request.body as { model?: unknown } | undefined)?.model ?? '');
      if (options.models && !options.models.includes(model)) {
        const message = flavor === 'ollama' ? `model "${model}" not found, try pulling it first` : `The model \`${model}\` does not exist or you do not have access to it.`;
        return { status: 404, body: errorBody(message, 'invalid_request_error', 'model_not_found') };
      }
      return null;
    },
    whenEmpty: () => ({ status: 500, body: errorBody('fake-llm: no scripted response left', 'server_error', null) }),
  });

  const completion = (request: RecordedRequest, message: Record<string, unknown>, finish: string, o: ChatOptions): Reply => {
    const output = typeof message.content === 'string' ? message.content : JSON.stringify(message.tool_calls ?? message.refusal ?? '');
    const usage = o.usage ?? { prompt_tokens: roughTokens(request.bodyText), completion_tokens: roughTokens(output) };
    return {
      status: 200,
      ...(o.delayMs ? { delayMs: o.delayMs } : {}),
      body: {
        id: fakeId('chatcmpl-'),
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: o.model ?? String((request.body as { model?: unknown }).model),
        system_fingerprint: 'fp_fake',
        choices: [{ index: 0, message: { role: 'assistant', refusal: null, ...message }, logprobs: null, finish_reason: o.finishReason ?? finish }],
        usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
      },
    };
  };
  const queue = (responder: Responder) => server.enqueue(responder);

  return Object.assign(server, {
    baseUrl: `${server.origin}/v1`,
    replyText: (content: string, o: ChatOptions = {}) => queue((r) => completion(r, { content }, 'stop', o)),
    replyJson: (value: unknown, o: ChatOptions = {}) => queue((r) => completion(r, { content: JSON.stringify(value) }, 'stop', o)),
    replyToolCall: (args: unknown, o: ChatOptions & { name?: string } = {}) =>
      queue((r) => {
        const requested = (r.body as { tool_choice?: { function?: { name?: string } } }).tool_choice?.function?.name;
        const call = {
          id: fakeId('call_'),
          type: 'function',
          function: { name: o.name ?? requested ?? 'answer', arguments: typeof args === 'string' ? args : JSON.stringify(args) },
        };
        return completion(r, { content: null, tool_calls: [call] }, 'tool_calls', o);
      }),
    replyRefusal: (refusal: string, o: ChatOptions = {}) => queue((r) => completion(r, { content: null, refusal }, 'stop', o)),
    replyError: (status: number, message: string, o: OpenAiErrorOptions = {}) =>
      server.enqueue({
        status,
        body: errorBody(message, o.type ?? (status >= 500 ? 'server_error' : 'invalid_request_error'), o.code ?? null),
        ...(o.headers ? { headers: o.headers } : {}),
        ...(o.delayMs ? { delayMs: o.delayMs } : {}),
      }),
    lastBody: () => server.requests.at(-1)?.body as ChatCompletionRequest,
    body: (i: number) => server.requests[i]?.body as ChatCompletionRequest,
  });
}
