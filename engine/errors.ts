import { ZodError } from 'zod';
import type { ApiError, ErrorCode } from './contract/errors';

type Details = Record<string, unknown>;

/** Base of every error the engine raises on purpose. The code crosses IPC; the stack never does. */
export class EngineError extends Error {
  readonly code: ErrorCode;
  readonly details: Details | undefined;
  constructor(code: ErrorCode, message: string, details?: Details, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

export class ValidationError extends EngineError {
  constructor(message: string, details?: Details & { field?: string }) {
    super('VALIDATION', message, details);
  }
}
export class NotFoundError extends EngineError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${id} was not found.`, { what, id });
  }
}
export class ForbiddenError extends EngineError {
  constructor(reason: string, message: string, details?: Details) {
    super('FORBIDDEN', message, { reason, ...details });
  }
}
export class LockedError extends EngineError {
  constructor(message = 'The profile is locked. Unlock it with your PIN or passphrase.') {
    super('LOCKED', message);
  }
}
export class ConflictError extends EngineError {
  constructor(message: string, details?: Details) {
    super('CONFLICT', message, details);
  }
}
export class UnsupportedError extends EngineError {
  constructor(message: string, details?: Details) {
    super('UNSUPPORTED', message, details);
  }
}
export class TimeoutError extends EngineError {
  constructor(message: string, details?: Details) {
    super('TIMEOUT', message, details);
  }
}
/**
 * Checking or estimating a query (before approval) went over the preview budget
 * (PREVIEW_BUDGET in connectors/shared/preview-budget.ts). The query gets no
 * approval: the host turns this into a refused verdict with PREVIEW_LIMIT.
 */
export class PreviewLimitError extends TimeoutError {
  constructor(message: string, details?: Details) {
    super(message, { ...details, kind: 'PREVIEW_LIMIT' });
  }
}
export class CancelledError extends EngineError {
  constructor(message = 'The operation was cancelled.', details?: Details) {
    super('CANCELLED', message, details);
  }
}
export class RateLimitedError extends EngineError {
  constructor(message: string, details?: Details & { retryAfterMs?: number }) {
    super('RATE_LIMITED', message, details);
  }
}
export class ConnectorError extends EngineError {
  constructor(message: string, details?: Details & { kind?: string }) {
    super('CONNECTOR', message, details);
  }
}
export class ProviderError extends EngineError {
  constructor(message: string, details?: Details & { kind?: string }) {
    super('PROVIDER', message, details);
  }
}
export class ApprovalError extends EngineError {
  constructor(reason: string, message: string, details?: Details) {
    super('APPROVAL', message, { reason, ...details });
  }
}
export class UnavailableError extends EngineError {
  /** `code` is only for subclasses: a more precise code for one kind of unavailability. */
  constructor(message: string, details?: Details, code: ErrorCode = 'UNAVAILABLE') {
    super(code, message, details);
  }
}
/**
 * The OS keychain is locked or does not answer: a missing secret cannot be
 * told from one the keychain will not hand out, so nothing may go on as if
 * it were absent (no login without the password, no new key). Still an
 * UnavailableError, so code that tolerates an unavailable keychain tolerates this too.
 */
export class KeychainLockedError extends UnavailableError {
  constructor(message: string, details?: Details) {
    super(message, { reason: 'KEYCHAIN_LOCKED', ...details }, 'KEYCHAIN_LOCKED');
  }
}
/**
 * A file an import refused before DuckDB read it: too deep, too long a value,
 * a gzip bomb, too large (connectors/files/limits.ts holds the limits).
 * `details.kind` says which limit and `details.max` its value.
 */
export class FileLimitError extends ValidationError {
  constructor(message: string, details: Details & { kind: string; limit: string; max: number }) {
    super(message, { field: 'paths', ...details });
  }
}
/** The profile folder (`--data-dir`, POLYSTORE_HOME) cannot be used: a file, a place folders cannot be made, no permission. */
export class DataDirError extends EngineError {
  constructor(message: string, details: Details & { dataDir: string; reason: string }) {
    super('VALIDATION', message, { field: 'dataDir', ...details });
  }
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || (error as { code?: unknown }).code === 'ABORT_ERR');
}

/**
 * The one place where anything thrown becomes an ApiError. Unknown errors become
 * INTERNAL with a generic message: their text may hold paths, SQL or driver
 * output, so it goes to the log (redacted), not across the boundary.
 */
export function toApiError(error: unknown, onInternal?: (error: unknown) => void): ApiError {
  if (error instanceof EngineError) {
    return error.details === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, details: error.details };
  }
  if (error instanceof ZodError) {
    return {
      code: 'VALIDATION',
      message: describeZodError(error),
      details: { issues: error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })) },
    };
  }
  if (isAbortError(error)) return { code: 'CANCELLED', message: 'The operation was cancelled.' };
  onInternal?.(error);
  return { code: 'INTERNAL', message: 'Something went wrong inside PolyStoreIQ. Details were written to the log.' };
}

/** Rebuilds an EngineError from its wire form (worker results, bridge replies). */
export function fromApiError(error: ApiError): EngineError {
  // The preview's limit keeps its class across the boundary: the host refuses the query on it.
  if (error.code === 'TIMEOUT' && error.details?.kind === 'PREVIEW_LIMIT') return new PreviewLimitError(error.message, error.details);
  return new EngineError(error.code, error.message, error.details);
}

export function describeZodError(error: ZodError): string {
  const first = error.issues[0];
  if (!first) return 'Invalid input.';
  const path = first.path.map(String).join('.');
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return path ? `Invalid ${path}: ${first.message}${more}` : `Invalid input: ${first.message}${more}`;
}
