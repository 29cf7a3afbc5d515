import { CancelledError, type EngineError, ProviderError, RateLimitedError, TimeoutError } from '../errors';
import { redactor } from '../log/redact';
import { providerId, providerLabel, type SingleProviderConfig, type StructuredOutputMode } from './config';
import { dropNullOptionals, isPlainObject, validateJson } from './json-schema';
import { parseStructuredAnswer, type ParsedAnswer } from './parse';
import { retryAfterMs } from './retry-after';
import type { LedgerEntry, LlmProvider, LlmRequest, LlmResponse, LlmUsage, ProviderErrorKind } from './types';

/** What an adapter read from a successful response. */
export interface WireAnswer {
  text: string;
  /** A tool call's arguments: an object (Anthropic) or JSON text (OpenAI). */
  toolInput?: unknown;
  refusal?: string | null;
  /** The answer stopped at the token limit. */
  truncated: boolean;
  usage: LlmUsage;
  model: string;
  id?: string;
}

/** The part of a provider that is its wire format; everything else is shared. */
export interface WireFormat {
  /** Full URL of the endpoint. */
  readonly url: string;
  /** Modes in order of preference: the first is used, later ones after the server rejects the former. */
  readonly modes: StructuredOutputMode[];
  headers(apiKey: string | null): Record<string, string>;
  body(request: LlmRequest, mode: StructuredOutputMode): unknown;
  /** Throws WireShapeError when the JSON is not this API's answer. */
  read(json: unknown, request: LlmRequest): WireAnswer;
  /** The provider's own error text and code from an error body. */
  errorInfo(json: unknown): { message: string | null; code: string | null };
}

export interface HttpProviderOptions {
  /** Called with every outgoing body, failed attempts included: the context ledger. */
  ledger?: (entry: LedgerEntry) => void;
  /** Wait before the single retry after a 5xx answer. */
  retryBackoffMs?: number;
}

/** Hints shown when a model id is unknown, by runtime. */
const MISSING_MODEL_HINT: Partial<Record<string, (model: string) => string>> = {
  ollama: (model) => `Pull it with "ollama pull ${model}" or choose a model that "ollama list" shows.`,
  lmstudio: () => 'Download and load it in LM Studio, or use an id from its model list.',
  llamacpp: () => 'llama.cpp serves the model it was started with; use its alias (llama-server --alias).',
  vllm: () => 'Use the name vLLM was started with (--served-model-name).',
};

const MAX_PROVIDER_MESSAGE = 300;

/** Thrown by WireFormat.read when a 2xx body is not this API's answer; becomes a PROTOCOL ProviderError. */
export class WireShapeError extends Error {}

/**
 * One provider over HTTP: timeouts, cancellation, the retry after a 5xx, the
 * step down to a simpler structured-output mode when a runtime rejects one,
 * error mapping, the ledger and the parsing of the answer. Adapters supply
 * only the wire format.
 */
