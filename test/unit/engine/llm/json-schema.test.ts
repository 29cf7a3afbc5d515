import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dropNullOptionals, toStrictSchema, validateJson } from '../../../../engine/llm/json-schema';
import type { SchemaView } from '../../../support/fake-llm/index';

const SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    query: { type: 'string', minLength: 1 },
    dialect: { type: 'string', enum: ['postgres', 'mysql'] },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    assumptions: { type: 'array', items: { type: 'string' }, maxItems: 2 },
    meta: { type: 'object', properties: { rows: { type: 'integer' } } },
  },
  required: ['query', 'dialect', 'confidence'],
  additionalProperties: false,
};

test('validateJson reports every broken rule with its path', () => {
  assert.equal(validateJson({ query: 'q', dialect: 'postgres', confidence: 0.2 }, SCHEMA), []);
  assert.equal(validateJson({ query: '', dialect: 'oracle', confidence: 2, assumptions: ['a', 'b', 3], extra: 1, meta: { rows: 1.5 } }, SCHEMA), [
    '$.query: shorter than 1 characters',
    '$.dialect: must be one of "postgres", "mysql"',
    '$.confidence: greater than 1',
    '$.assumptions: more than 2 items',
    '$.assumptions[2]: expected string, got number',
    '$.extra: is not allowed',
    '$.meta.rows: expected integer, got number',
  ]);
  assert.equal(validateJson([1], SCHEMA), ['$: expected object, got array']);
  assert.equal(validateJson(null, { anyOf: [{ type: 'string' }, { type: 'null' }] }), []);
  assert.equal(validateJson(3, { anyOf: [{ type: 'string' }, { type: 'null' }] }), ['$: matches none of the allowed shapes']);
});

test('toStrictSchema: every property required, optional ones nullable, no additional properties, no limits', () => {
  const strict = toStrictSchema(SCHEMA) as SchemaView;
  const props = strict.properties!;
  const meta = props.meta!;
  assert.is(strict.$schema, undefined);
  assert.equal(props.confidence, { type: 'number' }, 'range limits are checked after the answer instead');
  assert.equal(props.assumptions, { type: ['array', 'null'], items: { type: 'string' } });
  assert.equal(strict.required, ['query', 'dialect', 'confidence', 'assumptions', 'meta']);
  assert.is(strict.additionalProperties, false);
  assert.equal(props.query, { type: 'string' });
  assert.equal(meta.type, ['object', 'null']);
  assert.equal(meta.required, ['rows']);
  assert.equal(meta.properties!.rows!.type, ['integer', 'null']);
  assert.is(meta.additionalProperties, false);
  assert.equal(SCHEMA.required, ['query', 'dialect', 'confidence'], 'the input is not modified');
});

test('dropNullOptionals turns a strict answer back into the original shape', () => {
  const strictAnswer = { query: 'q', dialect: 'mysql', confidence: 1, assumptions: null, meta: { rows: null } };
  const back = dropNullOptionals(strictAnswer, SCHEMA);
  assert.equal(back, { query: 'q', dialect: 'mysql', confidence: 1, meta: {} });
  assert.equal(validateJson(back, SCHEMA), []);
  // A required property that is null stays null, so validation still rejects it.
  assert.equal(dropNullOptionals({ query: null }, SCHEMA), { query: null });
});

test.run();
