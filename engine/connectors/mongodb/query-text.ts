import { EJSON } from 'bson';
import { describeZodError, ValidationError } from '../../errors';
import { MongoQueryDocument } from './query-document';
import { isPlainDocument } from './values';

/**
 * Int32 and Double wrappers as plain numbers (exact either way), so `skip`,
 * `limit` and sort directions validate as numbers. Long and Decimal128 stay
 * wrapped: they may not fit a double.
 */
function plainNumbers(value: unknown, depth = 0): unknown {
  if (depth > 200) throw new ValidationError('The query document is nested too deeply.');
  if (Array.isArray(value)) return value.map((v) => plainNumbers(v, depth + 1));
  if (isPlainDocument(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plainNumbers(v, depth + 1);
    return out;
  }
  const type = (value as { _bsontype?: string } | null)?._bsontype;
  if (type === 'Int32' || type === 'Double') return (value as { value: number }).value;
  return value;
}

/**
 * The query text (a MongoQueryDocument in Extended JSON) as BSON values,
 * parsed canonically so `{"$numberLong": "9007199254740993"}` keeps every digit.
 */
export function parseQueryText(text: string): MongoQueryDocument {
  let value: unknown;
  try {
    value = EJSON.parse(text, { relaxed: false });
  } catch (error) {
    throw new ValidationError(`The query is not a valid Extended JSON document: ${(error as Error).message}`);
  }
  const parsed = MongoQueryDocument.safeParse(plainNumbers(value));
  if (!parsed.success) {
    throw new ValidationError(describeZodError(parsed.error), {
      issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    });
  }
  return parsed.data;
}