export function createHttpProvider(
  config: SingleProviderConfig,
  wire: WireFormat,
  apiKey: string | null,
  options: HttpProviderOptions = {},
): LlmProvider {
  const id = providerId(config);
  const label = providerLabel(config);
  const retryBackoffMs = options.retryBackoffMs ?? 500;
  let modeIndex = 0;

  const fail = (message: string, kind: ProviderErrorKind, details: Record<string, unknown> = {}) =>
    new ProviderError(redactor.redact(message), { kind, provider: id, model: config.model, ...details });

  function httpError(status: number, headers: Headers, json: unknown): EngineError {
    const info = wire.errorInfo(json);
    const said = info.message ? redactor.redact(truncate(info.message)) : null;
    const because = said ? ` The server said: ${said}` : '';
    const base = { status, ...(info.code ? { providerCode: info.code } : {}) };
    if (status === 429) {
      const wait = retryAfterMs(headers);
      const when = wait === undefined ? '' : ` Try again in ${Math.max(1, Math.ceil(wait / 1000))} s.`;
      return new RateLimitedError(redactor.redact(`${label} is rate limiting requests.${when}${because}`), {
        provider: id,
        model: config.model,
        ...base,
        ...(wait === undefined ? {} : { retryAfterMs: wait }),
      });
    }
    if (status === 401 || status === 403) {
      const what = apiKey ? 'rejected the API key' : 'needs an API key';
      return fail(`${label} ${what} (HTTP ${status}): check the API key in the provider settings.${because}`, 'AUTH', base);
    }
    const mentionsModel = /model/i.test(info.message ?? '') || info.code === 'model_not_found';
    const modelMissing =
      info.code === 'model_not_found' ||
      (status === 404 && mentionsModel) ||
      (mentionsModel && /not[ _]found|does ?n[o']t exist|not exist|no such|unknown|try pulling/i.test(info.message ?? ''));
    if ((status === 404 || status === 400 || status === 422) && modelMissing) {
      const hint = MISSING_MODEL_HINT[id]?.(config.model) ?? 'Check the model id in the provider settings.';
      return fail(`${label} has no model "${config.model}". ${hint}`, 'MODEL_NOT_FOUND', base);
    }
    if (status === 404) {
      return fail(`${label} has no chat endpoint at ${wire.url} (HTTP 404). Check the base URL.${because}`, 'ENDPOINT_NOT_FOUND', base);
    }
    if (status >= 500) return fail(`${label} had a server error (HTTP ${status}). Try again later.${because}`, 'SERVER', base);
    return fail(`${label} refused the request (HTTP ${status}).${because}`, 'BAD_REQUEST', base);
  }

  function networkError(error: unknown): ProviderError {
    const code = errorCode(error);
    const url = new URL(wire.url);
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    const where = `${url.hostname}:${port}`;
    const details = { code: code ?? 'UNKNOWN', host: url.hostname, port: Number(port) };
    switch (code) {
      case 'ECONNREFUSED':
        return fail(
          config.hosted
            ? `Could not connect to ${label} at ${where} (connection refused). Check the base URL and your network or proxy.`
            : `Could not connect to ${label} at ${where} (connection refused). Is ${label} running on ${where}?`,
          'NETWORK',
          details,
        );
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return fail(`Could not find the host ${url.hostname}. Check the base URL and your internet connection.`, 'NETWORK', details);
      case 'ECONNRESET':
      case 'EPIPE':
      case 'UND_ERR_SOCKET':
        return fail(`${label} at ${where} closed the connection before answering. Check that the base URL points at ${label} and try again.`, 'NETWORK', details);
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
      case 'UND_ERR_CONNECT_TIMEOUT':
      case 'ETIMEDOUT':
        return fail(`${where} cannot be reached from this computer. Check your network, VPN or proxy.`, 'NETWORK', details);
      default:
        if (code && /CERT|SSL|TLS|SELF_SIGNED/i.test(code)) {
          return fail(`The TLS certificate of ${url.hostname} could not be verified (${code}).`, 'NETWORK', details);
        }
        return fail(`Could not reach ${label} at ${where}${code ? ` (${code})` : ''}.`, 'NETWORK', details);
    }
  }

  function interpret(answer: WireAnswer, request: LlmRequest): unknown {
    const schema = request.outputSchema;
    if (!schema) return null;
    if (answer.refusal) throw fail(`The model declined to answer: ${truncate(answer.refusal)}`, 'REFUSED');
    const normalize = (value: unknown) => dropNullOptionals(value, schema);
    let parsed: ParsedAnswer;
    if (answer.toolInput !== undefined && typeof answer.toolInput !== 'string') {
      const value = normalize(answer.toolInput);
      const issues = validateJson(value, schema);
      parsed = issues.length ? { ok: false, reason: 'INVALID_SHAPE', issues } : { ok: true, value };
    } else {
      parsed = parseStructuredAnswer(typeof answer.toolInput === 'string' ? answer.toolInput : answer.text, schema, normalize);
    }
    if (parsed.ok) return parsed.value;
    const details = { issues: parsed.issues.slice(0, 5), truncated: answer.truncated, ...(answer.id ? { responseId: answer.id } : {}) };
    if (answer.truncated) {
      throw fail(
        `The model's answer was cut off at the token limit (${request.maxTokens ?? config.maxTokens}) before it was complete. Raise the limit or ask a narrower question.`,
        'MALFORMED_OUTPUT',
        details,
      );
    }
    const why = parsed.reason === 'NO_JSON' ? 'it contained no JSON' : `it did not have the expected shape: ${parsed.issues[0]}`;
    throw fail(`The model's answer could not be used: ${why}. Try again or choose a more capable model.`, 'MALFORMED_OUTPUT', details);
  }

  async function complete(request: LlmRequest): Promise<LlmResponse> {
    const started = performance.now();
    const deadline = AbortSignal.timeout(config.timeoutMs);
    const signal = AbortSignal.any([request.signal, deadline]);
    /** Why a failed fetch or wait ended, when it was our own signal: the deadline or the caller. */
    const aborted = (): EngineError | null => {
      if (deadline.aborted) {
        return new TimeoutError(
          `${label} did not answer within ${formatSeconds(config.timeoutMs)}. Try again, raise the timeout, or choose a faster model.`,
          { provider: id, model: config.model, timeoutMs: config.timeoutMs },
        );
      }
      return request.signal.aborted ? new CancelledError() : null;
    };
    if (request.signal.aborted) throw new CancelledError();

    let serverRetries = 1;
    for (;;) {
      const mode = wire.modes[Math.min(modeIndex, wire.modes.length - 1)]!;
      const requestText = JSON.stringify(wire.body(request, mode));
      options.ledger?.({ provider: id, url: wire.url, hosted: config.hosted, requestText, at: new Date().toISOString() });

      let status: number;
      let headers: Headers;
      let bodyText: string;
      try {
        const response = await fetch(wire.url, { method: 'POST', headers: wire.headers(apiKey), body: requestText, signal });
        status = response.status;
        headers = response.headers;
        bodyText = await response.text();
      } catch (error) {
        throw aborted() ?? networkError(error);
      }
      const json = parseJsonBody(bodyText);

      if (status >= 200 && status < 300) {
        if (json === undefined) throw fail(`${label} answered with something that is not JSON. Check the base URL.`, 'PROTOCOL');
        let answer: WireAnswer;
        try {
          answer = wire.read(json, request);
        } catch (e) {
          if (!(e instanceof WireShapeError)) throw e;
          throw fail(`${label} answered, but not in the expected format (${e.message}). Check the base URL and the provider type.`, 'PROTOCOL');
        }
        const structured = interpret(answer, request);
        return {
          text: answer.text,
          structured,
          usage: answer.usage,
          latencyMs: Math.round(performance.now() - started),
          model: answer.model || config.model,
          provider: id,
          requestText,
          ...(answer.id ? { responseId: answer.id } : {}),
        };
      }

      const error = httpError(status, headers, json);
      if (status >= 500 && serverRetries-- > 0) {
        try {
          await sleep(retryBackoffMs, signal);
        } catch (e) {
          throw aborted() ?? e;
        }
        continue;
      }
      if (status === 400 && request.outputSchema && modeIndex < wire.modes.length - 1 && rejectsStructuredOutput(wire.errorInfo(json).message)) {
        // Remembered for this provider's lifetime: the runtime will not grow the feature mid-session.
        modeIndex++;
        continue;
      }
      throw error;
    }
  }

  return { id, label, model: config.model, hosted: config.hosted, complete };
}

/** A 400 about the structured-output parameters (an older or partial OpenAI-compatible runtime). */
function rejectsStructuredOutput(message: string | null): boolean {
  return /response_format|json_schema|json_object|structured output|tool_choice|\btools?\b|grammar/i.test(message ?? '');
}

function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The errno-style code of a fetch failure (undici nests it in `cause`, sometimes inside an AggregateError). */
function errorCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length) {
      const inner = errorCode(errors[0]);
      if (inner) return inner;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function truncate(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_PROVIDER_MESSAGE ? `${oneLine.slice(0, MAX_PROVIDER_MESSAGE - 1)}…` : oneLine;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** Reads a JSON path leniently: undefined when any step is missing. */
export function at(value: unknown, ...path: Array<string | number>): unknown {
  let current = value;
  for (const key of path) {
    if (typeof key === 'number') current = Array.isArray(current) ? current[key] : undefined;
    else current = isPlainObject(current) ? current[key] : undefined;
  }
  return current;
}

/** A usage count from a response, 0 when absent or nonsense. */
export function tokenCount(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}
