import {
  Binary,
  BSONError,
  BSONRegExp,
  BSONSymbol,
  Code,
  DBRef,
  Decimal128,
  deserialize,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  serialize,
  Timestamp,
  type Document,
} from 'bson';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { forEachElement, readCell, readName } from '../../../../../engine/connectors/mongodb/raw-cells';
import { documentsToTable, rawDocumentsToTable } from '../../../../../engine/connectors/mongodb/results';
import { toCell } from '../../../../../engine/connectors/mongodb/values';

// Query results arrive as raw BSON and are decoded straight to cells; the
// table must be exactly what deserializing first (promoteValues: false, as the
// driver would) and converting gives, for every type and shape.
function bothWays(docs: Document[]) {
  const bytes = docs.map((d) => serialize(d, { ignoreUndefined: false }));
  return { raw: rawDocumentsToTable(bytes), viaLibrary: documentsToTable(bytes.map((b) => deserialize(b, { promoteValues: false }))) };
}

function assertSame(docs: Document[]) {
  const { raw, viaLibrary } = bothWays(docs);
  assert.equal(raw.columns, viaLibrary.columns);
  assert.equal(raw.rows, viaLibrary.rows);
  return raw;
}

const id = new ObjectId('64b7f0c2a1b2c3d4e5f60718');

test('common types: ids, strings, numbers, booleans, dates, nulls, nested documents and arrays', () => {
  const table = assertSame([
    {
      _id: id,
      name: 'Zoë — 東京 🚀',
      empty: '',
      n: new Int32(-7),
      price: new Double(12.5),
      whole: new Double(3),
      big: Long.fromString('9007199254740993'),
      small: Long.fromString('-9007199254740993'),
      safe: Long.fromNumber(9007199254740991),
      ok: true,
      no: false,
      at: new Date('2024-01-02T03:04:05.678Z'),
      old: new Date('1969-07-20T20:17:40Z'),
      nothing: null,
      gone: undefined,
      address: { city: 'Kraków', geo: { lat: new Double(50.06), lng: new Double(19.94) }, tags: ['a', new Int32(1), null] },
      list: [{ sku: 'x', qty: new Int32(2) }, [], {}],
    },
  ]);
  assert.equal(table.rows[0], [
    '64b7f0c2a1b2c3d4e5f60718',
    'Zoë — 東京 🚀',
    '',
    -7,
    12.5,
    3,
    '9007199254740993',
    '-9007199254740993',
    9007199254740991,
    true,
    false,
    '2024-01-02T03:04:05.678Z',
    '1969-07-20T20:17:40.000Z',
    null,
    null,
    // The nested document flattened to dotted columns, typed from its BSON types; arrays stay one cell.
    'Kraków',
    50.06,
    19.94,
    ['a', 1, null],
    [{ sku: 'x', qty: 2 }, [], {}],
  ]);
  assert.equal(
    table.columns.map((c) => c.type),
    ['objectId', 'string', 'string', 'integer', 'float', 'float', 'integer', 'integer', 'integer', 'boolean', 'boolean', 'timestamptz', 'timestamptz', 'null', 'null', 'string', 'float', 'float', 'array', 'array'],
  );
  assert.equal(table.columns.slice(15, 18).map((c) => c.name), ['address.city', 'address.geo.lat', 'address.geo.lng']);
});

test('the common types are decoded from the bytes themselves, without the library', () => {
  const doc = {
    _id: id,
    s: 'text',
    d: new Double(0.5),
    i: new Int32(3),
    l: Long.fromNumber(-42),
    b: true,
    at: new Date(86_400_000),
    z: null,
    o: { x: [new Int32(1), 'two', { y: false }] },
  };
  const buf = Buffer.from(serialize(doc));
  const decoded: Record<string, unknown> = {};
  // Throws (NOT_DECODED) if any of these needed the library.
  forEachElement(buf, 0, (type, nameStart, nameStop, at, length) => {
    decoded[readName(buf, nameStart, nameStop)] = readCell(buf, type, at, length);
  });
  assert.equal(decoded, Object.fromEntries(Object.entries(deserialize(buf, { promoteValues: false })).map(([k, v]) => [k, toCell(v)])));
});

