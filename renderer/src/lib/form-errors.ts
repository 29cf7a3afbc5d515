import type { ApiError } from '../../../engine/contract/errors';

/**
 * Turns a VALIDATION error into messages per form field. The engine names the
 * field in `details.field` (e.g. `connection.port`) or lists zod issues with
 * their paths; anything else is a form-level message under the key ''.
 */
export function fieldErrors(error: ApiError): Record<string, string> {
  const details = error.details ?? {};
  const out: Record<string, string> = {};
  if (typeof details.field === 'string') out[details.field] = stripPrefix(error.message, details.field);
  if (Array.isArray(details.issues)) {
    for (const issue of details.issues as Array<{ path?: unknown; message?: unknown }>) {
      if (typeof issue.path === 'string' && issue.path && typeof issue.message === 'string' && !(issue.path in out)) out[issue.path] = issue.message;
    }
  }
  if (Object.keys(out).length === 0) out[''] = error.message;
  return out;
}

/** "Invalid connection.port: must be between 1 and 65535" → "must be between 1 and 65535". */
function stripPrefix(message: string, field: string): string {
  const prefix = `Invalid ${field}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/** The error for a field, also matching when the engine reports a more specific path below it. */
export function errorFor(errors: Record<string, string>, field: string): string | undefined {
  if (errors[field]) return errors[field];
  const nested = Object.keys(errors).find((k) => k.startsWith(field + '.'));
  return nested ? errors[nested] : undefined;
}
