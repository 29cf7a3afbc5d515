/**
 * The query text as MongoDB values, read so that what the server receives is
 * exactly what the text says, or the text is refused.
 *
 * `JSON.parse` followed by `EJSON.deserialize` does not hold to that:
 * - `__proto__` keys become the object's prototype and vanish; a repeated key
 *   keeps only its last value; integer-like keys ("2019") move to the front.
 * - An object with an Extended JSON key is replaced by that value and its
 *   other keys are dropped: `{"$regex": "^a", "$nin": ["ab"]}` arrives as a
 *   bare regular expression, `{"$date": "…", "x": 1}` as a bare date.
 * - Integers past 2^53 lose digits; a time without an offset is read as the
 *   machine's local time; `{"$undefined": true}` arrives as null.
 *
 * So this reader parses the JSON itself and converts only an allow-list of
 * Extended JSON values, each in one exact shape. Everything it cannot
 * represent faithfully is reported as an issue with its position:
 * UNSAFE_KEY for keys that would not survive (prototype names, duplicates,
 * reordering), FORBIDDEN_OPERATOR for JavaScript code values ($code, $scope),
 * INVALID_DOCUMENT for malformed or unsupported values.
 *
 * `$regex`/`$options` and DBRef keys (`$ref`, `$id`, `$db`) are not
 * converted: they are query syntax, and go to the server as written.
 *
 * Numbers follow canonical Extended JSON: an integer within int32 is an int32,
 * within int64 an int64 (exact, from its digits), anything else a double.
 */
import { Binary, BSONRegExp, Decimal128, Double, Long, MaxKey, MinKey, ObjectId, Timestamp, UUID } from 'bson';
import type { VerdictReasonCode } from '../../contract/index';

/** MongoDB refuses queries nested deeper than 100 levels; deeper input is refused before it costs anything. */
export const MAX_DEPTH = 100;

export interface TextIssue {
  code: VerdictReasonCode;
  message: string;
  /** Offset in the query text. */
  position: number;
}

export type ReadOutcome =
  | {
      ok: true;
      value: unknown;
      /** Problems that make the value differ from the text; the value must not be used when there are any. */
      issues: TextIssue[];
      /** Where a key of an object read from the text starts. */
      positionOf: (object: object, key: string) => number | undefined;
    }
  | { ok: false; error: TextIssue };

/**
 * Keys JavaScript or the BSON library give a meaning of their own. A Map: in
 * an object literal, `__proto__: …` would itself set the prototype.
 */
const UNSAFE_KEYS: ReadonlyMap<string, string> = new Map([
  ['__proto__', 'JavaScript would take it as the object\u2019s prototype and drop it'],
  ['constructor', 'it names a JavaScript object\u2019s internals'],
  ['prototype', 'it names a JavaScript object\u2019s internals'],
  ['_bsontype', 'the BSON library reads it as a type tag rather than data'],
]);

const CODE_KEYS = new Set(['$code', '$scope']);
const UNSUPPORTED_KEYS = new Set(['$symbol', '$dbPointer', '$undefined']);

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT32_MAX = 2 ** 32 - 1;
const ARRAY_INDEX = /^(?:0|[1-9]\d{0,9})$/;
const INTEGER_TEXT = /^-?\d+$/;
const DOUBLE_TEXT = /^(?:-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|-?Infinity|NaN)$/;
/** ISO-8601 dates; a time needs an explicit offset, so nobody's local time zone decides the value. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REGEX_OPTIONS = /^[ilmsux]*$/;
/** A JSON number at lastIndex (sticky). */
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

class SyntaxProblem {
  constructor(
    readonly message: string,
    readonly position: number,
  ) {}
}
class DepthProblem {
  constructor(readonly position: number) {}
}

/** Why a value object could not be converted (reported as INVALID_DOCUMENT). */
class BadValue extends Error {}

type Entry = [key: string, value: unknown, position: number];

