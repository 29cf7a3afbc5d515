import { Binary, BSON, BSONRegExp, Decimal128, Double, EJSON, Long, MaxKey, MinKey, ObjectId, Timestamp } from 'bson';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_DEPTH, readExtendedJson, type ReadOutcome } from '../../../../../engine/connectors/mongodb/extended-json';

type Read = Extract<ReadOutcome, { ok: true }>;

function read(text: string): Read {
  const outcome = readExtendedJson(text);
  if (!outcome.ok) throw new Error(`not read: ${outcome.error.message}`);
  return outcome;
}

/** The value, which must have been read without issues. */
function clean(text: string): unknown {
  const outcome = read(text);
  assert.equal(outcome.issues, [], text);
  return outcome.value;
}

function issueCodes(text: string): string[] {
  return read(text).issues.map((i) => i.code);
}

/** Canonical Extended JSON keeps every BSON type apart (Int32 vs Double vs Long). */
const canonical = (value: unknown) => EJSON.stringify(value as never, { relaxed: false });

test('plain JSON reads as JSON.parse reads it, key order included', () => {
  for (const text of ['{}', '[]', '{"a":[1,2.5,"x",true,false,null,{"b":{}}]}', ' { "s" : "\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00" } ', '{"2019":1,"a":2}', '-0.5', '"x"']) {
    assert.equal(clean(text), JSON.parse(text), text);
  }
});

test('numbers are typed as canonical Extended JSON types them, and integers keep every digit', () => {
  const value = clean('{"i":7,"neg":-2147483648,"big":3000000000,"huge":9007199254740993,"d":2.5,"whole":1.0,"e":1e3,"min":-9223372036854775808}') as Record<string, unknown>;
  assert.is(value.i, 7);
  assert.is(value.neg, -2147483648);
  assert.equal(value.big, Long.fromString('3000000000'));
  assert.equal(value.huge, Long.fromString('9007199254740993'), 'past 2^53, still exact');
  assert.is(value.d, 2.5);
  assert.is(value.whole, 1);
  assert.is(value.e, 1000);
  assert.equal(value.min, Long.fromString('-9223372036854775808'));
});

test('numbers that cannot be represented exactly are refused with their position', () => {
  for (const [text, at] of [
    ['{"n":9223372036854775808}', 5],
    ['{"n":-99999999999999999999}', 5],
    ['{"n":1e400}', 5],
  ] as const) {
    const outcome = read(text);
    assert.equal(outcome.issues.map((i) => [i.code, i.position]), [['INVALID_DOCUMENT', at]], text);
  }
});

test('every allowed Extended JSON value becomes the BSON type the canonical parser gives', () => {
  const texts = [
    '{"v":{"$oid":"5ab2f6709b8f98766c1083ce"}}',
    '{"v":{"$date":"2016-04-01T00:00:00Z"}}',
    '{"v":{"$date":"2016-04-01T02:00:00.123+02:00"}}',
    '{"v":{"$date":{"$numberLong":"1459468800000"}}}',
    '{"v":{"$numberInt":"-42"}}',
    '{"v":{"$numberLong":"1152921504606846977"}}',
    '{"v":{"$numberDouble":"1.0"}}',
    '{"v":{"$numberDouble":"-Infinity"}}',
    '{"v":{"$numberDouble":"NaN"}}',
    '{"v":{"$numberDecimal":"12345678901234567890.12"}}',
    '{"v":{"$binary":{"base64":"3q2+7w==","subType":"00"}}}',
    '{"v":{"$binary":{"base64":"DjtsSp1STA6KQQ0/mm8bLA==","subType":"04"}}}',
    '{"v":{"$uuid":"0e3b6c4a-9d52-4c0e-8a41-0d3f9a6f1b2c"}}',
    '{"v":{"$regularExpression":{"pattern":"^a.*b$","options":"im"}}}',
    '{"v":{"$timestamp":{"t":1700000000,"i":1}}}',
    '{"v":{"$timestamp":{"t":4294967295,"i":4294967295}}}',
    '{"v":{"$minKey":1}}',
    '{"v":{"$maxKey":1}}',
    '{"v":[{"$oid":"5ab2f6709b8f98766c1083ce"},{"a":{"$numberLong":"5"}}],"n":3000000000,"x":2.5,"y":7}',
  ];
  for (const text of texts) {
    const mine = clean(text);
    const reference = EJSON.parse(text, { relaxed: false });
    assert.is(canonical(mine), canonical(reference), text);
    assert.equal(BSON.serialize(mine as never), BSON.serialize(reference), `${text}: the same bytes`);
  }
  const types = clean(
    '[{"$oid":"5ab2f6709b8f98766c1083ce"},{"$numberDouble":"1"},{"$numberDecimal":"1.5"},{"$binary":{"base64":"","subType":"80"}},{"$regularExpression":{"pattern":"a","options":""}},{"$timestamp":{"t":1,"i":2}},{"$minKey":1},{"$maxKey":1}]',
  ) as unknown[];
  [ObjectId, Double, Decimal128, Binary, BSONRegExp, Timestamp, MinKey, MaxKey].forEach((type, i) => assert.instance(types[i], type));
});

