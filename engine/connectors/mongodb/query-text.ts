import { describeZodError, ForbiddenError, ValidationError } from '../../errors';
import { readExtendedJson } from './extended-json';
import { MongoQueryDocument } from './query-document';

/** Reader issues that are refusals rather than mistakes: the text would not reach the server as written. */
const REFUSALS = new Set(['UNSAFE_KEY', 'FORBIDDEN_OPERATOR']);

/**
 * The query text (a MongoQueryDocument in Extended JSON) as the exact BSON
 * values the server will receive (extended-json.ts), or a typed error:
 * ValidationError for text that is not a query document, ForbiddenError for
 * text that cannot be sent as written (prototype keys, code values).
 */
export function parseQueryText(text: string): MongoQueryDocument {
  const read = readExtendedJson(text);
  if (!read.ok) throw new ValidationError(read.error.message, { position: read.error.position });
  const refusal = read.issues.find((issue) => REFUSALS.has(issue.code));
  if (refusal) {
    throw new ForbiddenError(refusal.code, `This query was refused before it reached MongoDB: ${refusal.message}`, { layer: 2, position: refusal.position });
  }
  const [invalid] = read.issues;
  if (invalid) throw new ValidationError(invalid.message, { position: invalid.position });
  const parsed = MongoQueryDocument.safeParse(read.value);
  if (!parsed.success) {
    throw new ValidationError(describeZodError(parsed.error), {
      issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    });
  }
  return parsed.data;
}