function describe(char: string | undefined): string {
  if (char === undefined) return 'the end of the text';
  return /[\x20-\x7e]/.test(char) ? `"${char}"` : `character U+${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

class Reader {
  readonly #text: string;
  #at = 0;
  #depth = 0;
  readonly issues: TextIssue[] = [];
  /** Each object read, with the entries it was read from (for positions). */
  readonly #positions = new WeakMap<object, Entry[]>();

  /** Where `key` of an object read from the text starts. */
  readonly positionOf = (object: object, key: string): number | undefined => this.#positions.get(object)?.find(([k]) => k === key)?.[2];

  constructor(text: string) {
    this.#text = text;
  }

  document(): unknown {
    const value = this.#value();
    this.#skipSpace();
    if (this.#at < this.#text.length) throw this.#unexpected();
    return value;
  }

  #unexpected(): SyntaxProblem {
    return new SyntaxProblem(`unexpected ${describe(this.#text[this.#at])} at position ${this.#at}`, this.#at);
  }

  #skipSpace(): void {
    const t = this.#text;
    while (this.#at < t.length) {
      const c = t.charCodeAt(this.#at);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      this.#at++;
    }
  }

  #value(): unknown {
    this.#skipSpace();
    const c = this.#text[this.#at];
    switch (c) {
      case '{':
        return this.#nested(() => this.#object());
      case '[':
        return this.#nested(() => this.#array());
      case '"':
        return this.#string();
      case 't':
        return this.#literal('true', true);
      case 'f':
        return this.#literal('false', false);
      case 'n':
        return this.#literal('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.#number();
        throw this.#unexpected();
    }
  }

  #nested<T>(read: () => T): T {
    if (++this.#depth > MAX_DEPTH) throw new DepthProblem(this.#at);
    const value = read();
    this.#depth--;
    return value;
  }

  #literal<T>(word: string, value: T): T {
    if (!this.#text.startsWith(word, this.#at)) throw this.#unexpected();
    this.#at += word.length;
    return value;
  }

  #expect(char: string): void {
    this.#skipSpace();
    if (this.#text[this.#at] !== char) throw this.#unexpected();
    this.#at++;
  }

  #string(): string {
    const t = this.#text;
    const start = this.#at;
    let at = start + 1; // past the opening quote
    let out = '';
    let run = at;
    for (;;) {
      const c = t.charCodeAt(at);
      if (c === 0x22) break;
      if (c === 0x5c) {
        out += t.slice(run, at);
        this.#at = at;
        out += this.#escape();
        at = run = this.#at;
        continue;
      }
      if (c < 0x20) throw new SyntaxProblem(`control character in a string at position ${at}`, at);
      if (Number.isNaN(c)) throw new SyntaxProblem(`unterminated string starting at position ${start}`, start);
      at++;
    }
    out += t.slice(run, at);
    this.#at = at + 1; // past the closing quote
    if (LONE_SURROGATE.test(out)) {
      this.#issue('INVALID_DOCUMENT', `The string at position ${start} contains a lone UTF-16 surrogate, which the server would receive as U+FFFD.`, start);
    }
    return out;
  }

  /** One escape sequence at the backslash; moves past it. */
  #escape(): string {
    const t = this.#text;
    const at = this.#at;
    const c = t[at + 1];
    this.#at += 2;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        return c;
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u': {
        const hex = t.slice(at + 2, at + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new SyntaxProblem(`bad \\u escape at position ${at}`, at);
        this.#at = at + 6;
        return String.fromCharCode(parseInt(hex, 16));
      }
      default:
        throw new SyntaxProblem(`bad escape at position ${at}`, at);
    }
  }

  #number(): unknown {
    const t = this.#text;
    const start = this.#at;
    NUMBER.lastIndex = start;
    const m = NUMBER.exec(t);
    if (!m) throw this.#unexpected();
    this.#at = NUMBER.lastIndex;
    const text = m[0];
    if (m[1] === undefined && m[2] === undefined) {
      const n = BigInt(text);
      if (n >= INT32_MIN && n <= INT32_MAX) return Number(n);
      if (n >= INT64_MIN && n <= INT64_MAX) return Long.fromBigInt(n);
      this.#issue('INVALID_DOCUMENT', `The number ${text} at position ${start} is too large to be exact; write it as {"$numberDecimal": "${text}"}.`, start);
      return 0;
    }
    const value = Number(text);
    if (!Number.isFinite(value)) {
      this.#issue('INVALID_DOCUMENT', `The number ${text} at position ${start} is too large for a double.`, start);
      return 0;
    }
    if (Number.isInteger(value) && !Object.is(value, -0) && (value < INT32_MIN || value > INT32_MAX) && value >= -(2 ** 63) && value < 2 ** 63) {
      return Long.fromNumber(value);
    }
    return value;
  }

  #array(): unknown[] {
    this.#at++;
    const out: unknown[] = [];
    this.#skipSpace();
    if (this.#text[this.#at] === ']') {
      this.#at++;
      return out;
    }
    for (;;) {
      out.push(this.#value());
      this.#skipSpace();
      const c = this.#text[this.#at];
      this.#at++;
      if (c === ']') return out;
      if (c !== ',') {
        this.#at--;
        throw this.#unexpected();
      }
    }
  }

  #object(): unknown {
    const start = this.#at;
    this.#at++;
    const entries: Entry[] = [];
    this.#skipSpace();
    if (this.#text[this.#at] === '}') {
      this.#at++;
      return {};
    }
    for (;;) {
      this.#skipSpace();
      if (this.#text[this.#at] !== '"') throw this.#unexpected();
      const position = this.#at;
      const key = this.#string();
      this.#expect(':');
      entries.push([key, this.#value(), position]);
      this.#skipSpace();
      const c = this.#text[this.#at];
      this.#at++;
      if (c === '}') break;
      if (c !== ',') {
        this.#at--;
        throw this.#unexpected();
      }
    }
    return this.#finishObject(entries, start);
  }

  #finishObject(entries: Entry[], start: number): unknown {
    const object: Record<string, unknown> = {};
    let indexLike = false;
    let special: string | null = null;
    for (const [key, value, position] of entries) {
      const unsafe = UNSAFE_KEYS.get(key);
      if (unsafe !== undefined) {
        this.#issue('UNSAFE_KEY', `The key "${key}" (position ${position}) is not allowed: ${unsafe}, so the server would not receive what the text says.`, position);
        continue;
      }
      if (Object.hasOwn(object, key)) {
        this.#issue('UNSAFE_KEY', `The key "${key}" appears twice in one object (position ${position}): only one of the two would reach the server.`, position);
        continue;
      }
      if (key.includes('\0')) this.#issue('INVALID_DOCUMENT', `The key at position ${position} contains a NUL character, which BSON keys cannot hold.`, position);
      if (ARRAY_INDEX.test(key)) indexLike = true;
      if (special === null && key.startsWith('$') && isValueKey(key)) special = key;
      object[key] = value;
    }
    if (indexLike) this.#checkOrder(object, entries, start);
    if (special !== null) return this.#specialValue(object, special, start);
    this.#positions.set(object, entries);
    return object;
  }

  /** JavaScript puts integer-like keys first; the text's order must survive, since order is meaning in sorts and document matches. */
  #checkOrder(object: Record<string, unknown>, entries: Entry[], start: number): void {
    const written = [...new Set(entries.map(([key]) => key).filter((key) => !UNSAFE_KEYS.has(key)))];
    const kept = Object.keys(object);
    if (kept.every((key, i) => key === written[i])) return;
    const moved = kept.find((key, i) => key !== written[i] && ARRAY_INDEX.test(key)) ?? kept[0]!;
    this.#issue(
      'UNSAFE_KEY',
      `The object at position ${start} has the numeric key "${moved}" after other keys: JavaScript would move it to the front, so the server would receive the keys in another order. Put numeric keys first.`,
      start,
    );
  }

  /** An object with an Extended JSON key: exactly one allowed value shape, or an issue. */
  #specialValue(object: Record<string, unknown>, key: string, start: number): unknown {
    const keys = Object.keys(object);
    if (keys.some((k) => CODE_KEYS.has(k))) {
      this.#issue('FORBIDDEN_OPERATOR', `JavaScript code values are not allowed (position ${start}): queries may not carry code for the server to run.`, start);
      return null;
    }
    if (UNSUPPORTED_KEYS.has(key)) {
      this.#issue('INVALID_DOCUMENT', `The Extended JSON value ${key} (position ${start}) is a deprecated BSON type that queries here do not accept.`, start);
      return null;
    }
    if (keys.length !== 1) {
      this.#issue(
        'INVALID_DOCUMENT',
        `The object at position ${start} mixes the Extended JSON value ${key} with other keys (${keys.filter((k) => k !== key).join(', ')}): they would be dropped. Write the value on its own.`,
        start,
      );
      return null;
    }
    try {
      return convert(key, object[key]);
    } catch (error) {
      if (!(error instanceof BadValue)) throw error;
      this.#issue('INVALID_DOCUMENT', `The Extended JSON value {"${key}": …} at position ${start} is not valid: ${error.message}.`, start);
      return null;
    }
  }

  #issue(code: VerdictReasonCode, message: string, position: number): void {
    this.issues.push({ code, message, position });
  }
}