test('an Extended JSON value mixed with other keys is refused instead of losing them', () => {
  for (const text of [
    '{"v":{"$date":"2020-01-01T00:00:00Z","x":1}}',
    '{"v":{"$oid":"5ab2f6709b8f98766c1083ce","$ne":1}}',
    '{"v":{"$numberLong":"5","$gt":1}}',
    '{"v":{"$minKey":1,"$maxKey":1}}',
    '{"v":{"$binary":"3q2+7w==","$type":"00"}}',
  ]) {
    assert.equal(issueCodes(text), ['INVALID_DOCUMENT'], text);
    assert.match(read(text).issues[0]!.message, /mixes the Extended JSON value|not valid/, text);
  }
});

test('$regex, $options and DBRef keys are query syntax: they stay as written, other keys included', () => {
  const value = clean('{"name":{"$regex":"^a","$options":"i","$nin":["ab"]},"owner":{"$ref":"users","$id":{"$oid":"5ab2f6709b8f98766c1083ce"},"$db":"elsewhere"}}') as Record<string, Record<string, unknown>>;
  assert.equal(Object.keys(value.name!), ['$regex', '$options', '$nin']);
  assert.equal(value.name!.$nin, ['ab']);
  assert.equal(Object.keys(value.owner!), ['$ref', '$id', '$db']);
  assert.instance(value.owner!.$id, ObjectId);
});

test('malformed Extended JSON values are refused, saying what was expected', () => {
  const cases: Array<[string, RegExp]> = [
    ['{"v":{"$oid":42}}', /24 hexadecimal digits/],
    ['{"v":{"$oid":"xyz"}}', /24 hexadecimal digits/],
    ['{"v":{"$date":"not a date"}}', /ISO-8601/],
    ['{"v":{"$date":"2020-01-01T00:00:00"}}', /needs Z or an offset/],
    ['{"v":{"$date":"2020-13-45"}}', /out of range|ISO/],
    ['{"v":{"$numberInt":"2147483648"}}', /32-bit/],
    ['{"v":{"$numberInt":1}}', /integer in a string/],
    ['{"v":{"$numberLong":"9223372036854775808"}}', /64-bit/],
    ['{"v":{"$numberDouble":"one"}}', /number in a string/],
    ['{"v":{"$numberDecimal":"1e99999"}}', /Decimal128/],
    ['{"v":{"$binary":{"base64":"!!","subType":"00"}}}', /base64/],
    ['{"v":{"$binary":{"base64":"AA==","subType":"00","x":1}}}', /subType/],
    ['{"v":{"$uuid":"nope"}}', /UUID/],
    ['{"v":{"$regularExpression":{"pattern":"a","options":"q"}}}', /options/],
    ['{"v":{"$timestamp":{"t":-1,"i":0}}}', /from 0/],
    ['{"v":{"$minKey":0}}', /expected 1/],
  ];
  for (const [text, message] of cases) {
    const outcome = read(text);
    assert.equal(outcome.issues.map((i) => i.code), ['INVALID_DOCUMENT'], text);
    assert.match(outcome.issues[0]!.message, message, text);
    assert.is(outcome.issues[0]!.position, 5, text);
  }
});

test('deprecated BSON types are refused rather than sent as something else', () => {
  for (const text of ['{"v":{"$undefined":true}}', '{"v":{"$symbol":"s"}}', '{"v":{"$dbPointer":{"$ref":"c","$id":{"$oid":"5ab2f6709b8f98766c1083ce"}}}}']) {
    assert.equal(issueCodes(text), ['INVALID_DOCUMENT'], text);
    assert.match(read(text).issues[0]!.message, /deprecated BSON type/, text);
  }
});

test('JavaScript code values are refused anywhere: alone, with a scope, in arrays, inside a DBRef', () => {
  for (const text of [
    '{"v":{"$code":"function(){}"}}',
    '{"v":{"$code":"f","$scope":{"x":1}}}',
    '{"v":{"$scope":{}}}',
    '{"v":[1,[{"$code":"sleep(1000)"}]]}',
    '{"v":{"$ref":"users","$id":{"$code":"while(true){}"}}}',
    '{"v":{"$ref":"users","$id":1,"$db":{"$code":"x"}}}',
    '{"a":{"b":{"c":{"d":{"$code":"deep"}}}}}',
  ]) {
    assert.equal(issueCodes(text), ['FORBIDDEN_OPERATOR'], text);
    assert.match(read(text).issues[0]!.message, /JavaScript code values are not allowed/);
  }
});

