import type { ApiError } from '../contract/errors';

/** A JSON Schema document (the subset engine/llm/json-schema.ts understands). */
export type JsonSchema = { [key: string]: unknown };

export interface LlmMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** Grounding text (schema, notes) that every adapter renders the same way. */
export interface ContextBlock {
  title: string;
  text: string;
}

/**
 * One request in a shape that does not depend on the provider: the prompt
 * builder produces it and every adapter turns it into its own wire format.
 */
export interface LlmRequest {
  system: string;
  messages: LlmMessage[];
  contextBlocks: ContextBlock[];
  /** JSON Schema of the structured answer; null asks for free text (`structured` is then null). */
  outputSchema: JsonSchema | null;
  maxTokens?: number;
  temperature?: number;
  /** Aborting cancels the HTTP request (CancelledError). */
  signal: AbortSignal;
}

export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
}

/** Which runtime answered: the kind for hosted APIs, the preset for OpenAI-compatible servers. */
export type ProviderId = 'openai' | 'anthropic' | 'ollama' | 'lmstudio' | 'llamacpp' | 'vllm' | 'custom';

export interface LlmResponse {
  /** The answer as the model wrote it (for a tool call, the JSON of its arguments). */
  text: string;
  /** The parsed answer, validated against `outputSchema`; null when no schema was asked for. */
  structured: unknown | null;
  usage: LlmUsage;
  latencyMs: number;
  model: string;
  provider: ProviderId;
  /** The context ledger: the exact HTTP body that left the machine for this answer. */
  requestText: string;
  responseId?: string;
  /** Set when the primary provider failed and its fallback answered. */
  fallbackFrom?: { provider: ProviderId; error: ApiError };
}

export interface LlmProvider {
  readonly id: ProviderId;
  readonly label: string;
  readonly model: string;
  /**
   * True when a request may leave this machine. Sample values only go to a
   * hosted provider when the source allows it.
   */
  readonly hosted: boolean;
  complete(request: LlmRequest): Promise<LlmResponse>;
}

/** Every outgoing request body, including attempts that failed: what left the machine, and where to. */
export interface LedgerEntry {
  provider: ProviderId;
  url: string;
  hosted: boolean;
  requestText: string;
  at: string;
}

/** ProviderError details.kind values. */
export type ProviderErrorKind =
  | 'AUTH'
  | 'MODEL_NOT_FOUND'
  | 'ENDPOINT_NOT_FOUND'
  | 'BAD_REQUEST'
  | 'SERVER'
  | 'NETWORK'
  | 'MALFORMED_OUTPUT'
  | 'REFUSED'
  /** The server answered, but not with this API's format (wrong base URL or provider type). */
  | 'PROTOCOL';