const VALUE_KEYS = new Set([
  '$oid',
  '$date',
  '$numberInt',
  '$numberLong',
  '$numberDouble',
  '$numberDecimal',
  '$binary',
  '$uuid',
  '$regularExpression',
  '$timestamp',
  '$minKey',
  '$maxKey',
  ...CODE_KEYS,
  ...UNSUPPORTED_KEYS,
]);

function isValueKey(key: string): boolean {
  return VALUE_KEYS.has(key);
}

function isPlain(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
}

function exactKeys(value: unknown, keys: string[], shape: string): Record<string, unknown> {
  if (!isPlain(value)) throw new BadValue(`expected ${shape}`);
  const own = Object.keys(value);
  if (own.length !== keys.length || !keys.every((k) => own.includes(k))) throw new BadValue(`expected ${shape}`);
  return value;
}

function text(value: unknown, pattern: RegExp, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw new BadValue(`expected ${what}`);
  return value;
}

function integer(value: unknown): number | null {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (value instanceof Long) return value.toNumber();
  return null;
}

function uint32(value: unknown, what: string): number {
  const n = integer(value);
  if (n === null || n < 0 || n > UINT32_MAX) throw new BadValue(`${what} must be an integer from 0 to ${UINT32_MAX}`);
  return n;
}

