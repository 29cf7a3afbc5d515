import { z } from 'zod';

/**
 * The closed set of error codes that may cross a process boundary.
 * Engine error classes map onto these in one place (engine/errors.ts).
 */
export const ErrorCode = z.enum([
  'VALIDATION',
  'NOT_FOUND',
  'UNKNOWN_CHANNEL',
  'FORBIDDEN',
  'LOCKED',
  'CONFLICT',
  'UNSUPPORTED',
  'TIMEOUT',
  'CANCELLED',
  'RATE_LIMITED',
  'CONNECTOR',
  'PROVIDER',
  'APPROVAL',
  'UNAVAILABLE',
  /** The OS keychain is locked (or not answering): nothing that needs a key or a saved password can go on until it is unlocked. */
  'KEYCHAIN_LOCKED',
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ApiError = z.object({
  code: ErrorCode,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ApiError = z.infer<typeof ApiError>;

export type Ok<T> = { ok: true; value: T };
export type Err = { ok: false; error: ApiError };
export type Result<T> = Ok<T> | Err;

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
export const err = (code: ErrorCode, message: string, details?: Record<string, unknown>): Err => ({
  ok: false,
  error: details === undefined ? { code, message } : { code, message, details },
});