test('prototype keys are found at every depth, in arrays too, with the position of the key', () => {
  for (const key of ['__proto__', 'constructor', 'prototype', '_bsontype']) {
    for (const template of ['{"K":1}', '{"a":{"K":{"x":1}}}', '{"a":[1,{"b":[{"K":2}]}]}', '{"a":1,"K":{"$gt":1}}', '[[[{"K":null}]]]']) {
      const text = template.replace('K', key);
      const outcome = read(text);
      assert.equal(outcome.issues.map((i) => i.code), ['UNSAFE_KEY'], text);
      assert.ok(text.startsWith(`"${key}"`, outcome.issues[0]!.position), `${text}: position ${outcome.issues[0]!.position}`);
    }
  }
});

test('a repeated key is refused: JSON.parse would keep only the last one', () => {
  const outcome = read('{"filter":{"status":"A","qty":1,"status":"B"}}');
  assert.equal(outcome.issues.map((i) => [i.code, i.position]), [['UNSAFE_KEY', 32]]);
  assert.match(outcome.issues[0]!.message, /"status" appears twice/);
});

test('numeric keys after other keys are refused (JavaScript would move them); first, they are kept in order', () => {
  assert.equal(issueCodes('{"sort":{"name":1,"2019":-1}}'), ['UNSAFE_KEY']);
  assert.match(read('{"sort":{"name":1,"2019":-1}}').issues[0]!.message, /numeric key "2019"/);
  const kept = clean('{"sort":{"10":1,"2019":-1,"name":1}}') as { sort: object };
  assert.equal(Object.keys(kept.sort), ['10', '2019', 'name']);
  assert.equal(issueCodes('{"sort":{"2019":-1,"10":1}}'), ['UNSAFE_KEY'], 'numeric keys out of numeric order would be reordered too');
  assert.equal(issueCodes('{"sort":{"10":1,"2019":-1,"name":1}}'), []);
  assert.equal(issueCodes('{"a":{"01":1,"b":2}}'), [], '"01" is not an array index: JavaScript keeps its place');
});

test('strings with lone surrogates and keys with NUL are refused: BSON would change them', () => {
  assert.equal(issueCodes('{"v":"\\ud800x"}'), ['INVALID_DOCUMENT']);
  assert.equal(issueCodes('{"v":"\\udc00"}'), ['INVALID_DOCUMENT']);
  assert.equal(issueCodes('{"v":"\\ud83d\\ude00"}'), []);
  assert.equal(issueCodes('{"a\\u0000b":1}'), ['INVALID_DOCUMENT']);
  assert.equal(issueCodes('{"v":"a\\u0000b"}'), [], 'NUL inside a string value is fine in BSON');
});

test('syntax errors stop reading with the position JSON.parse would give', () => {
  const cases: Array<[string, number]> = [
    ['{', 1],
    ['{"a":1,}', 7],
    ["{'a':1}", 1],
    ['{"a":1}{"b":2}', 7],
    ['{"a" 1}', 5],
    ['[1 2]', 3],
    ['{"a":01}', 6],
    ['{"a":"x', 5],
    ['{"a":"\\x"}', 6],
    ['{"a":"\u0001"}', 6],
    ['{"a":tru}', 5],
    ['', 0],
  ];
  for (const [text, position] of cases) {
    const outcome = readExtendedJson(text);
    assert.not.ok(outcome.ok, text);
    if (outcome.ok) continue;
    assert.is(outcome.error.code, 'PARSE_ERROR', text);
    assert.is(outcome.error.position, position, text);
    assert.match(outcome.error.message, /^The query is not valid JSON: /);
    assert.throws(() => JSON.parse(text), undefined, `JSON.parse agrees ${text} is not JSON`);
  }
});

test(`nesting deeper than ${MAX_DEPTH} levels is refused without recursion trouble`, () => {
  const ok = `${'['.repeat(MAX_DEPTH)}${']'.repeat(MAX_DEPTH)}`;
  assert.ok(readExtendedJson(ok).ok);
  for (const text of [`${'['.repeat(MAX_DEPTH + 1)}${']'.repeat(MAX_DEPTH + 1)}`, `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`]) {
    const outcome = readExtendedJson(text);
    assert.not.ok(outcome.ok);
    if (!outcome.ok) assert.equal([outcome.error.code, outcome.error.message], ['INVALID_DOCUMENT', `The query document is nested more than ${MAX_DEPTH} levels deep.`]);
  }
});

test('a wide object with a late numeric key is refused too (the order check is one pass)', () => {
  const keys = Array.from({ length: 15_000 }, (_, i) => `"k${i}":1`).join(',');
  const outcome = read(`{${keys},"7":1}`);
  assert.equal(outcome.issues.map((i) => i.code), ['UNSAFE_KEY']);
});

test.run();