test('numbers and dates at the edges stay exact or become text, never wrong numbers', () => {
  const table = assertSame([
    {
      nan: new Double(Number.NaN),
      inf: new Double(Number.POSITIVE_INFINITY),
      negZero: new Double(-0),
      maxLong: Long.MAX_VALUE,
      minLong: Long.MIN_VALUE,
      int32Min: new Int32(-2147483648),
      farFuture: new Date(8.64e15),
      tooFar: Long.fromString('9000000000000000'),
    },
  ]);
  assert.equal(table.rows[0]!.slice(0, 6), ['NaN', 'Infinity', -0, '9223372036854775807', '-9223372036854775808', -2147483648]);
  assert.is(table.rows[0]![6], '+275760-09-13T00:00:00.000Z');
});

test('dates outside what JavaScript can hold are null, as with the library', () => {
  const buf = Buffer.from(serialize({ at: new Date(0) }));
  // Overwrite the date's int64 with a value beyond ±8.64e15 ms.
  buf.writeBigInt64LE(9_000_000_000_000_000n, buf.length - 9);
  assert.equal(rawDocumentsToTable([buf]).rows, [[null]]);
  assert.equal(documentsToTable([deserialize(buf, { promoteValues: false })]).rows, [[null]]);
});

test('rare types go through the library and come out the same', () => {
  assertSame([
    {
      bin: new Binary(Buffer.from([0, 1, 254, 255])),
      uuid: new Binary(Buffer.from('0123456789abcdef0123456789abcdef', 'hex'), 4),
      dec: Decimal128.fromString('1234567890.123456789'),
      ts: new Timestamp({ t: 1_700_000_000, i: 1 }),
      re: new BSONRegExp('^a.*z$', 'i'),
      code: new Code('function () { return 1; }'),
      sym: new BSONSymbol('sym'),
      min: new MinKey(),
      max: new MaxKey(),
      ref: new DBRef('customers', id, 'shop'),
    },
    { nested: { deep: [{ dec: Decimal128.fromString('0.1') }] } },
    { dollar: { $ref: 'customers', $id: id } },
    { query: { $gt: new Int32(1) } },
  ]);
});

test('rows with different, missing, reordered and late fields line up by name', () => {
  const table = assertSame([
    { a: new Int32(1), b: 'x' },
    { b: 'y', a: new Int32(2) },
    { c: true },
    { a: 'three', d: new Date(0) },
    {},
  ]);
  assert.equal(table.rows, [
    [1, 'x', null, null],
    [2, 'y', null, null],
    [null, null, true, null],
    ['three', null, null, '1970-01-01T00:00:00.000Z'],
    [null, null, null, null],
  ]);
  assert.equal(
    table.columns.map((c) => [c.name, c.type, c.nativeType]),
    [
      ['a', 'unknown', 'int|string'],
      ['b', 'string', 'string'],
      ['c', 'boolean', 'bool'],
      ['d', 'timestamptz', 'date'],
    ],
  );
});

test('a key named __proto__ is a field, not a prototype', () => {
  const doc = JSON.parse('{"__proto__": {"polluted": true}, "nested": {"__proto__": 1}}') as Document;
  const table = assertSame([doc]);
  // A level holding a __proto__ key is not flattened (its dotted name would be read back through the prototype).
  assert.equal(
    table.columns.map((c) => c.name),
    ['__proto__.polluted', 'nested'],
  );
  assert.equal(table.rows[0], [true, { __proto__: 1 }]);
  assert.is(({} as Record<string, unknown>).polluted, undefined);
});

test('a mixed result (some documents decoded directly, some by the library) keeps each column’s types', () => {
  const docs = Array.from({ length: 30 }, (_, i) => ({ n: i % 10 === 9 ? Decimal128.fromString(`${i}.5`) : new Int32(i), s: `row ${i}` }));
  const table = assertSame(docs);
  assert.equal(table.columns[0], { name: 'n', type: 'decimal', nativeType: 'int|decimal' });
  assert.is(table.rows[9]![0], '9.5');
});

test('malformed bytes fail with the library’s own error, never a wrong row', () => {
  const good = Buffer.from(serialize({ name: 'ok', n: new Int32(1) }));
  const truncated = good.subarray(0, good.length - 3);
  const badUtf8 = Buffer.from(good);
  badUtf8[good.indexOf('ok')] = 0xff;
  for (const bytes of [truncated, badUtf8]) {
    let libraryError: unknown;
    try {
      deserialize(bytes, { promoteValues: false });
    } catch (error) {
      libraryError = error;
    }
    assert.ok(BSONError.isBSONError(libraryError));
    // isBSONError, not instanceof: the driver loads bson's CommonJS build, this test its ES module.
    assert.throws(() => rawDocumentsToTable([bytes]), (error: unknown) => BSONError.isBSONError(error) && error.message === (libraryError as Error).message);
  }
});

test.run();