function int64(digits: string): bigint {
  const n = BigInt(digits);
  if (n < INT64_MIN || n > INT64_MAX) throw new BadValue('the number is outside the 64-bit range');
  return n;
}

function dateValue(value: unknown): Date {
  let ms: number;
  if (typeof value === 'string') {
    if (!ISO_DATE.test(value)) throw new BadValue('expected an ISO-8601 date such as "2024-01-31" or "2024-01-31T12:00:00Z" (a time needs Z or an offset)');
    ms = Date.parse(value);
  } else {
    const n = integer(value);
    if (n === null) throw new BadValue('expected an ISO-8601 string or milliseconds since 1970');
    ms = n;
  }
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) throw new BadValue('the date is out of range');
  return date;
}

/** One Extended JSON value, from its single key and value. */
function convert(key: string, value: unknown): unknown {
  switch (key) {
    case '$oid':
      return ObjectId.createFromHexString(text(value, /^[0-9a-fA-F]{24}$/, '24 hexadecimal digits'));
    case '$date':
      return dateValue(value);
    case '$numberInt': {
      const n = Number(text(value, INTEGER_TEXT, 'an integer in a string'));
      if (n < INT32_MIN || n > INT32_MAX) throw new BadValue('the number is outside the 32-bit range');
      return n;
    }
    case '$numberLong':
      return Long.fromBigInt(int64(text(value, INTEGER_TEXT, 'an integer in a string')));
    case '$numberDouble':
      return new Double(Number(text(value, DOUBLE_TEXT, 'a number in a string')));
    case '$numberDecimal':
      try {
        return Decimal128.fromString(text(value, /^\S+$/, 'a decimal number in a string'));
      } catch (error) {
        if (error instanceof BadValue) throw error;
        throw new BadValue('expected a decimal number that fits Decimal128 exactly');
      }
    case '$binary': {
      const b = exactKeys(value, ['base64', 'subType'], '{"base64": "…", "subType": "00"}');
      const bytes = text(b.base64, BASE64, 'base64 text');
      const subType = parseInt(text(b.subType, /^[0-9a-fA-F]{1,2}$/, 'a subType of one or two hexadecimal digits'), 16);
      return new Binary(Buffer.from(bytes, 'base64'), subType);
    }
    case '$uuid':
      return new UUID(text(value, UUID_TEXT, 'a UUID such as "0e3b6c4a-9d52-4c0e-8a41-0d3f9a6f1b2c"'));
    case '$regularExpression': {
      const r = exactKeys(value, ['pattern', 'options'], '{"pattern": "…", "options": "…"}');
      const pattern = text(r.pattern, /^[^\0]*$/, 'a pattern without NUL characters');
      return new BSONRegExp(pattern, text(r.options, REGEX_OPTIONS, 'options made of i, l, m, s, u and x'));
    }
    case '$timestamp': {
      const ts = exactKeys(value, ['t', 'i'], '{"t": seconds, "i": increment}');
      return new Timestamp({ t: uint32(ts.t, 't'), i: uint32(ts.i, 'i') });
    }
    case '$minKey':
    case '$maxKey':
      if (value !== 1) throw new BadValue('expected 1');
      return key === '$minKey' ? new MinKey() : new MaxKey();
    default:
      throw new BadValue('unsupported Extended JSON value');
  }
}

/** Reads the query text; a syntax error ends reading, other problems are collected as issues. */
export function readExtendedJson(text: string): ReadOutcome {
  const reader = new Reader(text);
  try {
    const value = reader.document();
    return { ok: true, value, issues: reader.issues, positionOf: reader.positionOf };
  } catch (error) {
    if (error instanceof SyntaxProblem) return { ok: false, error: { code: 'PARSE_ERROR', message: `The query is not valid JSON: ${error.message}.`, position: error.position } };
    if (error instanceof DepthProblem) {
      return { ok: false, error: { code: 'INVALID_DOCUMENT', message: `The query document is nested more than ${MAX_DEPTH} levels deep.`, position: error.position } };
    }
    throw error;
  }
}
