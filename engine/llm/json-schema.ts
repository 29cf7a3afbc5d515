import type { JsonSchema } from './types';

/**
 * Just enough JSON Schema to check a model's answer: type (incl. unions and
 * "integer"), enum, const, properties, required, additionalProperties, items,
 * min/max (length, items, value), pattern, anyOf/oneOf/allOf. Output schemas
 * come from zod's toJSONSchema, which stays inside this subset.
 */
export function validateJson(value: unknown, schema: JsonSchema, path = '$'): string[] {
  const issues: string[] = [];
  const s = schema as Record<string, unknown>;

  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => hasType(value, t))) {
      return [`${path}: expected ${types.join(' or ')}, got ${describe(value)}`];
    }
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => deepEqual(e, value))) {
    issues.push(`${path}: must be one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  }
  if ('const' in s && !deepEqual(s.const, value)) issues.push(`${path}: must be ${JSON.stringify(s.const)}`);

  if (typeof value === 'string') {
    if (typeof s.minLength === 'number' && value.length < s.minLength) issues.push(`${path}: shorter than ${s.minLength} characters`);
    if (typeof s.maxLength === 'number' && value.length > s.maxLength) issues.push(`${path}: longer than ${s.maxLength} characters`);
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value)) issues.push(`${path}: does not match ${s.pattern}`);
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) issues.push(`${path}: less than ${s.minimum}`);
    if (typeof s.maximum === 'number' && value > s.maximum) issues.push(`${path}: greater than ${s.maximum}`);
    if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum) issues.push(`${path}: not greater than ${s.exclusiveMinimum}`);
    if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum) issues.push(`${path}: not less than ${s.exclusiveMaximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) issues.push(`${path}: fewer than ${s.minItems} items`);
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) issues.push(`${path}: more than ${s.maxItems} items`);
    if (isSchema(s.items)) value.forEach((item, i) => issues.push(...validateJson(item, s.items as JsonSchema, `${path}[${i}]`)));
  }
  if (isPlainObject(value)) {
    const properties = isSchema(s.properties) ? (s.properties as Record<string, JsonSchema>) : {};
    for (const key of Array.isArray(s.required) ? (s.required as string[]) : []) {
      if (!(key in value)) issues.push(`${path}.${key}: is required`);
    }
    for (const [key, v] of Object.entries(value)) {
      const sub = properties[key];
      if (sub) issues.push(...validateJson(v, sub, `${path}.${key}`));
      else if (s.additionalProperties === false) issues.push(`${path}.${key}: is not allowed`);
      else if (isSchema(s.additionalProperties)) issues.push(...validateJson(v, s.additionalProperties as JsonSchema, `${path}.${key}`));
    }
  }
  if (Array.isArray(s.allOf)) for (const sub of s.allOf as JsonSchema[]) issues.push(...validateJson(value, sub, path));
  if (Array.isArray(s.anyOf) && !(s.anyOf as JsonSchema[]).some((sub) => validateJson(value, sub, path).length === 0)) {
    issues.push(`${path}: matches none of the allowed shapes`);
  }
  if (Array.isArray(s.oneOf) && (s.oneOf as JsonSchema[]).filter((sub) => validateJson(value, sub, path).length === 0).length !== 1) {
    issues.push(`${path}: must match exactly one of the allowed shapes`);
  }
  return issues;
}

/**
 * Keywords left out of a strict schema: the strict subset has rejected
 * length and range limits on some models, so they are checked after the
 * answer arrives (validateJson against the original) instead.
 */
const NOT_STRICT = ['$schema', 'title', 'default', 'examples', 'format', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minItems', 'maxItems'];

/**
 * OpenAI's strict structured outputs need every property listed in
 * `required` and `additionalProperties: false` on every object. Optional
 * properties become required-but-nullable; dropNullOptionals undoes that on
 * the answer, so callers see the schema they asked for.
 */
export function toStrictSchema(schema: JsonSchema): JsonSchema {
  const s = { ...schema } as Record<string, unknown>;
  for (const keyword of NOT_STRICT) delete s[keyword];
  if (isSchema(s.properties)) {
    const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
    const properties: Record<string, JsonSchema> = {};
    for (const [key, sub] of Object.entries(s.properties as Record<string, JsonSchema>)) {
      const strict = toStrictSchema(sub);
      properties[key] = required.has(key) ? strict : nullable(strict);
    }
    s.properties = properties;
    s.required = Object.keys(properties);
    s.additionalProperties = false;
  }
  if (isSchema(s.items)) s.items = toStrictSchema(s.items as JsonSchema);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (Array.isArray(s[key])) s[key] = (s[key] as JsonSchema[]).map(toStrictSchema);
  }
  return s;
}

function nullable(schema: JsonSchema): JsonSchema {
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  if (Array.isArray(schema.type)) return schema.type.includes('null') ? schema : { ...schema, type: [...schema.type, 'null'] };
  return { anyOf: [schema, { type: 'null' }] };
}

/** Removes `null` where the original schema had an optional property (see toStrictSchema). */
export function dropNullOptionals(value: unknown, schema: JsonSchema): unknown {
  if (Array.isArray(value)) return isSchema(schema.items) ? value.map((v) => dropNullOptionals(v, schema.items as JsonSchema)) : value;
  if (!isPlainObject(value) || !isSchema(schema.properties)) return value;
  const properties = schema.properties as Record<string, JsonSchema>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === null && !required.has(key) && properties[key] && !allowsNull(properties[key])) continue;
    out[key] = properties[key] ? dropNullOptionals(v, properties[key]) : v;
  }
  return out;
}

function allowsNull(schema: JsonSchema): boolean {
  return schema.type === 'null' || (Array.isArray(schema.type) && schema.type.includes('null'));
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isPlainObject(value);
    default:
      return true;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function isSchema(value: unknown): value is JsonSchema {
  return isPlainObject(value);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
